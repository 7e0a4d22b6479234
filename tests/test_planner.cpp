// Planner: time spans cut into read units aligned to the window size, at the edges of the
// int64 range too.
#include "core/Planner.h"
#include "support/TestTime.h"

#include <QRandomGenerator>
#include <QTest>
#include <limits>

using namespace Qt::StringLiterals;
using namespace tsm;

namespace {

constexpr qint64 kMin = std::numeric_limits<qint64>::min();
constexpr qint64 kMax = std::numeric_limits<qint64>::max();

using Ranges = QList<QPair<qint64, qint64>>;
using namespace tsm::test;

/// The units' [start, end) pairs, after checking they all carry the measurement.
Ranges ranges(const QList<PlannedUnit> &units, const QString &measurement = u"cpu"_s)
{
    Ranges result;
    for (const PlannedUnit &u : units) {
        if (u.measurement != measurement || !u.context.isEmpty())
            return {{-1, -1}}; // fails any comparison with real ranges
        result.append({u.start, u.end});
    }
    return result;
}

Ranges minutes(const QList<QPair<qint64, qint64>> &m)
{
    Ranges result;
    for (const auto &[a, b] : m)
        result.append({a * kMinute, b * kMinute});
    return result;
}

/// Length of [start, end) without signed overflow (end >= start).
quint64 length(qint64 start, qint64 end)
{
    return quint64(end) - quint64(start);
}

} // namespace

/** Planner::windows, intersect and floorTo. */
class TestPlanner : public QObject
{
    Q_OBJECT

private slots:
    void floorTo_data();
    void floorTo();
    void intersect_data();
    void intersect();
    void windowsAlignedAndClipped_data();
    void windowsAlignedAndClipped();
    void emptySpanOrNoWindow();
    void edgesOfTheInt64Range_data();
    void edgesOfTheInt64Range();
    void unitsCoverRandomSpansExactlyOnce();
};

void TestPlanner::floorTo_data()
{
    QTest::addColumn<qint64>("value");
    QTest::addColumn<qint64>("step");
    QTest::addColumn<qint64>("expected");
    QTest::newRow("positive, inside") << qint64(7) << qint64(5) << qint64(5);
    QTest::newRow("positive, on a multiple") << qint64(10) << qint64(5) << qint64(10);
    QTest::newRow("zero") << qint64(0) << qint64(5) << qint64(0);
    QTest::newRow("-1 goes down") << qint64(-1) << qint64(5) << qint64(-5);
    QTest::newRow("negative multiple stays") << qint64(-5) << qint64(5) << qint64(-5);
    QTest::newRow("-6 goes down") << qint64(-6) << qint64(5) << qint64(-10);
    QTest::newRow("step 1") << qint64(-123456789) << qint64(1) << qint64(-123456789);
    QTest::newRow("hour before 1970") << -kHour / 2 << kHour << -kHour;
    QTest::newRow("1969-12-31T23:00:00Z - 1ns") << -kHour - 1 << kHour << -2 * kHour;
    QTest::newRow("2020-09-13T12:26:40.123Z to the hour")
        << qint64(1600000000123456789LL) << kHour << qint64(1599998400000000000LL);
    QTest::newRow("1919-04-20T11:33:19.876Z to the day")
        << qint64(-1600000000123456789LL) << kDay << qint64(-1600041600000000000LL);
    QTest::newRow("INT64_MAX, step 1") << kMax << qint64(1) << kMax;
    QTest::newRow("INT64_MIN, step 1") << kMin << qint64(1) << kMin;
    QTest::newRow("INT64_MIN, step 2") << kMin << qint64(2) << kMin;
    QTest::newRow("INT64_MAX to the hour") << kMax << kHour << qint64(9223369200000000000LL);
    QTest::newRow("step INT64_MAX, at it") << kMax << kMax << kMax;
    QTest::newRow("step INT64_MAX, below") << kMax - 1 << kMax << qint64(0);
    QTest::newRow("step INT64_MAX, -1") << qint64(-1) << kMax << -kMax;
    // The multiple lies below the int64 range: the lowest representable bound, not garbage.
    QTest::newRow("InfluxDB's earliest time to the hour") << kMin + 2 << kHour << kMin;
    QTest::newRow("INT64_MIN, step INT64_MAX") << kMin << kMax << kMin;
    QTest::newRow("last hour before the underflow")
        << qint64(-9223369200000000000LL) << kHour << qint64(-9223369200000000000LL);
}

void TestPlanner::floorTo()
{
    QFETCH(qint64, value);
    QFETCH(qint64, step);
    QFETCH(qint64, expected);
    QCOMPARE(Planner::floorTo(value, step), expected);
}

void TestPlanner::intersect_data()
{
    QTest::addColumn<qint64>("aStart");
    QTest::addColumn<qint64>("aEnd");
    QTest::addColumn<qint64>("bStart");
    QTest::addColumn<qint64>("bEnd");
    QTest::addColumn<qint64>("start");
    QTest::addColumn<qint64>("end");
    QTest::addColumn<bool>("empty");
    QTest::newRow("overlap") << qint64(0) << qint64(10) << qint64(5) << qint64(20) << qint64(5)
                             << qint64(10) << false;
    QTest::newRow("overlap, other order")
        << qint64(5) << qint64(20) << qint64(0) << qint64(10) << qint64(5) << qint64(10) << false;
    QTest::newRow("inside") << qint64(-100) << qint64(100) << qint64(-3) << qint64(4) << qint64(-3)
                            << qint64(4) << false;
    QTest::newRow("same") << qint64(1) << qint64(2) << qint64(1) << qint64(2) << qint64(1)
                          << qint64(2) << false;
    QTest::newRow("touching: half-open, no common point")
        << qint64(0) << qint64(10) << qint64(10) << qint64(20) << qint64(10) << qint64(10) << true;
    QTest::newRow("apart") << qint64(0) << qint64(10) << qint64(30) << qint64(40) << qint64(30)
                           << qint64(10) << true;
    QTest::newRow("with an empty range")
        << qint64(0) << qint64(10) << qint64(5) << qint64(5) << qint64(5) << qint64(5) << true;
    QTest::newRow("whole int64 range")
        << kMin << kMax << kMin + 2 << kMax - 1 << kMin + 2 << kMax - 1 << false;
}

void TestPlanner::intersect()
{
    QFETCH(qint64, aStart);
    QFETCH(qint64, aEnd);
    QFETCH(qint64, bStart);
    QFETCH(qint64, bEnd);
    QFETCH(qint64, start);
    QFETCH(qint64, end);
    QFETCH(bool, empty);
    const TimeRange r = Planner::intersect(TimeRange{aStart, aEnd}, TimeRange{bStart, bEnd});
    QCOMPARE(r.isEmpty(), empty);
    if (!empty) {
        QCOMPARE(r.start, start);
        QCOMPARE(r.end, end);
    }
}

void TestPlanner::windowsAlignedAndClipped_data()
{
    QTest::addColumn<qint64>("start");
    QTest::addColumn<qint64>("end");
    QTest::addColumn<qint64>("window");
    QTest::addColumn<Ranges>("expected");
    QTest::newRow("90..250 min, hourly")
        << 90 * kMinute << 250 * kMinute << kHour
        << minutes({{90, 120}, {120, 180}, {180, 240}, {240, 250}});
    QTest::newRow("inside one window")
        << 130 * kMinute << 170 * kMinute << kHour << minutes({{130, 170}});
    QTest::newRow("exactly one window")
        << 120 * kMinute << 180 * kMinute << kHour << minutes({{120, 180}});
    QTest::newRow("exactly two windows")
        << 120 * kMinute << 240 * kMinute << kHour << minutes({{120, 180}, {180, 240}});
    QTest::newRow("one nanosecond") << 1600000000123456789LL << 1600000000123456790LL << kHour
                                    << Ranges{{1600000000123456789LL, 1600000000123456790LL}};
    QTest::newRow("one nanosecond before a boundary")
        << 180 * kMinute - 1 << 180 * kMinute + 1 << kHour
        << Ranges{{180 * kMinute - 1, 180 * kMinute}, {180 * kMinute, 180 * kMinute + 1}};
    QTest::newRow("before 1970") << -150 * kMinute << -30 * kMinute << kHour
                                 << minutes({{-150, -120}, {-120, -60}, {-60, -30}});
    QTest::newRow("across 1970") << -90 * kMinute << 30 * kMinute << kHour
                                 << minutes({{-90, -60}, {-60, 0}, {0, 30}});
    QTest::newRow("just before 1970") << qint64(-7) << qint64(-2) << kHour << Ranges{{-7, -2}};
    QTest::newRow("window of 1ns")
        << qint64(-2) << qint64(2) << qint64(1) << Ranges{{-2, -1}, {-1, 0}, {0, 1}, {1, 2}};
    QTest::newRow("odd window") << qint64(-8) << qint64(8) << qint64(7)
                                << Ranges{{-8, -7}, {-7, 0}, {0, 7}, {7, 8}};
    QTest::newRow("daily, 2020-09-13 10:00 .. 09-15 02:00")
        << 1599991200000000000LL << 1600135200000000000LL << kDay
        << Ranges{{1599991200000000000LL, 1600041600000000000LL},
                  {1600041600000000000LL, 1600128000000000000LL},
                  {1600128000000000000LL, 1600135200000000000LL}};
}

void TestPlanner::windowsAlignedAndClipped()
{
    QFETCH(qint64, start);
    QFETCH(qint64, end);
    QFETCH(qint64, window);
    QFETCH(Ranges, expected);
    QCOMPARE(ranges(Planner::windows(u"cpu"_s, TimeRange{start, end}, window)), expected);
}

void TestPlanner::emptySpanOrNoWindow()
{
    QVERIFY(Planner::windows(u"cpu"_s, TimeRange{5, 5}, kHour).isEmpty());
    QVERIFY(Planner::windows(u"cpu"_s, TimeRange{10, 5}, kHour).isEmpty());
    QVERIFY(Planner::windows(u"cpu"_s, TimeRange{kMax, kMin}, kHour).isEmpty());
    QVERIFY(Planner::windows(u"cpu"_s, TimeRange{0, kHour}, 0).isEmpty());
    QVERIFY(Planner::windows(u"cpu"_s, TimeRange{0, kHour}, -kHour).isEmpty());
    QVERIFY(Planner::windows(u"cpu"_s, TimeRange{}, kHour).isEmpty());
}

void TestPlanner::edgesOfTheInt64Range_data()
{
    QTest::addColumn<qint64>("start");
    QTest::addColumn<qint64>("end");
    QTest::addColumn<qint64>("window");
    QTest::addColumn<Ranges>("expected");
    // INT64_MAX = 9223372036854775807; its hour starts at 9223369200000000000 and ends past it.
    QTest::newRow("last 2.5 hours up to INT64_MAX, hourly")
        << qint64(9223363036854775807LL) << kMax << kHour
        << Ranges{{9223363036854775807LL, 9223365600000000000LL},
                  {9223365600000000000LL, 9223369200000000000LL},
                  {9223369200000000000LL, kMax}};
    QTest::newRow("InfluxDB's latest time")
        << kMax - 1 << kMax << kHour << Ranges{{kMax - 1, kMax}};
    QTest::newRow("up to INT64_MAX, 1ns windows")
        << kMax - 3 << kMax << qint64(1)
        << Ranges{{kMax - 3, kMax - 2}, {kMax - 2, kMax - 1}, {kMax - 1, kMax}};
    QTest::newRow("window INT64_MAX over everything")
        << kMin << kMax << kMax << Ranges{{kMin, -kMax}, {-kMax, 0}, {0, kMax}};
    QTest::newRow("window INT64_MAX from 0") << qint64(0) << kMax << kMax << Ranges{{0, kMax}};
    // INT64_MIN = -9223372036854775808; the hour holding it starts before it.
    QTest::newRow("InfluxDB's earliest time, hourly")
        << kMin + 2 << kMin + 3 << kHour << Ranges{{kMin + 2, kMin + 3}};
    QTest::newRow("first 2 hours from INT64_MIN, hourly")
        << kMin << kMin + 2 * kHour << kHour
        << Ranges{{kMin, -9223369200000000000LL},
                  {-9223369200000000000LL, -9223365600000000000LL},
                  {-9223365600000000000LL, -9223364836854775808LL}};
    QTest::newRow("INT64_MIN, 1ns windows")
        << kMin << kMin + 2 << qint64(1) << Ranges{{kMin, kMin + 1}, {kMin + 1, kMin + 2}};
    QTest::newRow("weekly from InfluxDB's earliest time")
        << kMin + 2 << kMin + 2 + 3 * 7 * kDay << 7 * kDay
        << Ranges{{kMin + 2, -9223200000000000000LL},
                  {-9223200000000000000LL, -9222595200000000000LL},
                  {-9222595200000000000LL, -9221990400000000000LL},
                  {-9221990400000000000LL, -9221557636854775806LL}};
}

void TestPlanner::edgesOfTheInt64Range()
{
    QFETCH(qint64, start);
    QFETCH(qint64, end);
    QFETCH(qint64, window);
    QFETCH(Ranges, expected);
    QCOMPARE(ranges(Planner::windows(u"cpu"_s, TimeRange{start, end}, window)), expected);
}

void TestPlanner::unitsCoverRandomSpansExactlyOnce()
{
    QRandomGenerator random(0x7e57c0de);
    const qint64 fixedWindows[] = {1, 2, 7, 1000, kMinute, kHour, kDay, 7 * kDay, kMax / 3, kMax};
    for (int round = 0; round < 20000; ++round) {
        const int pick = random.bounded(12);
        const qint64 window =
            pick < 10 ? fixedWindows[pick] : qint64(random.bounded(quint64(1), quint64(1) << 50));
        // Spans of up to ~40 windows, anywhere in the int64 range, often at its edges.
        const quint64 maxLength = window > kMax / 40 ? quint64(kMax) : quint64(window) * 40;
        const quint64 len = random.bounded(quint64(1), maxLength);
        qint64 start = 0;
        switch (random.bounded(4)) {
        case 0: // near INT64_MIN
            start = kMin + qint64(random.bounded(quint64(1), quint64(1000) + len)) - 1;
            break;
        case 1: // ending near INT64_MAX
            start = qint64(quint64(kMax) - len - random.bounded(quint64(1000)));
            break;
        case 2: // around 1970
            start = qint64(random.bounded(quint64(2) * len + 2)) - qint64(len);
            break;
        default:
            start = qint64(random.generate64());
            break;
        }
        if (start > 0 && quint64(kMax - start) < len)
            start = kMax - qint64(len);
        const TimeRange span{start, qint64(quint64(start) + len)};
        const QString context =
            u"round %1: [%2, %3) window %4"_s.arg(round).arg(span.start).arg(span.end).arg(window);

        const QList<PlannedUnit> units = Planner::windows(u"m"_s, span, window);
        QVERIFY2(!units.isEmpty(), qPrintable(context));
        QVERIFY2(quint64(units.size()) <= len / quint64(window) + 2, qPrintable(context));
        QCOMPARE(units.first().start, span.start);
        QCOMPARE(units.last().end, span.end);
        for (qsizetype i = 0; i < units.size(); ++i) {
            const PlannedUnit &u = units[i];
            QVERIFY2(u.start < u.end, qPrintable(context));
            QVERIFY2(length(u.start, u.end) <= quint64(window), qPrintable(context));
            if (i > 0) {
                // No gap, no overlap, and every cut on a multiple of the window.
                QVERIFY2(u.start == units[i - 1].end, qPrintable(context));
                QVERIFY2(u.start % window == 0, qPrintable(context));
            }
            // A unit never crosses a multiple of the window.
            QVERIFY2(Planner::floorTo(u.end - 1, window) <= u.start,
                     qPrintable(context + u", unit %1"_s.arg(i)));
            QCOMPARE(u.measurement, u"m"_s);
        }
    }
}

QTEST_GUILESS_MAIN(TestPlanner)
#include "test_planner.moc"
