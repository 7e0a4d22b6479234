// The InfluxDB 2.x emulator refuses what InfluxDB 2.x refuses, with 2.x's bodies, and answers
// InfluxQL the way 2.x's 1.x-compatible /query does (PROTOCOLS.md §3), so that the tests that
// use it prove something about the real server.
#include "emulators/Influx2Emulator.h"
#include "http/HttpClient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>
#include <cstring>
#include <msgpack.h>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::test;

/** Raw requests against the emulator. */
class TestInflux2Emulator : public QObject
{
    Q_OBJECT

private:
    HttpResponse send(const QByteArray &method, const QByteArray &target,
                      const QByteArray &body = {}, bool withToken = true)
    {
        HttpRequest request;
        request.method = method;
        request.url = m_emulator->url().toUtf8() + target;
        request.body = body;
        if (withToken)
            request.headers.emplaceBack("Authorization", "Token " + m_emulator->token().toUtf8());
        HttpClient client;
        return client.perform(request);
    }

    static QString message(const HttpResponse &response)
    {
        return QJsonDocument::fromJson(response.body).object().value(u"message"_s).toString();
    }

    /// The statement error, or the first series, of a /query answer.
    static QJsonObject result(const HttpResponse &response)
    {
        return QJsonDocument::fromJson(response.body)
            .object()
            .value(u"results"_s)
            .toArray()
            .at(0)
            .toObject();
    }

    /// The first series of a /query answer.
    static QJsonObject firstSeries(const HttpResponse &response)
    {
        return result(response).value(u"series"_s).toArray().at(0).toObject();
    }

    /// The rows of the first series of a /query answer.
    static QJsonArray firstValues(const HttpResponse &response)
    {
        return firstSeries(response).value(u"values"_s).toArray();
    }

    QByteArray query(const QString &statement, const QString &db = {})
    {
        QByteArray target = "/query?q=" + HttpClient::percentEncode(statement);
        if (!db.isEmpty())
            target += "&db=" + HttpClient::percentEncode(db);
        return target;
    }

private Q_SLOTS:
    void initTestCase()
    {
        TSM_SKIP_WITHOUT_INFLUXD();
        Influx2Emulator::Options options;
        options.version = u"2.2.0"_s; // no virtual mappings
        m_emulator = std::make_unique<Influx2Emulator>(options);
        QVERIFY2(m_emulator->start(), qPrintable(m_emulator->errorString()));
        m_bucketId = m_emulator->addBucket(u"metrics"_s);
        m_emulator->addBucket(u"short"_s, 3 * 24 * 3600);
        m_orgId = options.orgId;
    }

    void cleanupTestCase() { m_emulator.reset(); }

    void pingAndHealth()
    {
        const HttpResponse ping = send("GET", "/ping", {}, false);
        QCOMPARE(ping.status, 204);
        QCOMPARE(ping.header("x-influxdb-build"), "OSS");
        QCOMPARE(ping.header("x-influxdb-version"), "v2.2.0");
        const HttpResponse health = send("GET", "/health", {}, false);
        QCOMPARE(health.status, 200);
        QCOMPARE(QJsonDocument::fromJson(health.body).object().value(u"status"_s), u"pass"_s);
    }

    void tokens()
    {
        for (const bool withToken : {false, true}) {
            HttpRequest request;
            request.url = m_emulator->url().toUtf8() + "/api/v2/buckets?orgID=" + m_orgId.toUtf8();
            request.headers.emplaceBack("Authorization", withToken ? "Token wrong" : "");
            HttpClient client;
            const HttpResponse response = client.perform(request);
            QCOMPARE(response.status, 401);
            QCOMPARE(response.body, R"({"code":"unauthorized","message":"unauthorized access"})");
        }
        // The 1.x routes also take the token as a Basic password or as p=.
        QCOMPARE(send("GET", query(u"SHOW DATABASES"_s) + "&u=x&p=wrong", {}, false).status, 401);
        QCOMPARE(send("GET", query(u"SHOW DATABASES"_s) + "&u=x&p=" + m_emulator->token().toUtf8(),
                      {}, false)
                     .status,
                 200);
    }

    void organizations()
    {
        const HttpResponse byName = send("GET", "/api/v2/orgs?org=acme");
        QCOMPARE(byName.status, 200);
        QCOMPARE(QJsonDocument::fromJson(byName.body)
                     .object()
                     .value(u"orgs"_s)
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(u"id"_s),
                 m_orgId);
        const HttpResponse unknownName = send("GET", "/api/v2/orgs?org=nobody");
        QCOMPARE(unknownName.status, 404);
        QCOMPARE(message(unknownName), u"organization name \"nobody\" not found"_s);
        QCOMPARE(send("GET", "/api/v2/orgs/0123456789abcdef").status, 404);
        const HttpResponse badId = send("GET", "/api/v2/orgs/acme");
        QCOMPARE(badId.status, 400);
        QCOMPARE(message(badId), u"id must have a length of 16 bytes"_s);
    }

    void bucketPages()
    {
        const HttpResponse tooMany =
            send("GET", "/api/v2/buckets?limit=101&orgID=" + m_orgId.toUtf8());
        QCOMPARE(tooMany.status, 400);
        QCOMPARE(message(tooMany), u"limit must be between 1 and 100"_s);
        // Default page of 20; two system buckets besides "metrics".
        const HttpResponse all = send("GET", "/api/v2/buckets?orgID=" + m_orgId.toUtf8());
        QCOMPARE(all.status, 200);
        const QJsonObject page = QJsonDocument::fromJson(all.body).object();
        const QJsonArray buckets = page.value(u"buckets"_s).toArray();
        QCOMPARE(buckets.size(), 4);
        QCOMPARE(buckets.at(0).toObject().value(u"type"_s), u"system"_s);
        auto rule = [&](int i) {
            return buckets.at(i).toObject().value(u"retentionRules"_s).toArray().at(0).toObject();
        };
        QCOMPARE(buckets.at(2).toObject().value(u"name"_s), u"metrics"_s);
        QCOMPARE(rule(2).value(u"everySeconds"_s).toInteger(), 0);
        QCOMPARE(rule(2).value(u"shardGroupDurationSeconds"_s).toInteger(), 7 * 24 * 3600);
        // InfluxDB's choice for a retention of 3 days: shard groups of a day.
        QCOMPARE(rule(3).value(u"everySeconds"_s).toInteger(), 3 * 24 * 3600);
        QCOMPARE(rule(3).value(u"shardGroupDurationSeconds"_s).toInteger(), 24 * 3600);
        QVERIFY(!page.value(u"links"_s).toObject().contains(u"next"_s));
        const HttpResponse small = send("GET", "/api/v2/buckets?limit=2&orgID=" + m_orgId.toUtf8());
        QVERIFY(QJsonDocument::fromJson(small.body)
                    .object()
                    .value(u"links"_s)
                    .toObject()
                    .value(u"next"_s)
                    .toString()
                    .contains(u"offset=2"_s));
        // An organization the token does not see has no buckets; a named bucket there is 404.
        const HttpResponse other = send("GET", "/api/v2/buckets?orgID=0123456789abcdef");
        QCOMPARE(QJsonDocument::fromJson(other.body).object().value(u"buckets"_s).toArray().size(),
                 0);
        QCOMPARE(send("GET", "/api/v2/buckets?orgID=0123456789abcdef&name=metrics").status, 404);
    }

    void writes()
    {
        const QByteArray point = "m v=1.5 1704103200000000000\n";
        const HttpResponse noOrg = send("POST", "/api/v2/write?bucket=metrics", point);
        QCOMPARE(noOrg.status, 400);
        QCOMPARE(message(noOrg), u"Please provide either orgID or org"_s);
        const HttpResponse noBucket =
            send("POST", "/api/v2/write?orgID=" + m_orgId.toUtf8(), point);
        QCOMPARE(noBucket.status, 404);
        QCOMPARE(message(noBucket), u"bucket not found"_s);
        const HttpResponse unknownOrg =
            send("POST", "/api/v2/write?orgID=0123456789abcdef&bucket=metrics", point);
        QCOMPARE(unknownOrg.status, 404);
        QCOMPARE(message(unknownOrg), u"organization not found"_s);
        const HttpResponse unknownBucket =
            send("POST", "/api/v2/write?org=acme&bucket=nope", point);
        QCOMPARE(unknownBucket.status, 404);
        QCOMPARE(message(unknownBucket), u"bucket \"nope\" not found"_s);
        QCOMPARE(send("POST", "/api/v2/write?org=acme&bucket=metrics&precision=us", point).status,
                 400);
        QCOMPARE(send("POST", "/api/v2/write?org=acme&bucket=metrics", point).status, 204);
        const HttpResponse conflict = send(
            "POST", "/api/v2/write?orgID=" + m_orgId.toUtf8() + "&bucket=" + m_bucketId.toUtf8(),
            "m v=2i 1704103201000000000\nm v=3.5 1704103202000000000\n");
        QCOMPARE(conflict.status, 422);
        QCOMPARE(QJsonDocument::fromJson(conflict.body).object().value(u"code"_s),
                 u"unprocessable entity"_s);
        QVERIFY2(message(conflict).startsWith(u"failure writing points to database: partial "
                                              u"write: field type conflict"_s),
                 qPrintable(message(conflict)));
        QCOMPARE(conflict.header("x-platform-error-code"), "unprocessable entity");
    }

    void mappingsAndInfluxQl()
    {
        // 2.2: no mapping, no database for InfluxQL.
        QCOMPARE(result(send("GET", query(u"SELECT * FROM m"_s, u"metrics"_s)))
                     .value(u"error"_s)
                     .toString(),
                 u"database not found: metrics"_s);
        QVERIFY(!firstSeries(send("GET", query(u"SHOW DATABASES"_s))).contains(u"values"_s));
        const HttpResponse noOrg = send("GET", "/api/v2/dbrps");
        QCOMPARE(noOrg.status, 400);
        QCOMPARE(message(noOrg), u"either 'org' or 'orgID' must be provided"_s);

        const QByteArray mapping = QJsonDocument(QJsonObject{{u"bucketID"_s, m_bucketId},
                                                             {u"database"_s, u"metrics"_s},
                                                             {u"retention_policy"_s, u"autogen"_s},
                                                             {u"default"_s, true},
                                                             {u"orgID"_s, m_orgId}})
                                       .toJson(QJsonDocument::Compact);
        QCOMPARE(send("POST", "/api/v2/dbrps", mapping).status, 201);
        const HttpResponse again = send("POST", "/api/v2/dbrps", mapping);
        QCOMPARE(again.status, 422);
        QCOMPARE(QJsonDocument::fromJson(again.body).object().value(u"code"_s), u"conflict"_s);
        const HttpResponse listed = send("GET", "/api/v2/dbrps?orgID=" + m_orgId.toUtf8() +
                                                    "&bucketID=" + m_bucketId.toUtf8());
        QCOMPARE(QJsonDocument::fromJson(listed.body).object().value(u"content"_s).toArray().size(),
                 1);

        // Now InfluxQL reads the bucket (from the real influxd behind).
        const QJsonArray values =
            firstValues(send("GET", query(u"SELECT * FROM m"_s, u"metrics"_s)));
        QCOMPARE(values.size(), 2);
        // 2.x answers these itself: the policy's shard group is always 168h; no shards.
        const QJsonArray policy =
            firstValues(send("GET", query(u"SHOW RETENTION POLICIES ON metrics"_s)))
                .at(0)
                .toArray();
        QCOMPARE(policy, (QJsonArray{u"autogen"_s, u"0s"_s, u"168h0m0s"_s, 1, true}));
        QCOMPARE(result(send("GET", query(u"SHOW SHARDS"_s))).value(u"error"_s).toString(),
                 u"not implemented: SHOW SHARDS"_s);
        QCOMPARE(result(send("POST", query(u"CREATE DATABASE x"_s))).value(u"error"_s).toString(),
                 u"not implemented: CREATE DATABASE"_s);
    }

    void upgradedBucketsResolveAs2xDoes()
    {
        // What `influxd upgrade` makes of 1.x database telegraf with policies autogen (the
        // default) and one_year: buckets "telegraf/autogen" and "telegraf/one_year" with stored
        // mappings; statements without a policy read the default one.
        for (const QString &version : {u"2.0.9"_s, u"2.7.1"_s}) {
            Influx2Emulator::Options options;
            options.version = version;
            Influx2Emulator emulator(options);
            QVERIFY2(emulator.start(), qPrintable(emulator.errorString()));
            emulator.addBucket(u"telegraf/autogen"_s);
            emulator.addBucket(u"telegraf/one_year"_s);
            emulator.addDbrp(u"telegraf/autogen"_s, u"telegraf"_s, u"autogen"_s, true);
            emulator.addDbrp(u"telegraf/one_year"_s, u"telegraf"_s, u"one_year"_s, false);
            QVERIFY(emulator.influxd().write(emulator.storageDatabase(u"telegraf/autogen"_s),
                                             "cpu,host=a v=1i 1704103200000000000\n"));
            QVERIFY(emulator.influxd().write(emulator.storageDatabase(u"telegraf/one_year"_s),
                                             "cpu,dc=x,rack=1 v=1.5 1704103200000000000\n"
                                             "yearly w=2i 1704103200000000000\n"));
            auto ask = [&emulator](const QString &statement, const QString &rp = {}) {
                HttpRequest request;
                request.url = emulator.url().toUtf8() +
                              "/query?db=telegraf&q=" + HttpClient::percentEncode(statement);
                if (!rp.isEmpty())
                    request.url += "&rp=" + HttpClient::percentEncode(rp);
                request.headers.emplaceBack("Authorization", "Token " + emulator.token().toUtf8());
                HttpClient client;
                return client.perform(request);
            };
            QCOMPARE(firstValues(ask(u"SHOW MEASUREMENTS ON \"telegraf\""_s)),
                     QJsonArray{QJsonArray{u"cpu"_s}});
            QCOMPARE(firstValues(ask(u"SHOW TAG KEYS FROM \"telegraf\".\"one_year\".\"cpu\""_s)),
                     QJsonArray{QJsonArray{u"host"_s}});
            QCOMPARE(firstValues(ask(u"SHOW FIELD KEYS FROM \"cpu\""_s)),
                     (QJsonArray{QJsonArray{u"v"_s, u"integer"_s}}));
            QCOMPARE(firstValues(ask(u"SHOW FIELD KEYS FROM \"telegraf\".\"one_year\".\"cpu\""_s)),
                     (QJsonArray{QJsonArray{u"v"_s, u"float"_s}}));
            QCOMPARE(firstValues(ask(u"SHOW FIELD KEYS FROM \"cpu\""_s, u"one_year"_s)),
                     (QJsonArray{QJsonArray{u"v"_s, u"float"_s}}));
            QCOMPARE(
                firstValues(ask(u"SELECT * FROM \"telegraf\".\"one_year\"./.*/ LIMIT 1"_s)).size(),
                1); // one series per measurement; the first is cpu
            QCOMPARE(result(ask(u"SELECT * FROM \"telegraf\".\"nope\".\"cpu\""_s))
                         .value(u"error"_s)
                         .toString(),
                     u"retention policy not found: nope"_s);
            const HttpResponse onPolicy = ask(u"SHOW MEASUREMENTS ON \"telegraf\".\"one_year\""_s);
            if (version.startsWith(u"2.0"_s)) {
                // influxql before 2.1 has no ON db.rp: a parse error.
                QCOMPARE(onPolicy.status, 400);
                QVERIFY2(message(onPolicy).startsWith(u"failed to parse query: "_s),
                         onPolicy.body.constData());
            } else {
                const QJsonObject series = firstSeries(onPolicy);
                QCOMPARE(series.value(u"columns"_s).toArray(),
                         (QJsonArray{u"name"_s, u"database"_s, u"retention policy"_s}));
                QCOMPARE(series.value(u"values"_s).toArray(),
                         (QJsonArray{QJsonArray{u"cpu"_s, u"telegraf"_s, u"one_year"_s},
                                     QJsonArray{u"yearly"_s, u"telegraf"_s, u"one_year"_s}}));
            }
        }
    }

    void shadowedVirtualMapping()
    {
        // 2.4+: bucket "shared" has the virtual mapping shared/autogen, but bucket "other" holds
        // a stored one of the same db/rp. Under a bucketID filter the virtual one is listed;
        // db+rp without it gives the stored one, which is what queries read.
        Influx2Emulator emulator; // 2.7
        QVERIFY2(emulator.start(), qPrintable(emulator.errorString()));
        const QString shared = emulator.addBucket(u"shared"_s);
        const QString other = emulator.addBucket(u"other"_s);
        emulator.addDbrp(u"other"_s, u"shared"_s, u"autogen"_s, true);
        QVERIFY(emulator.influxd().write(u"other"_s, "fromother v=1i 1704103200000000000\n"));
        auto list = [&emulator](const QByteArray &filter) {
            HttpRequest request;
            request.url = emulator.url().toUtf8() +
                          "/api/v2/dbrps?orgID=" + emulator.options().orgId.toUtf8() + filter;
            request.headers.emplaceBack("Authorization", "Token " + emulator.token().toUtf8());
            HttpClient client;
            return QJsonDocument::fromJson(client.perform(request).body)
                .object()
                .value(u"content"_s)
                .toArray();
        };
        const QJsonArray byBucket = list("&bucketID=" + shared.toUtf8());
        QCOMPARE(byBucket.size(), 1);
        QCOMPARE(byBucket.at(0)[u"virtual"_s].toBool(), true);
        QCOMPARE(byBucket.at(0)[u"default"_s].toBool(), true);
        const QJsonArray byName = list("&db=shared&rp=autogen");
        QCOMPARE(byName.size(), 1);
        QCOMPARE(byName.at(0)[u"bucketID"_s].toString(), other);
        QCOMPARE(byName.at(0)[u"virtual"_s].toBool(), false);
    }

    void streamsChunks()
    {
        QByteArray lp;
        for (int i = 0; i < 50; ++i)
            lp += "s,k=" + QByteArray::number(i) + " v=" + QByteArray::number(i) + "i " +
                  QByteArray::number(1704103200000000000LL + i) + '\n';
        QCOMPARE(send("POST", "/api/v2/write?org=acme&bucket=metrics", lp).status, 204);
        HttpRequest request;
        request.url = m_emulator->url().toUtf8() +
                      query(u"SELECT * FROM s GROUP BY *"_s, u"metrics"_s) +
                      "&chunked=true&chunk_size=10&epoch=ns";
        request.headers.emplaceBack("Authorization", "Token " + m_emulator->token().toUtf8());
        request.headers.emplaceBack("Accept", "application/x-msgpack");
        QByteArray body;
        request.onData = [&](const char *data, size_t size) {
            body.append(data, qsizetype(size));
            return true;
        };
        HttpClient client;
        const HttpResponse response = client.perform(request);
        QCOMPARE(response.status, 200);
        QCOMPARE(response.header("content-type"), "application/x-msgpack");
        QCOMPARE(response.header("transfer-encoding"), "chunked");
        // One msgpack document per chunk of 10 rows, as influxd sent them.
        msgpack_unpacker unpacker;
        QVERIFY(msgpack_unpacker_init(&unpacker, MSGPACK_UNPACKER_INIT_BUFFER_SIZE));
        // The unpacker keeps a reference counter at the front of its buffer: reserve, then copy.
        QVERIFY(msgpack_unpacker_reserve_buffer(&unpacker, size_t(body.size())));
        std::memcpy(msgpack_unpacker_buffer(&unpacker), body.constData(), size_t(body.size()));
        msgpack_unpacker_buffer_consumed(&unpacker, size_t(body.size()));
        msgpack_unpacked document;
        msgpack_unpacked_init(&document);
        int documents = 0;
        while (msgpack_unpacker_next(&unpacker, &document) == MSGPACK_UNPACK_SUCCESS) {
            QCOMPARE(document.data.type, MSGPACK_OBJECT_MAP);
            ++documents;
        }
        msgpack_unpacked_destroy(&document);
        msgpack_unpacker_destroy(&unpacker);
        QCOMPARE(documents, 50);

        // The connection is clean afterwards: the next answers on it parse.
        for (int i = 0; i < 5; ++i) {
            HttpRequest ping;
            ping.url = m_emulator->url().toUtf8() + "/ping";
            QCOMPARE(client.perform(ping).status, 204);
        }
        QCOMPARE(m_emulator->requests().last().connection,
                 m_emulator->requests().at(m_emulator->requests().size() - 6).connection);
    }

private:
    std::unique_ptr<Influx2Emulator> m_emulator;
    QString m_bucketId;
    QString m_orgId;
};

QTEST_GUILESS_MAIN(TestInflux2Emulator)
#include "test_influx2emulator.moc"
