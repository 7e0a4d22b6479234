#pragma once

#include "core/Source.h"
#include "influx/InfluxApi.h"

#include <QHash>
#include <mutex>

namespace tsm {

/**
 * Reads InfluxDB through InfluxQL on /query (1.x with Basic auth; 2.x/3.x with a token through the
 * same v1 surface): schema from SHOW statements, data streamed chunk by chunk in msgpack (JSON
 * when the server has no msgpack, and always for InfluxDB 3). Read units never span two shard
 * groups, because a query across shards coerces or drops values whose type differs between them.
 */
class InfluxSource : public Source
{
public:
    InfluxSource(InfluxEndpoint endpoint, RetryPolicy retry);

    /// Rows per chunk the server is asked for (chunk_size).
    void setChunkSize(int rows) { m_chunkSize = rows; }

    QString describe() const override;
    ConnectionInfo checkConnection(const CancelToken &cancel) override;
    QStringList listDatabases(const CancelToken &cancel) override;
    QStringList listMeasurements(const QString &database, const CancelToken &cancel) override;
    MeasurementSchema schema(const QString &database, const QString &measurement,
                             const CancelToken &cancel) override;
    std::optional<TimeRange> timeBounds(const QString &database, const QString &measurement,
                                        const CancelToken &cancel) override;
    QList<PlannedUnit> plan(const PlanRequest &request, const CancelToken &cancel) override;
    /// Sends a read of one nanosecond of the first measurement with the series filter: the
    /// server's parser judges it.
    void checkRequest(const PlanRequest &request, const CancelToken &cancel) override;
    std::optional<qint64> estimatePoints(const PlanRequest &request, const QString &measurement,
                                         const CancelToken &cancel) override;
    void read(const ReadUnit &unit, const PlanRequest &request, const LpDialect &dialect,
              BatchOutput &out, const CancelToken &cancel) override;
    /// SELECT COUNT(*) over the window, per shard group as reads are (a query across groups
    /// coerces or drops values whose type differs between them): the values of each field.
    PointCount count(const PlanRequest &request, const CountWindow &window,
                     const CancelToken &cancel) override;
    /// The shard groups of the task's retention policy.
    QList<TimeRange> typeStretches(const PlanRequest &request, const CancelToken &cancel) override;
    /// SELECT COUNT(f), LAST(f) within the shard group, answered in msgpack, which keeps the
    /// value's type (in one shard group a field has one type).
    std::optional<QPair<FieldType, qint64>>
    fieldTypeWithin(const PlanRequest &request, const QString &measurement, const QString &field,
                    const TimeRange &stretch, const CancelToken &cancel) override;

    /// The retention policy a task reads: the one it names, else the database's default.
    QString resolveRetentionPolicy(const QString &database, const QString &requested,
                                   const CancelToken &cancel);
    /// Shard-group boundaries of database/rp that overlap `range`, sorted. From SHOW SHARDS;
    /// where that is not allowed (it needs admin rights), computed from the retention policy's
    /// shard group duration, as InfluxDB aligns groups to multiples of it.
    virtual QList<TimeRange> shardGroups(const QString &database, const QString &retentionPolicy,
                                         const TimeRange &range, const CancelToken &cancel);

    /// Where InfluxDB starts the shard group of `duration` holding `time`.
    static qint64 shardGroupStart(qint64 time, qint64 duration);
    /// The groups of `duration` that overlap `range`, clipped to it.
    static QList<TimeRange> alignedShardGroups(const TimeRange &range, qint64 duration);

    InfluxApi &api() { return m_api; }
    const InfluxApi &api() const { return m_api; }

protected:
    /// Throws Config when `database` is empty, NotFound when listDatabases() lacks it.
    void checkDatabase(const QString &database, const CancelToken &cancel);
    /// The request as statements name it: its database checked, its retention policy resolved
    /// (the one it names, else the database's default).
    virtual PlanRequest resolved(const PlanRequest &request, const CancelToken &cancel);
    /// plan() once the database is known to exist and its retention policy is resolved:
    /// measurements × shard groups × windows, clipped to where data is.
    QList<PlannedUnit> planUnits(const PlanRequest &request, const QString &retentionPolicy,
                                 const CancelToken &cancel);
    /// The Accept header of read(): msgpack, which keeps value types apart in 1.x and 2.x.
    virtual QByteArray readFormat() const { return QByteArrayLiteral("application/x-msgpack"); }
    /// How a measurement is named in FROM: "db"."rp"."m" ("db".."m" without a policy).
    virtual QString fromClause(const QString &database, const QString &retentionPolicy,
                               const QString &measurement) const;

    /// For servers that read every name without a retention policy from the database's default
    /// one (InfluxDB 2.x's default mapping): the policy is then named in every statement about
    /// a measurement and sent as rp= with it, and a measurement with a field of more than one
    /// type is read in units of at most an hour, as shard groups keep the duration they were
    /// created with (at least an hour) and the policy's current one need not cut at theirs.
    void setNamesRetentionPolicy(bool on) { m_namesRetentionPolicy = on; }
    /// The measurements plan() reads in database/rp; here those of the database.
    virtual QStringList listMeasurementsIn(const QString &database, const QString &retentionPolicy,
                                           const CancelToken &cancel);
    /// timeBounds() of database/rp ("db".."m" without a policy).
    std::optional<TimeRange> timeBoundsIn(const QString &database, const QString &retentionPolicy,
                                          const QString &measurement, const CancelToken &cancel);
    /// The types of each field of the measurement; of database/rp with setNamesRetentionPolicy.
    QHash<QString, QList<FieldType>> fieldTypes(const QString &database,
                                                const QString &retentionPolicy,
                                                const QString &measurement,
                                                const CancelToken &cancel);
    /// The shard groups count() keeps a window within: those of the request's policy (the
    /// database's default one when it names none) over the request's range, read once.
    virtual QList<TimeRange> countGroups(const PlanRequest &request, const CancelToken &cancel);
    /// A statement on database with rp= where setNamesRetentionPolicy asks for it.
    QList<QuerySeries> queryIn(const QString &statement, const QString &database,
                               const QString &retentionPolicy, const CancelToken &cancel);

private:
    std::optional<TimeRange> boundsWithin(const QString &from, const QString &database,
                                          const QString &retentionPolicy, const TimeRange &range,
                                          const CancelToken &cancel,
                                          const QString &condition = QString());
    /// The time of the first (or last) point of `from` within `range` (and `condition`).
    std::optional<qint64> edgeTime(const QString &from, const QString &database,
                                   const QString &retentionPolicy, const TimeRange &range,
                                   bool last, const CancelToken &cancel,
                                   const QString &condition = QString());
    /// Throws Error(Config) naming task.seriesFilter with the server's parse message when the
    /// source refuses the request's series filter in a read of `measurement`.
    void checkSeriesFilter(const PlanRequest &request, const QString &retentionPolicy,
                           const QString &measurement, const CancelToken &cancel);

    InfluxApi m_api;
    int m_chunkSize = 10000;
    bool m_namesRetentionPolicy = false;
    std::mutex m_cacheMutex;
    QHash<QString, QHash<QString, QList<FieldType>>>
        m_fieldTypeCache; ///< key db + '\n' + rp + '\n' + measurement
    QHash<QString, QList<TimeRange>> m_countGroups; ///< key db, rp, range start and end
};

} // namespace tsm
