// Verification in the app: Verify in the task list counts both sides off the UI thread and the
// list's Status says so; the monitor's Verification tab lists a window that differs, and Repair
// migrates it again until source and target are identical.
#include "MainWindow.h"
#include "monitor/MonitorWindow.h"
#include "monitor/VerificationTab.h"
#include "support/InfluxDump.h"
#include "support/InfluxdFixture.h"
#include "support/TestCli.h"
#include "support/TestProfiles.h"

#include <CheckpointStore.h>
#include <ProfileJson.h>
#include <QAction>
#include <QPushButton>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <TimeText.h>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::test;

namespace {

constexpr qint64 kT0 = 1600000000000000000LL;
constexpr qint64 kMinute = 60000000000LL;

QString statusOf(MainWindow &window)
{
    return window.model()
        ->data(window.model()->index(0, TaskListModel::Status), Qt::DisplayRole)
        .toString();
}

} // namespace

class TestVerifyGui : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void verifyShowsAndRepairFixes()
    {
        TSM_SKIP_WITHOUT_INFLUXD();
        InfluxdFixture influx;
        QVERIFY2(influx.start(), qPrintable(influx.errorString()));
        QVERIFY(influx.query(u"CREATE DATABASE src"_s));
        QByteArray lines;
        for (int i = 0; i < 180; ++i)
            lines += "cpu,host=h" + QByteArray::number(i % 3) + " usage=" + QByteArray::number(i) +
                     " " + QByteArray::number(kT0 + i * kMinute) + "\n";
        QVERIFY(influx.write(u"src"_s, lines));

        // A task as the app saves it, migrated by the CLI without verifying.
        QTemporaryDir dir;
        const QString state = dir.filePath(u"tasks.sqlite"_s);
        TaskProfile profile =
            influxToInflux(u"checked"_s, influx.url(), u"src"_s, influx.url(), u"dst"_s);
        profile.task.start = TimeText::format(kT0);
        profile.task.end = TimeText::format(kT0 + 180 * kMinute);
        profile.advanced.verify = false;
        {
            CheckpointStore store;
            QVERIFY(store.open(state));
            QVERIFY(store.saveTask(profile.name, ProfileJson::toJson(profile, true)));
        }
        const CliResult run = runCli({u"run"_s, u"--task"_s, profile.name, u"--state"_s, state});
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));

        MainWindow window(state);
        window.show();
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), 1, 10000);
        QCOMPARE(statusOf(window), u"completed"_s);
        window.findChild<QTableView *>(u"taskTableView"_s)->selectRow(0);
        auto *verify = window.findChild<QAction *>(u"verifyAction"_s);
        QTRY_VERIFY_WITH_TIMEOUT(verify->isEnabled(), 10000);
        QSignalSpy verified(&window, &MainWindow::verified);
        verify->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(verified.size(), 1, 60000);
        QCOMPARE(verified.at(0).at(1).toBool(), true);
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(window), u"completed, verified"_s, 10000);

        // One window loses its points in the target: Verify names it.
        // (Read windows start on the hour: 13:00 to 14:00 is one.)
        const qint64 lost = (kT0 / (60 * kMinute) + 1) * 60 * kMinute;
        QVERIFY(influx.query(
            u"DELETE FROM cpu WHERE time >= %1 AND time < %2"_s.arg(lost).arg(lost + 60 * kMinute),
            u"dst"_s));
        verify->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(verified.size(), 2, 60000);
        QCOMPARE(verified.at(1).at(1).toBool(), false);
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(window), u"completed, 1 window differs"_s, 10000);

        window.findChild<QAction *>(u"openMonitorAction"_s)->trigger();
        MonitorWindow *monitor = window.monitor(profile.name);
        QVERIFY(monitor);
        auto *table = monitor->findChild<QTableWidget *>(u"differingWindowsTableWidget"_s);
        QVERIFY(table);
        QTRY_COMPARE_WITH_TIMEOUT(table->rowCount(), 1, 10000);
        QCOMPARE(table->item(0, 0)->text(), u"cpu"_s);
        QCOMPARE(table->item(0, 1)->text(), TimeText::format(lost));
        QCOMPARE(table->item(0, 4)->text(), u"0"_s);
        auto *repair = monitor->findChild<QPushButton *>(u"repairButton"_s);
        QVERIFY(repair && repair->isEnabled());
        repair->click();
        // The repair runs, then verifies; the list and the tab follow the state file.
        QTRY_COMPARE_WITH_TIMEOUT(verified.size(), 3, 60000);
        QCOMPARE(verified.at(2).at(1).toBool(), true);
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(window), u"completed, verified"_s, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(table->rowCount(), 0, 10000);
        QVERIFY(!repair->isEnabled());

        InfluxDump dump(influx.url());
        const QString diff = compareDumps(dump.dump(u"src"_s), dump.dump(u"dst"_s));
        QVERIFY2(dump.error().isEmpty(), qPrintable(dump.error()));
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
    }
};

QTEST_MAIN(TestVerifyGui)
#include "test_verify_gui.moc"
