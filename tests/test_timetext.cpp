#include "TimeText.h"

#include <QDateTime>
#include <QStandardPaths>
#include <QTest>
#include <limits>

using namespace Qt::StringLiterals;
using namespace tsm;

/** RFC 3339 text ↔ int64 nanoseconds: formats, exactness to the nanosecond, zones. */
class TestTimeText : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void parse_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("zone");
        QTest::addColumn<qint64>("expected");

        QTest::newRow("epoch") << u"1970-01-01T00:00:00Z"_s << QString() << qint64(0);
        QTest::newRow("utc") << u"2024-01-01T00:00:00Z"_s << QString() << 1704067200000000000LL;
        QTest::newRow("lowercase t and z")
            << u"2024-01-01t00:00:00z"_s << QString() << 1704067200000000000LL;
        QTest::newRow("space separator")
            << u"2024-01-01 00:00:00Z"_s << QString() << 1704067200000000000LL;
        QTest::newRow("surrounding blanks")
            << u"  2024-01-01T00:00:00Z "_s << QString() << 1704067200000000000LL;
        QTest::newRow("1 fraction digit")
            << u"2024-01-01T00:00:00.1Z"_s << QString() << 1704067200100000000LL;
        QTest::newRow("3 fraction digits")
            << u"2024-01-01T00:00:00.123Z"_s << QString() << 1704067200123000000LL;
        QTest::newRow("6 fraction digits")
            << u"2024-01-01T00:00:00.123456Z"_s << QString() << 1704067200123456000LL;
        QTest::newRow("9 fraction digits")
            << u"2024-01-01T00:00:00.123456789Z"_s << QString() << 1704067200123456789LL;
        QTest::newRow("last ns before a second")
            << u"2024-01-01T00:00:00.999999999Z"_s << QString() << 1704067200999999999LL;
        QTest::newRow("positive offset")
            << u"2020-01-01T08:00:00.123456789+08:00"_s << QString() << 1577836800123456789LL;
        QTest::newRow("negative offset")
            << u"2019-12-31T19:00:00-05:00"_s << QString() << 1577836800000000000LL;
        QTest::newRow("offset with minutes")
            << u"2020-01-01T05:45:00+05:45"_s << QString() << 1577836800000000000LL;
        QTest::newRow("offset beats the zone")
            << u"2024-01-01T00:00:00Z"_s << u"Asia/Shanghai"_s << 1704067200000000000LL;
        QTest::newRow("date only, UTC") << u"2024-01-01"_s << QString() << 1704067200000000000LL;
        QTest::newRow("date only in a zone: local midnight")
            << u"2024-01-01"_s << u"Asia/Shanghai"_s
            << 1704067200000000000LL - 8 * 3600'000000000LL;
        QTest::newRow("no offset, explicit UTC")
            << u"2024-01-01T00:00:00"_s << u"UTC"_s << 1704067200000000000LL;
        QTest::newRow("no offset, Shanghai")
            << u"2024-01-01 08:00:00"_s << u"Asia/Shanghai"_s << 1704067200000000000LL;
        QTest::newRow("no offset, fraction kept in a zone")
            << u"2024-01-01T08:00:00.000000001"_s << u"Asia/Shanghai"_s << 1704067200000000001LL;
        // America/New_York: EST (-05:00) in January, EDT (-04:00) in July.
        QTest::newRow("New York winter")
            << u"2024-01-15T07:00:00"_s << u"America/New_York"_s << 1705320000000000000LL;
        QTest::newRow("New York summer")
            << u"2024-07-15T08:00:00"_s << u"America/New_York"_s << 1721044800000000000LL;
        QTest::newRow("before 1970 is negative")
            << u"1969-12-31T23:59:59Z"_s << QString() << -1000000000LL;
        QTest::newRow("before 1970 with a fraction")
            << u"1969-12-31T23:59:59.5Z"_s << QString() << -500000000LL;
        QTest::newRow("leap day") << u"2024-02-29T12:00:00Z"_s << QString()
                                  << 1709208000000000000LL;
        QTest::newRow("int64 max") << u"2262-04-11T23:47:16.854775807Z"_s << QString()
                                   << std::numeric_limits<qint64>::max();
        QTest::newRow("int64 min") << u"1677-09-21T00:12:43.145224192Z"_s << QString()
                                   << std::numeric_limits<qint64>::min();
    }
    void parse()
    {
        QFETCH(QString, text);
        QFETCH(QString, zone);
        QFETCH(qint64, expected);
        const std::optional<qint64> ns = TimeText::parse(text, zone);
        QVERIFY2(ns.has_value(), qPrintable(text));
        QCOMPARE(*ns, expected);
    }

    void invalid_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("zone");
        const QStringList bad = {
            QString(),
            u"   "_s,
            u"yesterday"_s,
            u"2024-1-01T00:00:00Z"_s,
            u"24-01-01T00:00:00Z"_s,
            u"2024-13-01T00:00:00Z"_s,
            u"2023-02-29T00:00:00Z"_s,
            u"2024-01-32"_s,
            u"2024-01-01T24:00:00Z"_s,
            u"2024-01-01T23:60:00Z"_s,
            u"2024-01-01T23:59:60Z"_s,
            u"2024-01-01T00:00Z"_s,
            u"2024-01-01T00:00:00.Z"_s,
            u"2024-01-01T00:00:00.1234567891Z"_s, // ten fraction digits
            u"2024-01-01T00:00:00+0800"_s,
            u"2024-01-01T00:00:00+8:00"_s,
            u"2024-01-01T00:00:00+24:00"_s,
            u"2024-01-01T00:00:00Zjunk"_s,
            u"2024-01-01X00:00:00Z"_s,
            u"2024-01-01Z"_s,
            u"2024-01-01T00:00:00 Z"_s,
            u"２０２４-01-01T00:00:00Z"_s,       // full-width digits
            u"2262-04-11T23:47:16.854775808Z"_s, // one past int64 max
            u"1677-09-21T00:12:43.145224191Z"_s, // one before int64 min
            u"9999-12-31T23:59:59Z"_s,
        };
        for (const QString &text : bad)
            QTest::newRow(qPrintable(text.isEmpty() ? u"(empty)"_s : text)) << text << QString();
        QTest::newRow("unknown zone") << u"2024-01-01T00:00:00"_s << u"Mars/Base"_s;
        QTest::newRow("unknown zone, date only") << u"2024-01-01"_s << u"Mars/Base"_s;
    }
    void invalid()
    {
        QFETCH(QString, text);
        QFETCH(QString, zone);
        const std::optional<qint64> ns = TimeText::parse(text, zone);
        QVERIFY2(!ns.has_value(), qPrintable(u"parsed to %1"_s.arg(ns.value_or(0))));
    }

    void unknownZoneIgnoredWithOffset()
    {
        // The zone only matters for times without an offset.
        QCOMPARE(TimeText::parse(u"2024-01-01T00:00:00Z"_s, u"Mars/Base"_s),
                 std::optional<qint64>(1704067200000000000LL));
    }

    void dstTransitions()
    {
        // 2024-03-10 02:30 does not exist in New York: it is read with the offset before the
        // gap (EST), i.e. as 03:30 EDT.
        const auto gap = TimeText::parse(u"2024-03-10T02:30:00"_s, u"America/New_York"_s);
        QVERIFY(gap);
        QCOMPARE(*gap, *TimeText::parse(u"2024-03-10T02:30:00-05:00"_s, QString()));
        QCOMPARE(*gap, *TimeText::parse(u"2024-03-10T03:30:00"_s, u"America/New_York"_s));

        // 2024-11-03 01:30 exists twice: either reading is acceptable, but it must be one of
        // the two real instants.

        const qint64 overlap =
            TimeText::parse(u"2024-11-03T01:30:00"_s, u"America/New_York"_s).value_or(0);
        const qint64 asEdt = *TimeText::parse(u"2024-11-03T01:30:00-04:00"_s, QString());
        const qint64 asEst = *TimeText::parse(u"2024-11-03T01:30:00-05:00"_s, QString());
        QVERIFY2(overlap == asEdt || overlap == asEst, qPrintable(TimeText::format(overlap)));

        // 01:00 EST and 04:00 EDT on the spring-forward day are three hours apart on the wall
        // clock but two in real time.
        const qint64 before = *TimeText::parse(u"2024-03-10T01:00:00"_s, u"America/New_York"_s);
        const qint64 after = *TimeText::parse(u"2024-03-10T04:00:00"_s, u"America/New_York"_s);
        QCOMPARE(after - before, 2 * 3600 * 1000000000LL);
    }

    void format_data()
    {
        QTest::addColumn<qint64>("ns");
        QTest::addColumn<QString>("expected");
        QTest::newRow("epoch") << qint64(0) << u"1970-01-01T00:00:00Z"_s;
        QTest::newRow("whole seconds") << 1704067200000000000LL << u"2024-01-01T00:00:00Z"_s;
        QTest::newRow("ms") << 1704067200123000000LL << u"2024-01-01T00:00:00.123Z"_s;
        QTest::newRow("us") << 1704067200123456000LL << u"2024-01-01T00:00:00.123456Z"_s;
        QTest::newRow("ns") << 1704067200123456789LL << u"2024-01-01T00:00:00.123456789Z"_s;
        QTest::newRow("leading zero ns")
            << 1704067200000000001LL << u"2024-01-01T00:00:00.000000001Z"_s;
        QTest::newRow("ms with leading zeros")
            << 1704067200010000000LL << u"2024-01-01T00:00:00.010Z"_s;
        QTest::newRow("before 1970") << -1LL << u"1969-12-31T23:59:59.999999999Z"_s;
        QTest::newRow("one second before 1970") << -1000000000LL << u"1969-12-31T23:59:59Z"_s;
        QTest::newRow("int64 max")
            << std::numeric_limits<qint64>::max() << u"2262-04-11T23:47:16.854775807Z"_s;
        QTest::newRow("int64 min")
            << std::numeric_limits<qint64>::min() << u"1677-09-21T00:12:43.145224192Z"_s;
    }
    void format()
    {
        QFETCH(qint64, ns);
        QFETCH(QString, expected);
        QCOMPARE(TimeText::format(ns), expected);
        QCOMPARE(TimeText::parse(expected, QString()), std::optional<qint64>(ns));
    }

    void roundTripManyValues()
    {
        // Values that a double could not hold exactly: every digit must survive.
        qint64 ns = 1704067200123456789LL;
        for (int i = 0; i < 1000; ++i) {
            ns += 7919LL * 1000003LL + i; // odd steps touch every fraction width
            const QString text = TimeText::format(ns);
            QCOMPARE(TimeText::parse(text, u"Asia/Shanghai"_s), std::optional<qint64>(ns));
        }
    }

    void durations()
    {
        constexpr qint64 s = 1000000000LL;
        QCOMPARE(TimeText::parseDuration(QString()), std::optional<qint64>(0));
        QCOMPARE(TimeText::parseDuration(u"0"_s), std::optional<qint64>(0));
        QCOMPARE(TimeText::parseDuration(u"30m"_s), std::optional<qint64>(1800 * s));
        QCOMPARE(TimeText::parseDuration(u" 2h "_s), std::optional<qint64>(7200 * s));
        QCOMPARE(TimeText::parseDuration(u"7d"_s), std::optional<qint64>(7 * 86400 * s));
        QCOMPARE(TimeText::parseDuration(u"1h30m"_s), std::optional<qint64>(5400 * s));
        QCOMPARE(TimeText::parseDuration(u"2w"_s), std::optional<qint64>(14 * 86400 * s));
        QCOMPARE(TimeText::parseDuration(u"45s"_s), std::optional<qint64>(45 * s));
        for (const QString &bad : {u"2"_s, u"h"_s, u"2 h"_s, u"-2h"_s, u"2H"_s, u"1.5h"_s,
                                   u"2hours"_s, u"2y"_s, u"99999999999d"_s, u"40000d"_s})
            QVERIFY2(!TimeText::parseDuration(bad), qPrintable(bad));
    }

    void nowIsNow()
    {
        const qint64 ms = QDateTime::currentMSecsSinceEpoch();
        const qint64 ns = TimeText::nowNs();
        QVERIFY(qAbs(ns / 1000000 - ms) < 1000);
        // Not just milliseconds times a million (most of the time): the clock has finer digits.
        bool finer = false;
        for (int i = 0; i < 20 && !finer; ++i)
            finer = TimeText::nowNs() % 1000000 != 0;
        QVERIFY(finer);
    }
};

QTEST_GUILESS_MAIN(TestTimeText)
#include "test_timetext.moc"
