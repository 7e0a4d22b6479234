// The rate limit (advanced.maxPointsPerSecond) and the pause between reads
// (advanced.readIntervalMs), on a clock the test keeps: no assertion depends on how fast the
// machine is. The reads are real reads from a real influxd, the writes real writes to a file.
#include "run/Pace.h"
#include "run/Pipeline.h"
#include "sinks/LpFileSink.h"
#include "sources/InfluxSource.h"
#include "support/InfluxdFixture.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>
#include <atomic>
#include <cstdlib>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::test;

namespace {

constexpr qint64 kT0 = 1600000000000000000LL; // 2020-09-13T12:26:40Z
constexpr qint64 kMinute = 60LL * 1000000000LL;

/** A clock that moves only when someone waits on it, and keeps every wait. */
class TestClock : public PaceClock
{
public:
    qint64 nowNs() const override { return m_now.load(); }
    void sleepNs(qint64 ns, const CancelToken &cancel) override
    {
        if (cancel.isCancelled())
            throw Error(ErrorKind::Cancelled, u"Cancelled"_s);
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_sleeps.append(ns);
        }
        m_now.fetch_add(ns);
    }
    QList<qint64> sleeps() const
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        return m_sleeps;
    }

private:
    std::atomic<qint64> m_now{1000};
    mutable std::mutex m_mutex;
    QList<qint64> m_sleeps;
};

/** The real source, with the test clock's time noted at the start of each read. */
class ClockedSource : public InfluxSource
{
public:
    ClockedSource(InfluxEndpoint endpoint, const TestClock &clock)
        : InfluxSource(std::move(endpoint), RetryPolicy()), m_clock(clock)
    {}
    void read(const ReadUnit &unit, const PlanRequest &request, const LpDialect &dialect,
              BatchOutput &out, const CancelToken &cancel) override
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_readTimes.append(m_clock.nowNs());
        }
        InfluxSource::read(unit, request, dialect, out, cancel);
    }
    QList<qint64> readTimes() const
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        return m_readTimes;
    }

private:
    const TestClock &m_clock;
    mutable std::mutex m_mutex;
    QList<qint64> m_readTimes;
};

class QuietObserver : public PipelineObserver
{
public:
    void unitStarted(qint64) override {}
    void unitFinished(const UnitOutcome &outcome) override
    {
        if (outcome.ok)
            ++done;
    }
    void pointRejected(qint64, const QByteArray &, const QString &) override {}
    void retrying(const QString &, const Error &, int, int) override {}
    std::atomic<int> done{0};
};

} // namespace

/** Pacing of a run: the token bucket's arithmetic, and the pipeline honouring both controls. */
class TestPacing : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        TSM_START_SHARED_INFLUXD(m_influx);
        // Six minutes of points, read in windows of a minute.
        QByteArray lines;
        for (int i = 0; i < 300; ++i)
            lines += "cpu,host=h" + QByteArray::number(i % 5) + " v=" + QByteArray::number(i) +
                     "i " + QByteArray::number(kT0 + qint64(i) * 1200000000LL) + '\n';
        QVERIFY(m_influx->fill(u"src"_s, lines));
    }
    void cleanupTestCase() { m_influx.reset(); }

    void bucketKeepsTheRateOverManyBatches()
    {
        TestClock clock;
        TokenBucket bucket(1000, clock);
        CancelToken cancel;
        const qint64 start = clock.nowNs();
        for (int i = 0; i < 30; ++i)
            bucket.acquire(500, cancel);
        // 15000 points at 1000/s: 15 s, from an empty bucket, to the nanosecond.
        QCOMPARE(clock.nowNs() - start, 15LL * 1000000000LL);
    }

    void bucketSavesAtMostOneSecond()
    {
        TestClock clock;
        TokenBucket bucket(1000, clock);
        CancelToken cancel;
        clock.sleepNs(5LL * 1000000000LL, cancel);    // idle for 5 s
        QCOMPARE(bucket.reserve(1000), 0LL);          // a second's worth was saved...
        QCOMPARE(bucket.reserve(1000), 1000000000LL); // ...and no more
    }

    void writersWaitBehindEachOthersCredit()
    {
        TestClock clock;
        TokenBucket bucket(100, clock);
        // Two writers take 100 points each at the same moment: the second waits for both.
        QCOMPARE(bucket.reserve(100), 1000000000LL);
        QCOMPARE(bucket.reserve(100), 2000000000LL);
    }

    void readsPauseBetweenEachOther()
    {
        const Migrated run = readOneAfterAnother(250);
        QCOMPARE(run.written, 300LL);
        QVERIFY(run.units >= 6);
        QCOMPARE(run.readTimes.size(), run.units);
        for (qsizetype i = 1; i < run.readTimes.size(); ++i)
            QCOMPARE(run.readTimes.at(i) - run.readTimes.at(i - 1), 250LL * 1000000);
    }

    void readsFollowEachOtherWithoutAPause()
    {
        const Migrated run = readOneAfterAnother(0);
        QCOMPARE(run.written, 300LL);
        QCOMPARE(run.readTimes.size(), run.units);
        QCOMPARE(run.readTimes.first(), run.readTimes.last());
    }

    void writesKeepTheRateLimit()
    {
        PipelineSettings settings;
        settings.readConcurrency = 3;
        settings.writeConcurrency = 1; // one writer: the test clock's time is the run's time
        settings.batchSize = 20;
        settings.maxPointsPerSecond = 30;
        const Migrated run = migrate(settings);
        QCOMPARE(run.written, 300LL);
        // 300 points at 30 points/s from an empty bucket: 10 s, give or take a nanosecond of
        // rounding per batch.
        QVERIFY2(std::llabs(run.elapsedNs - 10LL * 1000000000LL) < 1000,
                 qPrintable(QString::number(run.elapsedNs)));
    }

private:
    PlanRequest request() const
    {
        PlanRequest r;
        r.database = u"src"_s;
        r.range = TimeRange{kT0, kT0 + 6 * kMinute};
        r.windowNs = kMinute;
        return r;
    }
    QList<ReadUnit> units(Source &source) const
    {
        CancelToken cancel;
        QList<ReadUnit> units;
        for (const PlannedUnit &planned : source.plan(request(), cancel)) {
            ReadUnit unit;
            static_cast<PlannedUnit &>(unit) = planned;
            unit.id = units.size() + 1;
            units.append(unit);
        }
        return units;
    }

    /// What a migration of the windows into a file did, on the test clock.
    struct Migrated
    {
        int units = 0;       ///< read units planned (windows of a minute)
        qint64 written = -1; ///< -1: the pipeline did not finish every unit
        qint64 elapsedNs = 0;
        QList<qint64> readTimes; ///< when each read began
    };
    Migrated migrate(PipelineSettings settings)
    {
        QTemporaryDir dir;
        TestClock clock;
        ClockedSource source(m_influx->endpoint(), clock);
        LpFileSink sink(dir.filePath(u"out.lp"_s), false, u"src"_s);
        CancelToken cancel;
        sink.prepare(cancel);
        settings.clock = &clock;
        QuietObserver observer;
        Pipeline pipeline(source, sink, request(), sink.dialect(), settings, observer);
        const QList<ReadUnit> planned = units(source);
        const qint64 start = clock.nowNs();
        const auto result = pipeline.run(planned, cancel);
        sink.flush();
        Migrated migrated;
        migrated.units = int(planned.size());
        if (result.status == Pipeline::Result::Status::Finished && observer.done == migrated.units)
            migrated.written = pipeline.counters().pointsWritten.load();
        migrated.elapsedNs = clock.nowNs() - start;
        migrated.readTimes = source.readTimes();
        return migrated;
    }
    /// The migration of the windows read one after another with `intervalMs`.
    Migrated readOneAfterAnother(int intervalMs)
    {
        PipelineSettings settings;
        settings.readConcurrency = 1;
        settings.writeConcurrency = 1;
        settings.readIntervalMs = intervalMs;
        return migrate(settings);
    }

    std::unique_ptr<InfluxdFixture> m_influx;
};

QTEST_GUILESS_MAIN(TestPacing)
#include "test_pacing.moc"
