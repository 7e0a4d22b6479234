#pragma once

#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>
#include <optional>

namespace tsm {

struct TaskProfile;

/**
 * How a running task fares, in the states taosX gives its tasks since 3.3.5: ready, idle (no new
 * data for a while), busy (the write queue is full), bounce (write errors above a threshold
 * within a window), a source or sink error (reconnecting), fatal.
 */
enum class TaskHealth
{
    Ready,
    Idle,
    Busy,
    Bounce,
    SourceError,
    SinkError,
    Fatal
};
/// "Ready", "SourceError": the names taosX uses, in the store, the CLI and the metrics.
QString taskHealthName(TaskHealth health);
std::optional<TaskHealth> taskHealthFromName(const QString &name);
/// Every health, in the order of the enum.
QList<TaskHealth> allTaskHealths();

/** The thresholds of the health states (advanced options). */
struct HealthThresholds
{
    int bounceErrors = 10;        ///< write errors within the window that make a task bounce
    int bounceWindowSeconds = 60; ///< the window
    int idleSeconds = 60;         ///< following without new data this long makes a task idle

    static HealthThresholds of(const TaskProfile &profile);
};

/** What a run has seen so far: its counters, cumulative over the run, at one moment. */
struct HealthObservation
{
    qint64 nowMs = 0;
    qint64 pointsRead = 0;
    qint64 pointsWritten = 0;
    qint64 sourceFailures = 0; ///< source requests that failed and were tried again
    qint64 sinkReconnects = 0; ///< writes that found no target (network, timeout, TLS)
    qint64 writeErrors = 0;    ///< writes the target answered with an error, or refused in part
    qint64 queueFullWaits = 0; ///< times a reader waited for room in the write queue
    int waitingForRoom = 0;    ///< readers waiting for room in the write queue now
    bool following = false;    ///< the history is done and the run waits for new data
    bool failed = false;       ///< the run ended with an error
};

/**
 * Turns a run's observations, taken in time order, into its health. A side that failed stays in
 * error until it works again (a point read from the source, written to the target); write
 * errors count within the sliding window. Pure: the time is the observation's, so a test gives
 * any sequence of times it wants.
 */
class HealthTracker
{
public:
    explicit HealthTracker(HealthThresholds thresholds);

    /// Takes the observation in and returns the health it makes.
    TaskHealth observe(const HealthObservation &now);
    TaskHealth health() const { return m_health; }
    /// Why, in a few words ("12 write errors in 60 s"); empty when ready.
    QString detail() const { return m_detail; }

private:
    void countWriteErrors(qint64 nowMs, qint64 added);
    void decide(const HealthObservation &now);

    HealthThresholds m_thresholds;
    std::optional<HealthObservation> m_last;
    bool m_sourceDown = false;
    bool m_sinkDown = false;
    bool m_busy = false;
    qint64 m_lastNewDataMs = -1;
    QList<QPair<qint64, qint64>> m_writeErrors; ///< (time, count) within the window
    qint64 m_writeErrorsInWindow = 0;
    TaskHealth m_health = TaskHealth::Ready;
    QString m_detail;
};

} // namespace tsm
