#pragma once

#include "support/InfluxdFixture.h"
#include "support/TestHttpServer.h"

#include <QHash>
#include <QJsonArray>
#include <QList>
#include <QMutex>
#include <QString>
#include <QStringList>
#include <atomic>
#include <memory>
#include <optional>
#include <thread>

namespace tsm::test {

/**
 * InfluxDB 2.x's HTTP API — tokens, organizations, paginated buckets, DBRP mappings, /ping,
 * /health, /api/v2/write and the 1.x-compatible /query — served on a TestHttpServer, with the
 * data kept in a real influxd 1.x behind it (one database per bucket, named like the bucket),
 * so that what queries return stays real. Strict: what 2.x refuses, it refuses, with 2.x's
 * {"code","message"} bodies. What it follows and what it leaves out: Influx2Emulator.cpp.
 */
class Influx2Emulator
{
public:
    struct Options
    {
        /// "2.0" … "2.3": no virtual DBRP mappings; "2.4" and later: every bucket has one.
        QString version = QStringLiteral("2.7.1");
        /// Accepted tokens, all with every permission in the organization.
        QStringList tokens = {QStringLiteral("emulator-token")};
        /// Tokens that may read and write only the buckets named (`influx auth create
        /// --read-bucket ID --write-bucket ID`): no permission on the organization itself, so
        /// the system buckets and GET /api/v2/orgs/{id} are refused to them.
        QHash<QString, QStringList> scopedTokens;
        QString orgName = QStringLiteral("acme");
        QString orgId = QStringLiteral("0a1b2c3d4e5f6071");
        /// Uncompressed /api/v2/write bodies above this size are answered 413.
        qint64 maxWriteBytes = 25 * 1000 * 1000;
        /// Where it listens on 127.0.0.1; 0 picks a free port.
        quint16 port = 0;
    };

    /// A DBRP mapping as the emulator stores it.
    struct Dbrp
    {
        QString id;
        QString database;
        QString retentionPolicy;
        QString bucketId;
        bool isDefault = true;
        bool isVirtual = false; ///< 2.4+: derived from a bucket's name, not stored
    };

    Influx2Emulator();
    explicit Influx2Emulator(Options options);
    ~Influx2Emulator();
    Influx2Emulator(const Influx2Emulator &) = delete;
    Influx2Emulator &operator=(const Influx2Emulator &) = delete;

    /// Starts the influxd behind it; false (see errorString()) when it did not come up.
    bool start();
    QString errorString() const { return m_influxd.errorString(); }

    /// The emulated InfluxDB 2.x: "http://127.0.0.1:<port>".
    QString url() const { return m_server.url(); }
    /// The real influxd holding the data, one database per bucket (storageDatabase()).
    InfluxdFixture &influxd() { return m_influxd; }
    const Options &options() const { return m_options; }
    QString token() const { return m_options.tokens.value(0); }

    /// Creates a user bucket (and its influxd database, with the bucket's shard group
    /// duration); returns its ID. 0 seconds: forever / InfluxDB's choice for the retention.
    QString addBucket(const QString &name, qint64 retentionSeconds = 0,
                      qint64 shardGroupSeconds = 0);
    /// The influxd database that holds `bucket` (with its one policy, autogen): the bucket's
    /// name, or for a name influxd refuses ("db/rp") one made from the bucket's ID, as 2.x keeps
    /// every bucket as the v1 database <bucket ID> with policy autogen.
    QString storageDatabase(const QString &bucket) const;
    /// `influx bucket update --shard-group-duration`: new shard groups get the new duration
    /// (under 1 h: 1 h), the existing ones keep theirs.
    void setShardGroupDuration(const QString &bucket, qint64 seconds);
    /// Adds a stored mapping of database/rp to the bucket called `bucket`.
    void addDbrp(const QString &bucket, const QString &database,
                 const QString &retentionPolicy = QStringLiteral("autogen"), bool isDefault = true);
    /// The stored (not virtual) mappings.
    QList<Dbrp> dbrps() const;

    /// Every request the emulator was sent.
    QList<TestHttpServer::Request> requests() const { return m_server.requests(); }

private:
    struct Bucket
    {
        QString id;
        QString name;
        QString type; ///< "user" or "system"
        qint64 retentionSeconds = 0;
        qint64 shardGroupSeconds = 0;
        QString storage; ///< the influxd database holding it
    };
    /// What GET /api/v2/dbrps filters on; empty / unset: any.
    struct DbrpFilter
    {
        QString bucketId;
        QString database;
        QString retentionPolicy;
        std::optional<bool> isDefault;
    };
    using Request = TestHttpServer::Request;
    using Reply = TestHttpServer::Reply;

    Reply handle(const Request &request);
    /// `scope`: the buckets a scoped token may read; nullptr for a token that may read all.
    Reply handleOrgs(const Request &request, const QStringList *scope);
    Reply handleBuckets(const Request &request, const QStringList *scope);
    Reply handleDbrps(const Request &request, const QStringList *scope);
    Reply handleWrite(const Request &request);
    Reply handleQuery(const Request &request);
    /// The token of the request (Token header; on the 1.x routes also Basic and u/p).
    QString tokenOf(const Request &request, bool v1) const;
    /// Whether the request's token is accepted at all, full or scoped.
    bool knownToken(const QString &token) const;
    /// Whether a token with `scope` may read the bucket (authorizer.AuthorizeReadBucket).
    bool mayRead(const QStringList *scope, const Bucket &bucket) const;
    QString bucketIdFor(int n) const;
    /// The organization's mappings that pass `filter`, as 2.x's dbrp Service::FindMany finds
    /// them: the stored ones, then (2.4+) a virtual one per user bucket.
    QList<Dbrp> findMany(const DbrpFilter &filter) const;
    /// The mapping statements without a policy read (getDefaultRP); else sets `problem`.
    std::optional<Dbrp> defaultMapping(const QString &database, QString *problem) const;
    /// The mapping a FROM source db/rp reads (normalizeMeasurement, then the shard mapper).
    std::optional<Dbrp> sourceMapping(const QString &database, const QString &retentionPolicy,
                                      const QString &defaultRetentionPolicy,
                                      QString *problem) const;
    std::optional<Bucket> bucketById(const QString &id) const;
    /// The series influxd answers to `statement` on `database`; else sets `problem`.
    QJsonArray influxdSeries(const QString &database, const QString &statement,
                             QString *problem) const;
    bool hasVirtualDbrps() const;
    qint64 shardGroupSeconds(const Bucket &bucket) const;
    /// Runs an InfluxQL statement on the influxd behind (POST); empty or the error.
    QString influxdStatement(const QString &statement) const;
    /// Sends the query to influxd and relays its answer as it streams.
    Reply forwardQuery(const Request &request, const QString &statement, const QString &bucket);
    std::optional<Bucket> bucketByName(const QString &name) const;

    Options m_options;
    InfluxdFixture m_influxd;
    TestHttpServer m_server;
    mutable QMutex m_mutex; ///< guards the state below
    QList<Bucket> m_buckets;
    QList<Dbrp> m_dbrps;
    int m_nextId = 1;
    bool m_closing = false;
    /// Producers of streamed /query answers, each with the flag it sets when it is done.
    std::vector<std::pair<std::thread, std::shared_ptr<std::atomic<bool>>>> m_relays;
};

} // namespace tsm::test
