// The task list as an operator works with it: tasks told apart by where they read and write, a
// filter box reached with Ctrl+F, "Run Again from the Beginning" doing what run --restart does,
// and word when a task completes or fails, with counts and times that read as words.
#include "LocalTime.h"
#include "MainWindow.h"
#include "TaskNotifier.h"
#include "monitor/MonitorWindow.h"
#include "support/TestProfiles.h"
#include "support/gui/WidgetDriver.h"

#include <CheckpointStore.h>
#include <ProfileJson.h>
#include <QAction>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::test;

namespace {

/// Saves `profiles` as tasks of the store at `path`, as the app or the CLI would have.
bool saveTasks(const QString &path, const QList<TaskProfile> &profiles)
{
    CheckpointStore store;
    if (!store.open(path))
        return false;
    for (const TaskProfile &profile : profiles)
        if (!store.saveTask(profile.name, ProfileJson::toJson(profile, false)))
            return false;
    return true;
}

/// A task from a small line-protocol file of `lines` points (one measurement) to another file.
TaskProfile fileTask(const QString &name, const QString &dir, int lines)
{
    QFile input(dir + u"/"_s + name + u".lp"_s);
    if (input.open(QIODevice::WriteOnly))
        for (int i = 0; i < lines; ++i)
            input.write("m,t=a v=" + QByteArray::number(i) + "i " +
                        QByteArray::number(1700000000000000000LL + i * 1000000000LL) + "\n");
    TaskProfile profile =
        lpfileToLpfile(name, input.fileName(), dir + u"/"_s + name + u"-out.lp"_s);
    profile.task.start = u"2023-01-01T00:00:00Z"_s;
    return profile;
}

QStringList shownNames(MainWindow &window)
{
    auto *table = find<QTableView>(&window, u"taskTableView"_s);
    QStringList names;
    for (int row = 0; row < window.model()->rowCount(); ++row)
        if (!table->isRowHidden(row))
            names.append(window.model()->row(row)->name);
    return names;
}

TaskRow rowIn(TaskState state, qint64 written = 0, const QString &error = QString())
{
    TaskRow row;
    row.name = u"nightly"_s;
    row.taskState = state;
    row.state = taskStateName(state);
    row.pointsWritten = written;
    row.lastError = error;
    return row;
}

} // namespace

class TestOperator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    /// Two tasks of the same kinds differ in hosts and databases: each row's tooltip says
    /// where it reads and writes, and the filter box (Ctrl+F) finds tasks by any of it.
    void tasksAreToldApartAndFiltered()
    {
        QTemporaryDir dir;
        const QString store = dir.filePath(u"tasks.sqlite"_s);
        QVERIFY(saveTasks(
            store, {influxToInflux(u"eu"_s, u"http://influx-eu.example:8086"_s, u"telegraf"_s,
                                   u"http://archive.example:8087"_s, u"eu_archive"_s),
                    influxToInflux(u"us"_s, u"http://influx-us.example:8086"_s, u"telegraf"_s,
                                   u"http://archive.example:8087"_s, u"us_archive"_s),
                    fileTask(u"from a file"_s, dir.path(), 2)}));
        MainWindow window(store);
        window.show();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), 3, 10000);

        const int eu = window.model()->indexOf(u"eu"_s);
        const QString tip =
            window.model()->index(eu, TaskListModel::Route).data(Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains(u"Source: InfluxDB 1.x at http://influx-eu.example:8086, bucket "
                              "telegraf"_s),
                 qPrintable(tip));
        QVERIFY2(tip.contains(u"Target: InfluxDB 1.x at http://archive.example:8087, database "
                              "eu_archive"_s),
                 qPrintable(tip));
        const QString fileTip =
            window.model()
                ->index(window.model()->indexOf(u"from a file"_s), TaskListModel::Name)
                .data(Qt::ToolTipRole)
                .toString();
        QVERIFY2(fileTip.contains(dir.filePath(u"from a file-out.lp"_s)), qPrintable(fileTip));

        // Ctrl+F from the list reaches the filter box.
        auto *table = find<QTableView>(&window, u"taskTableView"_s);
        auto *filter = find<QLineEdit>(&window, u"taskFilterLineEdit"_s);
        QVERIFY(table->hasFocus()); // keys go to the list first, not to the box above it
        table->selectRow(eu);
        QTest::keyClick(table, Qt::Key_F, Qt::ControlModifier);
        QTRY_VERIFY(filter->hasFocus());

        QTest::keyClicks(filter, u"INFLUX-us"_s);
        QCOMPARE(shownNames(window), QStringList{u"us"_s});
        // The selected task is hidden now: no command acts on it unseen.
        QVERIFY(!find<QAction>(&window, u"editAction"_s)->isEnabled());
        filter->clear();
        QTest::keyClicks(filter, u"eu_archive"_s);
        QCOMPARE(shownNames(window), QStringList{u"eu"_s});
        filter->clear();
        QTest::keyClicks(filter, u"line-protocol"_s);
        QCOMPARE(shownNames(window), QStringList{u"from a file"_s});
        filter->clear();
        QTest::keyClicks(filter, u"archive.example telegraf"_s);
        QCOMPARE(shownNames(window), (QStringList{u"eu"_s, u"us"_s}));
        // Enter goes on to the first task shown, which the commands then act on.
        QTest::keyClick(filter, Qt::Key_Return);
        QVERIFY(table->hasFocus());
        QVERIFY(find<QAction>(&window, u"editAction"_s)->isEnabled());
        // The store's next reading keeps the filter.
        const int refreshed = window.model()->rowCount();
        QVERIFY(waitForStoreReadings(window));
        QCOMPARE(window.model()->rowCount(), refreshed);
        QCOMPARE(shownNames(window), (QStringList{u"eu"_s, u"us"_s}));
        filter->clear();
        QCOMPARE(shownNames(window).size(), 3);
    }

    /// Run Again from the Beginning asks first (saying that a target file is appended to), then
    /// forgets the progress as run --restart does (the log starts anew) and runs the task
    /// again; the status bar counts in words.
    void runAgainFromTheBeginning()
    {
        QTemporaryDir dir;
        const QString store = dir.filePath(u"tasks.sqlite"_s);
        QVERIFY(saveTasks(store, {fileTask(u"again"_s, dir.path(), 3)}));
        MainWindow window(store);
        window.show();
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), 1, 10000);
        auto *restart = find<QAction>(&window, u"restartAction"_s);
        find<QTableView>(&window, u"taskTableView"_s)->selectRow(0);
        QTRY_VERIFY(!restart->isEnabled()); // nothing done yet, nothing to forget
        QVERIFY(find<QTableView>(&window, u"taskTableView"_s)->actions().contains(restart));

        triggerOnTask(window, u"startAction"_s);
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->row(0)->taskState, TaskState::Completed, 30000);
        auto *status = find<QLabel>(&window, u"statusLabel"_s);
        QTRY_VERIFY2(status->text().contains(u"3 points"_s) &&
                         status->text().contains(u"1 read unit"_s) &&
                         !status->text().contains(u"1 read units"_s),
                     qPrintable(status->text()));
        QTRY_VERIFY(restart->isEnabled());

        auto planned = [&] {
            CheckpointStore reader;
            reader.open(store);
            int count = 0;
            for (const EventRecord &e : reader.events(reader.task(u"again"_s)->id))
                count += e.message.startsWith(u"Planned"_s);
            return count;
        };
        QCOMPARE(planned(), 1);

        QString asked;
        MainWindow::askYesNo() = [&](QWidget *, const QString &, const QString &text) {
            asked = text;
            return false;
        };
        trigger(&window, u"restartAction"_s);
        QVERIFY2(asked.contains(u"\"again\""_s) && asked.contains(u"3 points written"_s),
                 qPrintable(asked));
        // A file target is appended to, as by run --restart: the question says so.
        QVERIFY2(asked.contains(u"The target file %1 is appended to"_s.arg(
                     dir.filePath(u"again-out.lp"_s))),
                 qPrintable(asked));
        QVERIFY(waitForStoreReadings(window));
        QCOMPARE(planned(), 1); // No kept everything

        MainWindow::askYesNo() = [](QWidget *, const QString &, const QString &) { return true; };
        QSignalSpy ended(window.notifier(), &TaskNotifier::noticed);
        trigger(&window, u"restartAction"_s);
        // It ran again from a forgotten ledger: one plan in the log, not two, and all written.
        QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->row(0)->taskState, TaskState::Completed, 30000);
        QCOMPARE(planned(), 1);
        QCOMPARE(window.model()->row(0)->pointsWritten, 3);
        QFile output(dir.filePath(u"again-out.lp"_s));
        QVERIFY(output.open(QIODevice::ReadOnly));
        QCOMPARE(output.readAll().count('\n'), 6); // appended to, as the question said
    }

    /// What a notification says, decided apart from a tray: a task that completed or failed
    /// since the last reading, nothing for one that did not change or is new.
    void noticesSayWhatEnded()
    {
        auto completed =
            TaskNotifier::notice(rowIn(TaskState::Running), rowIn(TaskState::Completed, 1234567));
        QVERIFY(completed);
        QCOMPARE(completed->title, u"nightly completed"_s);
        QCOMPARE(completed->text, u"%1 points written."_s.arg(QLocale().toString(1234567)));
        QVERIFY(!completed->failed);
        QCOMPARE(TaskNotifier::notice(rowIn(TaskState::Idle), rowIn(TaskState::Completed, 1))->text,
                 u"1 point written."_s);

        auto failed = TaskNotifier::notice(rowIn(TaskState::Retrying),
                                           rowIn(TaskState::Failed, 0, u"401 from the target"_s));
        QVERIFY(failed && failed->failed);
        QCOMPARE(failed->title, u"nightly failed"_s);
        QCOMPARE(failed->text, u"401 from the target"_s);

        QVERIFY(!TaskNotifier::notice(rowIn(TaskState::Completed), rowIn(TaskState::Completed)));
        QVERIFY(!TaskNotifier::notice(rowIn(TaskState::Running), rowIn(TaskState::Paused)));

        TaskRow running = rowIn(TaskState::Running);
        running.phase = u"history 42.0%"_s;
        QCOMPARE(TaskNotifier::trayText({running, rowIn(TaskState::Completed)}),
                 u"tsmigrate: 1 task running\nnightly: history 42.0%"_s);
        QCOMPARE(TaskNotifier::trayText({rowIn(TaskState::Completed)}),
                 u"tsmigrate: no task running"_s);
    }

    /// Through the window: a task this app runs and one that fails are noticed once each; with
    /// no tray (offscreen) there is no icon and nothing else breaks. The monitor's log names
    /// the time zone of its times.
    void tasksThatEndAreNoticed()
    {
        QTemporaryDir dir;
        const QString store = dir.filePath(u"tasks.sqlite"_s);
        TaskProfile missing = fileTask(u"missing"_s, dir.path(), 1);
        QVERIFY(QFile::remove(missing.source.path));
        QVERIFY(saveTasks(store, {fileTask(u"fine"_s, dir.path(), 2), missing}));
        MainWindow window(store);
        window.show();
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), 2, 10000);
        QCOMPARE(window.notifier()->trayIcon() != nullptr,
                 QSystemTrayIcon::isSystemTrayAvailable());
        QSignalSpy noticed(window.notifier(), &TaskNotifier::noticed);

        triggerOnTask(window, u"startAction"_s, window.model()->indexOf(u"fine"_s));
        QTRY_COMPARE_WITH_TIMEOUT(noticed.size(), 1, 30000);
        QCOMPARE(noticed.at(0).at(0).toString(), u"fine completed"_s);
        QCOMPARE(noticed.at(0).at(1).toString(), u"2 points written."_s);
        QCOMPARE(noticed.at(0).at(2).toBool(), false);

        triggerOnTask(window, u"startAction"_s, window.model()->indexOf(u"missing"_s));
        QTRY_COMPARE_WITH_TIMEOUT(noticed.size(), 2, 30000);
        QCOMPARE(noticed.at(1).at(0).toString(), u"missing failed"_s);
        QVERIFY2(noticed.at(1).at(1).toString().contains(u"missing.lp"_s),
                 qPrintable(noticed.at(1).at(1).toString()));
        QCOMPARE(noticed.at(1).at(2).toBool(), true);
        QVERIFY(waitForStoreReadings(window)); // later readings say nothing more
        QCOMPARE(noticed.size(), 2);

        triggerOnTask(window, u"openMonitorAction"_s, window.model()->indexOf(u"fine"_s));
        MonitorWindow *monitor = window.monitor(u"fine"_s);
        QVERIFY(monitor);
        auto *log = find<QTableView>(monitor, u"eventTableView"_s);
        QVERIFY(log);
        QTRY_VERIFY(log->model()->rowCount() > 0);
        const QString time = log->model()->index(0, 0).data().toString();
        QVERIFY2(time.endsWith(u' ' + localZoneName()), qPrintable(time));
        // The charts' time axes carry no zone; the label beside them names it.
        QCOMPARE(find<QLabel>(monitor, u"timeZoneLabel"_s)->text(),
                 u"(times in %1)"_s.arg(localZoneName()));
    }
};

QTEST_MAIN(TestOperator)
#include "test_operator.moc"
