#include "sinks/InfluxV1Sink.h"
#include "support/InfluxdFixture.h"
#include "support/TestBatches.h"
#include "support/TestHttpServer.h"

#include <QElapsedTimer>
#include <QMutex>
#include <QMutexLocker>
#include <QSet>
#include <QTest>
#include <atomic>
#include <thread>

using namespace Qt::StringLiterals;
using tsm::test::fastRetries;
using tsm::test::InfluxdFixture;
using tsm::test::makeBatch;
using tsm::test::TestHttpServer;

namespace {

constexpr qint64 T0 = 1600000000000000000LL;

QList<QByteArray> floatLines(const QByteArray &measurement, int count, qint64 start = T0)
{
    QList<QByteArray> lines;
    for (int i = 0; i < count; ++i)
        lines.append(measurement + ",host=h" + QByteArray::number(i % 5) +
                     " v=" + QByteArray::number(i * 0.5) + ' ' + QByteArray::number(start + i));
    return lines;
}

tsm::InfluxEndpoint endpointFor(const TestHttpServer &server)
{
    tsm::InfluxEndpoint endpoint;
    endpoint.baseUrl = server.url();
    endpoint.http.connectTimeoutMs = 2000;
    endpoint.http.idleTimeoutMs = 5000;
    return endpoint;
}

qint64 countOf(InfluxdFixture &influxd, const QString &statement, const QString &database)
{
    const QJsonArray rows = influxd.select(statement, database);
    return rows.isEmpty() ? 0 : rows.at(0).toArray().at(1).toInteger();
}

QList<QByteArray> bodyLines(const QByteArray &body)
{
    QList<QByteArray> lines = body.split('\n');
    if (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    return lines;
}

} // namespace

/** InfluxV1Sink against a real influxd 1.x and against a scripted server for the failures. */
class TestInfluxV1Sink : public QObject
{
    Q_OBJECT

private slots:
    // ---- against a real influxd ----

    void prepareCreatesTheDatabase()
    {
        TSM_SKIP_WITHOUT_INFLUXD();
        InfluxdFixture influxd;
        QVERIFY2(influxd.start(), qPrintable(influxd.errorString()));
        tsm::InfluxV1Sink sink(influxd.endpoint(), fastRetries(), u"target db"_s, {}, true);
        QCOMPARE(sink.describe(), u"InfluxDB 1.x at %1, database target db"_s.arg(influxd.url()));
        QVERIFY(!sink.dialect().unsignedSupported);
        tsm::CancelToken cancel;

        const tsm::ConnectionInfo before = sink.checkConnection(cancel);
        QCOMPARE(before.product, u"InfluxDB"_s);
        QVERIFY2(before.version.startsWith(u"1."_s), qPrintable(before.version));
        QVERIFY2(before.detail.contains(u"OSS"_s), qPrintable(before.detail));
        QVERIFY2(before.detail.contains(u"will be created"_s), qPrintable(before.detail));

        sink.prepare(cancel);
        sink.prepare(cancel); // creating an existing database is not an error
        const QJsonArray databases = influxd.select(u"SHOW DATABASES"_s);
        QVERIFY(databases.contains(QJsonArray{u"target db"_s}));
        QVERIFY(sink.checkConnection(cancel).detail.contains(u"exists"_s));
    }

    void writesTenThousandPointsInOneBatch()
    {
        TSM_SKIP_WITHOUT_INFLUXD();
        InfluxdFixture influxd;
        QVERIFY2(influxd.start(), qPrintable(influxd.errorString()));
        tsm::InfluxV1Sink sink(influxd.endpoint(), fastRetries(), u"big"_s, {}, true);
        tsm::CancelToken cancel;
        sink.prepare(cancel);

        QList<QByteArray> lines;
        for (int i = 0; i < 10000; ++i)
            lines.append("cpu,host=h" + QByteArray::number(i % 10) + ",region=r" +
                         QByteArray::number(i % 3) + " usage=" + QByteArray::number(i * 0.25) +
                         ",count=" + QByteArray::number(i) + "i,ok=true,msg=\"m \\\"" +
                         QByteArray::number(i) + "\\\"\" " + QByteArray::number(T0 + i * 1000));
        const tsm::Batch batch = makeBatch(lines, {{7, 0, 4000}, {8, 4000, 6000}});
        const tsm::WriteResult result = sink.write(batch, cancel);
        QCOMPARE(result.written, 10000);
        QCOMPARE(result.rejected, 0);
        QVERIFY(result.rejects.empty());

        QCOMPARE(countOf(influxd, u"SELECT count(usage) FROM cpu"_s, u"big"_s), 10000);
        QCOMPARE(countOf(influxd, u"SELECT count(msg) FROM cpu"_s, u"big"_s), 10000);
        const QJsonArray last = influxd.select(
            u"SELECT count, msg, usage FROM cpu WHERE host = 'h9' ORDER BY time DESC LIMIT 1"_s,
            u"big"_s);
        QCOMPARE(last.at(0).toArray().at(0).toInteger(), T0 + 9999 * 1000);
        QCOMPARE(last.at(0).toArray().at(1).toInteger(), 9999);
        QCOMPARE(last.at(0).toArray().at(2).toString(), u"m \"9999\""_s);
        QCOMPARE(last.at(0).toArray().at(3).toDouble(), 9999 * 0.25);
    }

    void partialWriteRejectsExactlyTheBadLines()
    {
        TSM_SKIP_WITHOUT_INFLUXD();
        InfluxdFixture influxd;
        QVERIFY2(influxd.start(), qPrintable(influxd.errorString()));
        // v becomes a float field in this shard.
        QVERIFY(influxd.fill(u"pw"_s, "m,host=h0 v=1.5 " + QByteArray::number(T0 - 1000) + '\n'));

        QList<QByteArray> lines = floatLines("m", 1000);
        lines[300] = "m,host=h0 v=\"now a string\" " + QByteArray::number(T0 + 300);
        lines[700] = "m,host=h0 v=12abc " + QByteArray::number(T0 + 700);
        // A valid line whose string holds a raw newline: splitting must not cut through it.
        lines[500] = "n s=\"two\nlines\" " + QByteArray::number(T0 + 500);
        const tsm::Batch batch = makeBatch(lines, {{1, 0, 400}, {2, 400, 400}, {3, 800, 200}});

        tsm::InfluxV1Sink sink(influxd.endpoint(), fastRetries(), u"pw"_s, {}, false);
        tsm::CancelToken cancel;
        sink.prepare(cancel);
        const tsm::WriteResult result = sink.write(batch, cancel);

        QCOMPARE(result.rejected, 2);
        QCOMPARE(result.written, 998);
        QCOMPARE(int(result.rejects.size()), 2);
        QCOMPARE(result.rejects[0].line, lines[300]);
        QCOMPARE(result.rejects[0].unitId, 1);
        QVERIFY2(result.rejects[0].reason.startsWith(u"field type conflict"_s),
                 qPrintable(result.rejects[0].reason));
        QVERIFY2(result.rejects[0].reason.contains(u"already exists as type float"_s),
                 qPrintable(result.rejects[0].reason));
        QCOMPARE(result.rejects[1].line, lines[700]);
        QCOMPARE(result.rejects[1].unitId, 2);
        QCOMPARE(result.rejects[1].reason, u"invalid number"_s);
        qInfo("reasons: %s | %s", qPrintable(result.rejects[0].reason),
              qPrintable(result.rejects[1].reason));

        // Everything else is there: 997 good m points plus the one written first.
        QCOMPARE(countOf(influxd, u"SELECT count(v) FROM m"_s, u"pw"_s), 998);
        const QJsonArray n = influxd.select(u"SELECT s FROM n"_s, u"pw"_s);
        QCOMPARE(n.at(0).toArray().at(1).toString(), u"two\nlines"_s);
    }

    void unparsableLinesAreRejectedWithTheirReasons()
    {
        TSM_SKIP_WITHOUT_INFLUXD();
        InfluxdFixture influxd;
        QVERIFY2(influxd.start(), qPrintable(influxd.errorString()));
        QList<QByteArray> lines = floatLines("p", 200);
        lines[10] = "p,host=h0 v=1.2.3 " + QByteArray::number(T0 + 10);
        lines[150] = "p,host= v=1 " + QByteArray::number(T0 + 150);
        lines[199] = "p,host=h0 v=5u " + QByteArray::number(T0 + 199);
        const tsm::Batch batch = makeBatch(lines, {{40, 0, 100}, {41, 100, 100}});

        tsm::InfluxV1Sink sink(influxd.endpoint(), fastRetries(), u"parse"_s, {}, true);
        tsm::CancelToken cancel;
        sink.prepare(cancel);
        const tsm::WriteResult result = sink.write(batch, cancel);
        QCOMPARE(result.written, 197);
        QCOMPARE(result.rejected, 3);
        QCOMPARE(int(result.rejects.size()), 3);
        QCOMPARE(result.rejects[0].line, lines[10]);
        QCOMPARE(result.rejects[0].reason, u"invalid number"_s);
        QCOMPARE(result.rejects[0].unitId, 40);
        QCOMPARE(result.rejects[1].line, lines[150]);
        QCOMPARE(result.rejects[1].reason, u"missing tag value"_s);
        QCOMPARE(result.rejects[1].unitId, 41);
        QCOMPARE(result.rejects[2].line, lines[199]);
        QCOMPARE(result.rejects[2].reason, u"invalid number"_s);
        QCOMPARE(countOf(influxd, u"SELECT count(v) FROM p"_s, u"parse"_s), 197);

        // A batch with nothing valid at all.
        const tsm::Batch allBad = makeBatch({"x", "y z"}, {{9, 0, 2}});
        const tsm::WriteResult none = sink.write(allBad, cancel);
        QCOMPARE(none.written, 0);
        QCOMPARE(none.rejected, 2);
        QCOMPARE(none.rejects[0].reason, u"missing fields"_s);
        QCOMPARE(none.rejects[1].unitId, 9);

        // An unbalanced quote makes InfluxDB read the following lines as part of the string;
        // the halves still find that only the broken line is bad.
        const tsm::Batch unbalanced =
            makeBatch({"u v=1 1", "u v=\"open 2", "u v=3 3", "u v=4 4"}, {{11, 0, 2}, {12, 2, 2}});
        const tsm::WriteResult quoted = sink.write(unbalanced, cancel);
        QCOMPARE(quoted.written, 3);
        QCOMPARE(quoted.rejected, 1);
        QCOMPARE(quoted.rejects[0].line, QByteArray("u v=\"open 2"));
        QCOMPARE(quoted.rejects[0].reason, u"unbalanced quotes"_s);
        QCOMPARE(quoted.rejects[0].unitId, 11);
        QCOMPARE(countOf(influxd, u"SELECT count(v) FROM u"_s, u"parse"_s), 3);
    }

    void wrongPasswordIsAnAuthError()
    {
        TSM_SKIP_WITHOUT_INFLUXD();
        InfluxdFixture influxd(InfluxdFixture::Options{true});
        QVERIFY2(influxd.start(), qPrintable(influxd.errorString()));
        tsm::CancelToken cancel;

        tsm::InfluxV1Sink good(influxd.endpoint(), fastRetries(), u"secure"_s, {}, true);
        good.checkConnection(cancel);
        good.prepare(cancel);
        QCOMPARE(good.write(makeBatch(floatLines("a", 3), {{1, 0, 3}}), cancel).written, 3);

        tsm::InfluxEndpoint wrong = influxd.endpoint();
        wrong.password = u"not the password"_s;
        tsm::InfluxV1Sink sink(wrong, fastRetries(), u"secure"_s, {}, true);
        try {
            sink.checkConnection(cancel);
            QFAIL("checkConnection accepted a wrong password");
        } catch (const tsm::Error &error) {
            QCOMPARE(error.kind(), tsm::ErrorKind::Auth);
            QCOMPARE(error.httpStatus(), 401);
            QVERIFY2(error.message().contains(influxd.url()), qPrintable(error.message()));
            QVERIFY2(error.message().contains(u"401"_s), qPrintable(error.message()));
            qInfo("%s", qPrintable(error.message()));
        }
        try {
            sink.write(makeBatch(floatLines("a", 3), {{1, 0, 3}}), cancel);
            QFAIL("write accepted a wrong password");
        } catch (const tsm::Error &error) {
            QCOMPARE(error.kind(), tsm::ErrorKind::Auth);
            QVERIFY2(error.message().contains(influxd.url()), qPrintable(error.message()));
            qInfo("%s", qPrintable(error.message()));
        }

        tsm::InfluxEndpoint anonymous = influxd.endpoint();
        anonymous.user.clear();
        anonymous.password.clear();
        tsm::InfluxV1Sink noCredentials(anonymous, fastRetries(), u"secure"_s, {}, true);
        QVERIFY_THROWS_EXCEPTION(tsm::Error, noCredentials.checkConnection(cancel));
    }

    void missingDatabaseIsNotFound()
    {
        TSM_SKIP_WITHOUT_INFLUXD();
        InfluxdFixture influxd;
        QVERIFY2(influxd.start(), qPrintable(influxd.errorString()));
        tsm::InfluxV1Sink sink(influxd.endpoint(), fastRetries(), u"nodb"_s, {}, false);
        tsm::CancelToken cancel;
        try {
            sink.prepare(cancel);
            QFAIL("prepare accepted a missing database");
        } catch (const tsm::Error &error) {
            QCOMPARE(error.kind(), tsm::ErrorKind::NotFound);
            QVERIFY2(error.message().contains(u"\"nodb\""_s), qPrintable(error.message()));
            QVERIFY2(error.message().contains(u"Create database"_s), qPrintable(error.message()));
        }
        try {
            sink.write(makeBatch(floatLines("a", 2), {}), cancel);
            QFAIL("write to a missing database succeeded");
        } catch (const tsm::Error &error) {
            QCOMPARE(error.kind(), tsm::ErrorKind::NotFound);
            QVERIFY2(error.message().contains(u"\"nodb\""_s), qPrintable(error.message()));
        }
    }

    void missingRetentionPolicyIsNotFound()
    {
        TSM_SKIP_WITHOUT_INFLUXD();
        InfluxdFixture influxd;
        QVERIFY2(influxd.start(), qPrintable(influxd.errorString()));
        tsm::InfluxV1Sink sink(influxd.endpoint(), fastRetries(), u"rpdb"_s, u"nope"_s, true);
        tsm::CancelToken cancel;
        try {
            sink.prepare(cancel);
            QFAIL("prepare accepted a missing retention policy");
        } catch (const tsm::Error &error) {
            QCOMPARE(error.kind(), tsm::ErrorKind::NotFound);
            QVERIFY2(error.message().contains(u"\"nope\""_s), qPrintable(error.message()));
        }
        try {
            sink.write(makeBatch(floatLines("a", 2), {}), cancel);
            QFAIL("write to a missing retention policy succeeded");
        } catch (const tsm::Error &error) {
            QCOMPARE(error.kind(), tsm::ErrorKind::NotFound);
        }

        QVERIFY(influxd.query(
            u"CREATE RETENTION POLICY \"short\" ON \"rpdb\" DURATION 1000w REPLICATION 1"_s));
        tsm::InfluxV1Sink withRp(influxd.endpoint(), fastRetries(), u"rpdb"_s, u"short"_s, false);
        withRp.prepare(cancel);
        QCOMPARE(withRp.write(makeBatch(floatLines("a", 2), {}), cancel).written, 2);
        QCOMPARE(countOf(influxd, u"SELECT count(v) FROM \"rpdb\".\"short\".\"a\""_s, u"rpdb"_s),
                 2);
    }

    void writeSurvivesAServerRestart()
    {
        TSM_SKIP_WITHOUT_INFLUXD();
        InfluxdFixture influxd;
        QVERIFY2(influxd.start(), qPrintable(influxd.errorString()));
        tsm::RetryPolicy policy;
        policy.attempts = 30;
        policy.baseDelayMs = 100;
        policy.maxDelayMs = 300;
        tsm::InfluxV1Sink sink(influxd.endpoint(), policy, u"restart"_s, {}, true);
        tsm::CancelToken cancel;
        sink.prepare(cancel);
        QCOMPARE(sink.write(makeBatch(floatLines("r", 100), {}), cancel).written, 100);

        influxd.stop();
        std::atomic<int> retries{0};
        sink.setRetryListener([&retries](const QString &, const tsm::Error &error, int, int) {
            if (error.kind() == tsm::ErrorKind::Network)
                ++retries;
        });
        tsm::WriteResult result;
        QString failure;
        std::thread writer([&] {
            try {
                result = sink.write(makeBatch(floatLines("r", 100, T0 + 100), {}), cancel);
            } catch (const tsm::Error &error) {
                failure = error.message();
            }
        });
        QTest::qSleep(800);
        const bool restarted = influxd.start();
        writer.join();
        QVERIFY2(restarted, qPrintable(influxd.errorString()));
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        QCOMPARE(result.written, 100);
        QVERIFY(retries.load() >= 1);
        QCOMPARE(countOf(influxd, u"SELECT count(v) FROM r"_s, u"restart"_s), 200);
    }

    // ---- against a scripted server ----

    void splitBatchKeepsLinesAndShares()
    {
        QList<QByteArray> lines = floatLines("s", 7);
        lines[3] = "s q=\"a\nb\" 3"; // the raw newline is inside quotes
        const tsm::Batch batch = makeBatch(lines, {{1, 0, 2}, {2, 2, 4}, {3, 6, 1}});
        const auto [first, second] = tsm::InfluxV1Sink::splitBatch(batch);
        QCOMPARE(first.points, 3);
        QCOMPARE(second.points, 4);
        QCOMPARE(first.lines + second.lines, batch.lines);
        QCOMPARE(first.lines, lines[0] + '\n' + lines[1] + '\n' + lines[2] + '\n');
        QVERIFY(second.lines.startsWith(lines[3] + '\n'));
        QCOMPARE(int(first.shares.size()), 2);
        QCOMPARE(first.shares[0].unitId, 1);
        QCOMPARE(first.shares[0].lines, 2);
        QCOMPARE(first.shares[1].unitId, 2);
        QCOMPARE(first.shares[1].firstLine, 2);
        QCOMPARE(first.shares[1].lines, 1);
        QCOMPARE(int(second.shares.size()), 2);
        QCOMPARE(second.shares[0].unitId, 2);
        QCOMPARE(second.shares[0].firstLine, 0);
        QCOMPARE(second.shares[0].lines, 3);
        QCOMPARE(second.shares[1].unitId, 3);
        QCOMPARE(second.shares[1].firstLine, 3);
        QCOMPARE(second.shares[1].lines, 1);

        const auto [single, nothing] = tsm::InfluxV1Sink::splitBatch(makeBatch({"a v=1"}, {}));
        QCOMPARE(single.points, 1);
        QVERIFY(nothing.isEmpty());
    }

    void tooLargeBatchIsSplitUntilItFits()
    {
        TestHttpServer server;
        QMutex mutex;
        QList<QByteArray> received;
        server.setHandler([&](const TestHttpServer::Request &request) {
            if (request.path != "/write")
                return TestHttpServer::Reply::empty(404);
            const QList<QByteArray> lines = bodyLines(request.body);
            if (lines.size() > 100)
                return TestHttpServer::Reply::text(413, "Request Entity Too Large");
            QMutexLocker locker(&mutex);
            received += lines;
            return TestHttpServer::Reply::empty(204);
        });
        const QList<QByteArray> lines = floatLines("big", 1000);
        tsm::InfluxV1Sink sink(endpointFor(server), fastRetries(), u"db"_s, {}, false);
        // The test server is on loopback, where bodies go plain by default; a remote server
        // gets them compressed, which is what this test splits.
        sink.setCompressRequests(true);
        tsm::CancelToken cancel;
        const tsm::WriteResult result =
            sink.write(makeBatch(lines, {{1, 0, 500}, {2, 500, 500}}), cancel);
        QCOMPARE(result.written, 1000);
        QCOMPARE(result.rejected, 0);
        QCOMPARE(received, lines); // each line exactly once, in order
        const auto requests = server.requests();
        QVERIFY(requests.size() > 16);
        QVERIFY(requests[0].bodyWasGzip);
        QCOMPARE(requests[0].queryItem(u"db"_s), u"db"_s);
        QVERIFY(!requests[0].hasQueryItem(u"precision"_s));
        QVERIFY(!requests[0].hasQueryItem(u"rp"_s));
        QCOMPARE(requests[0].header("content-type"), QByteArray("text/plain; charset=utf-8"));
    }

    void bisectionFindsConflictsWithFewRequests()
    {
        // Emulates 1.x: points of a field whose type conflicts are dropped, the rest written,
        // and the answer only says how many were dropped.
        TestHttpServer server;
        QMutex mutex;
        QSet<QByteArray> written;
        server.setHandler([&](const TestHttpServer::Request &request) {
            int dropped = 0;
            QMutexLocker locker(&mutex);
            for (const QByteArray &line : bodyLines(request.body)) {
                if (line.contains("v=\""))
                    ++dropped;
                else
                    written.insert(line);
            }
            if (dropped == 0)
                return TestHttpServer::Reply::empty(204);
            return TestHttpServer::Reply::json(
                400, "{\"error\":\"partial write: field type conflict: input field \\\"v\\\" on "
                     "measurement \\\"c\\\" is type string, already exists as type float dropped=" +
                         QByteArray::number(dropped) + "\"}");
        });
        QList<QByteArray> lines = floatLines("c", 1024);
        lines[5] = "c v=\"s\" 5";
        lines[900] = "c v=\"t\" 900";
        tsm::InfluxV1Sink sink(endpointFor(server), fastRetries(), u"db"_s, u"autogen"_s, false);
        tsm::CancelToken cancel;
        const tsm::WriteResult result =
            sink.write(makeBatch(lines, {{1, 0, 512}, {2, 512, 512}}), cancel);
        QCOMPARE(result.written, 1022);
        QCOMPARE(result.rejected, 2);
        QCOMPARE(result.rejects[0].line, lines[5]);
        QCOMPARE(result.rejects[0].unitId, 1);
        QCOMPARE(result.rejects[1].line, lines[900]);
        QCOMPARE(result.rejects[1].unitId, 2);
        QCOMPARE(result.rejects[1].reason,
                 u"field type conflict: input field \"v\" on measurement \"c\" is type string, "
                 u"already exists as type float"_s);
        QCOMPARE(written.size(), 1022);
        // Two bad lines in 1024: at most 1 + 2 * 2 * log2(1024) requests, not one per line.
        QVERIFY2(server.requestCount() <= 41, qPrintable(QString::number(server.requestCount())));
        QCOMPARE(server.requests().at(0).queryItem(u"rp"_s), u"autogen"_s);
    }

    void parseErrorListIsUsedWithoutBisection()
    {
        TestHttpServer server;
        server.setHandler([](const TestHttpServer::Request &) {
            return TestHttpServer::Reply::json(
                400, "{\"error\":\"partial write: unable to parse 'q v=1x 2': invalid number\\n"
                     "unable to parse 'q,t= v=1 4': missing tag value dropped=0\"}");
        });
        const tsm::Batch batch =
            makeBatch({"q v=1 1", "q v=1x 2", "q v=3 3", "q,t= v=1 4"}, {{5, 0, 2}, {6, 2, 2}});
        tsm::InfluxV1Sink sink(endpointFor(server), fastRetries(), u"db"_s, {}, false);
        tsm::CancelToken cancel;
        const tsm::WriteResult result = sink.write(batch, cancel);
        QCOMPARE(server.requestCount(), 1);
        QCOMPARE(result.written, 2);
        QCOMPARE(result.rejected, 2);
        QCOMPARE(result.rejects[0].line, QByteArray("q v=1x 2"));
        QCOMPARE(result.rejects[0].reason, u"invalid number"_s);
        QCOMPARE(result.rejects[0].unitId, 5);
        QCOMPARE(result.rejects[1].line, QByteArray("q,t= v=1 4"));
        QCOMPARE(result.rejects[1].reason, u"missing tag value"_s);
        QCOMPARE(result.rejects[1].unitId, 6);
    }

    void serviceUnavailableWithRetryAfterIsRetried()
    {
        TestHttpServer server;
        std::atomic<int> served{0};
        server.setHandler([&served](const TestHttpServer::Request &) {
            if (++served == 1)
                return TestHttpServer::Reply::text(503, "request throttled, queue full")
                    .header("Retry-After", "1");
            return TestHttpServer::Reply::empty(204);
        });
        tsm::InfluxV1Sink sink(endpointFor(server), fastRetries(), u"db"_s, {}, false);
        QList<int> statuses;
        sink.setRetryListener(
            [&statuses](const QString &what, const tsm::Error &error, int, int delayMs) {
                QVERIFY(what.contains(u"/write"_s) || what.contains(u"write"_s));
                QCOMPARE(delayMs, 1000);
                statuses.append(error.httpStatus());
            });
        tsm::CancelToken cancel;
        QElapsedTimer timer;
        timer.start();
        const tsm::WriteResult result = sink.write(makeBatch(floatLines("a", 10), {}), cancel);
        QCOMPARE(result.written, 10);
        QVERIFY2(timer.elapsed() >= 900, qPrintable(QString::number(timer.elapsed())));
        QCOMPARE(server.requestCount(), 2);
        QCOMPARE(statuses, QList<int>({503}));
    }

    void persistent503IsAServerErrorAfterTheAttempts()
    {
        TestHttpServer server;
        server.setHandler([](const TestHttpServer::Request &) {
            return TestHttpServer::Reply::json(503, "{\"error\":\"request throttled\"}");
        });
        tsm::InfluxV1Sink sink(endpointFor(server), fastRetries(3), u"db"_s, {}, false);
        tsm::CancelToken cancel;
        try {
            sink.write(makeBatch(floatLines("a", 10), {}), cancel);
            QFAIL("expected a server error");
        } catch (const tsm::Error &error) {
            QCOMPARE(error.kind(), tsm::ErrorKind::Server);
            QCOMPARE(error.httpStatus(), 503);
            QVERIFY2(error.message().contains(u"request throttled"_s), qPrintable(error.message()));
        }
        QCOMPARE(server.requestCount(), 3);
    }

    void droppedConnectionIsRetried()
    {
        TestHttpServer server;
        std::atomic<int> served{0};
        server.setHandler([&served](const TestHttpServer::Request &) {
            TestHttpServer::Reply reply = TestHttpServer::Reply::empty(204);
            reply.closeWithoutAnswer = ++served == 1;
            return reply;
        });
        tsm::InfluxV1Sink sink(endpointFor(server), fastRetries(), u"db"_s, {}, false);
        tsm::CancelToken cancel;
        const tsm::WriteResult result = sink.write(makeBatch(floatLines("a", 10), {}), cancel);
        QCOMPARE(result.written, 10);
        QCOMPARE(server.requestCount(), 2);
        QCOMPARE(server.requests().at(0).body, server.requests().at(1).body);
    }

    void unauthorizedStopsAtOnce()
    {
        TestHttpServer server;
        server.setHandler([](const TestHttpServer::Request &) {
            return TestHttpServer::Reply::json(401, "{\"error\":\"authorization failed\"}");
        });
        tsm::InfluxEndpoint endpoint = endpointFor(server);
        endpoint.user = u"u"_s;
        endpoint.password = u"p"_s;
        tsm::InfluxV1Sink sink(endpoint, fastRetries(), u"db"_s, {}, false);
        tsm::CancelToken cancel;
        try {
            sink.write(makeBatch(floatLines("a", 10), {}), cancel);
            QFAIL("expected an auth error");
        } catch (const tsm::Error &error) {
            QCOMPARE(error.kind(), tsm::ErrorKind::Auth);
            QVERIFY2(error.message().contains(u"401 authorization failed"_s),
                     qPrintable(error.message()));
        }
        QCOMPARE(server.requestCount(), 1);
        QCOMPARE(server.requests().at(0).header("authorization"),
                 "Basic " + QByteArray("u:p").toBase64());
        QVERIFY(!server.requests().at(0).target.contains("p=")); // no credentials in the URL
    }

    void otherBadRequestIsRejectedWithoutRetry()
    {
        TestHttpServer server;
        server.setHandler([](const TestHttpServer::Request &) {
            return TestHttpServer::Reply::json(400, "{\"error\":\"database is required\"}");
        });
        tsm::InfluxV1Sink sink(endpointFor(server), fastRetries(), u"db"_s, {}, false);
        tsm::CancelToken cancel;
        try {
            sink.write(makeBatch(floatLines("a", 10), {}), cancel);
            QFAIL("expected a rejection");
        } catch (const tsm::Error &error) {
            QCOMPARE(error.kind(), tsm::ErrorKind::Rejected);
            QVERIFY(error.message().contains(u"database is required"_s));
        }
        QCOMPARE(server.requestCount(), 1);
    }

    void cancelStopsRetrying()
    {
        TestHttpServer server;
        server.setHandler(
            [](const TestHttpServer::Request &) { return TestHttpServer::Reply::empty(503); });
        tsm::RetryPolicy policy;
        policy.attempts = 100;
        policy.baseDelayMs = 200;
        tsm::InfluxV1Sink sink(endpointFor(server), policy, u"db"_s, {}, false);
        tsm::CancelToken cancel;
        std::thread canceller([&cancel] {
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
            cancel.cancel();
        });
        QElapsedTimer timer;
        timer.start();
        try {
            sink.write(makeBatch(floatLines("a", 10), {}), cancel);
            canceller.join();
            QFAIL("expected Cancelled");
        } catch (const tsm::Error &error) {
            canceller.join();
            QCOMPARE(error.kind(), tsm::ErrorKind::Cancelled);
        }
        QVERIFY(timer.elapsed() < 2000);
    }
};

QTEST_GUILESS_MAIN(TestInfluxV1Sink)
#include "test_influxv1sink.moc"
