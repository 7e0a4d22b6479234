// Real InfluxDB 1.x → InfluxDB 2.x (the emulator) through /api/v2/write, end to end: a point
// whose type conflicts with the bucket is refused with 422, bisected to exactly that line and
// recorded with the server's reason in the rejects file; everything else arrives, compared value
// by value in the influxd behind the emulator. Also the bucket's creation, 413 splits, a missing
// bucket, a wrong token and an organization name where the ID belongs.
#include "emulators/Influx2Emulator.h"
#include "run/Runner.h"
#include "sinks/InfluxV2Sink.h"
#include "support/InfluxDump.h"
#include "support/TestBatches.h"
#include "support/TestProfiles.h"
#include "support/TestRuns.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>
#include <atomic>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::test;

namespace {

constexpr qint64 kT0 = 1704103200LL * 1000000000LL; // 2024-01-01T10:00:00Z

TaskProfile toInflux2(const QString &name, const QString &sourceUrl, const QString &sourceDb,
                      Influx2Emulator &emulator, const QString &bucket)
{
    TaskProfile p = influxToInflux(name, sourceUrl, sourceDb, emulator.url(), bucket);
    p.target.type = u"influxdb2"_s;
    p.target.orgId = emulator.options().orgId;
    p.target.token = emulator.token();
    return p;
}

InfluxEndpoint endpointOf(const Influx2Emulator &emulator, const QString &token)
{
    InfluxEndpoint endpoint;
    endpoint.baseUrl = emulator.url();
    endpoint.token = token;
    endpoint.http.connectTimeoutMs = 2000;
    return endpoint;
}

} // namespace

/** Writing to InfluxDB 2.x through /api/v2/write with a token. */
class TestInflux2Sink : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        TSM_SKIP_WITHOUT_INFLUXD();
        QStandardPaths::setTestModeEnabled(true);
        Influx2Emulator::Options options;
        // Small enough that batches of 1000 points are refused with 413 and split.
        options.maxWriteBytes = 24 * 1024;
        m_emulator = std::make_unique<Influx2Emulator>(options);
        QVERIFY2(m_emulator->start(), qPrintable(m_emulator->errorString()));
    }

    void cleanupTestCase() { m_emulator.reset(); }

    void migrationWithATypeConflict()
    {
        InfluxdFixture &influxd = m_emulator->influxd(); // the source: a real InfluxDB 1.x
        QByteArray lp;
        for (int i = 0; i < 4000; ++i)
            lp += "load,host=h" + QByteArray::number(i % 4) + " v=" + QByteArray::number(i) +
                  ".25,n=" + QByteArray::number(-i) + "i,ok=" + (i % 2 ? "true" : "false") + ' ' +
                  QByteArray::number(kT0 + qint64(i) * 1000000000LL) + '\n';
        lp += "weird\\ name,tag\\=k=v\\,1 s=\"quote \\\" and \\\\ 温度\" " +
              QByteArray::number(kT0) + '\n';
        lp += "nanos v=1i 1704103200123456789\n";
        lp += "nanos v=2i -1000000001\n";
        lp += "conflict,host=a v=2i " + QByteArray::number(kT0 + 5000000000LL) + '\n';
        lp += "conflict,host=a w=1.5 " + QByteArray::number(kT0 + 6000000000LL) + '\n';
        QVERIFY(influxd.fill(u"src"_s, lp));

        // The bucket already holds "v" as a float in the same shard: the integer is refused.
        m_emulator->addBucket(u"dst"_s);
        QVERIFY(influxd.write(u"dst"_s, "conflict,host=b v=1.5 " + QByteArray::number(kT0) + '\n'));

        QTemporaryDir dir;
        const QString state = dir.filePath(u"state.sqlite"_s);
        TaskProfile profile =
            toInflux2(u"to 2.x"_s, influxd.url(), u"src"_s, *m_emulator, u"dst"_s);
        profile.target.createDatabase = false;
        RunOutcome outcome;
        runVerified(profile, state, &outcome);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(outcome.pointsRejected, 1);
        QCOMPARE(outcome.rejectsFile, Runner::rejectsPath(state, profile.name));

        // The rejects file holds that line and 2.x's reason.
        QFile rejects(Runner::rejectsPath(state, profile.name));
        QVERIFY(rejects.open(QIODevice::ReadOnly));
        const QString recorded = QString::fromUtf8(rejects.readAll());
        QVERIFY2(
            recorded.contains(u"conflict,host=a v=2i "_s + QString::number(kT0 + 5000000000LL)),
            qPrintable(recorded));
        QVERIFY2(recorded.contains(u"field type conflict: input field \"v\" on measurement "
                                   u"\"conflict\" is type integer, already exists as type "
                                   u"float"_s),
                 qPrintable(recorded));
        QVERIFY2(!recorded.contains(u"dropped="_s) &&
                     !recorded.contains(u"failure writing points"_s),
                 qPrintable(recorded));

        // Everything else arrived, value by value, type by type.
        InfluxDump dump(influxd.url());
        const QStringList source = dump.dump(u"src"_s);
        const QStringList target = dump.dump(u"dst"_s);
        QVERIFY2(dump.error().isEmpty(), qPrintable(dump.error()));
        QStringList expected;
        const QString refused = u"conflict|host=a|%1|v|"_s.arg(kT0 + 5000000000LL);
        for (const QString &value : source)
            if (!value.startsWith(refused))
                expected.append(value);
        expected.append(u"conflict|host=b|%1|v|float|1.5"_s.arg(kT0));
        expected.sort();
        QCOMPARE(InfluxDump::pointCount(source), 4005);
        const QString diff = compareDumps(expected, target);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));

        // Through /api/v2/write with the token; some batches were too large and were split.
        int writes = 0;
        int tooLarge = 0;
        int partial = 0;
        for (const auto &request : m_emulator->requests()) {
            if (request.path != "/api/v2/write")
                continue;
            ++writes;
            QCOMPARE(request.queryItem(u"orgID"_s), m_emulator->options().orgId);
            QCOMPARE(request.queryItem(u"bucket"_s), u"dst"_s);
            QCOMPARE(request.queryItem(u"precision"_s), u"ns"_s);
            QCOMPARE(request.header("authorization"), "Token " + m_emulator->token().toUtf8());
            QVERIFY(!request.bodyWasGzip); // a server on this machine gets plain bodies
            tooLarge += request.body.size() > m_emulator->options().maxWriteBytes;
            partial += request.body.contains("conflict,host=a v=2i");
        }
        QVERIFY(writes > 0);
        QVERIFY2(tooLarge > 0, "no batch was large enough to be split");
        QVERIFY2(partial > 1 && partial < 20, qPrintable(QString::number(partial)));
    }

    void createsTheBucket()
    {
        InfluxV2Sink sink(endpointOf(*m_emulator, m_emulator->token()), fastRetries(2),
                          m_emulator->options().orgId, u"fresh"_s, true);
        CancelToken cancel;
        const ConnectionInfo before = sink.checkConnection(cancel);
        QCOMPARE(before.product, u"InfluxDB"_s);
        QCOMPARE(before.version, u"2.7.1"_s);
        QVERIFY2(before.detail.contains(u"OSS"_s) &&
                     before.detail.contains(u"bucket \"fresh\" will be created"_s),
                 qPrintable(before.detail));
        sink.prepare(cancel);
        sink.prepare(cancel); // again: it exists now
        QVERIFY(sink.checkConnection(cancel).detail.contains(u"bucket \"fresh\" exists"_s));
        QVERIFY(sink.dialect().unsignedSupported);
    }

    void missingBucketIsNotFound()
    {
        InfluxV2Sink sink(endpointOf(*m_emulator, m_emulator->token()), fastRetries(2),
                          m_emulator->options().orgId, u"absent"_s, false);
        CancelToken cancel;
        try {
            sink.prepare(cancel);
            QFAIL("prepare() accepted a missing bucket");
        } catch (const Error &error) {
            QCOMPARE(error.kind(), ErrorKind::NotFound);
            QVERIFY2(error.message().contains(u"\"absent\""_s), qPrintable(error.message()));
        }
        // A write nonetheless: 404 naming the bucket, not retried.
        Batch batch;
        batch.lines = "m v=1 1\n";
        batch.points = 1;
        try {
            sink.write(batch, cancel);
            QFAIL("write() to a missing bucket succeeded");
        } catch (const Error &error) {
            QCOMPARE(error.kind(), ErrorKind::NotFound);
            QCOMPARE(error.httpStatus(), 404);
            QVERIFY2(error.message().contains(u"Bucket \"absent\""_s) &&
                         error.message().contains(u"bucket \"absent\" not found"_s),
                     qPrintable(error.message()));
        }
    }

    void wrongTokenStops()
    {
        InfluxV2Sink sink(endpointOf(*m_emulator, u"wrong"_s), fastRetries(2),
                          m_emulator->options().orgId, u"dst"_s, false);
        CancelToken cancel;
        Batch batch;
        batch.lines = "m v=1 1\n";
        batch.points = 1;
        const int before = int(m_emulator->requests().size());
        try {
            sink.write(batch, cancel);
            QFAIL("write() with a wrong token succeeded");
        } catch (const Error &error) {
            QCOMPARE(error.kind(), ErrorKind::Auth);
            QVERIFY2(error.message().contains(u"unauthorized access"_s),
                     qPrintable(error.message()));
        }
        QCOMPARE(int(m_emulator->requests().size()), before + 1); // not retried
    }

    void organizationNameInsteadOfId()
    {
        InfluxV2Sink sink(endpointOf(*m_emulator, m_emulator->token()), fastRetries(2),
                          m_emulator->options().orgName, u"dst"_s, false);
        CancelToken cancel;
        try {
            sink.prepare(cancel);
            QFAIL("prepare() accepted an organization name");
        } catch (const Error &error) {
            QCOMPARE(error.kind(), ErrorKind::Config);
            QVERIFY2(error.message().contains(u"Target Organization ID \"acme\""_s) &&
                         error.message().contains(m_emulator->options().orgId),
                     qPrintable(error.message()));
        }
    }

    void tooManyRequestsIsRetriedAfterRetryAfter()
    {
        TestHttpServer server;
        std::atomic<int> calls{0};
        server.setHandler([&calls](const TestHttpServer::Request &) {
            if (calls++ == 0)
                return TestHttpServer::Reply::json(
                           429, R"({"code":"too many requests","message":"over quota"})")
                    .header("Retry-After", "1");
            return TestHttpServer::Reply::empty(204);
        });
        InfluxEndpoint endpoint;
        endpoint.baseUrl = server.url();
        endpoint.token = u"t"_s;
        RetryPolicy policy;
        policy.attempts = 3;
        policy.baseDelayMs = 10;
        InfluxV2Sink sink(endpoint, policy, u"0a1b2c3d4e5f6071"_s, u"b"_s, false);
        int retries = 0;
        sink.setRetryListener([&retries](const QString &, const Error &error, int, int delayMs) {
            QCOMPARE(error.httpStatus(), 429);
            QVERIFY(delayMs >= 1000);
            ++retries;
        });
        Batch batch;
        batch.lines = "m v=1u 1\n";
        batch.points = 1;
        CancelToken cancel;
        QElapsedTimer timer;
        timer.start();
        const WriteResult result = sink.write(batch, cancel);
        QCOMPARE(result.written, 1);
        QCOMPARE(retries, 1);
        QVERIFY(timer.elapsed() >= 900);
        QCOMPARE(server.requestCount(), 2);
    }

private:
    std::unique_ptr<Influx2Emulator> m_emulator;
};

QTEST_GUILESS_MAIN(TestInflux2Sink)
#include "test_influx2sink.moc"
