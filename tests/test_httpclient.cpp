#include "http/HttpClient.h"
#include "http/Retry.h"
#include "support/TestHttpServer.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QLocale>
#include <QTest>
#include <atomic>
#include <thread>

using namespace Qt::StringLiterals;
using tsm::test::TestHttpServer;

/** HttpClient and the retry helpers against a scripted local HTTP server. */
class TestHttpClient : public QObject
{
    Q_OBJECT

private:
    static tsm::HttpRequest get(const TestHttpServer &server, const QByteArray &target)
    {
        tsm::HttpRequest request;
        request.url = server.url().toUtf8() + target;
        return request;
    }

    /// Performs and turns a 5xx into the retryable Error, as the API layers do.
    static void performOrThrow(tsm::HttpClient &client, const tsm::HttpRequest &request)
    {
        const tsm::HttpResponse response = client.perform(request);
        if (response.status >= 500)
            throw tsm::Error(tsm::ErrorKind::Server, u"server error"_s, response.status,
                             response.retryAfterSeconds());
        if (response.status >= 400)
            throw tsm::Error(tsm::ErrorKind::Rejected, u"rejected"_s, response.status);
    }

private slots:
    void getReturnsStatusHeadersAndBody()
    {
        TestHttpServer server;
        server.setHandler([](const TestHttpServer::Request &) {
            return TestHttpServer::Reply::text(200, "hello").header("X-Custom-Thing", "v1");
        });
        tsm::HttpClient client;
        const tsm::HttpResponse response = client.perform(get(server, "/hello?x=a%20b&y=1"));
        QCOMPARE(response.status, 200);
        QCOMPARE(response.body, QByteArray("hello"));
        QCOMPARE(response.header("x-custom-thing"), QByteArray("v1"));
        QCOMPARE(response.header("content-type"), QByteArray("text/plain; charset=utf-8"));

        const auto requests = server.requests();
        QCOMPARE(requests.size(), 1);
        QCOMPARE(requests[0].method, QByteArray("GET"));
        QCOMPARE(requests[0].path, QByteArray("/hello"));
        QCOMPARE(requests[0].queryItem(u"x"_s), u"a b"_s);
        QCOMPARE(requests[0].queryItem(u"y"_s), u"1"_s);
        QVERIFY(requests[0].body.isEmpty());
    }

    void postSendsBodyAndHeadersWithoutExpect()
    {
        TestHttpServer server;
        server.setHandler([](const TestHttpServer::Request &request) {
            return TestHttpServer::Reply::text(201,
                                               "got " + QByteArray::number(request.body.size()));
        });
        tsm::HttpClient client;
        tsm::HttpRequest request = get(server, "/submit");
        request.method = "POST";
        request.body = QByteArray(200000, 'x'); // large enough that curl would send Expect
        request.headers.emplaceBack("Content-Type", "text/plain");
        const tsm::HttpResponse response = client.perform(request);
        QCOMPARE(response.status, 201);
        QCOMPARE(response.body, QByteArray("got 200000"));

        const auto seen = server.requests().at(0);
        QCOMPARE(seen.method, QByteArray("POST"));
        QCOMPARE(seen.body, request.body);
        QVERIFY(!seen.bodyWasGzip);
        QCOMPARE(seen.header("content-type"), QByteArray("text/plain"));
        QVERIFY(seen.header("expect").isEmpty());
    }

    void headRequestHasNoBody()
    {
        TestHttpServer server;
        server.setHandler([](const TestHttpServer::Request &) {
            return TestHttpServer::Reply::text(200, "body that must not be read");
        });
        tsm::HttpClient client;
        tsm::HttpRequest request = get(server, "/ping");
        request.method = "HEAD";
        const tsm::HttpResponse response = client.perform(request);
        QCOMPARE(response.status, 200);
        QVERIFY(response.body.isEmpty());
        QCOMPARE(server.requests().at(0).method, QByteArray("HEAD"));
    }

    void gzipBodyArrivesGunzipped()
    {
        TestHttpServer server;
        server.setHandler(
            [](const TestHttpServer::Request &) { return TestHttpServer::Reply::empty(204); });
        QByteArray lines;
        for (int i = 0; i < 5000; ++i)
            lines += "cpu,host=h" + QByteArray::number(i % 7) + " v=" + QByteArray::number(i) +
                     "i " + QByteArray::number(1600000000000000000LL + i) + '\n';
        tsm::HttpClient client;
        tsm::HttpRequest request = get(server, "/write");
        request.method = "POST";
        request.body = lines;
        request.gzipBody = true;
        QCOMPARE(client.perform(request).status, 204);

        const auto seen = server.requests().at(0);
        QVERIFY(seen.bodyWasGzip);
        QCOMPARE(seen.header("content-encoding"), QByteArray("gzip"));
        QCOMPARE(seen.body, lines);
        QVERIFY(seen.header("content-length").toLongLong() < lines.size() / 4);
    }

    void loopbackHosts()
    {
        for (const char *url : {"http://127.0.0.1:8086", "http://127.1.2.3", "https://localhost:1",
                                "http://LOCALHOST", "http://[::1]:8086", "http://db.localhost"})
            QVERIFY2(tsm::HttpClient::isLoopback(QString::fromLatin1(url)), url);
        for (const char *url : {"http://10.0.0.1:8086", "https://influx.example.com",
                                "http://[2001:db8::1]", "http://128.0.0.1", "http://local"})
            QVERIFY2(!tsm::HttpClient::isLoopback(QString::fromLatin1(url)), url);
    }

    void gzipRoundTrip()
    {
        const QByteArray data = QByteArray("line protocol\n").repeated(1000);
        const QByteArray packed = tsm::HttpClient::gzip(data);
        QVERIFY(packed.startsWith("\x1f\x8b")); // gzip magic, not a raw zlib stream
        bool ok = false;
        QCOMPARE(TestHttpServer::gunzip(packed, &ok), data);
        QVERIFY(ok);
        QVERIFY(!tsm::HttpClient::gzip({}).isEmpty());
        QCOMPARE(TestHttpServer::gunzip(tsm::HttpClient::gzip({}), &ok), QByteArray());
        QVERIFY(ok);
    }

    void percentEncodeEncodesReservedCharacters()
    {
        QCOMPARE(tsm::HttpClient::percentEncode(u"SELECT * FROM \"a b\"&x=1"_s),
                 QByteArray("SELECT%20%2A%20FROM%20%22a%20b%22%26x%3D1"));
        QCOMPARE(tsm::HttpClient::percentEncode(u"é+/"_s), QByteArray("%C3%A9%2B%2F"));
    }

    void streamedResponseReassemblesExactly()
    {
        TestHttpServer server;
        const QList<QByteArray> pieces{"{\"a\":1}\n", "{\"b\":2}\n{\"c\":", "3}\n",
                                       QByteArray(100000, 'z'), "end\n"};
        server.setHandler([pieces](const TestHttpServer::Request &) {
            TestHttpServer::Reply reply;
            reply.chunks = pieces;
            reply.chunkDelayMs = 30;
            return reply;
        });
        tsm::HttpClient client;
        tsm::HttpRequest request = get(server, "/query");
        QByteArray assembled;
        int calls = 0;
        request.onData = [&](const char *data, size_t size) {
            assembled.append(data, qsizetype(size));
            ++calls;
            return true;
        };
        const tsm::HttpResponse response = client.perform(request);
        QCOMPARE(response.status, 200);
        QCOMPARE(assembled, pieces.join());
        QVERIFY(response.body.isEmpty());
        QVERIFY2(calls >= 3, "the pieces arrive separately, 30 ms apart");
    }

    void errorBodyIsCollectedEvenWithOnData()
    {
        TestHttpServer server;
        server.setHandler([](const TestHttpServer::Request &) {
            return TestHttpServer::Reply::json(500, "{\"error\":\"boom\"}");
        });
        tsm::HttpClient client;
        tsm::HttpRequest request = get(server, "/query");
        bool called = false;
        request.onData = [&](const char *, size_t) {
            called = true;
            return true;
        };
        const tsm::HttpResponse response = client.perform(request);
        QCOMPARE(response.status, 500);
        QCOMPARE(response.body, QByteArray("{\"error\":\"boom\"}"));
        QVERIFY(!called);
    }

    void readerExceptionPropagates()
    {
        TestHttpServer server;
        server.setHandler(
            [](const TestHttpServer::Request &) { return TestHttpServer::Reply::text(200, "x"); });
        tsm::HttpClient client;
        tsm::HttpRequest request = get(server, "/");
        request.onData = [](const char *, size_t) -> bool {
            throw tsm::Error(tsm::ErrorKind::Protocol, u"bad chunk"_s);
        };
        try {
            client.perform(request);
            QFAIL("expected the reader's exception");
        } catch (const tsm::Error &error) {
            QCOMPARE(error.kind(), tsm::ErrorKind::Protocol);
            QCOMPARE(error.message(), u"bad chunk"_s);
        }
        // The handle is still usable afterwards.
        QCOMPARE(client.perform(get(server, "/")).body, QByteArray("x"));
    }

    void keepAliveReusesOneConnection()
    {
        TestHttpServer server;
        server.setHandler(
            [](const TestHttpServer::Request &) { return TestHttpServer::Reply::text(200, "ok"); });
        tsm::HttpClient client;
        for (int i = 0; i < 3; ++i) {
            tsm::HttpRequest request = get(server, "/n");
            if (i == 1) {
                request.method = "POST";
                request.body = "payload";
            }
            QCOMPARE(client.perform(request).status, 200);
        }
        QCOMPARE(server.requestCount(), 3);
        QCOMPARE(server.connectionCount(), 1);

        // Separate clients cannot share a connection: shows the count really counts.
        for (int i = 0; i < 2; ++i) {
            tsm::HttpClient other;
            other.perform(get(server, "/n"));
        }
        QCOMPARE(server.connectionCount(), 3);
    }

    void serverClosingConnectionIsRecoveredOnNextRequest()
    {
        TestHttpServer server;
        server.setHandler([](const TestHttpServer::Request &) {
            TestHttpServer::Reply reply = TestHttpServer::Reply::text(200, "bye");
            reply.closeAfter = true;
            return reply;
        });
        tsm::HttpClient client;
        QCOMPARE(client.perform(get(server, "/")).body, QByteArray("bye"));
        QCOMPARE(client.perform(get(server, "/")).body, QByteArray("bye"));
        QCOMPARE(server.connectionCount(), 2);
    }

    void connectionRefusedIsNetworkErrorNamingHostAndPort()
    {
        tsm::HttpClient client;
        tsm::HttpRequest request;
        request.url = "http://127.0.0.1:1/ping";
        try {
            client.perform(request);
            QFAIL("expected an error");
        } catch (const tsm::Error &error) {
            QCOMPARE(error.kind(), tsm::ErrorKind::Network);
            QVERIFY2(error.message().contains(u"127.0.0.1:1"_s), qPrintable(error.message()));
            QVERIFY2(error.message().contains(u"refused"_s, Qt::CaseInsensitive),
                     qPrintable(error.message()));
            QVERIFY(error.isRetryable());
        }
    }

    void droppedConnectionIsNetworkError()
    {
        TestHttpServer server;
        server.setHandler([](const TestHttpServer::Request &) {
            TestHttpServer::Reply reply;
            reply.closeWithoutAnswer = true;
            return reply;
        });
        tsm::HttpClient client;
        try {
            client.perform(get(server, "/"));
            QFAIL("expected an error");
        } catch (const tsm::Error &error) {
            QCOMPARE(error.kind(), tsm::ErrorKind::Network);
            QVERIFY(error.message().contains(QString::number(server.port())));
        }
    }

    void idleServerTimesOut()
    {
        TestHttpServer server;
        server.setHandler([](const TestHttpServer::Request &) {
            TestHttpServer::Reply reply = TestHttpServer::Reply::text(200, "late");
            reply.delayMs = 4000;
            return reply;
        });
        tsm::HttpOptions options;
        options.idleTimeoutMs = 1000;
        tsm::HttpClient client(options);
        QElapsedTimer timer;
        timer.start();
        try {
            client.perform(get(server, "/slow"));
            QFAIL("expected a timeout");
        } catch (const tsm::Error &error) {
            QCOMPARE(error.kind(), tsm::ErrorKind::Timeout);
            QVERIFY(error.isRetryable());
        }
        QVERIFY2(timer.elapsed() < 3500, qPrintable(QString::number(timer.elapsed())));
    }

    void slowButSteadyStreamDoesNotTimeOut()
    {
        TestHttpServer server;
        server.setHandler([](const TestHttpServer::Request &) {
            TestHttpServer::Reply reply;
            reply.chunks = QList<QByteArray>(5, "tick\n");
            reply.chunkDelayMs = 500; // 2.5 s in all, never 1 s without a byte
            return reply;
        });
        tsm::HttpOptions options;
        options.idleTimeoutMs = 1000;
        tsm::HttpClient client(options);
        QByteArray all;
        tsm::HttpRequest request = get(server, "/");
        request.onData = [&](const char *data, size_t size) {
            all.append(data, qsizetype(size));
            return true;
        };
        client.perform(request);
        QCOMPARE(all, QByteArray("tick\n").repeated(5));
    }

    void cancelFromReaderStopsMidStream()
    {
        TestHttpServer server;
        server.setHandler([](const TestHttpServer::Request &) {
            TestHttpServer::Reply reply;
            reply.chunks = QList<QByteArray>(20, "piece\n");
            reply.chunkDelayMs = 200;
            return reply;
        });
        tsm::HttpClient client;
        tsm::CancelToken cancel;
        tsm::HttpRequest request = get(server, "/");
        int calls = 0;
        request.onData = [&](const char *, size_t) {
            ++calls;
            cancel.cancel();
            return true;
        };
        QElapsedTimer timer;
        timer.start();
        try {
            client.perform(request, &cancel);
            QFAIL("expected Cancelled");
        } catch (const tsm::Error &error) {
            QCOMPARE(error.kind(), tsm::ErrorKind::Cancelled);
        }
        QVERIFY(calls >= 1);
        QVERIFY2(timer.elapsed() < 2000, qPrintable(QString::number(timer.elapsed())));
    }

    void cancelFromAnotherThreadStopsWaiting()
    {
        TestHttpServer server;
        server.setHandler([](const TestHttpServer::Request &) {
            TestHttpServer::Reply reply = TestHttpServer::Reply::text(200, "late");
            reply.delayMs = 10000;
            return reply;
        });
        tsm::HttpClient client;
        tsm::CancelToken cancel;
        std::thread canceller([&cancel] {
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            cancel.cancel();
        });
        QElapsedTimer timer;
        timer.start();
        bool cancelled = false;
        try {
            client.perform(get(server, "/"), &cancel);
        } catch (const tsm::Error &error) {
            cancelled = error.kind() == tsm::ErrorKind::Cancelled;
        }
        canceller.join();
        QVERIFY(cancelled);
        QVERIFY2(timer.elapsed() < 3000, qPrintable(QString::number(timer.elapsed())));
    }

    void readerReturningFalseIsAnError()
    {
        TestHttpServer server;
        server.setHandler([](const TestHttpServer::Request &) {
            TestHttpServer::Reply reply;
            reply.chunks = {"a", "b", "c"};
            reply.chunkDelayMs = 50;
            return reply;
        });
        tsm::HttpClient client;
        tsm::HttpRequest request = get(server, "/");
        request.onData = [](const char *, size_t) { return false; };
        try {
            client.perform(request);
            QFAIL("expected an error");
        } catch (const tsm::Error &error) {
            QCOMPARE(error.kind(), tsm::ErrorKind::Protocol);
        }
    }

    void retryAfterParsesSecondsAndDates()
    {
        tsm::HttpResponse response;
        QCOMPARE(response.retryAfterSeconds(), -1);
        response.headers = {{"retry-after", "120"}};
        QCOMPARE(response.retryAfterSeconds(), 120);
        response.headers = {{"retry-after", " 0 "}};
        QCOMPARE(response.retryAfterSeconds(), 0);
        response.headers = {{"retry-after", "soon"}};
        QCOMPARE(response.retryAfterSeconds(), -1);

        const QDateTime later = QDateTime::currentDateTimeUtc().addSecs(30);
        const QString date = QLocale::c().toString(later, u"ddd, dd MMM yyyy hh:mm:ss 'GMT'"_s);
        response.headers = {{"retry-after", date.toLatin1()}};
        const int seconds = response.retryAfterSeconds();
        QVERIFY2(seconds >= 28 && seconds <= 31, qPrintable(QString::number(seconds)));

        response.headers = {{"retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"}};
        QCOMPARE(response.retryAfterSeconds(), 0); // in the past: go now
    }

    void responseHeadersAreLowerCased()
    {
        TestHttpServer server;
        server.setHandler([](const TestHttpServer::Request &) {
            return TestHttpServer::Reply::empty(503)
                .header("Retry-After", "7")
                .header("X-Influxdb-Version", "1.6.7");
        });
        tsm::HttpClient client;
        const tsm::HttpResponse response = client.perform(get(server, "/"));
        QCOMPARE(response.status, 503);
        QCOMPARE(response.retryAfterSeconds(), 7);
        QCOMPARE(response.header("x-influxdb-version"), QByteArray("1.6.7"));
        QVERIFY(response.header("X-Influxdb-Version").isEmpty());
    }

    void delayGrowsWithJitterAndHonoursRetryAfter()
    {
        tsm::RetryPolicy policy;
        policy.baseDelayMs = 100;
        policy.maxDelayMs = 1000;
        policy.maxRetryAfterMs = 5000;
        const tsm::Error plain(tsm::ErrorKind::Server, u"x"_s, 503);
        for (int i = 0; i < 50; ++i) {
            const int first = policy.delayMs(1, plain);
            QVERIFY2(first >= 75 && first <= 125, qPrintable(QString::number(first)));
            const int third = policy.delayMs(3, plain);
            QVERIFY2(third >= 300 && third <= 500, qPrintable(QString::number(third)));
            QVERIFY(policy.delayMs(30, plain) <= 1000);
            QVERIFY(policy.delayMs(30, plain) >= 750);
        }
        QCOMPARE(policy.delayMs(1, tsm::Error(tsm::ErrorKind::Server, u"x"_s, 429, 2)), 2000);
        QCOMPARE(policy.delayMs(1, tsm::Error(tsm::ErrorKind::Server, u"x"_s, 429, 3600)), 5000);
    }

    void withRetriesRetries503ThenSucceeds()
    {
        TestHttpServer server;
        std::atomic<int> served{0};
        server.setHandler([&served](const TestHttpServer::Request &) {
            return ++served <= 2 ? TestHttpServer::Reply::text(503, "busy")
                                 : TestHttpServer::Reply::text(200, "fine");
        });
        tsm::HttpClient client;
        tsm::RetryPolicy policy;
        policy.attempts = 5;
        policy.baseDelayMs = 10;
        tsm::CancelToken cancel;
        QList<int> retried;
        tsm::withRetries(
            policy, cancel, [&] { performOrThrow(client, get(server, "/")); },
            [&](const tsm::Error &error, int attempt, int) {
                QCOMPARE(error.httpStatus(), 503);
                retried.append(attempt);
            });
        QCOMPARE(server.requestCount(), 3);
        QCOMPARE(retried, QList<int>({1, 2}));
    }

    void withRetriesGivesUpAfterTheAttempts()
    {
        TestHttpServer server;
        server.setHandler(
            [](const TestHttpServer::Request &) { return TestHttpServer::Reply::text(503, "no"); });
        tsm::HttpClient client;
        tsm::RetryPolicy policy;
        policy.attempts = 4;
        policy.baseDelayMs = 5;
        tsm::CancelToken cancel;
        try {
            tsm::withRetries(policy, cancel, [&] { performOrThrow(client, get(server, "/")); });
            QFAIL("expected the last error");
        } catch (const tsm::Error &error) {
            QCOMPARE(error.kind(), tsm::ErrorKind::Server);
            QCOMPARE(error.httpStatus(), 503);
        }
        QCOMPARE(server.requestCount(), 4);
    }

    void withRetriesDoesNotRetry400()
    {
        TestHttpServer server;
        server.setHandler([](const TestHttpServer::Request &) {
            return TestHttpServer::Reply::text(400, "bad");
        });
        tsm::HttpClient client;
        tsm::RetryPolicy policy;
        policy.baseDelayMs = 5;
        tsm::CancelToken cancel;
        QVERIFY_THROWS_EXCEPTION(tsm::Error, tsm::withRetries(policy, cancel, [&] {
                                     performOrThrow(client, get(server, "/"));
                                 }));
        QCOMPARE(server.requestCount(), 1);
    }

    void withRetriesHonoursRetryAfter()
    {
        TestHttpServer server;
        std::atomic<int> served{0};
        server.setHandler([&served](const TestHttpServer::Request &) {
            return ++served == 1
                       ? TestHttpServer::Reply::text(503, "later").header("Retry-After", "1")
                       : TestHttpServer::Reply::text(200, "now");
        });
        tsm::HttpClient client;
        tsm::RetryPolicy policy;
        policy.baseDelayMs = 10; // without the header the retry would come at once
        tsm::CancelToken cancel;
        QElapsedTimer timer;
        timer.start();
        tsm::withRetries(policy, cancel, [&] { performOrThrow(client, get(server, "/")); });
        QVERIFY2(timer.elapsed() >= 900, qPrintable(QString::number(timer.elapsed())));
        QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
        QCOMPARE(server.requestCount(), 2);
    }

    void withRetriesStopsWaitingWhenCancelled()
    {
        tsm::RetryPolicy policy;
        policy.baseDelayMs = 10000;
        tsm::CancelToken cancel;
        int tries = 0;
        QElapsedTimer timer;
        timer.start();
        try {
            tsm::withRetries(
                policy, cancel,
                [&] {
                    ++tries;
                    throw tsm::Error(tsm::ErrorKind::Network, u"down"_s);
                },
                [&](const tsm::Error &, int, int) { cancel.cancel(); });
            QFAIL("expected Cancelled");
        } catch (const tsm::Error &error) {
            QCOMPARE(error.kind(), tsm::ErrorKind::Cancelled);
        }
        QCOMPARE(tries, 1);
        QVERIFY(timer.elapsed() < 1000);
    }

    void sleepCancellableReturnsEarlyOnCancel()
    {
        tsm::CancelToken cancel;
        QElapsedTimer timer;
        timer.start();
        tsm::sleepCancellable(150, cancel);
        QVERIFY(timer.elapsed() >= 140);

        std::thread canceller([&cancel] {
            std::this_thread::sleep_for(std::chrono::milliseconds(150));
            cancel.cancel();
        });
        timer.restart();
        QVERIFY_THROWS_EXCEPTION(tsm::Error, tsm::sleepCancellable(10000, cancel));
        canceller.join();
        QVERIFY(timer.elapsed() < 1000);
    }

    void httpsToPlainPortFailsWithTls()
    {
        TestHttpServer server;
        server.setHandler(
            [](const TestHttpServer::Request &) { return TestHttpServer::Reply::text(200, "x"); });
        tsm::HttpOptions options;
        options.connectTimeoutMs = 3000;
        options.idleTimeoutMs = 3000;
        tsm::HttpClient client(options);
        tsm::HttpRequest request;
        request.url = u"https://127.0.0.1:%1/"_s.arg(server.port()).toUtf8();
        try {
            client.perform(request);
            QFAIL("expected an error");
        } catch (const tsm::Error &error) {
            QVERIFY2(error.kind() == tsm::ErrorKind::Tls || error.kind() == tsm::ErrorKind::Network,
                     qPrintable(error.message()));
            QVERIFY2(error.message().contains(QString::number(server.port())),
                     qPrintable(error.message()));
            qInfo("%s", qPrintable(error.message()));
        }
    }
};

QTEST_GUILESS_MAIN(TestHttpClient)
#include "test_httpclient.moc"
