// Planning against a real influxd: read units clipped to where data is, never spanning two shard
// groups, with SHOW SHARDS and without it (a user who is not an admin may not run it).
#include "core/Planner.h"
#include "sources/InfluxSource.h"
#include "support/InfluxdFixture.h"
#include "support/TestTime.h"

#include <QElapsedTimer>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::test;

namespace {

constexpr qint64 kFirstMonday = 4 * kDay; // 1970-01-05: weekly shard groups start on Mondays

qint64 weekStart(qint64 t)
{
    return Planner::floorTo(t - kFirstMonday, kWeek) + kFirstMonday;
}
constexpr qint64 k2015 = 1420070400LL * kSecond;
constexpr qint64 k2025 = 1735689600LL * kSecond;

/// Data on three days scattered over ten years, one of them across a shard group boundary.
QByteArray sparseData(QList<qint64> *times)
{
    const qint64 days[] = {k2015 + 100 * kDay, k2015 + 2000 * kDay,
                           weekStart(k2015 + 3000 * kDay) - 2 * kHour};
    QByteArray lp;
    for (const qint64 day : days)
        for (int i = 0; i < 24; ++i) {
            const qint64 t = day + i * 10 * 60 * kSecond; // every 10 minutes for 4 hours
            times->append(t);
            lp += "sparse,host=a v=" + QByteArray::number(i) + " " + QByteArray::number(t) + '\n';
        }
    return lp;
}

void checkUnits(const QList<PlannedUnit> &units, const QList<qint64> &times)
{
    QVERIFY(!units.isEmpty());
    for (const PlannedUnit &unit : units) {
        QCOMPARE(unit.measurement, u"sparse"_s);
        QVERIFY(unit.start < unit.end);
        // Never across a shard group boundary (groups start at multiples of a week).
        QCOMPARE(weekStart(unit.start), weekStart(unit.end - 1));
        // Never more than one window.
        QVERIFY(unit.end - unit.start <= kHour);
    }
    // Every point is in exactly one unit.
    for (const qint64 t : times) {
        int covering = 0;
        for (const PlannedUnit &unit : units)
            covering += (t >= unit.start && t < unit.end) ? 1 : 0;
        QVERIFY2(covering == 1, qPrintable(u"point at %1 in %2 units"_s.arg(t).arg(covering)));
    }
    // Clipped to the data: 3 days of 4 hours each, one of them cut by a shard boundary, in 1 h
    // windows: a handful of units, not the 87,600 hours of ten years.
    QVERIFY2(units.size() <= 3 * 5 + 1, qPrintable(QString::number(units.size())));
}

} // namespace

/** The planner on real shards. */
class TestShardPlanning : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { TSM_SKIP_WITHOUT_INFLUXD(); }

    void sparseTenYearsWithShowShards()
    {
        InfluxdFixture influx;
        QVERIFY2(influx.start(), qPrintable(influx.errorString()));
        QList<qint64> times;
        QVERIFY(influx.fill(u"src"_s, sparseData(&times)));

        InfluxSource source(influx.endpoint(), RetryPolicy{});
        CancelToken cancel;
        const QList<TimeRange> groups =
            source.shardGroups(u"src"_s, u"autogen"_s, TimeRange{k2015, k2025}, cancel);
        QCOMPARE(groups.size(), 4); // three days, one of them in two groups
        for (const TimeRange &g : groups) {
            QCOMPARE(g.end - g.start, kWeek);
            QCOMPARE(weekStart(g.start), g.start);
        }

        PlanRequest request;
        request.database = u"src"_s;
        request.range = TimeRange{k2015, k2025};
        request.windowNs = kHour;
        QElapsedTimer timer;
        timer.start();
        const QList<PlannedUnit> units = source.plan(request, cancel);
        qInfo("planned %lld units over ten years in %lld ms", qint64(units.size()),
              timer.elapsed());
        checkUnits(units, times);
    }

    void sparseWithoutShowShardsRights()
    {
        InfluxdFixture influx(InfluxdFixture::Options::withAuthentication());
        QVERIFY2(influx.start(), qPrintable(influx.errorString()));
        QVERIFY(influx.query(u"CREATE DATABASE src"_s));
        QVERIFY(influx.query(u"CREATE USER reader WITH PASSWORD 'secret'"_s));
        QVERIFY(influx.query(u"GRANT READ ON src TO reader"_s));
        QList<qint64> times;
        QVERIFY(influx.write(u"src"_s, sparseData(&times)));

        InfluxEndpoint endpoint = influx.endpoint();
        endpoint.user = u"reader"_s;
        endpoint.password = u"secret"_s;
        InfluxSource source(endpoint, RetryPolicy{});
        CancelToken cancel;
        // The reader may not list shards: the groups come from the shard group duration.
        QVERIFY_THROWS_EXCEPTION(Error, source.api().query(u"SHOW SHARDS"_s, QString(), cancel));
        const QList<TimeRange> groups =
            source.shardGroups(u"src"_s, u"autogen"_s, TimeRange{k2015, k2025}, cancel);
        QVERIFY(groups.size() > 500); // every week of ten years
        for (const TimeRange &g : groups)
            QVERIFY(g.start == k2015 || weekStart(g.start) == g.start);

        PlanRequest request;
        request.database = u"src"_s;
        request.range = TimeRange{k2015, k2025};
        request.windowNs = kHour;
        const QList<PlannedUnit> units = source.plan(request, cancel);
        checkUnits(units, times);
    }
};

QTEST_GUILESS_MAIN(TestShardPlanning)
#include "test_shardplanning.moc"
