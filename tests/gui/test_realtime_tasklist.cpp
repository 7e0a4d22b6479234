// The task list says which phase a task is in: a task following new data shows its lag (or,
// when not running, how far it got) in the progress column, read from the store as the CLI
// leaves it.
#include "MainWindow.h"
#include "TaskListModel.h"
#include "monitor/MonitorWindow.h"
#include "support/TestRecords.h"

#include <CheckpointStore.h>
#include <ProfileJson.h>
#include <QLabel>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>
#include <TimeText.h>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::test;

namespace {

/// Opens the store at `path` and saves a task "follower" in `mode`; its id, 0 on failure.
qint64 saveFollower(CheckpointStore &store, const QString &path, const QString &mode,
                    const QString &timeZone = {})
{
    if (!store.open(path))
        return 0;
    TaskProfile profile = TaskProfile::withDefaults();
    profile.task.mode = mode;
    if (!timeZone.isEmpty())
        profile.task.timeZone = timeZone;
    return store.saveTask(u"follower"_s, ProfileJson::toJson(profile, false)).value_or(0);
}

} // namespace

/** The phase in the task list. */
class TestRealtimeTaskList : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void followingTaskShowsItsLag()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"tasks.sqlite"_s);
        qint64 following = 0;
        qint64 history = 0;
        {
            CheckpointStore store;
            QVERIFY(store.open(path));
            TaskProfile profile = TaskProfile::withDefaults();
            profile.task.mode = u"realtime"_s;
            following = *store.saveTask(u"follower"_s, ProfileJson::toJson(profile, false));
            profile.task.mode = u"history"_s;
            history = *store.saveTask(u"history"_s, ProfileJson::toJson(profile, false));
            QVERIFY(store.addUnits(history, {unit(u"m"_s, 0, 10)}));
            QVERIFY(store.addUnits(history, {unit(u"m"_s, 10, 10)}));
            QVERIFY(store.setPlan(history, true, 0, 20));
            QVERIFY(store.updateUnits({UnitUpdate{
                store.units(history).at(0).id, UnitStatus::Done, 1, 1, 1, 0, std::nullopt, {}}}));
            QVERIFY(store.setTaskState(history, TaskState::Running));
            const qint64 now = TimeText::nowNs();
            QVERIFY(store.setPlan(following, true, now - 60000000000LL, now - 60000000000LL));
            QVERIFY(store.setWatermark(following, now - 4000000000LL));
            QVERIFY(store.setTaskState(following, TaskState::Running));
        }

        MainWindow window(path);
        window.show();
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), 2, 10000);
        auto progressOf = [&](const QString &name) {
            const int row = window.model()->indexOf(name);
            return window.model()
                ->data(window.model()->index(row, TaskListModel::Progress))
                .toString();
        };
        QVERIFY2(progressOf(u"follower"_s).startsWith(u"following, lag "_s),
                 qPrintable(progressOf(u"follower"_s)));
        QCOMPARE(progressOf(u"history"_s), u"50.0%"_s);
    }

    /// A stopped follower says how far it got in its own time zone, to the second: a short cell,
    /// not a UTC time to the nanosecond that widens the column; the tooltip keeps that.
    void stoppedFollowerSaysHowFarInItsZone()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"tasks.sqlite"_s);
        {
            CheckpointStore store;
            const qint64 id = saveFollower(store, path, u"both"_s, u"Asia/Shanghai"_s);
            QVERIFY(id);
            QVERIFY(store.setPlan(id, true, 0, 0));
            // 2024-03-01T04:05:09.123456789Z
            QVERIFY(store.setWatermark(id, 1709265909123456789LL));
            QVERIFY(store.setTaskState(id, TaskState::Stopped));
        }
        MainWindow window(path);
        window.show();
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), 1, 10000);
        const QModelIndex cell = window.model()->index(0, TaskListModel::Progress);
        QCOMPARE(cell.data().toString(), u"up to 2024-03-01 12:05:09 CST"_s);
        QCOMPARE(cell.data(Qt::ToolTipRole).toString(),
                 u"following, up to 2024-03-01T04:05:09.123456789Z"_s);
    }

    void monitorOfAFollowingTaskShowsItsLag()
    {
        // Following after an empty history: one cycle's unit done, its measurement never
        // counted (estimates are made for the history only), samples a second apart.
        QTemporaryDir dir;
        const QString path = dir.filePath(u"tasks.sqlite"_s);
        {
            CheckpointStore store;
            const qint64 id = saveFollower(store, path, u"realtime"_s);
            QVERIFY(id);
            const qint64 now = TimeText::nowNs();
            QVERIFY(store.setPlan(id, true, now - 60000000000LL, now - 60000000000LL));
            QVERIFY(store.addUnits(id, {unit(u"m"_s, now - 60000000000LL, now - 4000000000LL)}));
            QVERIFY(store.updateUnits({UnitUpdate{
                store.units(id).at(0).id, UnitStatus::Done, 1, 5, 5, 0, std::nullopt, {}}}));
            QVERIFY(store.setWatermark(id, now - 4000000000LL));
            const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
            for (int i = 0; i < 5; ++i) {
                ProgressSample sample;
                sample.taskId = id;
                sample.timeMs = nowMs - (5 - i) * 1000;
                sample.pointsRead = sample.pointsWritten = i;
                sample.unitsDone = sample.unitsTotal = 1;
                QVERIFY(store.addSample(sample));
            }
            QVERIFY(store.setTaskState(id, TaskState::Running));
            QVERIFY(store.setHealth(id, TaskHealth::Idle, u"no new data for 60 s or more"_s));
        }
        MonitorWindow monitor(path, u"follower"_s);
        monitor.show();
        QTRY_VERIFY(monitor.refreshCount() > 0);
        const auto text = [&](const QString &name) {
            return monitor.findChild<QLabel *>(name)->text();
        };
        QCOMPARE(monitor.figures().state, u"running"_s);
        QVERIFY(monitor.figures().following);
        QVERIFY2(text(u"stateValueLabel"_s).startsWith(u"following, lag "_s),
                 qPrintable(text(u"stateValueLabel"_s)));
        // The run's health follows, with its reason in the tooltip.
        QCOMPARE(monitor.figures().health, u"Idle"_s);
        QVERIFY2(text(u"stateValueLabel"_s).endsWith(u" · Idle"_s),
                 qPrintable(text(u"stateValueLabel"_s)));
        QCOMPARE(monitor.findChild<QLabel *>(u"stateValueLabel"_s)->toolTip(),
                 u"no new data for 60 s or more"_s);
        QVERIFY2(text(u"messageLabel"_s).startsWith(u"Following new data"_s),
                 qPrintable(text(u"messageLabel"_s)));
        // New data keeps coming: no end to count down to, no total being estimated.
        QCOMPARE(monitor.figures().etaSeconds, -1);
        QCOMPARE(text(u"etaValueLabel"_s), u"—"_s);
        QCOMPARE(text(u"totalValueLabel"_s), u"—"_s);
        QCOMPARE(text(u"unitsValueLabel"_s), u"0 pending"_s);
        const QAbstractItemModel *table =
            monitor.findChild<QTableView *>(u"measurementTableView"_s)->model();
        QCOMPARE(table->rowCount(), 1);
        QCOMPARE(table->index(0, 5).data().toString(), u"—"_s);
    }
};

QTEST_MAIN(TestRealtimeTaskList)
#include "test_realtime_tasklist.moc"
