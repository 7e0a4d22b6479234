#pragma once

#include "influx/InfluxV2Api.h"
#include "sources/InfluxSource.h"

#include <QHash>
#include <mutex>
#include <optional>

namespace tsm {

/**
 * Reads InfluxDB 2.x (and Cloud) with a token through the same InfluxQL on /query as 1.x: the
 * task's bucket is read through its database/retention-policy mapping (added on request), and
 * read units follow the bucket's own shard groups, since SHOW SHARDS does not exist there and
 * SHOW RETENTION POLICIES always says 168h.
 */
class InfluxV2Source : public InfluxSource
{
public:
    /// `orgId`: the organization ID as the user typed it; `addDbrp`: create a missing mapping.
    InfluxV2Source(InfluxEndpoint endpoint, RetryPolicy retry, QString orgId, bool addDbrp);

    /// What a bucket is called in InfluxQL, and the bucket itself.
    struct Mapping
    {
        QString database;
        QString retentionPolicy;
        InfluxV2Api::Bucket bucket;
        bool isDefault = false; ///< what statements without a policy read for the database
    };

    QString describe() const override;
    ConnectionInfo checkConnection(const CancelToken &cancel) override;
    /// The organization's user buckets (system buckets left out).
    QStringList listDatabases(const CancelToken &cancel) override;
    QStringList listMeasurements(const QString &bucket, const CancelToken &cancel) override;
    MeasurementSchema schema(const QString &bucket, const QString &measurement,
                             const CancelToken &cancel) override;
    std::optional<TimeRange> timeBounds(const QString &bucket, const QString &measurement,
                                        const CancelToken &cancel) override;
    QList<TimeRange> typeStretches(const PlanRequest &request, const CancelToken &cancel) override;
    std::optional<QPair<FieldType, qint64>>
    fieldTypeWithin(const PlanRequest &request, const QString &measurement, const QString &field,
                    const TimeRange &stretch, const CancelToken &cancel) override;
    std::optional<qint64> estimatePoints(const PlanRequest &request, const QString &measurement,
                                         const CancelToken &cancel) override;
    void read(const ReadUnit &unit, const PlanRequest &request, const LpDialect &dialect,
              BatchOutput &out, const CancelToken &cancel) override;
    /// Through the bucket's mapping, as reads are.
    PointCount count(const PlanRequest &request, const CountWindow &window,
                     const CancelToken &cancel) override;
    /// Aligned to the shard group duration of the bucket behind database/rp.
    QList<TimeRange> shardGroups(const QString &database, const QString &retentionPolicy,
                                 const TimeRange &range, const CancelToken &cancel) override;

    /// The mapping InfluxQL reads `bucket` through: the bucket's default one, else any, that
    /// queries resolve to this bucket; when there is none it is created (with addDbrp) or
    /// Error(Config) says how to add one.
    Mapping mapping(const QString &bucket, const CancelToken &cancel);

protected:
    /// The bucket's database and retention policy from its DBRP mapping.
    PlanRequest resolved(const PlanRequest &request, const CancelToken &cancel) override;
    /// The bucket's shard groups (the request already names its mapping).
    QList<TimeRange> countGroups(const PlanRequest &request, const CancelToken &cancel) override;
    /// SHOW MEASUREMENTS ON "db"."rp" (2.1+); before 2.1, where the mapping is not the
    /// database's default one, the measurements a regex FROM "db"."rp"./.*/ finds.
    QStringList listMeasurementsIn(const QString &database, const QString &retentionPolicy,
                                   const CancelToken &cancel) override;

private:
    /// The bucket called `name`, looked up by name: with a token scoped to some buckets 2.x
    /// filters each page of the list after paging it, so a short page is not the list's end.
    InfluxV2Api::Bucket bucketNamed(const QString &name, const CancelToken &cancel);
    /// The mappings of `bucket` that queries resolve to it, the default one first; `shadowed`
    /// gets those another bucket's stored mapping takes.
    QList<InfluxV2Api::Dbrp> usableMappings(const InfluxV2Api::Bucket &bucket,
                                            QStringList *shadowed, const CancelToken &cancel);
    /// Tag keys of database/rp's measurement; SHOW TAG KEYS reads only the default mapping.
    QStringList tagKeys(const Mapping &mapping, const QString &measurement,
                        const CancelToken &cancel);
    bool isDefaultMapping(const QString &database, const QString &retentionPolicy);

    /// The request with the bucket replaced by its database and retention policy.
    PlanRequest inInfluxQl(const PlanRequest &request, const CancelToken &cancel);

    InfluxV2Api m_v2;
    QString m_orgId;
    bool m_addDbrp;
    std::mutex m_mutex; ///< guards the two caches; held while a mapping is resolved
    std::optional<QList<InfluxV2Api::Bucket>> m_buckets;
    QHash<QString, Mapping> m_mappings; ///< by bucket name
};

} // namespace tsm
