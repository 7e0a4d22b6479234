#pragma once

#include "core/CancelToken.h"
#include "core/Count.h"
#include "core/LpDialect.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>
#include <functional>
#include <limits>
#include <mutex>
#include <optional>

namespace tsm {

enum class FieldType
{
    Float,
    Integer,
    Unsigned,
    String,
    Boolean
};
QString fieldTypeName(FieldType type);

/** A half-open time range [start, end) in int64 nanoseconds UTC. */
struct TimeRange
{
    qint64 start = 0;
    qint64 end = 0;
    bool isEmpty() const { return end <= start; }
};

/** What a connection check found at the other end. */
struct ConnectionInfo
{
    QString product; ///< "InfluxDB", "TDengine", "line-protocol file"
    QString version; ///< as the server reports it, e.g. "1.6.7~rc0"
    QString detail;  ///< build, auth mode, file size: one line for a person
};

struct FieldInfo
{
    QString name;
    /// More than one type when shards disagree (InfluxDB lists the field once per type).
    QList<FieldType> types;
};

struct MeasurementSchema
{
    QString name;
    QStringList tagKeys;
    QList<FieldInfo> fields;
};

/**
 * One unit of reading as the planner proposes it. For time-series sources `start`/`end` are
 * nanoseconds; for a line-protocol file they are byte offsets and `context` holds the
 * database/retention policy in force at `start`.
 */
struct PlannedUnit
{
    QString measurement;
    QString context;
    qint64 start = 0;
    qint64 end = 0;
};

/** A unit handed to a reader: a planned unit with its ledger id. */
struct ReadUnit : PlannedUnit
{
    qint64 id = 0;
};

/** Where a source puts what it reads; implemented by the pipeline. */
class BatchOutput
{
public:
    virtual ~BatchOutput() = default;
    /// Append complete line-protocol lines (each ending in '\n') here...
    virtual QByteArray &buffer() = 0;
    /// ...then call this once per appended line. It may hand a full batch to the writers and
    /// block while their queue is full.
    virtual void lineAppended() = 0;
    /// A point that cannot be carried to the target (e.g. a name line protocol cannot express).
    /// It is recorded in the rejects file with the reason and counted; nothing is dropped silently.
    virtual void reject(const QByteArray &description, const QString &reason) = 0;
};

class Error;

/**
 * Lets sources and sinks report each retry they make, so the task can count and log them. The
 * listener may be replaced while other threads (readers, the estimator) report: it is called
 * under a lock, so once setRetryListener() returns the old one is no longer running.
 */
class RetryNotifier
{
public:
    using Listener =
        std::function<void(const QString &what, const Error &error, int attempt, int delayMs)>;
    void setRetryListener(Listener listener)
    {
        std::lock_guard<std::mutex> lock(m_listenerMutex);
        m_retryListener = std::move(listener);
    }

protected:
    void notifyRetry(const QString &what, const Error &error, int attempt, int delayMs) const
    {
        std::lock_guard<std::mutex> lock(m_listenerMutex);
        if (m_retryListener)
            m_retryListener(what, error, attempt, delayMs);
    }

private:
    mutable std::mutex m_listenerMutex;
    Listener m_retryListener;
};

/** What to plan: the task's database, measurements and time range. */
struct PlanRequest
{
    QString database;
    QString retentionPolicy;
    QStringList measurements; ///< empty = all
    /// An InfluxQL condition on tags every statement about data adds (task.seriesFilter); empty
    /// = every series. Only sources that read InfluxQL take one.
    QString seriesFilter;
    TimeRange range;
    qint64 windowNs = 3600LL * 1000000000LL;
};

/**
 * A place data is read from. Implementations are thread-safe: the pipeline calls read() from
 * several threads at once.
 */
class Source : public RetryNotifier
{
public:
    virtual ~Source() = default;

    virtual QString describe() const = 0;
    virtual ConnectionInfo checkConnection(const CancelToken &cancel) = 0;
    virtual QStringList listDatabases(const CancelToken &cancel) = 0;
    virtual QStringList listMeasurements(const QString &database, const CancelToken &cancel) = 0;
    virtual MeasurementSchema schema(const QString &database, const QString &measurement,
                                     const CancelToken &cancel) = 0;
    /// Time of the first and last point (end = last + 1 ns), or nothing when there is no data.
    virtual std::optional<TimeRange> timeBounds(const QString &database, const QString &measurement,
                                                const CancelToken &cancel) = 0;
    /// Split the task into read units, clipped to where data is.
    virtual QList<PlannedUnit> plan(const PlanRequest &request, const CancelToken &cancel) = 0;
    /// The points of `measurement` within the request's range, from a cheap query (a count, not a
    /// read); nothing when this source cannot tell. Throws tsm::Error on failure.
    virtual std::optional<qint64> estimatePoints(const PlanRequest &request,
                                                 const QString &measurement,
                                                 const CancelToken &cancel)
    {
        Q_UNUSED(request);
        Q_UNUSED(measurement);
        Q_UNUSED(cancel);
        return std::nullopt;
    }
    /// A source whose read units hold several measurements (a line-protocol file's byte
    /// ranges): the points of each measurement within the request, by name; nothing where the
    /// units are per measurement or the source cannot tell. Throws tsm::Error on failure.
    virtual std::optional<QHash<QString, qint64>> pointsByMeasurement(const PlanRequest &request,
                                                                      const CancelToken &cancel)
    {
        Q_UNUSED(request);
        Q_UNUSED(cancel);
        return std::nullopt;
    }
    // What a plan asks besides plan() (none of these changes anything):
    /// The stretches of the request's range within which each field keeps one type (InfluxDB's
    /// shard groups), sorted; empty where a field has one type throughout.
    virtual QList<TimeRange> typeStretches(const PlanRequest &request, const CancelToken &cancel)
    {
        Q_UNUSED(request);
        Q_UNUSED(cancel);
        return {};
    }
    /// The type `field` of `measurement` has within `stretch` (one of typeStretches()) and how
    /// many values of it there are; nothing when the stretch holds none or the source cannot
    /// tell. Throws tsm::Error on failure.
    virtual std::optional<QPair<FieldType, qint64>>
    fieldTypeWithin(const PlanRequest &request, const QString &measurement, const QString &field,
                    const TimeRange &stretch, const CancelToken &cancel)
    {
        Q_UNUSED(request);
        Q_UNUSED(measurement);
        Q_UNUSED(field);
        Q_UNUSED(stretch);
        Q_UNUSED(cancel);
        return std::nullopt;
    }
    /// What a person should know about the values this source delivers, in sentences (e.g. that
    /// the server rounds some of them); empty for most sources. Throws tsm::Error on failure.
    virtual QStringList notes(const CancelToken &cancel)
    {
        Q_UNUSED(cancel);
        return {};
    }
    /// Throws Error(Config), naming the option and with the server's own words, when the source
    /// refuses what the request asks of it (a series filter its parser rejects); checked before
    /// anything is written. Nothing to check for most sources.
    virtual void checkRequest(const PlanRequest &request, const CancelToken &cancel)
    {
        Q_UNUSED(request);
        Q_UNUSED(cancel);
    }
    /// How many units the pipeline should read at once at most: a source whose units follow one
    /// another in one stream (a file read front to back) reads best with one reader.
    virtual int maxParallelReads() const { return std::numeric_limits<int>::max(); }
    /// Whether a unit's start and end are times (a unit = the data in a time window). A file's
    /// units are byte ranges: a run with another time range cannot add to what they read.
    virtual bool unitsAreTimeWindows() const { return true; }
    /// Read one unit as line protocol for the given dialect. Throws tsm::Error on failure.
    virtual void read(const ReadUnit &unit, const PlanRequest &request, const LpDialect &dialect,
                      BatchOutput &out, const CancelToken &cancel) = 0;

    /// The windows verification compares for the `done` units of the ledger: by default one
    /// per unit. A source whose units are not time windows (a file's byte ranges) makes its own.
    virtual QList<CountWindow> countWindows(const PlanRequest &request,
                                            const QList<ReadUnit> &done,
                                            const CancelToken &cancel);
    /// What the source holds in `window` (within the request's database, policy and
    /// measurements), counted per field and, where it can, per point. Thread-safe: verification
    /// counts several windows at once. Throws tsm::Error on failure.
    virtual PointCount count(const PlanRequest &request, const CountWindow &window,
                             const CancelToken &cancel) = 0;
};

} // namespace tsm
