#pragma once

#include "sources/InfluxSource.h"

namespace tsm {

/**
 * Reads the InfluxDB 3 family (3 Core and Enterprise, Cloud Dedicated, Clustered) through its
 * 1.x-compatible InfluxQL on /query: databases without retention policies, and no shard
 * groups to keep read units inside, as a column keeps one type per table there.
 */
class InfluxV3Source : public InfluxSource
{
public:
    using InfluxSource::InfluxSource;

    QString describe() const override;
    ConnectionInfo checkConnection(const CancelToken &cancel) override;
    QStringList listDatabases(const CancelToken &cancel) override;
    /// None: a column has one type in a table.
    QList<TimeRange> typeStretches(const PlanRequest &, const CancelToken &) override { return {}; }
    /// The whole range: InfluxDB 3 has no shard groups with types of their own.
    QList<TimeRange> shardGroups(const QString &database, const QString &retentionPolicy,
                                 const TimeRange &range, const CancelToken &cancel) override;

protected:
    /// The database checked; InfluxDB 3 has no retention policies.
    PlanRequest resolved(const PlanRequest &request, const CancelToken &cancel) override;
    /// The whole range, without asking for retention policies InfluxDB 3 does not have.
    QList<TimeRange> countGroups(const PlanRequest &request, const CancelToken &cancel) override;
    /// JSON: 3.0–3.6 have no msgpack (500) and 3.7+ send it as positional arrays; the decoder
    /// types JSON numbers from SHOW FIELD KEYS, as 3.x prints a float 100.0 as 100 (3.7+).
    QByteArray readFormat() const override { return QByteArrayLiteral("application/json"); }
    /// "m" alone, read in the database named by the db parameter.
    QString fromClause(const QString &database, const QString &retentionPolicy,
                       const QString &measurement) const override;
};

} // namespace tsm
