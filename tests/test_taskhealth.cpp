// The health of a running task (TaskHealth): each state taosX defines, reached and left through a
// sequence of observations at chosen times, so no case depends on how fast the machine is.
#include <QtTest>
#include <TaskHealth.h>
#include <TaskOptions.h>
#include <TaskProfile.h>

using namespace Qt::StringLiterals;
using namespace tsm;

namespace {

HealthThresholds thresholds()
{
    HealthThresholds t;
    t.bounceErrors = 3;
    t.bounceWindowSeconds = 10;
    t.idleSeconds = 5;
    return t;
}

/** A run's counters, moved on step by step as a test tells. */
struct Run
{
    HealthTracker tracker{thresholds()};
    HealthObservation now;

    TaskHealth at(qint64 seconds)
    {
        now.nowMs = seconds * 1000;
        return tracker.observe(now);
    }
};

} // namespace

/** HealthTracker: from counters to Ready, Idle, Busy, Bounce, SourceError, SinkError, Fatal. */
class TestTaskHealth : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void namesRoundTrip()
    {
        for (const TaskHealth h : allTaskHealths())
            QCOMPARE(taskHealthFromName(taskHealthName(h)), h);
        QCOMPARE(taskHealthName(TaskHealth::SourceError), u"SourceError"_s);
        QVERIFY(!taskHealthFromName(u"ready"_s)); // the names are taosX's, spelt as it does
    }

    void readyWhileDataMoves()
    {
        Run run;
        QCOMPARE(run.at(0), TaskHealth::Ready);
        run.now.pointsRead = 100;
        run.now.pointsWritten = 100;
        QCOMPARE(run.at(1), TaskHealth::Ready);
        QVERIFY(run.tracker.detail().isEmpty());
    }

    void idleWhenFollowingWithoutNewData()
    {
        Run run;
        run.now.pointsRead = 10;
        QCOMPARE(run.at(0), TaskHealth::Ready);
        // History done; the run follows from t=100 on and finds nothing new.
        run.now.following = true;
        QCOMPARE(run.at(100), TaskHealth::Ready);
        QCOMPARE(run.at(104), TaskHealth::Ready);
        QCOMPARE(run.at(105), TaskHealth::Idle);
        QCOMPARE(run.tracker.detail(), u"no new data for 5 s or more"_s);
        // New data: ready again, and idle again only after another quiet stretch.
        run.now.pointsRead = 20;
        QCOMPARE(run.at(106), TaskHealth::Ready);
        QCOMPARE(run.at(110), TaskHealth::Ready);
        QCOMPARE(run.at(111), TaskHealth::Idle);
    }

    void historyIsNeverIdle()
    {
        Run run;
        QCOMPARE(run.at(0), TaskHealth::Ready);
        QCOMPARE(run.at(1000), TaskHealth::Ready); // a slow read of history is not idle
    }

    void busyWhileTheQueueIsFull()
    {
        Run run;
        QCOMPARE(run.at(0), TaskHealth::Ready);
        run.now.queueFullWaits = 4;
        QCOMPARE(run.at(1), TaskHealth::Busy);
        QCOMPARE(run.tracker.detail(), u"the write queue is full"_s);
        QCOMPARE(run.at(2), TaskHealth::Ready); // no reader waited since
        // A reader that began to wait and waits still (the target stalls): Busy all along.
        run.now.queueFullWaits = 5;
        run.now.waitingForRoom = 1;
        QCOMPARE(run.at(3), TaskHealth::Busy);
        QCOMPARE(run.at(4), TaskHealth::Busy);
        QCOMPARE(run.at(5), TaskHealth::Busy);
        run.now.waitingForRoom = 0;
        QCOMPARE(run.at(6), TaskHealth::Ready);
    }

    void bounceOnWriteErrorsWithinTheWindow()
    {
        Run run;
        QCOMPARE(run.at(0), TaskHealth::Ready);
        run.now.writeErrors = 2;
        QCOMPARE(run.at(1), TaskHealth::Ready); // below the threshold of 3
        run.now.writeErrors = 3;
        QCOMPARE(run.at(5), TaskHealth::Bounce);
        QCOMPARE(run.tracker.detail(), u"3 write errors in 10 s"_s);
        QCOMPARE(run.at(10), TaskHealth::Bounce);
        // The two errors of t=1 leave the window at t=11: one is left.
        QCOMPARE(run.at(11), TaskHealth::Ready);
        // Errors spread wider than the window never make it bounce.
        for (int t = 20; t < 80; t += 6) {
            ++run.now.writeErrors;
            QCOMPARE(run.at(t), TaskHealth::Ready);
        }
    }

    void sourceErrorUntilTheSourceAnswersAgain()
    {
        Run run;
        QCOMPARE(run.at(0), TaskHealth::Ready);
        run.now.sourceFailures = 1;
        QCOMPARE(run.at(1), TaskHealth::SourceError);
        QCOMPARE(run.at(30), TaskHealth::SourceError); // waiting out the failure
        run.now.pointsWritten = 50; // what was read before still reaches the target
        QCOMPARE(run.at(31), TaskHealth::SourceError);
        run.now.pointsRead = 10;
        QCOMPARE(run.at(32), TaskHealth::Ready);
        // A failure in the same stretch as a read: not well yet.
        run.now.pointsRead = 20;
        run.now.sourceFailures = 2;
        QCOMPARE(run.at(33), TaskHealth::SourceError);
    }

    void sinkErrorUntilAWriteSucceeds()
    {
        Run run;
        QCOMPARE(run.at(0), TaskHealth::Ready);
        run.now.sinkReconnects = 3;
        QCOMPARE(run.at(1), TaskHealth::SinkError);
        run.now.pointsRead = 100; // reading goes on; the target still cannot be reached
        QCOMPARE(run.at(2), TaskHealth::SinkError);
        run.now.pointsWritten = 100;
        QCOMPARE(run.at(3), TaskHealth::Ready);
    }

    void theWorstStateWins()
    {
        Run run;
        QCOMPARE(run.at(0), TaskHealth::Ready);
        run.now.following = true;
        run.now.queueFullWaits = 1;
        run.now.writeErrors = 5;
        run.now.sinkReconnects = 1;
        run.now.sourceFailures = 1;
        QCOMPARE(run.at(60), TaskHealth::SourceError);
        run.now.pointsRead = 1;
        QCOMPARE(run.at(61), TaskHealth::SinkError);
        run.now.pointsWritten = 1;
        run.now.queueFullWaits = 2;
        QCOMPARE(run.at(62), TaskHealth::Bounce);
        run.now.failed = true;
        QCOMPARE(run.at(63), TaskHealth::Fatal);
    }

    /// The thresholds are options declared once: defaults, ranges, and what a run reads.
    void thresholdsAreOptions()
    {
        const TaskProfile defaults = TaskProfile::withDefaults();
        const HealthThresholds t = HealthThresholds::of(defaults);
        QCOMPARE(t.bounceErrors, 10);
        QCOMPARE(t.bounceWindowSeconds, 60);
        QCOMPARE(t.idleSeconds, 60);
        for (const char *key :
             {"advanced.bounceErrors", "advanced.bounceWindowSeconds", "advanced.idleSeconds"}) {
            const OptionSpec *spec = findOption(QString::fromLatin1(key));
            QVERIFY2(spec, key);
            QCOMPARE(spec->group, u"advanced"_s);
            QCOMPARE(spec->minimum, qint64(1));
            QVERIFY(!spec->help.isEmpty());
        }
        TaskProfile p = defaults;
        findOption(u"advanced.idleSeconds"_s)->set(p, 7);
        QCOMPARE(HealthThresholds::of(p).idleSeconds, 7);
    }
};

QTEST_GUILESS_MAIN(TestTaskHealth)
#include "test_taskhealth.moc"
