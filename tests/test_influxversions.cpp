// Which InfluxDB answers: checkConnection() names product and version for a real 1.x, the 2.x
// emulator and InfluxDB 3 (200 with JSON), through the engine and the CLI; a profile for the
// wrong major version says which to choose. InfluxDB 3 sources and targets against the 3.x
// emulator, version by version: reads keep every value's type, writes reject exactly the
// refused lines.
#include "connectors/Connectors.h"
#include "emulators/Influx2Emulator.h"
#include "emulators/Influx3Emulator.h"
#include "run/Runner.h"
#include "sinks/InfluxV3Sink.h"
#include "sources/InfluxSource.h"
#include "sources/InfluxV3Source.h"
#include "support/InfluxdFixture.h"
#include "support/TestCli.h"
#include "support/TestHttpServer.h"
#include "support/TestProfiles.h"
#include "support/TestRuns.h"
#include "support/TestTime.h"

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

/// The profile's source refuses the server in checkConnection() with an error of `kind` whose
/// message says `words` (anything, when empty); `accepted` is the failure when it does not.
void expectRefused(const TaskProfile &profile, ErrorKind kind, const QString &words,
                   const char *accepted)
{
    CancelToken cancel;
    try {
        Connectors::createSource(profile)->checkConnection(cancel);
        QFAIL(accepted);
    } catch (const Error &error) {
        QCOMPARE(error.kind(), kind);
        QVERIFY2(error.message().contains(words), qPrintable(error.message()));
    }
}

/** Collects what a source reads. */
class CollectingOutput : public BatchOutput
{
public:
    QByteArray &buffer() override { return text; }
    void lineAppended() override {}
    void reject(const QByteArray &description, const QString &reason) override
    {
        rejects.append(QString::fromUtf8(description) + u": "_s + reason);
    }

    QByteArray text;
    QStringList rejects;
};

/// Points of every type, a float without fraction (100.0) among them, on two series.
QByteArray sampleLines()
{
    const auto t = [](qint64 hours) { return QByteArray::number(kT0 + hours * kHour); };
    return "m,host=a b=true,f=100,i=5i,s=\"x\",u=7u " + t(0) + "\n" +
           "m,host=a b=false,f=1.5,i=-3i,s=\"y\",u=8u " + t(1) + "\n" + "m,host=b f=-2,i=6i " +
           t(2) + "\n" + "m,host=b f=0.25,u=18u " + t(3) + "\n";
}

/// What reading sampleLines() back must give, exact types kept: 100 and -2 are floats.
QList<QByteArray> expectedLines()
{
    const auto t = [](qint64 hours) { return QByteArray::number(kT0 + hours * kHour); };
    return {"m,host=a b=true,f=100,i=5i,s=\"x\",u=7u " + t(0),
            "m,host=a b=false,f=1.5,i=-3i,s=\"y\",u=8u " + t(1), "m,host=b f=-2,i=6i " + t(2),
            "m,host=b f=0.25,u=18u " + t(3)};
}

TaskProfile influxDb3Profile(const QString &url, const QString &token)
{
    TaskProfile profile = influxToInflux(u"v3"_s, url, u"db3"_s, url, u"db3"_s);
    profile.source.apiVersion = u"3"_s;
    profile.source.version = u"3 Core"_s;
    profile.source.token = token;
    profile.target.type = u"influxdb3"_s;
    profile.target.token = token;
    return profile;
}

/// A line-protocol file in `dir` holding `lines`, migrated into the emulated InfluxDB 3 `server`.
TaskProfile fileToInfluxDb3(const Influx3Emulator &server, const QTemporaryDir &dir,
                            const QByteArray &lines)
{
    const QString input = dir.filePath(u"in.lp"_s);
    QFile file(input);
    if (file.open(QIODevice::WriteOnly))
        file.write(lines);
    TaskProfile profile = influxDb3Profile(server.url(), u"t3"_s);
    profile.source.type = u"lpfile"_s;
    profile.source.path = input;
    profile.task.bucket.clear();
    profile.target.createDatabase = true;
    return profile;
}

} // namespace

/** checkConnection() and the InfluxDB 3 family. */
class TestInfluxVersions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

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
        expectRefused(profile, ErrorKind::Config, u"not InfluxDB 2.x: choose the 1.x"_s,
                      "a 2.x source accepted InfluxDB 1.x");
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
        const ConnectionInfo info = Connectors::createSource(profile)->checkConnection(cancel);
        QCOMPARE(info.product, u"InfluxDB"_s);
        QCOMPARE(info.version, u"2.7.1"_s); // sent as "v2.7.1"
        QCOMPARE(info.detail, u"OSS, organization %1, 1 bucket"_s.arg(emulator.options().orgId));

        const QString path = dir.filePath(u"p.json"_s);
        QVERIFY(saveProfile(profile, path));
        const CliResult check = runCli({u"check"_s, path});
        QVERIFY2(check.exitCode == 0, qPrintable(check.output));
        QVERIFY2(check.output.contains(u"source: OK — InfluxDB 2.7.1 (OSS, organization"_s),
                 qPrintable(check.output));

        // An InfluxDB 3 profile against it says so.
        profile.source.apiVersion = u"3"_s;
        profile.source.version = u"3"_s;
        expectRefused(profile, ErrorKind::Config,
                      u"not InfluxDB 3: choose the 2.x API for the source"_s,
                      "an InfluxDB 3 source accepted InfluxDB 2.x");
    }

    void influxDb3Ping_data()
    {
        QTest::addColumn<QString>("version");
        QTest::addColumn<bool>("enterprise");
        QTest::newRow("3.0.1") << u"3.0.1"_s << false;           // no X-Influxdb-* headers yet
        QTest::newRow("3.6.0 Enterprise") << u"3.6.0"_s << true; // X-Influxdb-Build only
        QTest::newRow("3.9.0") << u"3.9.0"_s << false;
        QTest::newRow("3.9.0 Enterprise") << u"3.9.0"_s << true; // product_name
    }

    void influxDb3Ping()
    {
        QFETCH(QString, version);
        QFETCH(bool, enterprise);
        Influx3Emulator server(version, u"t3"_s);
        server.setEnterprise(enterprise);
        QVERIFY(server.load(u"db3"_s, sampleLines()).isEmpty());
        const QString product = enterprise ? u"InfluxDB 3 Enterprise"_s : u"InfluxDB 3 Core"_s;

        TaskProfile profile = influxDb3Profile(server.url(), u"t3"_s);
        profile.source.version = version;
        CancelToken cancel;
        auto source = Connectors::createSource(profile);
        QCOMPARE(source->describe(), u"InfluxDB 3 at %1"_s.arg(server.url()));
        const ConnectionInfo info = source->checkConnection(cancel);
        // 3.0 names no edition: it is taken for Core.
        QCOMPARE(info.product, version == u"3.0.1" ? u"InfluxDB 3 Core"_s : product);
        QCOMPARE(info.version, version);
        QCOMPARE(info.detail, u"revision 1f0d5c4, 1 databases visible"_s);
        QCOMPARE(InfluxApi::majorVersion(info), 3);
        // /ping carries the token: InfluxDB 3 authenticates it like any other path.
        const auto pings = server.server().requests();
        QVERIFY(std::any_of(pings.begin(), pings.end(), [](const TestHttpServer::Request &r) {
            return r.path == "/ping" && r.header("authorization") == "Token t3";
        }));

        const ConnectionInfo target = Connectors::createSink(profile)->checkConnection(cancel);
        QCOMPARE(target.product, info.product);
        QVERIFY2(target.detail.contains(u"database \"db3\" exists"_s), qPrintable(target.detail));

        QTemporaryDir dir;
        const QString path = dir.filePath(u"p.json"_s);
        QVERIFY(saveProfile(profile, path));
        const CliResult check = runCli({u"check"_s, path});
        QVERIFY2(check.exitCode == 0, qPrintable(check.output));
        QVERIFY2(check.output.contains(
                     u"source: OK — %1 %2 (revision 1f0d5c4"_s.arg(info.product, version)),
                 qPrintable(check.output));

        // A wrong token is refused, by /ping already.
        profile.source.token = u"wrong"_s;
        expectRefused(profile, ErrorKind::Auth, QString(), "a wrong token was accepted");
    }

    void influxDb3Read_data()
    {
        QTest::addColumn<QString>("version");
        // 3.0–3.6: no msgpack (500), chunks end in "\r\n", SHOW DATABASES breaks off on /query.
        QTest::newRow("3.0.1") << u"3.0.1"_s;
        QTest::newRow("3.6.0") << u"3.6.0"_s;
        // 3.7+: msgpack as arrays, chunks back to back, 100.0 sent as 100.
        QTest::newRow("3.7.0") << u"3.7.0"_s;
        QTest::newRow("3.10.1") << u"3.10.1"_s;
    }

    void influxDb3Read()
    {
        QFETCH(QString, version);
        Influx3Emulator server(version, u"t3"_s);
        QVERIFY(server.load(u"db3"_s, sampleLines()).isEmpty());

        // The whole task, into a file.
        QTemporaryDir dir;
        TaskProfile profile = influxDb3Profile(server.url(), u"t3"_s);
        profile.target.type = u"lpfile"_s;
        profile.target.path = dir.filePath(u"out.lp"_s);
        profile.task.windowMinutes = 24 * 60;
        runVerified(profile, dir.filePath(u"state.sqlite"_s));
        if (QTest::currentTestFailed())
            return;
        QFile file(profile.target.path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QList<QByteArray> written;
        for (const QByteArray &line : file.readAll().split('\n'))
            if (!line.isEmpty() && !line.startsWith('#')) // the file's context header
                written.append(line);
        std::sort(written.begin(), written.end());
        QList<QByteArray> expected = expectedLines();
        std::sort(expected.begin(), expected.end());
        QCOMPARE(written, expected);

        // One row per chunk: every chunk boundary of the version's stream is crossed.
        InfluxEndpoint endpoint;
        endpoint.baseUrl = server.url();
        endpoint.token = u"t3"_s;
        InfluxV3Source source(endpoint, RetryPolicy{});
        source.setChunkSize(1);
        CancelToken cancel;
        ReadUnit unit;
        unit.measurement = u"m"_s;
        unit.start = kT0;
        unit.end = kT0 + 4 * kHour;
        PlanRequest request;
        request.database = u"db3"_s;
        CollectingOutput out;
        server.server().clearRecords();
        source.read(unit, request, LpDialect{}, out, cancel);
        QVERIFY2(out.rejects.isEmpty(), qPrintable(out.rejects.join(u'\n')));
        QList<QByteArray> lines = out.text.split('\n');
        lines.removeAll(QByteArray());
        std::sort(lines.begin(), lines.end());
        QCOMPARE(lines, expected);
        const auto requests = server.server().requests();
        for (const TestHttpServer::Request &r : requests)
            if (r.queryItem(u"q"_s).endsWith(u"GROUP BY *"_s)) // the streamed read
                QCOMPARE(r.header("accept"), QByteArray("application/json"));
    }

    void influxDb3Write_data()
    {
        QTest::addColumn<QString>("version");
        QTest::newRow("3.0.1") << u"3.0.1"_s; // precision: full names only
        QTest::newRow("3.6.0") << u"3.6.0"_s;
        QTest::newRow("3.9.0") << u"3.9.0"_s; // original_line cut to 20 bytes
    }

    void influxDb3Write()
    {
        QFETCH(QString, version);
        Influx3Emulator server(version, u"t3"_s);
        QVERIFY(server.load(u"db3"_s, "m,host=a v=0.5 1\n").isEmpty()); // v is a float

        QTemporaryDir dir;
        // Small timestamps: precision "auto" would read them as seconds.
        const QByteArray bad = "m,host=a,rack=r1 note=\"this line is long\",v=2i 20";
        TaskProfile profile = fileToInfluxDb3(
            server, dir, "m,host=a v=1.5 10\n" + bad + "\nm,host=b v=2.5 30\nm,host=b v=3 40\n");
        // Refused by the server rather than kept under another name (see influxDb3Renames).
        profile.advanced.onTypeConflict = u"reject"_s;
        server.server().clearRecords();
        RunOutcome outcome;
        runVerified(profile, dir.filePath(u"state.sqlite"_s), &outcome);
        if (QTest::currentTestFailed())
            return;

        // The rest is stored, at the times sent.
        QStringList stored;
        for (const Influx3Emulator::Point &point : server.points(u"db3"_s))
            stored.append(u"%1 %2 %3"_s.arg(point.tags.value(u"host"_s))
                              .arg(point.fields.value(u"v"_s).f)
                              .arg(point.time));
        stored.sort();
        QCOMPARE(stored, (QStringList{u"a 0.5 1"_s, u"a 1.5 10"_s, u"b 2.5 30"_s, u"b 3 40"_s}));

        // Exactly the bad line is in the rejects file, whole, with the server's reason.
        QFile rejects(outcome.rejectsFile);
        QVERIFY2(rejects.open(QIODevice::ReadOnly), qPrintable(rejects.fileName()));
        const QList<QByteArray> rejected = rejects.readAll().split('\n');
        QCOMPARE(rejected.size(), 3); // reason, line, ""
        QVERIFY2(rejected.at(0).endsWith(
                     ": invalid column type for column 'v', expected "
                     "iox::column_type::field::float, got iox::column_type::field::integer"),
                 rejected.at(0).constData());
        QCOMPARE(rejected.at(1), bad);

        // One request, to write_lp, precision spelled out.
        const auto requests = server.server().requests();
        qsizetype writes = 0;
        for (const TestHttpServer::Request &r : requests) {
            QVERIFY2(r.path != "/api/v2/write", r.target.constData());
            if (r.path != "/api/v3/write_lp")
                continue;
            ++writes;
            QCOMPARE(r.queryItem(u"db"_s), u"db3"_s);
            QCOMPARE(r.queryItem(u"precision"_s), u"nanosecond"_s);
            QCOMPARE(r.queryItem(u"accept_partial"_s), u"true"_s);
        }
        QCOMPARE(writes, 1);
    }

    /// InfluxDB 3 refuses a tag and a field of one name, and a second type of a field: with
    /// the default policies the tag is written as <tag>_tag and the values of the type other
    /// than the first as <field>_<type>, and nothing is refused.
    void influxDb3Renames()
    {
        Influx3Emulator server(u"3.6.0"_s, u"t3"_s);
        QTemporaryDir dir;
        const TaskProfile profile =
            fileToInfluxDb3(server, dir, "m,host=a,x=t x=1.5,v=1i 10\nm,host=b v=2.5 20\n");
        Runner runner(profile, dir.filePath(u"state.sqlite"_s));
        runner.run();
        QVERIFY2(runner.outcome().status == RunOutcome::Status::Completed,
                 qPrintable(runner.outcome().message));
        QCOMPARE(runner.outcome().pointsRejected, 0);
        QCOMPARE(runner.outcome().windowsDiffering, 0);
        QStringList stored;
        for (const Influx3Emulator::Point &point : server.points(u"db3"_s)) {
            QStringList names = point.tags.keys() + point.fields.keys();
            names.sort();
            stored.append(names.join(u','));
        }
        stored.sort();
        // A file lists a field's types as float, integer, …: float is v's first type.
        QCOMPARE(stored, (QStringList{u"host,v"_s, u"host,v_integer,x,x_tag"_s}));
    }

    void influxDb3CloudTarget()
    {
        // An organization means Cloud Serverless: /api/v2/write, where a refused line fails
        // the whole request (here with the 3.9 Core wording) and halving finds it.
        Influx3Emulator server(u"3.9.0"_s, u"t3"_s);
        QVERIFY(server.load(u"db3"_s, "m v=0.5 1\n").isEmpty());
        InfluxEndpoint endpoint;
        endpoint.baseUrl = server.url();
        endpoint.token = u"t3"_s;
        RetryPolicy retry;
        retry.attempts = 1;
        InfluxV3Sink sink(endpoint, retry, u"db3"_s, u"0a1b2c3d4e5f6071"_s, false);
        CancelToken cancel;
        sink.prepare(cancel);
        QVERIFY(sink.dialect().unsignedSupported);
        Batch batch;
        batch.lines = "m v=1.5 1000000000\nm v=2i 2000000000\nm v=2.5 3000000000\n";
        batch.points = 3;
        server.server().clearRecords();
        const WriteResult result = sink.write(batch, cancel);
        QCOMPARE(result.written, 2);
        QCOMPARE(result.rejected, 1);
        QCOMPARE(result.rejects.at(0).line, QByteArray("m v=2i 2000000000"));
        QVERIFY2(result.rejects.at(0).reason.contains(u"line protocol parse failed: invalid "
                                                      u"column type for column 'v'"_s),
                 qPrintable(result.rejects.at(0).reason));
        QCOMPARE(server.points(u"db3"_s).size(), 3);
        const auto requests = server.server().requests();
        QCOMPARE(requests.first().path, "/api/v2/write");
        QCOMPARE(requests.first().queryItem(u"bucket"_s), u"db3"_s);
        QCOMPARE(requests.first().queryItem(u"org"_s), u"0a1b2c3d4e5f6071"_s);
        QCOMPARE(requests.first().queryItem(u"precision"_s), u"ns"_s);
    }
};

QTEST_GUILESS_MAIN(TestInfluxVersions)
#include "test_influxversions.moc"
