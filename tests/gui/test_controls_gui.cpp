// The operator's controls in the wizard, typed into the real widgets against a real influxd:
// a series filter, renames and an added tag on the Task page, the rate limit and the pause on
// Advanced Options; the summary's plan shows the new names, and the task run from the list moves
// only the matching series under them. The monitor shows the rate limit.
#include "MainWindow.h"
#include "TaskListModel.h"
#include "monitor/MonitorWindow.h"
#include "support/InfluxDump.h"
#include "support/InfluxdFixture.h"
#include "support/gui/WidgetDriver.h"
#include "wizard/TaskWizard.h"

#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::test;

class TestControlsGui : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        TSM_START_SHARED_INFLUXD(m_influx);
        QByteArray lp;
        for (int i = 0; i < 600; ++i)
            lp += "weather,city=c" + QByteArray::number(i % 3) + " temp=" + QByteArray::number(i) +
                  "i " + QByteArray::number(1700000000000000000LL + i * 60000000000LL) + '\n';
        QVERIFY(m_influx->fill(u"src"_s, lp));
    }
    void cleanupTestCase() { m_influx.reset(); }

    void controlsFromTheWizard()
    {
        QTemporaryDir dir;
        const QString store = dir.filePath(u"tasks.sqlite"_s);
        MainWindow window(store);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        trigger(&window, u"addDataSourceAction"_s);
        TaskWizard *wizard = window.wizard();
        QVERIFY(wizard);
        auto *next = wizard->button(QWizard::NextButton);
        type(wizard, u"nameLineEdit"_s, u"controlled"_s);
        choose(wizard, u"sourceTypeComboBox"_s, u"influxdb"_s);
        choose(wizard, u"targetTypeComboBox"_s, u"influxdb1"_s);
        find<QSpinBox>(wizard, u"targetPortSpinBox"_s)->setValue(m_influx->port());
        type(wizard, u"targetDatabaseLineEdit"_s, u"dst"_s);
        QTest::mouseClick(next, Qt::LeftButton);
        type(wizard, u"sourceHostLineEdit"_s, u"127.0.0.1"_s);
        find<QSpinBox>(wizard, u"sourcePortSpinBox"_s)->setValue(m_influx->port());
        QTest::mouseClick(next, Qt::LeftButton);
        QTest::mouseClick(next, Qt::LeftButton);

        // Task page: the bucket, a start, and the controls.
        QCOMPARE(wizard->currentId(), int(TaskWizard::TaskPage));
        click(wizard, u"getSchemaButton"_s);
        auto *bucket = find<QComboBox>(wizard, u"bucketComboBox"_s);
        QTRY_VERIFY_WITH_TIMEOUT(bucket->findText(u"src"_s) >= 0, 15000);
        choose(wizard, u"bucketComboBox"_s, u"src"_s);
        type(wizard, u"taskStartLineEdit"_s, u"2023-11-01T00:00:00Z"_s);
        type(wizard, u"taskEndLineEdit"_s, u"2024-01-01T00:00:00Z"_s);
        type(wizard, u"taskSeriesFilterLineEdit"_s, u"city =~ /c[01]/"_s);
        // A malformed rename blocks Next with the reason, then a good one lets it go.
        type(wizard, u"taskRenameLineEdit"_s, u"measurement=climate"_s);
        QVERIFY(!next->isEnabled());
        QVERIFY2(
            find<QLabel>(wizard, u"taskRenameErrorLabel"_s)->text().contains(u"kind:from=to"_s),
            qPrintable(find<QLabel>(wizard, u"taskRenameErrorLabel"_s)->text()));
        type(wizard, u"taskRenameLineEdit"_s, u"measurement:weather=climate, field:temp=celsius"_s);
        type(wizard, u"taskAddTagsLineEdit"_s, u"env=prod"_s);
        QVERIFY(next->isEnabled());
        if (auto *scroll = wizard->currentPage()->findChild<QScrollArea *>())
            scroll->ensureWidgetVisible(find<QLineEdit>(wizard, u"taskAddTagsLineEdit"_s));
        screenshot(wizard, u"controls-task"_s);

        // Advanced options: the collapsed section of the task page.
        click(wizard, u"advancedToggleButton"_s);
        find<QSpinBox>(wizard, u"advancedMaxPointsPerSecondSpinBox"_s)->setValue(100000);
        find<QSpinBox>(wizard, u"advancedReadIntervalMsSpinBox"_s)->setValue(10);
        screenshot(wizard, u"controls-advanced"_s);
        const TaskProfile typed = wizard->profile();
        QCOMPARE(typed.task.seriesFilter, u"city =~ /c[01]/"_s);
        QCOMPARE(typed.task.rename,
                 (QStringList{u"measurement:weather=climate"_s, u"field:temp=celsius"_s}));
        QCOMPARE(typed.task.addTags, QStringList{u"env=prod"_s});
        QCOMPARE(typed.advanced.maxPointsPerSecond, 100000);
        QCOMPARE(typed.advanced.readIntervalMs, 10);
        QVERIFY(next->isEnabled());
        QTest::mouseClick(next, Qt::LeftButton);

        // The summary's plan: the measurement under its new name, the filtered points.
        QCOMPARE(wizard->currentId(), int(TaskWizard::SummaryPage));
        auto *planTree = find<QTreeWidget>(wizard, u"planTreeWidget"_s);
        QTRY_VERIFY_WITH_TIMEOUT(!find<QProgressBar>(wizard, u"planProgressBar"_s)->isVisible(),
                                 30000);
        QCOMPARE(planTree->topLevelItemCount(), 1);
        QCOMPARE(planTree->topLevelItem(0)->text(0), u"climate"_s);
        QCOMPARE(planTree->topLevelItem(0)->text(1), u"400"_s);
        QTest::mouseClick(wizard->button(QWizard::FinishButton), Qt::LeftButton);

        QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), 1, 10000);
        find<QTableView>(&window, u"taskTableView"_s)->selectRow(0);
        trigger(&window, u"startAction"_s);
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->row(0)->state, u"completed"_s, 60000);

        InfluxDump dump(m_influx->url());
        const QStringList target = dump.dump(u"dst"_s);
        QVERIFY2(dump.error().isEmpty(), qPrintable(dump.error()));
        QCOMPARE(target.size(), 400);
        for (const QString &line : target) {
            QVERIFY2(line.startsWith(u"climate|city=c0,env=prod|"_s) ||
                         line.startsWith(u"climate|city=c1,env=prod|"_s),
                     qPrintable(line));
            QCOMPARE(line.section(u'|', 3, 3), u"celsius"_s);
        }

        MonitorWindow monitor(store, u"controlled"_s);
        auto *rateLimit = find<QLabel>(&monitor, u"rateLimitValueLabel"_s);
        QTRY_VERIFY_WITH_TIMEOUT(rateLimit->text().endsWith(u" points/s"_s), 10000);
        QCOMPARE(rateLimit->text().remove(QRegularExpression(u"[^0-9]"_s)), u"100000"_s);
        screenshot(&monitor, u"controls-monitor"_s);
    }

private:
    std::unique_ptr<InfluxdFixture> m_influx;
};

QTEST_MAIN(TestControlsGui)
#include "test_controls_gui.moc"
