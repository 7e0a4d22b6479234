#pragma once

#include "influx/InfluxApi.h"

#include <QList>
#include <QPair>
#include <QString>
#include <optional>

namespace tsm {

/**
 * The InfluxDB 2.x management API the 2.x source and sink share (PROTOCOLS.md §3):
 * organizations, buckets (paginated), DBRP mappings. Errors quote the server's
 * {"code","message"}. Thread-safe like the InfluxApi it uses.
 */
class InfluxV2Api
{
public:
    struct Organization
    {
        QString id;
        QString name;
    };

    struct Bucket
    {
        QString id;
        QString name;
        QString type;                 ///< "user" or "system"
        qint64 retentionSeconds = 0;  ///< 0 = forever
        qint64 shardGroupSeconds = 0; ///< 0 when the server did not say (2.0)

        /// `_monitoring`, `_tasks` and anything typed "system": not user data.
        bool isSystem() const;
        /// The shard group duration in nanoseconds: the bucket's own, else what InfluxDB picks
        /// for its retention (7 days for forever or ≥ 180 days, 1 day for ≥ 2 days, else 1 h).
        qint64 shardGroupDurationNs() const;
    };

    /// A database/retention-policy mapping: what InfluxQL's db and rp mean in a bucket.
    struct Dbrp
    {
        QString id;
        QString database;
        QString retentionPolicy;
        QString bucketId;
        bool isDefault = false;
        bool isVirtual = false; ///< 2.4+: derived from the bucket's name, not stored
    };

    /// `api` must outlive this object.
    explicit InfluxV2Api(InfluxApi &api) : m_api(api) {}

    /// True for an organization or bucket ID: 16 hexadecimal digits.
    static bool isId(const QString &text);

    /// The version /health reports, without a "v" prefix; empty when there is none.
    QString healthVersion(const CancelToken &cancel);
    /// ping(), with the version from /health where /ping gives none (or there is no /ping).
    /// Throws Config when the server is positively another major version than 2, with the
    /// advice for a 1.x or a 3.x server.
    ConnectionInfo identify(const CancelToken &cancel, const QString &adviceFor1,
                            const QString &adviceFor3);

    /// Checks `orgId` (what the user typed into the field labelled `label`) and returns the
    /// user buckets of that organization the token can read, every page of them. A name where
    /// the ID belongs is looked up and the message gives the ID; an ID no organization has is
    /// NotFound. Throws Auth for a wrong token.
    QList<Bucket> organizationBuckets(const QString &orgId, const QString &label,
                                      const CancelToken &cancel);
    /// The bucket called `name` in the organization, if there is one.
    std::optional<Bucket> findBucket(const QString &orgId, const QString &name,
                                     const CancelToken &cancel);
    /// POST /api/v2/buckets with infinite retention.
    Bucket createBucket(const QString &orgId, const QString &name, const CancelToken &cancel);

    /// GET /api/v2/dbrps?orgID=...&<filter> (on 2.4+ including the virtual mappings).
    QList<Dbrp> dbrps(const QString &orgId, const QList<QPair<QByteArray, QString>> &filter,
                      const CancelToken &cancel);
    /// POST /api/v2/dbrps, default mapping. False when the server says it exists already (422).
    bool createDbrp(const QString &orgId, const QString &bucketId, const QString &database,
                    const QString &retentionPolicy, const CancelToken &cancel);

private:
    QString where() const;
    Organization organizationByName(const QString &name, const CancelToken &cancel, bool *refused);

    InfluxApi &m_api;
};

} // namespace tsm
