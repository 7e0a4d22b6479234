#pragma once

#include "core/Batch.h"
#include "core/CancelToken.h"
#include "core/Error.h"
#include "core/Sink.h"
#include "core/Source.h"
#include "http/Retry.h"
#include "run/Pace.h"

#include <CheckpointStore.h>
#include <QList>
#include <QString>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace tsm {

struct PipelineSettings
{
    int readConcurrency = 4;
    int writeConcurrency = 4;
    int batchSize = 5000;
    /// A batch is also handed over when its text reaches this size (huge string fields).
    qint64 maxBatchBytes = 16LL << 20;
    /// Readers wait while the batches queued for the writers hold this much.
    qint64 maxQueuedBytes = 32LL << 20;
    /// How often, and after what pause, a unit whose read broke after points arrived is read
    /// again from its start.
    RetryPolicy unitRetry;
    /// Points written per second over all writers (advanced.maxPointsPerSecond); 0 = no limit.
    qint64 maxPointsPerSecond = 0;
    /// A reader's pause between two consecutive reads (advanced.readIntervalMs).
    int readIntervalMs = 0;
    /// The first point the target refuses stops the run (advanced.onRefused = stop): its unit
    /// is not done, the run ends with an Error(Rejected) naming the measurement and the reason.
    bool stopOnRefused = false;
    /// What the rate limit and the pauses go by; nullptr = the steady clock.
    PaceClock *clock = nullptr;
};

/** How one unit ended in this run. */
struct UnitOutcome
{
    qint64 unitId = 0;
    bool ok = false;
    qint64 pointsRead = 0;
    qint64 pointsWritten = 0;
    qint64 pointsRejected = 0;
    QString error;
    ErrorKind errorKind = ErrorKind::Protocol;
    /// A unit of no one measurement (a line-protocol file's byte range): what it wrote and the
    /// target rejected of each measurement.
    std::optional<QList<MeasurementCount>> measurements;
};

/** Live counters of a run, read by the runner once a second. */
struct PipelineCounters
{
    std::atomic<qint64> pointsRead{0};
    std::atomic<qint64> pointsWritten{0};
    std::atomic<qint64> pointsRejected{0};
    std::atomic<qint64> retries{0};
    // What the task's health is made of (TaskHealth).
    std::atomic<qint64> sourceFailures{0}; ///< source requests tried again
    std::atomic<qint64> sinkReconnects{0}; ///< writes tried again that found no target
    std::atomic<qint64> writeErrors{0};    ///< writes answered with an error or refused in part
    std::atomic<qint64> queueFullWaits{0}; ///< a reader waited for room in the write queue
    std::atomic<int> readersWaitingForRoom{0}; ///< readers waiting for room now
    std::atomic<int> readersBusy{0};
    std::atomic<int> writersBusy{0};
};

/** What the pipeline tells its owner; called from reader and writer threads. */
class PipelineObserver
{
public:
    virtual ~PipelineObserver() = default;
    virtual void unitStarted(qint64 unitId) = 0;
    virtual void unitFinished(const UnitOutcome &outcome) = 0;
    /// A point that will not reach the target, with the reason (for the rejects file).
    virtual void pointRejected(qint64 unitId, const QByteArray &line, const QString &reason) = 0;
    virtual void retrying(const QString &what, const Error &error, int attempt, int delayMs) = 0;
};

/**
 * Moves read units from a source to a sink: up to *read concurrency* units read at once into
 * batches of *batch size* points, a queue bounded in bytes (readers wait when it is full, so
 * memory stays bounded whatever the data size), up to *write concurrency* writes at once. A
 * unit is reported finished only when every one of its points has been acknowledged by the
 * sink or rejected with a reason.
 *
 * A unit whose read breaks after some of its points arrived (a reset, a cut stream) is read
 * again from its start after a pause, while the others go on: its lines still in the reader's
 * batch are taken out, those already handed to the writers are written (the target overwrites
 * the same series and time) but no longer counted. A source that stays unusable stops the
 * reading; what was read already is still written.
 */
class Pipeline
{
public:
    Pipeline(Source &source, Sink &sink, PlanRequest request, LpDialect dialect,
             PipelineSettings settings, PipelineObserver &observer);

    struct Result
    {
        enum class Status
        {
            Finished,
            Cancelled,
            Fatal
        } status = Status::Finished;
        /// Fatal: the error that stopped the run (auth, target unavailable after retries...).
        std::optional<Error> fatal;
        int unitsFailed = 0;
    };

    /// Runs the units; blocks until all are finished, `cancel` fires, or a fatal error (which
    /// also fires `cancel` so every thread stops).
    Result run(const QList<ReadUnit> &units, CancelToken &cancel);

    const PipelineCounters &counters() const { return m_counters; }

private:
    class Assembler;
    struct UnitState
    {
        int attempt = 0; ///< the read whose lines count; older ones are superseded
        qint64 read = 0;
        qint64 written = 0;
        qint64 rejected = 0;
        int pendingBatches = 0;
        bool readDone = false;
        bool failed = false;
        QString error;
        ErrorKind errorKind = ErrorKind::Protocol;
        /// The unit holds several measurements: its lines are counted per measurement
        /// (escaped name → written, rejected).
        bool mixed = false;
        std::map<std::string, std::pair<qint64, qint64>, std::less<>> byMeasurement;
    };
    /// Counts the lines the target took of each mixed unit in `batch` per measurement.
    void countByMeasurement(const Batch &batch, const std::unordered_map<qint64, bool> &superseded);

    void readerLoop();
    /// Reads one unit, again from its start when the read breaks mid-answer. False when the
    /// reader must stop (cancelled, or the source is unusable).
    bool readUnit(const ReadUnit &unit, Assembler &assembler);
    /// Waits advanced.readIntervalMs before a reader's next read; false when stopped meanwhile.
    bool pauseBetweenReads();
    void writerLoop();
    bool takeUnit(ReadUnit &unit);
    bool unitsLeft();
    void enqueue(Batch &&batch);
    bool dequeue(Batch &batch);
    void addPending(qint64 unitId);
    void removePending(qint64 unitId);
    /// Lines of the unit's reads so far no longer count; returns the new attempt number.
    int supersede(qint64 unitId);
    void readFinished(qint64 unitId, qint64 read, qint64 rejected, const Error *error);
    void batchWritten(const Batch &batch, const WriteResult &result);
    void finishIfComplete(qint64 unitId, UnitState &state); // called with m_unitsMutex held
    /// The target failed: everything stops.
    void fail(const Error &error);
    /// Counts a failed write for the task's health: the sink reconnecting, or a write error.
    void countWriteFailure(const Error &error);
    /// With stopOnRefused: the unit of a refused point fails and the run stops. Called with
    /// m_unitsMutex held when `state` is given (a write's refusal), without it otherwise.
    void refused(qint64 unitId, UnitState *state, const QByteArray &line, const QString &reason);
    /// The source is unusable: no more units are read, what was read is still written.
    void stopReading(const Error &error);

    Source &m_source;
    Sink &m_sink;
    PlanRequest m_request;
    LpDialect m_dialect;
    PipelineSettings m_settings;
    PipelineObserver &m_observer;
    PipelineCounters m_counters;
    PaceClock &m_clock;
    std::optional<TokenBucket> m_rateLimit;
    CancelToken *m_cancel = nullptr;
    CancelToken m_readCancel; ///< the reads: fires with m_cancel, or when the source is unusable

    std::mutex m_workMutex;
    std::deque<ReadUnit> m_work;
    std::atomic<bool> m_readingStopped{false};

    std::mutex m_queueMutex;
    std::condition_variable m_queueNotFull;
    std::condition_variable m_queueNotEmpty;
    std::deque<Batch> m_queue;
    qint64 m_queuedBytes = 0;
    bool m_readersDone = false;

    std::mutex m_unitsMutex;
    std::unordered_map<qint64, UnitState> m_units;
    int m_unitsFailed = 0;

    std::mutex m_fatalMutex;
    std::optional<Error> m_fatal;
};

} // namespace tsm
