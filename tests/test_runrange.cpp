// The range a run reads, decided from the profile, what the store remembers of the task and
// the current time: a pure function, tested without a server.
#include "core/Error.h"
#include "run/RunRange.h"
#include "support/TestRecords.h"
#include "support/TestTime.h"

#include <QtTest>
#include <TaskProfile.h>
#include <TimeText.h>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::test;

namespace {

const qint64 kStart = *TimeText::parse(u"2024-01-01T00:00:00Z"_s, u"UTC"_s);
const qint64 kNow = kStart + 100 * kHour;

TaskSettings task(const QString &mode, const QString &end = QString())
{
    TaskSettings t = TaskProfile::withDefaults().task;
    t.mode = mode;
    t.start = u"2024-01-01T00:00:00Z"_s;
    t.end = end;
    t.timeZone = u"UTC"_s;
    t.delaySeconds = 10;
    return t;
}

TaskRecord planned(qint64 start, qint64 end, qint64 watermark = 0)
{
    TaskRecord r;
    r.planned = true;
    r.planStartNs = start;
    r.planEndNs = end;
    r.watermarkNs = watermark;
    return r;
}

} // namespace

/** decideRunRange: history, realtime and both, first runs and resumed ones. */
class TestRunRange : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void historyWithAnEndReadsToIt()
    {
        const RunRange r =
            decideRunRange(task(u"history"_s, u"2024-01-02T00:00:00Z"_s), std::nullopt, kNow);
        QVERIFY(!r.follow);
        QCOMPARE(r.history.start, kStart);
        QCOMPARE(r.history.end, kStart + 24 * kHour);
        QCOMPARE(r.stopAt, std::optional<qint64>(kStart + 24 * kHour));
        QCOMPARE(r.ledger, RunRange::Ledger::Plan);
    }

    void historyWithoutAnEndKeepsTheFirstPlannedMoment()
    {
        // First run: up to now. A resumed run keeps the end it planned, hours later.
        const RunRange first = decideRunRange(task(u"history"_s), std::nullopt, kNow);
        QCOMPARE(first.history.end, kNow);
        QCOMPARE(first.ledger, RunRange::Ledger::Plan);
        const RunRange resumed =
            decideRunRange(task(u"history"_s), planned(kStart, kNow), kNow + 5 * kHour);
        QCOMPARE(resumed.history.end, kNow);
        QCOMPARE(resumed.ledger, RunRange::Ledger::Ready);
    }

    void bothReadsHistoryToNowMinusTheDelay()
    {
        const RunRange r = decideRunRange(task(u"both"_s), std::nullopt, kNow);
        QVERIFY(r.follow);
        QCOMPARE(r.delayNs, 10 * kSecond);
        QCOMPARE(r.history.start, kStart);
        QCOMPARE(r.history.end, kNow - 10 * kSecond);
        QVERIFY(!r.stopAt);
    }

    void bothWithAnEarlierEndStopsThere()
    {
        const RunRange r =
            decideRunRange(task(u"both"_s, u"2024-01-01T05:00:00Z"_s), std::nullopt, kNow);
        QCOMPARE(r.history.end, kStart + 5 * kHour);
        QCOMPARE(r.stopAt, std::optional<qint64>(kStart + 5 * kHour));
    }

    void bothResumedWhileFollowingDropsTheInterruptedCycle()
    {
        const qint64 historyEnd = kNow - 10 * kSecond;
        const RunRange r = decideRunRange(
            task(u"both"_s), planned(kStart, historyEnd, historyEnd + kHour), kNow + 2 * kHour);
        QCOMPARE(r.history.end, historyEnd); // the history planned on the first run
        QCOMPARE(r.ledger, RunRange::Ledger::ResumeFollowing);
    }

    void realtimeStartsWhenTheTaskFirstRuns()
    {
        const RunRange first = decideRunRange(task(u"realtime"_s), std::nullopt, kNow);
        QVERIFY(first.follow);
        QCOMPARE(first.history.start, kNow);
        QCOMPARE(first.history.end, kNow);
        QCOMPARE(first.ledger, RunRange::Ledger::MarkOnly);
        const RunRange again =
            decideRunRange(task(u"realtime"_s), planned(kNow, kNow), kNow + kHour);
        QCOMPARE(again.history.end, kNow);
        QCOMPARE(again.ledger, RunRange::Ledger::Ready);
    }

    void realtimeBackFillsItsRetroFirst()
    {
        // [first run − retro, first run − delay) first; following takes over from its end.
        TaskSettings t = task(u"realtime"_s);
        t.retro = u"2h"_s;
        const RunRange first = decideRunRange(t, std::nullopt, kNow);
        QVERIFY(first.follow);
        QCOMPARE(first.history.start, kNow - 2 * kHour);
        QCOMPARE(first.history.end, kNow - 10 * kSecond);
        QCOMPARE(first.ledger, RunRange::Ledger::Plan);
        // Kept when the task runs again, whatever the back-fill says now.
        t.retro = u"30m"_s;
        const RunRange again = decideRunRange(
            t, planned(kNow - 2 * kHour, kNow - 10 * kSecond), kNow + 3 * kHour);
        QCOMPARE(again.history.start, kNow - 2 * kHour);
        QCOMPARE(again.history.end, kNow - 10 * kSecond);
        QCOMPARE(again.ledger, RunRange::Ledger::Ready);
        const RunRange following =
            decideRunRange(t, planned(kNow - 2 * kHour, kNow - 10 * kSecond, kNow + kHour),
                           kNow + 3 * kHour);
        QCOMPARE(following.ledger, RunRange::Ledger::ResumeFollowing);
        // Not before the start time.
        t.retro = u"7d"_s;
        QCOMPARE(decideRunRange(t, std::nullopt, kNow).history.start, kStart);
        // A back-fill shorter than the delay reads nothing before following.
        t.retro = u"5s"_s;
        const RunRange tiny = decideRunRange(t, std::nullopt, kNow);
        QCOMPARE(tiny.history.start, tiny.history.end);
        QCOMPARE(tiny.ledger, RunRange::Ledger::MarkOnly);
    }

    void realtimeAfterAHistoryGoesOnFromItsEnd()
    {
        // A task switched from history (or both) to realtime neither reads its history again
        // nor leaves a gap after it: what it planned stands, following starts at its end.
        const RunRange r =
            decideRunRange(task(u"realtime"_s), planned(kStart, kNow), kNow + 5 * kHour);
        QCOMPARE(r.history.start, kStart);
        QCOMPARE(r.history.end, kNow);
        QCOMPARE(r.ledger, RunRange::Ledger::Ready);
    }

    void retroMeansNothingOutsideRealtime()
    {
        TaskSettings t = task(u"both"_s);
        t.retro = u"2h"_s;
        QCOMPARE(decideRunRange(t, std::nullopt, kNow).history.start, kStart);
        t.retro = u"two hours"_s; // not read at all outside realtime
        QCOMPARE(decideRunRange(t, std::nullopt, kNow).history.start, kStart);
        t.mode = u"realtime"_s;
        try {
            decideRunRange(t, std::nullopt, kNow);
            QFAIL("no error");
        } catch (const Error &error) {
            QCOMPARE(error.kind(), ErrorKind::Config);
            QVERIFY2(error.message().contains(u"task.retro"_s), qPrintable(error.message()));
        }
    }

    void realtimeWithALaterStartWaitsForIt()
    {
        TaskSettings t = task(u"realtime"_s);
        t.start = u"2024-02-01T00:00:00Z"_s;
        const RunRange r = decideRunRange(t, std::nullopt, kNow);
        QCOMPARE(r.history.start, *TimeText::parse(t.start, u"UTC"_s));
    }

    void aChangedStartPlansAgain()
    {
        const RunRange r = decideRunRange(task(u"history"_s, u"2024-01-02T00:00:00Z"_s),
                                          planned(kStart - kHour, kStart + 24 * kHour), kNow);
        QCOMPARE(r.ledger, RunRange::Ledger::Plan);
    }

    /// The selection is part of the plan: another measurement list is planned anew (a done unit
    /// still counts), another database, policy or series filter cannot be added to what done
    /// units read; a plan recorded without its scope is taken as the same.
    void aChangedSelectionPlansAgain()
    {
        TaskSettings t = task(u"history"_s, u"2024-01-02T00:00:00Z"_s);
        t.measurements = {u"cpu"_s};
        TaskRecord stored = planned(kStart, kStart + 24 * kHour);
        stored.planScope = planScope(t);
        QCOMPARE(decideRunRange(t, stored, kNow).ledger, RunRange::Ledger::Ready);
        t.measurements = {u"mem"_s, u"cpu"_s};
        RunRange r = decideRunRange(t, stored, kNow);
        QCOMPARE(r.ledger, RunRange::Ledger::Plan);
        QCOMPARE(planChanges(r, stored), QStringList{u"task.measurements"_s});
        QVERIFY(changesNeedingARestart(planChanges(r, stored), false).isEmpty());
        QCOMPARE(changesNeedingARestart(planChanges(r, stored), true),
                 QStringList{u"task.measurements"_s});
        // The order of a list is no change.
        t.measurements = {u"cpu"_s};
        t.seriesFilter = u" host = 'a' "_s;
        r = decideRunRange(t, stored, kNow);
        QCOMPARE(planChanges(r, stored), QStringList{u"task.seriesFilter"_s});
        QCOMPARE(changesNeedingARestart(planChanges(r, stored), false),
                 QStringList{u"task.seriesFilter"_s});
        t.seriesFilter.clear();
        t.end = u"2024-01-03T00:00:00Z"_s;
        t.bucket = u"other"_s;
        r = decideRunRange(t, stored, kNow);
        QCOMPARE(planChanges(r, stored), (QStringList{u"task.end"_s, u"task.bucket"_s}));
        QCOMPARE(changesNeedingARestart(planChanges(r, stored), false),
                 QStringList{u"task.bucket"_s});
        stored.planScope.clear(); // planned before the scope was recorded
        t = task(u"history"_s, u"2024-01-02T00:00:00Z"_s);
        t.measurements = {u"mem"_s};
        QCOMPARE(decideRunRange(t, stored, kNow).ledger, RunRange::Ledger::Ready);
    }

    /// After a range change, what done units read is not read again, and what they did not read
    /// is: windows of the two plans need not line up.
    void aNewPlanReadsOnlyWhatIsNotDone()
    {
        auto unit = [](const QString &m, const QString &c, qint64 s, qint64 e) {
            PlannedUnit u;
            u.measurement = m;
            u.context = c;
            u.start = s;
            u.end = e;
            return u;
        };
        auto done = [](const PlannedUnit &p) {
            UnitRecord r = test::unit(p.measurement, p.start, p.end, p.context);
            r.status = UnitStatus::Done;
            return r;
        };
        const qint64 h = kHour;
        QList<UnitRecord> ledger{
            // The old plan ended at 1.5 h: its last window was cut there.
            done(unit(u"cpu"_s, {}, 0, h)),
            done(unit(u"cpu"_s, {}, h, h + h / 2)),
            // Another context's window, and a pending unit: neither covers cpu's.
            done(unit(u"mem"_s, u"t1"_s, 0, h)),
        };
        UnitRecord pending = done(unit(u"cpu"_s, {}, 2 * h, 3 * h));
        pending.status = UnitStatus::Pending;
        ledger.append(pending);
        // A done unit without a context read every context of its measurement.
        ledger.append(done(unit(u"disk"_s, {}, 0, h)));

        const QList<PlannedUnit> rest = notYetDone(
            {unit(u"cpu"_s, {}, 0, h), unit(u"cpu"_s, {}, h, 2 * h), unit(u"cpu"_s, {}, 2 * h, 3 * h),
             unit(u"mem"_s, u"t2"_s, 0, h), unit(u"mem"_s, u"t1"_s, h / 2, 2 * h),
             unit(u"disk"_s, u"t9"_s, h / 4, h + 1)},
            ledger);
        QStringList got;
        for (const PlannedUnit &u : rest)
            got.append(u"%1/%2 %3..%4"_s.arg(u.measurement, u.context)
                           .arg(double(u.start) / h)
                           .arg(double(u.end) / h));
        QCOMPARE(got, (QStringList{u"cpu/ 1.5..2"_s, u"cpu/ 2..3"_s, u"mem/t2 0..1"_s,
                                   u"mem/t1 1..2"_s,
                                   u"disk/t9 1..%1"_s.arg(double(h + 1) / h)}));
    }

    void delayIsClamped()
    {
        TaskSettings t = task(u"both"_s);
        t.delaySeconds = 0;
        QCOMPARE(decideRunRange(t, std::nullopt, kNow).delayNs, kSecond);
        t.delaySeconds = 500;
        QCOMPARE(decideRunRange(t, std::nullopt, kNow).delayNs, 30 * kSecond);
    }

    void unknownModeAndBadTimesAreConfigErrors()
    {
        for (const TaskSettings &t : {task(u"sometimes"_s), task(u"history"_s, u"tomorrow"_s), [] {
                                          TaskSettings bad = task(u"history"_s);
                                          bad.start = u"yesterday"_s;
                                          return bad;
                                      }()}) {
            try {
                decideRunRange(t, std::nullopt, kNow);
                QFAIL("no error");
            } catch (const Error &error) {
                QCOMPARE(error.kind(), ErrorKind::Config);
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestRunRange)
#include "test_runrange.moc"
