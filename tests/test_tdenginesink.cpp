// TDengineSink and TDengineRest against the TDengine 3 emulator (and, for answers the emulator
// never gives, a scripted HTTP server): database creation and refusal, the schemaless write
// path with its checks, bisection, errors hidden in HTTP 200, authentication and retries.
#include "emulators/TDengine3Emulator.h"
#include "rename/NameRules.h"
#include "lp/LineParser.h"
#include "sinks/TDengineSink.h"
#include "sources/LpFileSource.h"
#include "support/TestBatches.h"
#include "support/TestHttpServer.h"
#include "support/TestTime.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>
#include <TimeText.h>

using namespace Qt::StringLiterals;
using tsm::test::TDengine3Emulator;
using tsm::test::TestHttpServer;
using namespace tsm::test;
namespace lp = tsm::lp;

namespace {

/// A recent time with all nine nanosecond digits set: inside TDengine's default KEEP.
qint64 recentNs()
{
    return (tsm::TimeText::nowNs() - 20 * kDay) / 1000000000 * 1000000000 + 123456789;
}

tsm::TDengineEndpoint endpointFor(const QString &url, const QString &password = u"taosdata"_s)
{
    tsm::TDengineEndpoint endpoint;
    endpoint.baseUrl = url;
    endpoint.http.connectTimeoutMs = 2000;
    endpoint.http.idleTimeoutMs = 5000;
    endpoint.user = u"root"_s;
    endpoint.password = password;
    return endpoint;
}

QByteArray ns(qint64 value)
{
    return QByteArray::number(value);
}

const lp::Field *valueOf(const TDengine3Emulator::Row &row, const QString &column)
{
    const auto it = row.values.find(column);
    return it == row.values.end() ? nullptr : &it.value();
}

} // namespace

/** TDengineSink through taosAdapter's two interfaces, against the emulator. */
class TestTDengineSink : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void connectionCheckReportsVersionAndDatabase()
    {
        TDengine3Emulator td;
        tsm::TDengineSink sink(endpointFor(td.url()), fastRetries(), u"dst"_s, true);
        tsm::CancelToken cancel;
        const tsm::ConnectionInfo info = sink.checkConnection(cancel);
        QCOMPARE(info.product, u"TDengine"_s);
        QCOMPARE(info.version, u"3.3.6.0"_s);
        QVERIFY2(info.detail.contains(u"will be created"_s), qPrintable(info.detail));
        QCOMPARE(sink.describe(), u"TDengine 3 at %1, database dst"_s.arg(td.url()));
        QVERIFY(sink.dialect().unsignedSupported);
        QCOMPARE(td.writeRequests(), 0);
    }

    void createsANanosecondDatabase()
    {
        TDengine3Emulator td;
        tsm::TDengineSink sink(endpointFor(td.url()), fastRetries(), u"Dst_1"_s, true);
        tsm::CancelToken cancel;
        sink.prepare(cancel);
        sink.prepare(cancel); // an existing database is fine
        // Plain names are folded to lower case by TDengine, on both interfaces.
        QCOMPARE(td.databases(), QStringList{u"dst_1"_s});
        QVERIFY(
            td.statements().contains(u"CREATE DATABASE IF NOT EXISTS `dst_1` PRECISION 'ns'"_s));
        const auto info = sink.databaseInfo(cancel);
        QVERIFY(info);
        QCOMPARE(info->precision, u"ns"_s);
        QCOMPARE(info->keepMinutes, 3650LL * 1440);
        const QString detail = sink.checkConnection(cancel).detail;
        QVERIFY2(detail.contains(u"exists (precision ns, KEEP 3650 days)"_s), qPrintable(detail));
    }

    void createsALongKeepForOldData()
    {
        TDengine3Emulator td;
        tsm::TDengineSink sink(endpointFor(td.url()), fastRetries(), u"old"_s, true);
        const qint64 now = tsm::TimeText::nowNs();
        sink.setTaskRange({now - 20 * 365 * kDay, now});
        tsm::CancelToken cancel;
        sink.prepare(cancel);
        // The longest KEEP a nanosecond database can compute: TDengine works out now − KEEP in
        // int64 nanoseconds, and KEEP 365000 would overflow that and refuse every point.
        QVERIFY(td.statements().contains(
            u"CREATE DATABASE IF NOT EXISTS `old` PRECISION 'ns' KEEP 106580"_s));
        QCOMPARE(sink.databaseInfo(cancel)->keepMinutes, 106580LL * 1440);
        const tsm::WriteResult result = sink.write(
            unitBatch({"m v=1 " + ns(now - 20 * 365 * kDay), "m v=2 " + ns(recentNs())}), cancel);
        QCOMPARE(result.written, 2);
        QCOMPARE(td.rowCount(u"old"_s), 2);
    }

    void keepPastWhatNanosecondsCanComputeIsNamed()
    {
        // A nanosecond database made with KEEP 365000 (TDengine accepts it) refuses every point:
        // now − 60e9 × KEEP minutes wraps in int64. The task stops before writing, saying so.
        TDengine3Emulator td;
        td.createDatabase(u"wrapped"_s, u"ns"_s, 365000);
        tsm::TDengineSink sink(endpointFor(td.url()), fastRetries(), u"wrapped"_s, false);
        const qint64 now = tsm::TimeText::nowNs();
        sink.setTaskRange({now - 20 * 365 * kDay, now});
        tsm::CancelToken cancel;
        try {
            sink.prepare(cancel);
            QFAIL("a KEEP that overflows TDengine's check was taken for no limit");
        } catch (const tsm::Error &error) {
            QCOMPARE(error.kind(), tsm::ErrorKind::Config);
            QVERIFY2(error.message().contains(u"KEEP 106580"_s) &&
                         error.message().contains(u"overflow"_s),
                     qPrintable(error.message()));
        }
        QCOMPARE(td.writeRequests(), 0);

        // KEEP 106580 reaches back about 291 years, not to 1677: a task starting in 1690 is
        // older than it keeps; one starting 50 years ago is not.
        td.createDatabase(u"longest"_s, u"ns"_s, 106580);
        tsm::TDengineSink longest(endpointFor(td.url()), fastRetries(), u"longest"_s, false);
        const qint64 in1690 = -8835868800LL * 1000000000LL;
        longest.setTaskRange({in1690, now});
        try {
            longest.prepare(cancel);
            QFAIL("a start older than KEEP 106580 was accepted");
        } catch (const tsm::Error &error) {
            QVERIFY2(error.message().contains(u"1690-01-01"_s), qPrintable(error.message()));
        }
        longest.setTaskRange({now - 50 * 365 * kDay, now});
        longest.prepare(cancel);
        QCOMPARE(longest.write(unitBatch({"m v=1 " + ns(now - 50 * 365 * kDay)}), cancel).written,
                 1);
    }

    void refusesAMillisecondDatabase()
    {
        TDengine3Emulator td;
        td.createDatabase(u"msdb"_s, u"ms"_s);
        tsm::TDengineSink sink(endpointFor(td.url()), fastRetries(), u"msdb"_s, true);
        tsm::CancelToken cancel;
        try {
            sink.prepare(cancel);
            QFAIL("a millisecond database was accepted");
        } catch (const tsm::Error &error) {
            QCOMPARE(error.kind(), tsm::ErrorKind::Config);
            QVERIFY2(error.message().contains(u"has precision 'ms'; InfluxDB data needs 'ns'"_s),
                     qPrintable(error.message()));
            QVERIFY2(error.message().contains(u"lose sub-millisecond"_s),
                     qPrintable(error.message()));
        }
        QCOMPARE(td.writeRequests(), 0);
        // The connection check says so too, before any run.
        const QString detail = sink.checkConnection(cancel).detail;
        QVERIFY2(detail.contains(u"precision ms"_s) && detail.contains(u"the task cannot start"_s),
                 qPrintable(detail));

        // Why: the emulator, like TDengine, truncates nanoseconds into a millisecond database,
        // and two points of one series within a millisecond become one row.
        tsm::TDengineSink raw(endpointFor(td.url()), fastRetries(), u"msdb"_s, false);
        const qint64 t = recentNs();
        const tsm::WriteResult result =
            raw.write(unitBatch({"m v=1 " + ns(t), "m v=2 " + ns(t + 1000)}), cancel);
        QCOMPARE(result.written, 2);
        QCOMPARE(td.rows(u"msdb"_s, u"m"_s).size(), 1);
        QCOMPARE(td.rows(u"msdb"_s, u"m"_s).at(0).ts, t / 1000000);
    }

    void refusesARangeOlderThanKeepBeforeAnyWrite()
    {
        TDengine3Emulator td;
        td.createDatabase(u"short"_s, u"ns"_s, 30);
        tsm::TDengineSink sink(endpointFor(td.url()), fastRetries(), u"short"_s, true);
        const qint64 now = tsm::TimeText::nowNs();
        const qint64 start = now - 40 * kDay;
        sink.setTaskRange({start, now});
        tsm::CancelToken cancel;
        try {
            sink.prepare(cancel);
            QFAIL("a range older than KEEP was accepted");
        } catch (const tsm::Error &error) {
            QCOMPARE(error.kind(), tsm::ErrorKind::Config);
            QVERIFY2(error.message().contains(u"keeps data for 30 days (KEEP 30d,30d,30d)"_s),
                     qPrintable(error.message()));
            QVERIFY2(error.message().contains(tsm::TimeText::format(start)),
                     qPrintable(error.message()));
            QVERIFY2(error.message().contains(u"ALTER DATABASE `short` KEEP"_s),
                     qPrintable(error.message()));
        }
        QCOMPARE(td.writeRequests(), 0);

        // Inside KEEP the same database is fine.
        sink.setTaskRange({now - 10 * kDay, now});
        sink.prepare(cancel);
    }

    void keepIsCheckedPointByPoint()
    {
        TDengine3Emulator td;
        td.createDatabase(u"short"_s, u"ns"_s, 30);
        tsm::TDengineSink sink(endpointFor(td.url()), fastRetries(), u"short"_s, false);
        tsm::CancelToken cancel;
        sink.prepare(cancel); // no task range: nothing to check up front
        const qint64 now = tsm::TimeText::nowNs();
        const QByteArray old = "m v=1 " + ns(now - 31 * kDay);
        const tsm::WriteResult result =
            sink.write(unitBatch({"m v=2 " + ns(now - kDay), old}), cancel);
        QCOMPARE(result.written, 1);
        QCOMPARE(result.rejected, 1);
        QCOMPARE(result.rejects.at(0).line, old);
        QVERIFY2(result.rejects.at(0).reason.contains(u"older than the database keeps"_s),
                 qPrintable(result.rejects.at(0).reason));
        QCOMPARE(td.writeRequests(), 1);

        // The emulator enforces KEEP itself, as TDengine does: 0x60B.
        tsm::TDengineSink blind(endpointFor(td.url()), fastRetries(), u"short"_s, false);
        const tsm::WriteResult refused = blind.write(unitBatch({old}), cancel);
        QCOMPARE(refused.rejected, 1);
        QVERIFY2(refused.rejects.at(0).reason.contains(u"[0x60b] Timestamp data out of range"_s),
                 qPrintable(refused.rejects.at(0).reason));
    }

    void missingDatabaseAndBadNames()
    {
        TDengine3Emulator td;
        tsm::CancelToken cancel;
        tsm::TDengineSink missing(endpointFor(td.url()), fastRetries(), u"nope"_s, false);
        try {
            missing.prepare(cancel);
            QFAIL("a missing database was accepted");
        } catch (const tsm::Error &error) {
            QCOMPARE(error.kind(), tsm::ErrorKind::NotFound);
            QVERIFY2(error.message().contains(u"\"nope\" does not exist"_s),
                     qPrintable(error.message()));
        }
        for (const QString &bad :
             {u"my-db"_s, u"1db"_s, u"db name"_s, QString(), QString(65, u'a')}) {
            tsm::TDengineSink sink(endpointFor(td.url()), fastRetries(), bad, true);
            try {
                sink.prepare(cancel);
                QFAIL(qPrintable(u"database name \"%1\" was accepted"_s.arg(bad)));
            } catch (const tsm::Error &error) {
                QCOMPARE(error.kind(), tsm::ErrorKind::Config);
                QVERIFY2(error.message().contains(u"required"_s) ||
                             error.message().contains(u"unquoted into \"use <name>\""_s),
                         qPrintable(error.message()));
            }
        }
        QVERIFY(td.databases().isEmpty());
    }

    void writesEveryTypeExactly()
    {
        TDengine3Emulator td;
        tsm::TDengineSink sink(endpointFor(td.url()), fastRetries(), u"dst"_s, true);
        tsm::CancelToken cancel;
        sink.prepare(cancel);
        const qint64 t = recentNs();
        const QList<QByteArray> lines{
            "cpu,host=a,region=eu usage=12.5,count=-9223372036854775807i,big=18446744073709551615u,"
            "note=\"say \\\"hi\\\" C:\\\\path\\\\\",up=true " +
                ns(t),
            "cpu,host=a,region=eu usage=1e-300,count=9223372036854775807i " + ns(t + 1),
            "sensor.temp,城市=北京 值=21.5,描述=\"晴 🌡️\" " + ns(t),
            "weird\\ name\\,x,tag\\ key\\=1=va\\ lue\\,\\=x field\\ \"quoted\"=\"a,b c=d\" " +
                ns(t),
            "notags v=false " + ns(t),
        };
        const tsm::WriteResult result = sink.write(unitBatch(lines), cancel);
        QCOMPARE(result.rejected, 0);
        QCOMPARE(result.written, 5);
        QCOMPARE(td.writeRequests(), 1);

        const auto cpu = td.rows(u"dst"_s, u"cpu"_s);
        QCOMPARE(cpu.size(), 2);
        for (const auto &row : cpu) {
            QCOMPARE(row.tags,
                     (QMap<QString, QString>{{u"host"_s, u"a"_s}, {u"region"_s, u"eu"_s}}));
            QCOMPARE(row.childTable, TDengine3Emulator::childTableName(
                                         u"cpu"_s, {{"region", "eu"}, {"host", "a"}}));
        }
        const auto &first = cpu.at(0).ts == t ? cpu.at(0) : cpu.at(1);
        QCOMPARE(valueOf(first, u"usage"_s)->f, 12.5);
        QCOMPARE(valueOf(first, u"count"_s)->i, -9223372036854775807LL);
        QCOMPARE(valueOf(first, u"big"_s)->type, tsm::FieldType::Unsigned);
        QCOMPARE(valueOf(first, u"big"_s)->u, 18446744073709551615ULL);
        QCOMPARE(QString::fromStdString(valueOf(first, u"note"_s)->s), u"say \"hi\" C:\\path\\"_s);
        QCOMPARE(valueOf(first, u"up"_s)->b, true);

        // '.' in a measurement becomes '_'; tags are NCHAR, fields typed by their value.
        QCOMPARE(td.stables(u"dst"_s),
                 (QStringList{u"cpu"_s, u"notags"_s, u"sensor_temp"_s, u"weird name,x"_s}));
        QCOMPARE(tsm::TDengineSink::superTableName(u"sensor.temp"_s), u"sensor_temp"_s);
        const auto sensor = td.rows(u"dst"_s, u"sensor_temp"_s);
        QCOMPARE(sensor.size(), 1);
        QCOMPARE(sensor.at(0).tags.value(u"城市"_s), u"北京"_s);
        QCOMPARE(QString::fromStdString(valueOf(sensor.at(0), u"描述"_s)->s), u"晴 🌡️"_s);
        const auto weird = td.rows(u"dst"_s, u"weird name,x"_s);
        QCOMPARE(weird.at(0).tags.value(u"tag key=1"_s), u"va lue,=x"_s);
        QCOMPARE(QString::fromStdString(valueOf(weird.at(0), u"field \"quoted\""_s)->s),
                 u"a,b c=d"_s);
        QHash<QString, QString> types;
        for (const auto &column : td.columns(u"dst"_s, u"cpu"_s))
            types.insert(column.name, column.type);
        QCOMPARE(types.value(u"_ts"_s), u"TIMESTAMP"_s);
        QCOMPARE(types.value(u"usage"_s), u"DOUBLE"_s);
        QCOMPARE(types.value(u"count"_s), u"BIGINT"_s);
        QCOMPARE(types.value(u"big"_s), u"BIGINT UNSIGNED"_s);
        QCOMPARE(types.value(u"note"_s), u"VARCHAR"_s);
        QCOMPARE(types.value(u"up"_s), u"BOOL"_s);
        QCOMPARE(types.value(u"host"_s), u"NCHAR"_s);
        QCOMPARE(td.columns(u"dst"_s, u"notags"_s).last().name, u"_tag_null"_s);

        // Counting over SQL, with nanosecond bounds.
        QCOMPARE(sink.count(u"cpu"_s, {t, t + 2}, cancel), 2);
        QCOMPARE(sink.count(u"cpu"_s, {t + 1, t + 2}, cancel), 1);
        QCOMPARE(sink.count(u"sensor_temp"_s, {t, t + 1}, cancel), 1);
        QCOMPARE(sink.count(u"absent"_s, {t, t + 1}, cancel), 0);
        QVERIFY(td.statements().contains(
            u"SELECT COUNT(*) FROM `dst`.`cpu` WHERE _ts >= %1 AND _ts < %2"_s.arg(t).arg(t + 2)));

        // Writing the same points again changes nothing (same child table and _ts: upsert).
        QCOMPARE(sink.write(unitBatch(lines), cancel).written, 5);
        QCOMPARE(td.rowCount(u"dst"_s), 5);
    }

    void typeConflictIsBisectedToTheLine()
    {
        TDengine3Emulator td;
        tsm::TDengineSink sink(endpointFor(td.url()), fastRetries(), u"dst"_s, true);
        tsm::CancelToken cancel;
        sink.prepare(cancel);
        const qint64 t = recentNs();
        QCOMPARE(sink.write(unitBatch({"conflict y=1.5 " + ns(t)}), cancel).written, 1);

        QList<QByteArray> lines;
        for (int i = 1; i <= 10; ++i)
            lines.append("conflict,s=" + QByteArray::number(i % 3) +
                         " y=" + (i == 6 ? QByteArray("2i") : QByteArray::number(i) + ".5") + ' ' +
                         ns(t + i));
        const tsm::WriteResult result = sink.write(unitBatch(lines, 7), cancel);
        QCOMPARE(result.written, 9);
        QCOMPARE(result.rejected, 1);
        QCOMPARE(result.rejects.at(0).line, lines.at(5));
        QCOMPARE(result.rejects.at(0).unitId, 7);
        QVERIFY2(result.rejects.at(0).reason.contains(u"[0x3002]"_s) &&
                     result.rejects.at(0).reason.contains(u"key: y"_s),
                 qPrintable(result.rejects.at(0).reason));
        QCOMPARE(td.rows(u"dst"_s, u"conflict"_s).size(), 10);

        // Within one request the type may not change either (0x3004): bisected the same way.
        const tsm::WriteResult mixed =
            sink.write(unitBatch({"fresh z=1i " + ns(t), "fresh z=\"text\" " + ns(t + 1)}), cancel);
        QCOMPARE(mixed.written, 1);
        QCOMPARE(mixed.rejected, 1);
    }

    void pointsTDengineCannotTakeAreRejectedBeforeSending()
    {
        TDengine3Emulator td;
        tsm::TDengineSink sink(endpointFor(td.url()), fastRetries(), u"dst"_s, true);
        tsm::CancelToken cancel;
        sink.prepare(cancel);
        const qint64 t = recentNs();

        QByteArray manyTags = "m";
        for (int i = 0; i < 129; ++i)
            manyTags += ",t" + QByteArray::number(i) + "=v";
        manyTags += " v=1 " + ns(t);
        QByteArray manyFields = "m ";
        for (int i = 0; i < 4096; ++i)
            manyFields += (i ? "," : "") + QByteArray("f") + QByteArray::number(i) + "=1i";
        manyFields += ' ' + ns(t);
        // 3996 fields, _ts and 100 tags: 4097 columns (tags count, smlParseLine).
        QByteArray fieldsAndTags = "m";
        for (int i = 0; i < 100; ++i)
            fieldsAndTags += ",t" + QByteArray::number(i) + "=v";
        fieldsAndTags += ' ';
        for (int i = 0; i < 3996; ++i)
            fieldsAndTags += (i ? "," : "") + QByteArray("f") + QByteArray::number(i) + "=1i";
        fieldsAndTags += ' ' + ns(t);
        QByteArray wide;
        for (int i = 0; i < 40; ++i)
            wide += (i ? ",f" : "f") + QByteArray::number(i) + "=1";
        const QList<QPair<QByteArray, QString>> cases{
            {"m,big=" + QByteArray(4200, 'x') + " v=1 " + ns(t), u"NCHAR"_s},
            {"m,a=" + QByteArray(2100, 'x') + ",b=" + QByteArray(2100, 'y') + " v=1 " + ns(t),
             u"16384"_s},
            {"m s=\"" + QByteArray(65520, 'x') + "\" " + ns(t), u"VARCHAR"_s},
            {"m a=\"" + QByteArray(40000, 'x') + "\",b=\"" + QByteArray(30000, 'x') + "\" " + ns(t),
             u"row of 70012 bytes"_s},
            {manyTags, u"129 tags"_s},
            {manyFields, u"4096 fields"_s},
            {fieldsAndTags, u"3996 fields and 100 tags"_s},
            {"m," + QByteArray(65, 'k') + "=v v=1 " + ns(t), u"65 bytes long"_s},
            {QByteArray(193, 'm') + " v=1 " + ns(t), u"193 bytes long"_s},
            {"m,x=1 x=2 " + ns(t), u"used twice"_s},
            {"m _ts=2 " + ns(t), u"used twice"_s},
            // Past the handful of names looked through in place, wide points are hashed.
            {"m,dup=x " + wide + ",dup=1 " + ns(t), u"field key \"dup\" is used twice"_s},
            {"m " + wide + ",f39=1 " + ns(t), u"field key \"f39\" is used twice"_s},
            {"m " + wide + ",_ts=1 " + ns(t), u"field key \"_ts\" is used twice"_s},
            // SQL would take them, but the database keeps 3650 days.
            {"m v=1 0", u"older than the database keeps"_s},
            {"m v=1 -1", u"older than the database keeps"_s},
            {"#m v=1 " + ns(t), u"comment"_s},
        };
        QList<QByteArray> lines{"m ok=1 " + ns(t)};
        for (const auto &c : cases)
            lines.append(c.first);
        const tsm::WriteResult result = sink.write(unitBatch(lines), cancel);
        QCOMPARE(result.written, 1);
        QCOMPARE(result.rejected, qint64(cases.size()));
        for (qsizetype i = 0; i < cases.size(); ++i) {
            const auto &reject = result.rejects.at(size_t(i));
            QCOMPARE(reject.line, cases.at(i).first);
            QVERIFY2(reject.reason.contains(cases.at(i).second),
                     qPrintable(u"%1: %2"_s.arg(cases.at(i).second, reject.reason)));
        }
        // Only the good point travelled.
        QCOMPARE(td.writeRequests(), 1);
        QCOMPARE(td.rowCount(u"dst"_s), 1);

        // Nothing at all to send: no request.
        QCOMPARE(sink.write(unitBatch({cases.at(0).first}), cancel).rejected, 1);
        QCOMPARE(td.writeRequests(), 1);
    }

    /// A string with a newline or a carriage return cannot travel on the schemaless endpoint
    /// (the body is cut at every newline): the line goes with spaces in their place, and SQL
    /// then writes the value as it is into the same row of the child table TDengine named.
    void stringsWithLineBreaksGoInWithSql()
    {
        for (const QString &tag : {QString(), u"host"_s}) {
            TDengine3Emulator td;
            tsm::TDengineSink sink(endpointFor(td.url()), fastRetries(), u"dst"_s, true);
            sink.setChildTableTag(tag);
            tsm::CancelToken cancel;
            sink.prepare(cancel);
            const qint64 t = recentNs();
            const QList<QByteArray> lines{
                "m,host=a.b,k=v s=\"two\nlines\",n=1i " + ns(t),
                "m,host=a.b,k=v s=\"cr\r\nit's \\\\ 100%_ \\\"q\\\"\",n=2i " + ns(t + 1),
                "m,k=v s=\"no tag\r\" " + ns(t + 2),
            };
            const tsm::WriteResult result = sink.write(unitBatch(lines), cancel);
            QCOMPARE(result.rejected, 0);
            QCOMPARE(result.written, 3);
            QMap<qint64, QString> values;
            QMap<qint64, QString> tables;
            for (const TDengine3Emulator::Row &row : td.rows(u"dst"_s, u"m"_s)) {
                values.insert(row.ts, QString::fromStdString(valueOf(row, u"s"_s)->s));
                tables.insert(row.ts, row.childTable);
                if (row.ts != t + 2)
                    QCOMPARE(valueOf(row, u"n"_s)->i, row.ts - t + 1);
            }
            QCOMPARE(values.value(t), u"two\nlines"_s);
            QCOMPARE(values.value(t + 1), u"cr\r\nit's \\ 100%_ \"q\""_s);
            QCOMPARE(values.value(t + 2), u"no tag\r"_s);
            const QString named = tag.isEmpty()
                                      ? TDengine3Emulator::childTableName(
                                            u"m"_s, {{"host", "a.b"}, {"k", "v"}})
                                      : u"a_b"_s;
            QCOMPARE(tables.value(t), named);
            QCOMPARE(tables.value(t + 2), TDengine3Emulator::childTableName(u"m"_s, {{"k", "v"}}));
            int inserts = 0;
            for (const QString &sql : td.statements())
                inserts += sql.startsWith(u"INSERT INTO `dst`.`%1`"_s.arg(named)) ? 1 : 0;
            QCOMPARE(inserts, 2);
        }
    }

    /// The policies' decisions: a tag clashing with a field gets _tag (and a number when that
    /// is taken too); values of a type other than the first get <field>_<type>; convert turns
    /// integers into floats only where a double holds them exactly.
    void conflictPoliciesDecideNames()
    {
        tsm::MeasurementSchema schema;
        schema.name = u"m"_s;
        schema.tagKeys = {u"x"_s, u"x_tag"_s, u"h"_s};
        schema.fields = {{u"x"_s, {tsm::FieldType::Float}},
                         {u"y"_s, {tsm::FieldType::Integer, tsm::FieldType::Float}},
                         {u"z"_s, {tsm::FieldType::String, tsm::FieldType::Boolean}}};
        tsm::NamePolicies policies;
        policies.sharedNames = true;
        policies.fixedTypes = true;
        // y's earliest values are floats, whatever order the source lists the types in.
        const QHash<QString, tsm::FieldType> first{{u"y"_s, tsm::FieldType::Float}};
        QList<tsm::Renaming> renamings = tsm::NameRules::decide(schema, first, policies);
        QStringList told;
        for (const tsm::Renaming &r : renamings)
            told.append(r.describe());
        QCOMPARE(told, (QStringList{
                           u"tag \"x\" → \"x_tag2\" (a field has the same key)"_s,
                           u"field \"y\": integer values → \"y_integer\" (the field is float "
                           u"first)"_s,
                           u"field \"z\": boolean values → \"z_boolean\" (the field is string "
                           u"first)"_s}));

        policies.typeConflict = tsm::TypeConflictPolicy::Convert;
        renamings = tsm::NameRules::decide(schema, first, policies);
        tsm::NameRules rules;
        rules.add(renamings);
        auto converted = [&rules](qint64 value) {
            tsm::lp::Point point;
            point.measurement = "m";
            point.tags = {{"x", "a"}};
            tsm::lp::Field field;
            field.key = "y";
            field.type = tsm::FieldType::Integer;
            field.i = value;
            point.fields = {field};
            rules.apply(point);
            return QString::fromStdString(point.tags.at(0).first + "|" + point.fields.at(0).key) +
                   (point.fields.at(0).type == tsm::FieldType::Float ? u"|float"_s : u"|integer"_s);
        };
        QCOMPARE(converted(9007199254740992LL), u"x_tag2|y|float"_s);
        QCOMPARE(converted(-9007199254740992LL), u"x_tag2|y|float"_s);
        QCOMPARE(converted(9007199254740993LL), u"x_tag2|y_integer|integer"_s);
        // The schema the target sees: no clash, one type per field.
        const tsm::MeasurementSchema seen = rules.apply(schema);
        QCOMPARE(seen.tagKeys, (QStringList{u"x_tag2"_s, u"x_tag"_s, u"h"_s}));
        QStringList fields;
        for (const tsm::FieldInfo &f : seen.fields)
            fields.append(f.name + u':' + QString::number(f.types.size()));
        QCOMPARE(fields, (QStringList{u"x:1"_s, u"y_integer:1"_s, u"y:1"_s, u"z_boolean:1"_s,
                                      u"z:1"_s}));

        policies.keyClash = tsm::KeyClashPolicy::Reject;
        policies.typeConflict = tsm::TypeConflictPolicy::Reject;
        QVERIFY(!policies.renames());
        QVERIFY(tsm::NameRules::decide(schema, first, policies).isEmpty());
    }

    void pointsUpTo1970GoInWithSql()
    {
        // TDengine's schemaless parser refuses a whole request for one timestamp at or before
        // 1970 (0x0127), and reads 0 as now; SQL takes them. Such a point's line goes at a
        // placeholder time (making the tables and columns), SQL writes the row at its own time
        // and deletes the placeholder's row.
        TDengine3Emulator td;
        td.createDatabase(u"dst"_s, u"ns"_s, 106580);
        tsm::TDengineSink sink(endpointFor(td.url()), fastRetries(), u"dst"_s, true);
        tsm::CancelToken cancel;
        sink.prepare(cancel);
        const qint64 t = recentNs();
        const QList<QByteArray> lines{
            "m,host=a v=1,n=1i " + ns(t),
            "m,host=a v=2,n=2i,s=\"two\nlines\",ok=true -86400000000000",
            "m,host=b v=3 -1000000000000000000",
            "m,host=a v=1e-300,u=18446744073709551615u 0",
        };
        const tsm::WriteResult result = sink.write(unitBatch(lines), cancel);
        QCOMPARE(result.rejected, 0);
        QCOMPARE(result.written, 4);
        QMap<qint64, TDengine3Emulator::Row> rows;
        for (const TDengine3Emulator::Row &row : td.rows(u"dst"_s, u"m"_s))
            rows.insert(row.ts, row);
        QCOMPARE(rows.keys(), (QList<qint64>{-1000000000000000000LL, -86400000000000LL, 0, t}));
        const TDengine3Emulator::Row &day = rows.value(-86400000000000LL);
        QCOMPARE(valueOf(day, u"v"_s)->f, 2.0);
        QCOMPARE(valueOf(day, u"n"_s)->i, 2);
        QCOMPARE(QString::fromStdString(valueOf(day, u"s"_s)->s), u"two\nlines"_s);
        QCOMPARE(valueOf(day, u"ok"_s)->b, true);
        QCOMPARE(day.childTable, TDengine3Emulator::childTableName(u"m"_s, {{"host", "a"}}));
        QCOMPARE(valueOf(rows.value(0), u"v"_s)->f, 1e-300);
        QCOMPARE(valueOf(rows.value(0), u"u"_s)->u, 18446744073709551615ULL);
        QCOMPARE(rows.value(-1000000000000000000LL).tags.value(u"host"_s), u"b"_s);
        int deletes = 0;
        for (const QString &sql : td.statements())
            deletes += sql.startsWith(u"DELETE FROM `dst`."_s) ? 1 : 0;
        QCOMPARE(deletes, 3);

        // Older than the database keeps: refused by SQL too, so rejected before sending.
        TDengine3Emulator keeping;
        tsm::TDengineSink short_(endpointFor(keeping.url()), fastRetries(), u"dst"_s, true);
        short_.prepare(cancel);
        const tsm::WriteResult old = short_.write(unitBatch({"m v=2 -86400000000000"}), cancel);
        QCOMPARE(old.rejected, 1);
        QVERIFY2(old.rejects.at(0).reason.contains(u"1969-12-31T00:00:00"_s) &&
                     old.rejects.at(0).reason.contains(u"older than the database keeps"_s),
                 qPrintable(old.rejects.at(0).reason));
        QCOMPARE(keeping.writeRequests(), 0);
    }

    void rowLimitFollowsTheServerVersion()
    {
        TDengine3Emulator td;
        td.setVersion(u"3.0.4.0"_s);
        tsm::TDengineSink sink(endpointFor(td.url()), fastRetries(), u"dst"_s, true);
        tsm::CancelToken cancel;
        sink.prepare(cancel);
        QCOMPARE(tsm::TDengineSink::maxRowBytes(u"3.0.4.0"_s), 49151);
        QCOMPARE(tsm::TDengineSink::maxRowBytes(u"3.0.5.0"_s), 65531);
        QCOMPARE(tsm::TDengineSink::maxRowBytes(u"3.3.6.0"_s), 65531);
        const QByteArray line = "m s=\"" + QByteArray(50000, 'x') + "\" " + ns(recentNs());
        const tsm::WriteResult result = sink.write(unitBatch({line}), cancel);
        QCOMPARE(result.rejected, 1);
        QVERIFY2(result.rejects.at(0).reason.contains(u"allows 49151"_s),
                 qPrintable(result.rejects.at(0).reason));
        // 3.0.x shows KEEP in minutes.
        QCOMPARE(sink.databaseInfo(cancel)->keepText, u"5256000m,5256000m,5256000m"_s);
        QCOMPARE(sink.databaseInfo(cancel)->keepMinutes, 5256000LL);
    }

    void pointThatDoesNotFitBesideTheTableIsRefusedByTDengine()
    {
        // Alone each point fits; together their columns exceed TDengine's row. The sink cannot
        // know the super table's other columns: TDengine refuses, bisection finds the line.
        TDengine3Emulator td;
        tsm::TDengineSink sink(endpointFor(td.url()), fastRetries(), u"dst"_s, true);
        tsm::CancelToken cancel;
        sink.prepare(cancel);
        const qint64 t = recentNs();
        const QByteArray a = "wide a=\"" + QByteArray(40000, 'x') + "\" " + ns(t);
        const QByteArray b = "wide b=\"" + QByteArray(30000, 'y') + "\" " + ns(t + 1);
        const QByteArray c = "wide a=\"short\" " + ns(t + 2);
        const tsm::WriteResult result = sink.write(unitBatch({a, b, c}), cancel);
        QCOMPARE(result.written, 2);
        QCOMPARE(result.rejected, 1);
        QCOMPARE(result.rejects.at(0).line, b);
        QVERIFY2(result.rejects.at(0).reason.contains(u"[0x263e] Row length exceeds max length"_s),
                 qPrintable(result.rejects.at(0).reason));
        QCOMPARE(td.rows(u"dst"_s, u"wide"_s).size(), 2);
    }

    void rejectsKeepTheLineAsItCame()
    {
        TDengine3Emulator td;
        tsm::TDengineSink sink(endpointFor(td.url()), fastRetries(), u"dst"_s, true);
        tsm::CancelToken cancel;
        sink.prepare(cancel);
        const qint64 t = recentNs();
        QCOMPARE(sink.write(unitBatch({"k v=1i " + ns(t)}), cancel).written, 1);
        // Re-encoded before sending (t -> true, 1. -> 1), refused by TDengine (v is BIGINT):
        // the reject is the line as the source gave it.
        const QByteArray original = "k,h=x v=1.,w=t " + ns(t + 1);
        const tsm::WriteResult result = sink.write(unitBatch({original}), cancel);
        QCOMPARE(result.rejected, 1);
        QCOMPARE(result.rejects.at(0).line, original);
    }

    void errorInAnHttp200IsAnError()
    {
        TestHttpServer server;
        server.setHandler([](const TestHttpServer::Request &request) {
            if (request.body.startsWith("SELECT SERVER_VERSION()"))
                return TestHttpServer::Reply::json(
                    200, "{\"code\":9728,\"desc\":\"syntax error near 'server_version()'\"}");
            if (request.body.startsWith("SHOW DATABASES"))
                return TestHttpServer::Reply::json(200, "{\"code\":1,\"desc\":\"strange\"}");
            return TestHttpServer::Reply::json(200, "{\"code\":0,\"rows\":0,\"data\":[]}");
        });
        tsm::TDengineSink sink(endpointFor(server.url()), fastRetries(), u"dst"_s, true);
        tsm::CancelToken cancel;
        try {
            sink.checkConnection(cancel);
            QFAIL("an error in an HTTP 200 answer was taken for success");
        } catch (const tsm::Error &error) {
            QCOMPARE(error.kind(), tsm::ErrorKind::Query);
            QCOMPARE(error.httpStatus(), 200);
            QVERIFY2(error.message().contains(u"[0x2600] syntax error near"_s),
                     qPrintable(error.message()));
        }
        try {
            sink.databaseInfo(cancel);
            QFAIL("an error in an HTTP 200 answer was taken for success");
        } catch (const tsm::Error &error) {
            QVERIFY2(error.message().contains(u"[0x0001] strange"_s), qPrintable(error.message()));
        }

        // And from the emulator: statement errors come as HTTP 200 with a code.
        TDengine3Emulator td;
        tsm::TDengineRest rest(endpointFor(td.url()), fastRetries());
        for (const auto &[sql, code] : QList<QPair<QString, QString>>{
                 {u"SELEC 1"_s, u"[0x2600]"_s},
                 {u"SELECT COUNT(*) FROM `nodb`.`x`"_s, u"[0x0388] Database not exist"_s},
                 {u"CREATE DATABASE d KEEP 400000"_s, u"[0x0382]"_s}}) {
            try {
                rest.query(sql, cancel);
                QFAIL(qPrintable(sql));
            } catch (const tsm::Error &error) {
                QVERIFY2(error.message().contains(code), qPrintable(error.message()));
                QCOMPARE(error.httpStatus(), 200);
            }
        }
        td.createDatabase(u"d"_s);
        QCOMPARE(rest.query(u"SELECT COUNT(*) FROM d.nothing"_s, cancel, {0x2603}).code, 0x2603);
    }

    void wrongCredentialsStop()
    {
        TDengine3Emulator td;
        td.createDatabase(u"dst"_s);
        tsm::TDengineSink sink(endpointFor(td.url(), u"wrong"_s), fastRetries(), u"dst"_s, true);
        tsm::CancelToken cancel;
        try {
            sink.checkConnection(cancel);
            QFAIL("wrong credentials were accepted");
        } catch (const tsm::Error &error) {
            // taosAdapter answers wrong credentials on /rest/sql as a statement error.
            QCOMPARE(error.kind(), tsm::ErrorKind::Auth);
            QCOMPARE(error.httpStatus(), 200);
            QVERIFY2(error.message().contains(u"user \"root\""_s) &&
                         error.message().contains(u"[0x0357] Authentication failure"_s),
                     qPrintable(error.message()));
        }
        try {
            // ... and on the schemaless endpoint as HTTP 500 with [0x357].
            sink.write(unitBatch({"m v=1 " + ns(recentNs())}), cancel);
            QFAIL("a write with wrong credentials was accepted");
        } catch (const tsm::Error &error) {
            QCOMPARE(error.kind(), tsm::ErrorKind::Auth);
            QCOMPARE(error.httpStatus(), 500);
            QVERIFY2(error.message().contains(u"user \"root\""_s) &&
                         error.message().contains(u"[0x357] Authentication failure"_s),
                     qPrintable(error.message()));
        }
        QCOMPARE(td.writeRequests(), 1); // not retried
        QCOMPARE(td.rowCount(u"dst"_s), 0);
    }

    void compressesRequestsToOtherMachines()
    {
        // taosAdapter decompresses gzip bodies; the sink compresses them except to this machine
        // (HttpClient::isLoopback, as the InfluxDB sinks decide).
        TDengine3Emulator td;
        tsm::TDengineSink sink(endpointFor(td.url()), fastRetries(), u"dst"_s, true);
        tsm::CancelToken cancel;
        sink.prepare(cancel);
        const qint64 t = recentNs();
        QCOMPARE(sink.write(unitBatch({"m v=1 " + ns(t)}), cancel).written, 1);
        QCOMPARE(td.gzipWriteRequests(), 0);
        sink.setCompressRequests(true);
        QCOMPARE(sink.write(unitBatch({"m v=2 " + ns(t + 1)}), cancel).written, 1);
        QCOMPARE(td.gzipWriteRequests(), 1);
        QCOMPARE(td.rowCount(u"dst"_s), 2);
    }

    void measurementsThatBecomeOneSuperTableStop()
    {
        // '.' -> '_' makes "cpu.load" and "cpu_load" one super table, whose rows TDengine merges
        // column by column: the task stops before writing, naming both.
        TDengine3Emulator td;
        tsm::TDengineSink sink(endpointFor(td.url()), fastRetries(), u"dst"_s, true);
        tsm::CancelToken cancel;
        sink.prepare(cancel);
        const qint64 t = recentNs();
        QTemporaryDir dir;
        const QString path = dir.filePath(u"in.lp"_s);
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("cpu.load,h=a v=1 " + ns(t) + "\ncpu_load,h=a w=2 " + ns(t) + "\nmem v=3 " +
                       ns(t) + "\n");
        }
        tsm::LpFileSource source(path);
        for (const QStringList &measurements :
             {QStringList{}, QStringList{u"cpu_load"_s, u"mem"_s, u"cpu.load"_s}}) {
            try {
                sink.syncSchema(source, QString(), measurements, true, cancel);
                QFAIL("two measurements that become one super table were not caught");
            } catch (const tsm::Error &error) {
                QCOMPARE(error.kind(), tsm::ErrorKind::Config);
                QVERIFY2(error.message().contains(u"\"cpu.load\" and \"cpu_load\""_s) &&
                             error.message().contains(u"super table \"cpu_load\""_s),
                         qPrintable(error.message()));
            }
        }
        sink.syncSchema(source, QString(), {u"cpu.load"_s, u"mem"_s}, true, cancel);
        QCOMPARE(td.writeRequests(), 0);

        // One that appears only while writing (following new data) stops the write before it
        // is sent.
        QCOMPARE(sink.write(unitBatch({"cpu.load,h=a v=1 " + ns(t)}), cancel).written, 1);
        try {
            sink.write(unitBatch({"mem v=3 " + ns(t), "cpu_load,h=a w=2 " + ns(t)}), cancel);
            QFAIL("a second measurement for one super table was written");
        } catch (const tsm::Error &error) {
            QCOMPARE(error.kind(), tsm::ErrorKind::Config);
            QVERIFY2(error.message().contains(u"\"cpu.load\" and \"cpu_load\""_s),
                     qPrintable(error.message()));
        }
        QCOMPARE(td.writeRequests(), 1);
        const QList<TDengine3Emulator::Row> rows = td.rows(u"dst"_s, u"cpu_load"_s);
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows.at(0).values.keys(), QStringList{u"v"_s});
    }

    void retriesHonourRetryAfter()
    {
        TDengine3Emulator td;
        tsm::TDengineSink sink(endpointFor(td.url()), fastRetries(), u"dst"_s, true);
        QList<int> delays;
        QList<int> statuses;
        sink.setRetryListener([&](const QString &, const tsm::Error &error, int, int delayMs) {
            delays.append(delayMs);
            statuses.append(error.httpStatus());
        });
        tsm::CancelToken cancel;
        td.failNext(1, 429, 1, "/rest/sql");
        sink.prepare(cancel);
        td.failNext(2, 503, 1, "/influxdb/");
        const tsm::WriteResult result = sink.write(unitBatch({"m v=1 " + ns(recentNs())}), cancel);
        QCOMPARE(result.written, 1);
        QCOMPARE(statuses, (QList<int>{429, 503, 503}));
        QCOMPARE(delays, (QList<int>{1000, 1000, 1000}));
        QCOMPARE(td.writeRequests(), 3);
        QCOMPARE(td.rowCount(u"dst"_s), 1);

        // Retries have an end: exhausted, the error says what the server said.
        td.failNext(10, 503, 0, "/influxdb/");
        try {
            sink.write(unitBatch({"m v=2 " + ns(recentNs())}), cancel);
            QFAIL("retries never ended");
        } catch (const tsm::Error &error) {
            QCOMPARE(error.kind(), tsm::ErrorKind::Server);
            QVERIFY2(error.message().contains(u"503 memory exceeds threshold"_s),
                     qPrintable(error.message()));
        }
    }

    void writeEndpointErrors()
    {
        TDengine3Emulator td;
        tsm::TDengineSink sink(endpointFor(td.url()), fastRetries(), u"gone"_s, false);
        tsm::CancelToken cancel;
        try {
            sink.write(unitBatch({"m v=1 " + ns(recentNs())}), cancel);
            QFAIL("a write into a missing database succeeded");
        } catch (const tsm::Error &error) {
            QCOMPARE(error.kind(), tsm::ErrorKind::NotFound);
            QVERIFY2(error.message().contains(u"[0x388] Database not exist"_s),
                     qPrintable(error.message()));
        }
        QCOMPARE(td.writeRequests(), 1); // neither retried nor bisected
    }

    void keepTextIsRead()
    {
        QCOMPARE(tsm::TDengineSink::parseKeepMinutes(u"3650d,3650d,3650d"_s), 3650LL * 1440);
        QCOMPARE(tsm::TDengineSink::parseKeepMinutes(u"5256000m,5256000m,5256000m"_s), 5256000LL);
        QCOMPARE(tsm::TDengineSink::parseKeepMinutes(u"1d,2d,100d"_s), 100LL * 1440);
        QCOMPARE(tsm::TDengineSink::parseKeepMinutes(u"240h"_s), 240LL * 60);
        QCOMPARE(tsm::TDengineSink::parseKeepMinutes(u"3650"_s), 3650LL * 1440);
        QCOMPARE(tsm::TDengineSink::parseKeepMinutes(u"forever"_s), -1LL);
        QCOMPARE(tsm::TDengineRest::errorCodeIn(u"[0x388] Database not exist"_s), 0x388);
        QCOMPARE(tsm::TDengineRest::errorCodeIn(u"[0x8000060B] Timestamp"_s), 0x60B);
        QCOMPARE(tsm::TDengineRest::errorCodeIn(u"db required"_s), -1);
        QCOMPARE(tsm::TDengineRest::quoteString(u"it's \\ \"x\""_s), u"'it\\'s \\\\ \\\"x\\\"'"_s);
    }

    void childTableNamesFollowTDengine()
    {
        // MD5 of "stable,k=v,..." with the keys sorted case-insensitively.
        QCOMPARE(TDengine3Emulator::childTableName(u"st"_s, {{"b", "2"}, {"A", "1"}}),
                 u"t_"_s +
                     QString::fromLatin1(
                         QCryptographicHash::hash("st,A=1,b=2", QCryptographicHash::Md5).toHex()));
        QCOMPARE(TDengine3Emulator::childTableName(u"st"_s, {}),
                 u"t_"_s + QString::fromLatin1(
                               QCryptographicHash::hash("st", QCryptographicHash::Md5).toHex()));
        // The sink names them as the emulator does, the MD5 and the tag's value alike.
        using Tags = std::vector<std::pair<std::string, std::string>>;
        QCOMPARE(tsm::TDengineSink::childTableName(u"st"_s, Tags{{"b", "2"}, {"A", "1"}, {"a", "0"}},
                                                   {}),
                 TDengine3Emulator::childTableName(u"st"_s, {{"b", "2"}, {"A", "1"}, {"a", "0"}}));
        QCOMPARE(tsm::TDengineSink::childTableName(u"st"_s, Tags{{"ab", "2"}, {"a", "1"}}, "id"),
                 TDengine3Emulator::childTableName(u"st"_s, {{"ab", "2"}, {"a", "1"}}));
        QCOMPARE(tsm::TDengineSink::childTableName(u"st"_s, Tags{{"id", "x.y"}, {"a", "1"}}, "id"),
                 u"x_y"_s);
        QCOMPARE(tsm::TDengineSink::childTableName(
                     u"st"_s, Tags{{"id", std::string(200, 'n')}}, "id"),
                 QString(192, u'n'));
    }
};

QTEST_GUILESS_MAIN(TestTDengineSink)
#include "test_tdenginesink.moc"
