// The arithmetic of a run's progress that the task list, the monitor and tsmigrate-cli share:
// rates over the last 30 s of one run's samples, the estimated total and the ETA.
#include <Progress.h>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tsm;

namespace {

constexpr qint64 kT0 = 1700000000000; // ms

/// One sample a second from `fromMs` for `seconds`, writing `perSecond` points (and reading
/// twice as many), one unit done every 10 s, continuing the counts of `after`.
QList<ProgressSample> run(qint64 fromMs, int seconds, qint64 perSecond, ProgressSample after = {})
{
    QList<ProgressSample> samples;
    for (int i = 0; i < seconds; ++i) {
        after.timeMs = fromMs + qint64(i) * 1000;
        after.pointsWritten += i > 0 ? perSecond : 0;
        after.pointsRead += i > 0 ? 2 * perSecond : 0;
        after.unitsDone += i > 0 && i % 10 == 0 ? 1 : 0;
        after.unitsTotal = 100;
        samples.append(after);
    }
    return samples;
}

/// `samples`, then run() from `fromMs` continuing their counts.
QList<ProgressSample> thenRun(QList<ProgressSample> samples, qint64 fromMs, int seconds,
                              qint64 perSecond)
{
    samples += run(fromMs, seconds, perSecond, samples.last());
    return samples;
}

/// A known rate: `written` points and `units` units a second.
Progress::Rates knownRate(double written, double units)
{
    Progress::Rates rate;
    rate.known = true;
    rate.written = written;
    rate.units = units;
    return rate;
}

MeasurementProgress measurement(qint64 estimate)
{
    MeasurementProgress m;
    m.measurement = u"m"_s;
    m.estimatedPoints = estimate;
    return m;
}

} // namespace

class TestProgress : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rateOverTheLast30Seconds()
    {
        // 60 s at 100 points/s, then 40 s at 400 points/s: the rate is that of the last 30 s.
        const QList<ProgressSample> samples = thenRun(run(kT0, 60, 100), kT0 + 60000, 40, 400);
        const Progress::Rates rate = Progress::recent(samples);
        QVERIFY(rate.known);
        QCOMPARE(rate.written, 400.0);
        QCOMPARE(rate.read, 800.0);
        QCOMPARE(rate.units, 3 / 30.0); // units done at 70, 80 and 90 s
        // A shorter window sees the same steady pace.
        QCOMPARE(Progress::recent(samples, 5000).written, 400.0);
    }

    void rateOfTheLatestRunOnly()
    {
        // A run, a pause of a minute, then a run that has sampled 5 s so far: the pause and the
        // run before it do not count.
        const QList<ProgressSample> samples = thenRun(run(kT0, 30, 1000), kT0 + 90000, 6, 50);
        const Progress::Rates rate = Progress::recent(samples);
        QVERIFY(rate.known);
        QCOMPARE(rate.written, 50.0);

        // Its first sample alone says nothing yet.
        const QList<ProgressSample> first = thenRun(run(kT0, 30, 1000), kT0 + 90000, 1, 50);
        QVERIFY(!Progress::recent(first).known);
        QCOMPARE(Progress::recent(first).written, 0.0);
        QVERIFY(!Progress::recent({}).known);
    }

    void rateBetweenTwoSamples()
    {
        const QList<ProgressSample> samples = run(kT0, 3, 250);
        const Progress::Rates rate = Progress::between(samples.at(0), samples.at(1));
        QVERIFY(rate.known);
        QCOMPARE(rate.written, 250.0);
        QCOMPARE(rate.read, 500.0);

        // Across a gap between runs there is no rate; counts never run backwards.
        ProgressSample later = samples.at(1);
        later.timeMs += Progress::kRunGapMs + 1;
        QVERIFY(!Progress::between(samples.at(1), later).known);
        ProgressSample reset = samples.at(2);
        reset.pointsWritten = 0;
        QCOMPARE(Progress::between(samples.at(1), reset).written, 0.0);
    }

    void currentOnlyWhileSampling()
    {
        ProgressSample last;
        last.timeMs = kT0;
        QVERIFY(Progress::isCurrent(last, kT0 + 1000));
        QVERIFY(Progress::isCurrent(last, kT0 + Progress::kRunGapMs));
        QVERIFY(!Progress::isCurrent(last, kT0 + Progress::kRunGapMs + 1));
    }

    void estimatedTotal()
    {
        using State = Progress::EstimatedTotal::State;
        const Progress::EstimatedTotal none = Progress::estimatedTotal({});
        QCOMPARE(none.state, State::NotYet);
        QCOMPARE(none.measurements, 0);
        QCOMPARE(none.points, -1);

        const Progress::EstimatedTotal counting =
            Progress::estimatedTotal({measurement(10), measurement(kNotEstimated), measurement(5)});
        QCOMPARE(counting.state, State::NotYet);
        QCOMPARE(counting.counted, 2);
        QCOMPARE(counting.measurements, 3);
        QCOMPARE(counting.points, -1);

        const Progress::EstimatedTotal cannot = Progress::estimatedTotal(
            {measurement(10), measurement(kCannotEstimate), measurement(kNotEstimated)});
        QCOMPARE(cannot.state, State::Unknown);
        QCOMPARE(cannot.points, -1);

        const Progress::EstimatedTotal known =
            Progress::estimatedTotal({measurement(10), measurement(0), measurement(32)});
        QCOMPARE(known.state, State::Known);
        QCOMPARE(known.points, 42);
        QCOMPARE(known.counted, 3);
    }

    void etaFromPointsWhenTheTotalIsKnown()
    {
        const Progress::Rates rate = knownRate(300, 0.5);
        const Progress::EstimatedTotal total =
            Progress::estimatedTotal({measurement(10000), measurement(2000)});
        // 12,000 estimated, 8,000 written and 999 rejected: 3,001 left at 300/s, rounded up.
        const Progress::Remaining left = Progress::remaining(total, 8000, 999, 40, 50);
        QCOMPARE(left.points, 3001);
        QCOMPARE(left.units, 10);
        QCOMPARE(Progress::etaSeconds(rate, left), 11);
        // More written than estimated: nothing left, not a negative time.
        QCOMPARE(Progress::etaSeconds(rate, Progress::remaining(total, 13000, 0, 40, 50)), 0);
    }

    void etaFromUnitsOtherwise()
    {
        Progress::Rates rate = knownRate(300, 0.4);
        const Progress::EstimatedTotal counting =
            Progress::estimatedTotal({measurement(kNotEstimated)});
        const Progress::Remaining left = Progress::remaining(counting, 8000, 0, 45, 50);
        QCOMPARE(left.points, -1);
        QCOMPARE(Progress::etaSeconds(rate, left), 13); // 5 units at 0.4/s, rounded up
        // Nothing written lately and no unit done: unknown.
        QCOMPARE(Progress::etaSeconds(Progress::Rates(), left), -1);
        // A known total but no points written lately: from the units.
        const Progress::EstimatedTotal total = Progress::estimatedTotal({measurement(100000)});
        rate.written = 0;
        QCOMPARE(Progress::etaSeconds(rate, Progress::remaining(total, 8000, 0, 45, 50)), 13);
    }
};

QTEST_GUILESS_MAIN(TestProgress)
#include "test_progress.moc"
