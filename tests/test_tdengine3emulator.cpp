// The TDengine 3 emulator itself, over raw HTTP: the answers TDengine and taosAdapter give
// (PROTOCOLS.md §5), so that the sink's tests rest on a server that refuses what TDengine
// refuses.
#include "emulators/TDengine3Emulator.h"
#include "http/HttpClient.h"
#include "support/TestTime.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using tsm::test::TDengine3Emulator;
using namespace tsm::test;

namespace {

qint64 recentNs()
{
    return (QDateTime::currentMSecsSinceEpoch() - 86400000LL) * 1000000 + 123456;
}

/** Raw requests to the emulator. */
class Raw
{
public:
    explicit Raw(const TDengine3Emulator &td) : m_url(td.url().toUtf8()) {}

    tsm::HttpResponse write(const QByteArray &query, const QByteArray &body,
                            const QByteArray &auth = "root:taosdata")
    {
        tsm::HttpRequest request;
        request.method = "POST";
        request.url = m_url + "/influxdb/v1/write" + query;
        request.body = body;
        if (!auth.isEmpty())
            request.headers.emplaceBack("Authorization", "Basic " + auth.toBase64());
        return m_client.perform(request);
    }

    tsm::HttpResponse sql(const QString &statement, const QByteArray &auth = "root:taosdata")
    {
        tsm::HttpRequest request;
        request.method = "POST";
        request.url = m_url + "/rest/sql";
        request.body = statement.toUtf8();
        if (!auth.isEmpty())
            request.headers.emplaceBack("Authorization", "Basic " + auth.toBase64());
        return m_client.perform(request);
    }

    const QJsonObject sqlJson(const QString &statement)
    {
        return QJsonDocument::fromJson(sql(statement).body).object();
    }

private:
    QByteArray m_url;
    tsm::HttpClient m_client;
};

} // namespace

/** The emulator answers as taosAdapter and TDengine 3 do. */
class TestTDengine3Emulator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void schemalessRequestErrors()
    {
        TDengine3Emulator td;
        Raw raw(td);
        const QByteArray line = "m v=1 " + QByteArray::number(recentNs());
        tsm::HttpResponse r = raw.write("?db=x", line, {});
        QCOMPARE(r.status, 401);
        QVERIFY(r.body.contains("no auth info found"));
        // Wrong credentials fail the connection: 500 with TDengine's code, not 401.
        r = raw.write("?db=x", line, "root:nope");
        QCOMPARE(r.status, 500);
        QVERIFY2(r.body.contains(R"("code":"internal error")") &&
                     r.body.contains("[0x357] Authentication failure"),
                 r.body.constData());
        r = raw.write("", line);
        QCOMPARE(r.status, 400);
        QVERIFY(r.body.contains("db required"));
        r = raw.write("?db=x", line);
        QCOMPARE(r.status, 500);
        QVERIFY2(r.body.contains("[0x388] Database not exist"), r.body.constData());
        td.failNext(1, 503, 120);
        r = raw.write("?db=x", line);
        QCOMPARE(r.status, 503);
        QCOMPARE(r.retryAfterSeconds(), 120);
    }

    void linesAreParsedFirstAndWrittenInOrder()
    {
        TDengine3Emulator td;
        td.createDatabase(u"db"_s, u"ns"_s, 30);
        Raw raw(td);
        const qint64 t = recentNs();
        const QByteArray good = "m v=1 " + QByteArray::number(t);
        // One unreadable line: nothing is written.
        tsm::HttpResponse r = raw.write("?db=db&precision=ns", good + "\nm v=\n");
        QCOMPARE(r.status, 500);
        QVERIFY2(r.body.contains("[0x3002]"), r.body.constData());
        QCOMPARE(td.rowCount(u"db"_s), 0);
        // The body is cut at every newline, inside quotes too.
        r = raw.write("?db=db", good + "\nm s=\"a\nb\" " + QByteArray::number(t + 1) + "\n");
        QCOMPARE(r.status, 500);
        QCOMPARE(td.rowCount(u"db"_s), 0);
        // A row older than KEEP stops the request; the rows before it stay (not atomic).
        const QByteArray old = "m v=2 " + QByteArray::number(t - 31 * kDay);
        r = raw.write("?db=db", good + '\n' + old + "\nm v=3 " + QByteArray::number(t + 2));
        QCOMPARE(r.status, 500);
        QVERIFY2(r.body.contains("[0x60b] Timestamp data out of range"), r.body.constData());
        QCOMPARE(td.rowCount(u"db"_s), 1);
        // Timestamp 0 is "now"; precision=ms reads milliseconds.
        QCOMPARE(raw.write("?db=db", "z v=1 0").status, 204);
        QVERIFY(td.rows(u"db"_s, u"z"_s).at(0).ts > t);
        const qint64 ms = t / 1000000;
        QCOMPARE(raw.write("?db=db&precision=ms", "p v=1 " + QByteArray::number(ms)).status, 204);
        QCOMPARE(td.rows(u"db"_s, u"p"_s).at(0).ts, ms * 1000000);
        // A compressed body is decompressed by taosAdapter before the parser sees it.
        tsm::HttpRequest gz;
        gz.method = "POST";
        gz.url = td.url().toUtf8() + "/influxdb/v1/write?db=db";
        gz.body = tsm::HttpClient::gzip(good);
        gz.headers.emplaceBack("Content-Encoding", "gzip");
        gz.headers.emplaceBack("Authorization", "Basic " + QByteArray("root:taosdata").toBase64());
        QCOMPARE(tsm::HttpClient().perform(gz).status, 204);
        QCOMPARE(td.gzipWriteRequests(), 1);
    }

    void timesUpTo1970RefuseTheWholeRequest()
    {
        // smlParseInfluxString (clientSmlLine.c) refuses a converted timestamp <= 0 with
        // TSDB_CODE_INVALID_TIMESTAMP, and the request with it: the good line is not written.
        TDengine3Emulator td;
        td.createDatabase(u"db"_s, u"ns"_s, 36500);
        Raw raw(td);
        const QByteArray good = "m v=1 " + QByteArray::number(recentNs());
        for (const QByteArray &time : {QByteArray("-1"), QByteArray("-86400000000000"),
                                       QByteArray("-1000000000000000000")}) {
            const tsm::HttpResponse r = raw.write("?db=db", good + "\nm v=2 " + time);
            QCOMPARE(r.status, 500);
            QVERIFY2(r.body.contains("[0x127] Invalid timestamp format"), r.body.constData());
        }
        // Converted to a coarser precision, 999 us is 0 ms: refused as well.
        td.createDatabase(u"msdb"_s, u"ms"_s, 36500);
        QCOMPARE(raw.write("?db=msdb&precision=u", "m v=1 999").status, 500);
        QCOMPARE(td.rowCount(u"db"_s) + td.rowCount(u"msdb"_s), 0);
        QCOMPARE(raw.write("?db=db", good).status, 204);
    }

    void rowsOfOneTableAndTimeAreMerged()
    {
        // tRowMergeImpl: the newest value of each column wins, absent columns keep the older.
        TDengine3Emulator td;
        td.createDatabase(u"db"_s);
        Raw raw(td);
        const QByteArray t = QByteArray::number(recentNs());
        QCOMPARE(raw.write("?db=db", "m,h=a x=1,y=2 " + t).status, 204);
        QCOMPARE(raw.write("?db=db", "m,h=a y=3,z=\"s\" " + t).status, 204);
        QList<TDengine3Emulator::Row> rows = td.rows(u"db"_s, u"m"_s);
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows.at(0).values.value(u"x"_s).f, 1.0);
        QCOMPARE(rows.at(0).values.value(u"y"_s).f, 3.0);
        QCOMPARE(rows.at(0).values.value(u"z"_s).s, std::string("s"));
        // Two measurements that '.' -> '_' makes one super table share its child tables.
        QCOMPARE(raw.write("?db=db", "c.l,h=a v=1 " + t + "\nc_l,h=a w=2 " + t).status, 204);
        rows = td.rows(u"db"_s, u"c_l"_s);
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows.at(0).values.size(), 2);
    }

    void columnsCountTheTags()
    {
        // smlParseLine: fields + the time column + tags at most 4096.
        TDengine3Emulator td;
        td.createDatabase(u"db"_s);
        Raw raw(td);
        QByteArray line = "m";
        for (int i = 0; i < 100; ++i)
            line += ",t" + QByteArray::number(i) + "=v";
        line += ' ';
        for (int i = 0; i < 3996; ++i)
            line += (i ? "," : "") + QByteArray("f") + QByteArray::number(i) + "=1i";
        const tsm::HttpResponse r =
            raw.write("?db=db", line + ' ' + QByteArray::number(recentNs()));
        QCOMPARE(r.status, 500);
        QVERIFY2(r.body.contains("[0x2640]"), r.body.constData());
    }

    void schemaRules()
    {
        TDengine3Emulator td;
        td.createDatabase(u"db"_s);
        Raw raw(td);
        const QByteArray t = QByteArray::number(recentNs());
        QCOMPARE(raw.write("?db=db", "a.b,Host=x v=1,s=\"hello\" " + t).status, 204);
        QCOMPARE(td.stables(u"db"_s), QStringList{u"a_b"_s});
        const auto columns = td.columns(u"db"_s, u"a_b"_s);
        QCOMPARE(columns.size(), 4);
        QCOMPARE(columns.at(0).name, u"_ts"_s);
        QCOMPARE(columns.at(2).type, u"VARCHAR"_s);
        QCOMPARE(columns.at(2).length, 8); // a power of two above 5
        QCOMPARE(columns.at(3).name, u"Host"_s);
        QCOMPARE(columns.at(3).type, u"NCHAR"_s);
        // A longer string widens the column; a new field adds one.
        QCOMPARE(
            raw.write("?db=db", "a.b,Host=x s=\"" + QByteArray(20, 'x') + "\",n=1i " + t).status,
            204);
        QCOMPARE(td.columns(u"db"_s, u"a_b"_s).at(2).length, 32);
        // Against the table: 0x3002; within the request: 0x3004; tag vs column: 0x263c.
        tsm::HttpResponse r = raw.write("?db=db", "a.b,Host=x v=1i " + t);
        QVERIFY2(r.body.contains("[0x3002] point type and db type mismatch"), r.body.constData());
        r = raw.write("?db=db", "c v=1i " + t + "\nc v=1 " + t);
        QVERIFY2(r.body.contains("[0x3004] the type is not the same like before:v"),
                 r.body.constData());
        r = raw.write("?db=db", "a.b,v=tag w=1 " + t);
        QVERIFY2(r.body.contains("[0x263c]"), r.body.constData());
        QCOMPARE(td.stables(u"db"_s), QStringList{u"a_b"_s});
        // Row size over the super table's columns, string widths as the client sizes them.
        QByteArray wide = "w ";
        for (int i = 0; i < 64; ++i)
            wide += (i ? "," : "") + QByteArray("f") + QByteArray::number(i) + "=\"" +
                    QByteArray(600, 'x') + '"';
        r = raw.write("?db=db", wide + ' ' + t);
        QVERIFY2(r.body.contains("[0x263e] Row length exceeds max length 65531"),
                 r.body.constData());
        // A tag-less line gets _tag_null; the child table names follow TDengine.
        QCOMPARE(raw.write("?db=db", "n v=1 " + t).status, 204);
        QCOMPARE(td.columns(u"db"_s, u"n"_s).last().name, u"_tag_null"_s);
        QCOMPARE(td.rows(u"db"_s, u"n"_s).at(0).childTable,
                 TDengine3Emulator::childTableName(u"n"_s, {}));
    }

    void sqlAnswers()
    {
        TDengine3Emulator td;
        Raw raw(td);
        const tsm::HttpResponse none = raw.sql(u"SHOW DATABASES"_s, {});
        QCOMPARE(none.status, 401);
        QCOMPARE(QJsonDocument::fromJson(none.body)[u"code"_s].toInt(), 0x1105);
        // Wrong credentials are a statement error: HTTP 200, code 855.
        const tsm::HttpResponse wrong = raw.sql(u"SHOW DATABASES"_s, "root:nope");
        QCOMPARE(wrong.status, 200);
        QCOMPARE(QJsonDocument::fromJson(wrong.body)[u"code"_s].toInt(), 855);

        QJsonObject o = raw.sqlJson(u"SELECT SERVER_VERSION()"_s);
        QCOMPARE(o[u"data"_s][0][0].toString(), u"3.3.6.0"_s);
        o = raw.sqlJson(u"CREATE DATABASE IF NOT EXISTS `Mixed` PRECISION 'ns' KEEP 100"_s);
        QCOMPARE(o[u"code"_s].toInt(), 0);
        QCOMPARE(raw.sqlJson(u"CREATE DATABASE `Mixed`"_s)[u"code"_s].toInt(), 0x381);
        QCOMPARE(raw.sqlJson(u"CREATE DATABASE k KEEP 20"_s)[u"code"_s].toInt(), 0x382);
        QCOMPARE(raw.sqlJson(u"CREATE DATABASE p PRECISION 'xs'"_s)[u"code"_s].toInt(), 0x382);
        o = raw.sqlJson(u"SELEC 1"_s);
        QCOMPARE(raw.sql(u"SELEC 1"_s).status, 200); // errors come with HTTP 200
        QCOMPARE(o[u"code"_s].toInt(), 0x2600);

        o = raw.sqlJson(u"SELECT * FROM information_schema.ins_databases WHERE name = 'Mixed'"_s);
        QCOMPARE(o[u"rows"_s].toInt(), 1);
        const QJsonArray meta = o[u"column_meta"_s].toArray();
        QHash<QString, int> at;
        for (int i = 0; i < meta.size(); ++i)
            at.insert(meta.at(i)[0].toString(), i);
        QCOMPARE(o[u"data"_s][0][at.value(u"precision"_s)].toString(), u"ns"_s);
        QCOMPARE(o[u"data"_s][0][at.value(u"keep"_s)].toString(), u"100d,100d,100d"_s);
        QCOMPARE(raw.sqlJson(u"SHOW DATABASES"_s)[u"rows"_s].toInt(), 3); // + the two system ones

        QCOMPARE(raw.sqlJson(u"SELECT COUNT(*) FROM mixed.t"_s)[u"code"_s].toInt(), 0x388);
        QCOMPARE(raw.sqlJson(u"SELECT COUNT(*) FROM `Mixed`.t"_s)[u"code"_s].toInt(), 0x2603);
        const QByteArray t = QByteArray::number(recentNs());
        Raw writer(td);
        QCOMPARE(writer.write("?db=Mixed", "t v=1 " + t).status, 500); // "use Mixed" is mixed
        td.createDatabase(u"lower"_s);
        QCOMPARE(writer.write("?db=LOWER", "T v=1 " + t).status, 204);
        o = raw.sqlJson(u"SELECT COUNT(*) FROM lower.`T` WHERE _ts >= %1 AND _ts < %2"_s.arg(
            QString::fromUtf8(t), QString::number(t.toLongLong() + 1)));
        QCOMPARE(o[u"data"_s][0][0].toInteger(), 1);
        // Plain names are folded: lower.T is the table t, which does not exist.
        QCOMPARE(raw.sqlJson(u"SELECT COUNT(*) FROM lower.T"_s)[u"code"_s].toInt(), 0x2603);
        o = raw.sqlJson(u"DESCRIBE lower.`T`"_s);
        QCOMPARE(o[u"data"_s][0][0].toString(), u"_ts"_s);
        QCOMPARE(o[u"data"_s][2][3].toString(), u"TAG"_s);
    }
};

QTEST_GUILESS_MAIN(TestTDengine3Emulator)
#include "test_tdengine3emulator.moc"
