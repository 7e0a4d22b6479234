// Which InfluxDB answers: checkConnection() names product and version for a real 1.x, the 2.x
// emulator and an InfluxDB 3-style /ping (200 with JSON), through the engine and the CLI; a
// profile for the wrong major version says which to choose. InfluxDB 3 sources and targets
// against a scripted server: unqualified names, no shard planning, token auth, partial writes.
#include "core/Endpoints.h"
#include "core/Runner.h"
#include "emulators/Influx2Emulator.h"
#include "sinks/InfluxV3Sink.h"
#include "sources/InfluxSource.h"
#include "support/InfluxdFixture.h"
#include "support/TestHttpServer.h"
#include "support/TestProfiles.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::test;

namespace {

constexpr qint64 kT0 = 1704103200LL * 1000000000LL;

QByteArray influxqlAnswer(const QJsonArray &series)
{
    return QJsonDocument(
               QJsonObject{{u"results"_s, QJsonArray{QJsonObject{{u"statement_id"_s, 0},
                                                                 {u"series"_s, series}}}}})
        .toJson(QJsonDocument::Compact);
}

/// Rows as a JSON array of arrays (a braced single QJsonArray would be copied, not wrapped).
QJsonArray rows(std::initializer_list<QJsonArray> list)
{
    QJsonArray array;
    for (const QJsonArray &row : list)
        array.append(row);
    return array;
}

QJsonObject series(const QString &name, const QStringList &columns, const QJsonArray &values,
                   const QJsonObject &tags = {})
{
    QJsonObject object{{u"name"_s, name},
                       {u"columns"_s, QJsonArray::fromStringList(columns)},
                       {u"values"_s, values}};
    if (!tags.isEmpty())
        object.insert(u"tags"_s, tags);
    return object;
}

/// An InfluxDB 3 Core as far as /ping, /query and /api/v2/write go, with one database "db3"
/// holding measurement "m": two series, three points.
TestHttpServer::Reply influxDb3(const TestHttpServer::Request &request, const QString &token)
{
    using Reply = TestHttpServer::Reply;
    if (request.path == "/ping")
        return Reply::json(200, R"({"version":"3.0.1","revision":"x"})");
    if (request.header("authorization") != "Token " + token.toUtf8())
        return Reply::json(401, R"({"error":"the request was not authorized"})");
    if (request.path == "/api/v2/write") {
        // [U] the shape of InfluxDB 3's partial write answer.
        if (request.body.contains("bad"))
            return Reply::json(
                400,
                R"({"error":"partial write of line protocol occurred","data":[{"original_line":"bad","line_number":1,"error_message":"invalid column type for column 'v', expected iox::column_type::field::float, got iox::column_type::field::integer"}]})");
        return Reply::empty(204);
    }
    if (request.path != "/query")
        return Reply::json(404, R"({"error":"not found"})");
    const QString q = request.queryItem(u"q"_s);
    // InfluxDB 3 has databases, no retention policies and no shards to ask for.
    if (q.contains(u"\"db3\"."_s) || q.contains(u"SHOW SHARDS"_s) ||
        q.contains(u"RETENTION POLICIES"_s))
        return Reply::json(200, R"({"results":[{"statement_id":0,"error":"not supported here"}]})");
    auto answer = [](const QJsonObject &one) {
        return TestHttpServer::Reply::json(200, influxqlAnswer({one}));
    };
    const QStringList timeUV{u"time"_s, u"u"_s, u"v"_s};
    if (q == u"SHOW DATABASES")
        return answer(series(u"databases"_s, {u"name"_s}, rows({{u"db3"_s}})));
    if (request.queryItem(u"db"_s) != u"db3")
        return Reply::json(200, R"({"results":[{"statement_id":0,"error":"database not found"}]})");
    if (q.startsWith(u"SHOW MEASUREMENTS"_s))
        return answer(series(u"measurements"_s, {u"name"_s}, rows({{u"m"_s}})));
    if (q.startsWith(u"SHOW TAG KEYS"_s))
        return answer(series(u"m"_s, {u"tagKey"_s}, rows({{u"host"_s}})));
    if (q.startsWith(u"SHOW FIELD KEYS"_s))
        return answer(series(u"m"_s, {u"fieldKey"_s, u"fieldType"_s},
                             rows({{u"v"_s, u"float"_s}, {u"u"_s, u"unsigned"_s}})));
    if (q.endsWith(u"ORDER BY time DESC LIMIT 1"_s))
        return answer(series(u"m"_s, timeUV, rows({{kT0 + 7200000000000LL, 7, 3.5}})));
    if (q.endsWith(u"LIMIT 1"_s))
        return answer(series(u"m"_s, timeUV, rows({{kT0, 5, 1.5}})));
    if (q.startsWith(u"SELECT * FROM \"m\" WHERE"_s) && q.endsWith(u"GROUP BY *"_s)) {
        Reply reply;
        reply.headers.emplaceBack("Content-Type", "application/json");
        reply.chunks.append(
            influxqlAnswer(
                {series(u"m"_s, timeUV, rows({{kT0, 5, 1.5}, {kT0 + 3600000000000LL, 6, 2.5}}),
                        {{u"host"_s, u"a"_s}})}) +
            '\n');
        reply.chunks.append(
            influxqlAnswer({series(u"m"_s, timeUV, rows({{kT0 + 7200000000000LL, 7, 3.5}}),
                                   {{u"host"_s, u"b"_s}})}) +
            '\n');
        return reply;
    }
    return Reply::json(400, R"({"error":"unexpected statement"})");
}

} // namespace

/** checkConnection() and the InfluxDB 3 family. */
class TestInfluxVersions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        m_v3.setHandler([](const TestHttpServer::Request &r) { return influxDb3(r, u"t3"_s); });
    }

    void influxDb1()
    {
        TSM_SKIP_WITHOUT_INFLUXD();
        InfluxdFixture influxd;
        QVERIFY2(influxd.start(), qPrintable(influxd.errorString()));
        InfluxSource source(influxd.endpoint(), RetryPolicy{});
        CancelToken cancel;
        const ConnectionInfo info = source.checkConnection(cancel);
        QCOMPARE(info.product, u"InfluxDB"_s);
        QVERIFY2(info.version.startsWith(u"1."_s), qPrintable(info.version));
        QVERIFY2(info.detail.startsWith(u"OSS, "_s), qPrintable(info.detail));
        QCOMPARE(InfluxApi::majorVersion(info), 1);

        // A 2.x profile against it says so.
        TaskProfile profile =
            influxToInflux(u"x"_s, influxd.url(), u"src"_s, influxd.url(), u"d"_s);
        profile.source.apiVersion = u"2.x"_s;
        profile.source.orgId = u"0a1b2c3d4e5f6071"_s;
        profile.source.token = u"t"_s;
        try {
            Endpoints::createSource(profile)->checkConnection(cancel);
            QFAIL("a 2.x source accepted InfluxDB 1.x");
        } catch (const Error &error) {
            QCOMPARE(error.kind(), ErrorKind::Config);
            QVERIFY2(error.message().contains(u"not InfluxDB 2.x: choose the 1.x"_s),
                     qPrintable(error.message()));
        }
    }

    void influxDb2Emulator()
    {
        TSM_SKIP_WITHOUT_INFLUXD();
        Influx2Emulator emulator;
        QVERIFY2(emulator.start(), qPrintable(emulator.errorString()));
        emulator.addBucket(u"b"_s);
        QTemporaryDir dir;
        TaskProfile profile =
            influxToInflux(u"v2"_s, emulator.url(), u"b"_s, emulator.influxd().url(), u"d"_s);
        profile.source.apiVersion = u"2.x"_s;
        profile.source.version = u"2.7"_s;
        profile.source.orgId = emulator.options().orgId;
        profile.source.token = emulator.token();
        CancelToken cancel;
        const ConnectionInfo info = Endpoints::createSource(profile)->checkConnection(cancel);
        QCOMPARE(info.product, u"InfluxDB"_s);
        QCOMPARE(info.version, u"2.7.1"_s); // sent as "v2.7.1"
        QCOMPARE(info.detail, u"OSS, organization %1, 1 buckets"_s.arg(emulator.options().orgId));

        const QString path = dir.filePath(u"p.json"_s);
        QVERIFY(saveProfile(profile, path));
        const CliResult check = runCli({u"check"_s, path});
        QVERIFY2(check.exitCode == 0, qPrintable(check.output));
        QVERIFY2(check.output.contains(u"source: OK — InfluxDB 2.7.1 (OSS, organization"_s),
                 qPrintable(check.output));

        // An InfluxDB 3 profile against it says so.
        profile.source.version = u"3"_s;
        try {
            Endpoints::createSource(profile)->checkConnection(cancel);
            QFAIL("an InfluxDB 3 source accepted InfluxDB 2.x");
        } catch (const Error &error) {
            QCOMPARE(error.kind(), ErrorKind::Config);
            QVERIFY2(error.message().contains(u"not InfluxDB 3: set the source's version to "
                                              u"2.x"_s),
                     qPrintable(error.message()));
        }
    }

    void influxDb3Ping()
    {
        TaskProfile profile = influxToInflux(u"v3"_s, m_v3.url(), u"db3"_s, m_v3.url(), u"db3"_s);
        profile.source.apiVersion = u"2.x"_s;
        profile.source.version = u"3.0.1"_s;
        profile.source.orgId = u"0000000000000000"_s;
        profile.source.token = u"t3"_s;
        profile.target.type = u"influxdb3"_s;
        profile.target.token = u"t3"_s;
        CancelToken cancel;
        auto source = Endpoints::createSource(profile);
        QCOMPARE(source->describe(), u"InfluxDB 3 at %1"_s.arg(m_v3.url()));
        const ConnectionInfo info = source->checkConnection(cancel);
        QCOMPARE(info.product, u"InfluxDB 3 Core"_s);
        QCOMPARE(info.version, u"3.0.1"_s);
        QCOMPARE(info.detail, u"revision x, 1 databases visible"_s);
        QCOMPARE(InfluxApi::majorVersion(info), 3);

        const ConnectionInfo target = Endpoints::createSink(profile)->checkConnection(cancel);
        QCOMPARE(target.product, u"InfluxDB 3 Core"_s);
        QVERIFY2(target.detail.contains(u"database \"db3\" exists"_s), qPrintable(target.detail));

        QTemporaryDir dir;
        const QString path = dir.filePath(u"p.json"_s);
        QVERIFY(saveProfile(profile, path));
        const CliResult check = runCli({u"check"_s, path});
        QVERIFY2(check.exitCode == 0, qPrintable(check.output));
        QVERIFY2(check.output.contains(u"source: OK — InfluxDB 3 Core 3.0.1 (revision x"_s),
                 qPrintable(check.output));

        // A wrong token is refused by /query even though /ping answered.
        profile.source.token = u"wrong"_s;
        try {
            Endpoints::createSource(profile)->checkConnection(cancel);
            QFAIL("a wrong token was accepted");
        } catch (const Error &error) {
            QCOMPARE(error.kind(), ErrorKind::Auth);
        }
    }

    void influxDb3ToFile()
    {
        QTemporaryDir dir;
        TaskProfile profile = influxToInflux(u"v3 file"_s, m_v3.url(), u"db3"_s, QString(), {});
        profile.source.apiVersion = u"2.x"_s;
        profile.source.version = u"3 Core"_s;
        profile.source.token = u"t3"_s;
        profile.target.type = u"lpfile"_s;
        profile.target.path = dir.filePath(u"out.lp"_s);
        profile.task.windowMinutes = 24 * 60;
        Runner runner(profile, dir.filePath(u"state.sqlite"_s));
        runner.run();
        QVERIFY2(runner.outcome().status == RunOutcome::Status::Completed,
                 qPrintable(runner.outcome().message));
        QFile file(profile.target.path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray written = file.readAll();
        // Unsigned values keep their "u" (the target accepts them), floats stay floats.
        for (const QByteArray &line :
             {"m,host=a u=5u,v=1.5 " + QByteArray::number(kT0),
              "m,host=a u=6u,v=2.5 " + QByteArray::number(kT0 + 3600000000000LL),
              "m,host=b u=7u,v=3.5 " + QByteArray::number(kT0 + 7200000000000LL)})
            QVERIFY2(written.contains(line + '\n'), written.constData());
    }

    void influxDb3Target()
    {
        InfluxEndpoint endpoint;
        endpoint.baseUrl = m_v3.url();
        endpoint.token = u"t3"_s;
        RetryPolicy retry;
        retry.attempts = 1;
        InfluxV3Sink sink(endpoint, retry, u"db3"_s, QString(), false);
        CancelToken cancel;
        sink.prepare(cancel);
        QVERIFY(sink.dialect().unsignedSupported);
        Batch batch;
        batch.lines = "m v=1.5 1\nbad v=2i 2\nm v=2.5 3\n";
        batch.points = 3;
        m_v3.clearRecords();
        const WriteResult result = sink.write(batch, cancel);
        QCOMPARE(result.written, 2);
        QCOMPARE(result.rejected, 1);
        QCOMPARE(result.rejects.at(0).line, QByteArray("bad v=2i 2"));
        QVERIFY2(result.rejects.at(0).reason.contains(u"partial write of line protocol occurred; "
                                                      u"invalid column type"_s),
                 qPrintable(result.rejects.at(0).reason));
        const auto requests = m_v3.requests();
        QCOMPARE(requests.first().path, "/api/v2/write");
        QCOMPARE(requests.first().queryItem(u"bucket"_s), u"db3"_s);
        QCOMPARE(requests.first().queryItem(u"precision"_s), u"ns"_s);
        QVERIFY(!requests.first().hasQueryItem(u"org"_s));
    }

private:
    TestHttpServer m_v3;
};

QTEST_GUILESS_MAIN(TestInfluxVersions)
#include "test_influxversions.moc"
