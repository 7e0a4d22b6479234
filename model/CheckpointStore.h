#pragma once

#include "Lease.h"
#include "Renaming.h"
#include "TaskHealth.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <functional>
#include <memory>
#include <optional>

namespace tsm {

namespace store {
class Connection;
}

enum class TaskState
{
    Idle,
    Planning,
    Running,
    Paused,
    Stopped,
    Completed,
    Failed,
    Retrying ///< waiting out a failure that may pass (a server down): lastError says which
};
QString taskStateName(TaskState state);
/// Whether a run works on the task in this state (planning, running, retrying).
bool isActive(TaskState state);
std::optional<TaskState> taskStateFromName(const QString &name);

enum class UnitStatus
{
    Pending,
    Running,
    Done,
    Failed
};
QString unitStatusName(UnitStatus status);

struct TaskRecord
{
    qint64 id = 0;
    QString name;
    QByteArray profileJson; ///< without secrets
    TaskState state = TaskState::Idle;
    QString lastError;
    bool planned = false;   ///< all units of the history phase are in the ledger
    qint64 planStartNs = 0; ///< the history range that was planned
    qint64 planEndNs = 0;
    /// What the planned ledger selects besides its range (database, policy, measurements,
    /// tables, series filter); empty for a plan made before it was recorded.
    QString planScope;
    qint64 watermarkNs = 0; ///< realtime: everything before this is acknowledged
    TaskHealth health = TaskHealth::Ready; ///< as the run that works on it saw it last
    QString healthDetail;                  ///< why, in a few words; empty when ready
    qint64 createdMs = 0;
    qint64 updatedMs = 0;
};

struct UnitRecord
{
    qint64 id = 0;
    qint64 taskId = 0;
    QString measurement;
    QString context;
    qint64 rangeStart = 0;
    qint64 rangeEnd = 0;
    UnitStatus status = UnitStatus::Pending;
    int attempts = 0;
    qint64 pointsRead = 0;
    qint64 pointsWritten = 0;
    qint64 pointsRejected = 0;
    QString lastError;
    qint64 updatedMs = 0;
};

/** A change to one unit; fields left at -1 / empty keep their stored value. */
/** What a unit holding several measurements (a line-protocol file's byte range) wrote of one. */
struct MeasurementCount
{
    QString measurement;
    qint64 pointsWritten = 0;
    qint64 pointsRejected = 0;
    bool operator==(const MeasurementCount &o) const
    {
        return measurement == o.measurement && pointsWritten == o.pointsWritten &&
               pointsRejected == o.pointsRejected;
    }
};

struct UnitUpdate
{
    qint64 unitId = 0;
    UnitStatus status = UnitStatus::Pending;
    int attemptsDelta = 0;
    qint64 pointsRead = -1;
    qint64 pointsWritten = -1;
    qint64 pointsRejected = -1;
    std::optional<QString> lastError;
    /// A unit of several measurements: what it wrote of each, replacing what the unit had;
    /// nothing keeps what it had.
    std::optional<QList<MeasurementCount>> measurements;
};

/** Progress of one task at one moment, taken once a second while it runs. */
struct ProgressSample
{
    qint64 taskId = 0;
    qint64 timeMs = 0;
    qint64 pointsRead = 0;     ///< cumulative over the task's life
    qint64 pointsWritten = 0;  ///< cumulative
    qint64 pointsRejected = 0; ///< cumulative
    qint64 unitsDone = 0;
    qint64 unitsTotal = 0;
    qint64 retries = 0; ///< cumulative
    int readersBusy = 0;
    int writersBusy = 0;
};

enum class EventLevel
{
    Error = 0,
    Warn = 1,
    Info = 2,
    Debug = 3,
    Trace = 4
};
QString eventLevelName(EventLevel level);
std::optional<EventLevel> eventLevelFromName(const QString &name);

struct EventRecord
{
    qint64 id = 0;
    qint64 taskId = 0;
    qint64 timeMs = 0;
    EventLevel level = EventLevel::Info;
    QString message;
};

/** Per-task totals of the ledger. */
struct UnitTotals
{
    qint64 total = 0;
    qint64 pending = 0;
    qint64 running = 0;
    qint64 done = 0;
    qint64 failed = 0;
    qint64 pointsRead = 0;
    qint64 pointsWritten = 0;
    qint64 pointsRejected = 0;
};

/// An estimate not made yet (measurementProgress(); estimates() has no entry then).
constexpr qint64 kNotEstimated = -2;
/// The source cannot estimate (e.g. a line-protocol file): stored as the estimate.
constexpr qint64 kCannotEstimate = -1;

/** The ledger of one measurement of a task, summed, with the source's estimate of its points. */
struct MeasurementProgress
{
    QString measurement;
    qint64 unitsTotal = 0;
    qint64 unitsDone = 0;
    qint64 unitsRunning = 0;
    qint64 unitsFailed = 0;
    qint64 pointsRead = 0;
    qint64 pointsWritten = 0;
    qint64 pointsRejected = 0;
    QString lastError; ///< of the failed unit updated last; empty when none failed
    qint64 estimatedPoints = kNotEstimated; ///< or kCannotEstimate, or the count
    /// One measurement of units that hold several (a line-protocol file's byte ranges): its
    /// points are counted as those units finish; the unit counts are the file's.
    bool ofFile = false;
};

/** One window of a verification: what the source and the target hold, and when it was seen. */
struct WindowCheck
{
    QString measurement;
    QString context;
    qint64 start = 0; ///< nanoseconds
    qint64 end = 0;
    qint64 sourceCount = 0; ///< the figure shown: points, or the values of the fullest field
    qint64 targetCount = 0;
    qint64 rejected = 0; ///< points of the window the target refused (in the rejects file)
    bool differs = false;
    QString detail; ///< what differs: "points 10/9", "usage 10/8"
    QList<qint64> unitIds;
    qint64 checkedMs = 0;
};

/** A task's last verification, summed. */
struct VerificationSummary
{
    qint64 windows = 0;
    qint64 differing = 0;
    qint64 checkedMs = 0;
};

/**
 * The SQLite checkpoint store shared by the GUI and the CLI: tasks with their profiles, the
 * ledger of read units, progress samples and the event log. WAL mode, schema version in
 * PRAGMA user_version. One instance per thread (SQLite connections are not shared); several
 * processes may open the same file. Every method reports failure through its return value and
 * lastError(); none throws.
 */
class CheckpointStore
{
public:
    enum class Mode
    {
        ReadWrite,
        ReadOnly
    };

    CheckpointStore();
    ~CheckpointStore();
    CheckpointStore(const CheckpointStore &) = delete;
    CheckpointStore &operator=(const CheckpointStore &) = delete;

    /// The store the GUI uses: tsmigrate.sqlite under the user's application-data folder.
    static QString defaultPath();

    /// Opens (creating and migrating in ReadWrite mode) the store at `path`.
    bool open(const QString &path, Mode mode = Mode::ReadWrite);
    void close();
    bool isOpen() const;
    QString path() const;
    QString lastError() const;
    static int schemaVersion();

    // Tasks. A task is identified by its name.
    std::optional<qint64> saveTask(const QString &name, const QByteArray &profileJson);
    std::optional<TaskRecord> task(const QString &name);
    std::optional<TaskRecord> task(qint64 taskId);
    QList<TaskRecord> tasks();
    bool setTaskState(qint64 taskId, TaskState state, const QString &lastError = QString());
    /// `scope`: what the plan selects besides its range (RunRange's planScope); empty: unknown.
    bool setPlan(qint64 taskId, bool planned, qint64 planStartNs, qint64 planEndNs,
                 const QString &scope = QString());
    bool setWatermark(qint64 taskId, qint64 watermarkNs);
    bool setHealth(qint64 taskId, TaskHealth health, const QString &detail);
    /// Deletes the task with its units, samples and events.
    bool deleteTask(qint64 taskId);
    /// Drops the ledger, samples and events but keeps the task: the next run starts over.
    bool resetTask(qint64 taskId);

    // The ledger.
    /// Adds units that are not in the ledger yet (same task, measurement, context and start);
    /// returns how many were new.
    std::optional<int> addUnits(qint64 taskId, const QList<UnitRecord> &units);
    /// A plan made anew (the task's range changed): the units not done are dropped and `units`
    /// added in their place, at once; returns how many were added.
    std::optional<int> replaceUnfinishedUnits(qint64 taskId, const QList<UnitRecord> &units);
    QList<UnitRecord> units(qint64 taskId);
    /// Units not done yet (pending, running or failed), in plan order.
    QList<UnitRecord> unfinishedUnits(qint64 taskId);
    /// After a crash or kill: units left 'running' go back to 'pending'.
    bool requeueRunningUnits(qint64 taskId);
    /// Applies the changes in one transaction.
    bool updateUnits(const QList<UnitUpdate> &updates);
    UnitTotals unitTotals(qint64 taskId);
    /// Following new data: deletes the units that start at or after `fromNs` (what is left of
    /// an interrupted follow cycle, before that span is planned again); returns how many.
    std::optional<int> deleteUnitsFrom(qint64 taskId, qint64 fromNs);
    /// Following new data: merges the done units lying within [fromNs, toNs) into one unit per
    /// measurement and context (earliest start, latest end, summed counts), so that a task that
    /// follows for days keeps a small ledger with exact totals.
    bool mergeDoneUnits(qint64 taskId, qint64 fromNs, qint64 toNs);
    /// The ledger summed per measurement, in plan order, with the estimates.
    QList<MeasurementProgress> measurementProgress(qint64 taskId);
    /// Failed units, in plan order, with their last errors.
    QList<UnitRecord> failedUnits(qint64 taskId);
    /// What the task's units of several measurements wrote of each measurement, summed, by name.
    QList<MeasurementCount> measurementCounts(qint64 taskId);

    // Estimates of the points the source holds per measurement (within the task's range).
    /// Sets (or replaces) one; `points` may be kCannotEstimate.
    bool setEstimate(qint64 taskId, const QString &measurement, qint64 points);
    QHash<QString, qint64> estimates(qint64 taskId);

    // The last verification of each task (see the verify command).
    /// Replaces the task's verification with these windows.
    bool setVerification(qint64 taskId, const QList<WindowCheck> &windows);
    /// The windows of the task's last verification; only those that differ when asked.
    QList<WindowCheck> verification(qint64 taskId, bool differingOnly = false);
    /// Every task's last verification, summed, by task id (no entry: never verified).
    QHash<qint64, VerificationSummary> verificationSummaries();
    // The names the target gets in place of the source's, decided once per measurement.
    /// Adds these; a renaming already decided for the same field type or tag stands.
    bool addRenamings(qint64 taskId, const QList<Renaming> &renamings);
    QList<Renaming> renamings(qint64 taskId);

    /// Marks these units of the task pending again, so that the next run migrates them anew.
    bool markUnitsPending(qint64 taskId, const QList<qint64> &unitIds);

    // Who runs a task (see Lease.h): one run at a time holds its lease.
    /// Grants the lease to `me`, or names the live run that holds it.
    std::optional<LeaseClaim> claimLease(qint64 taskId, const LeaseHolder &me);
    /// The lease on the task, live or stale; nullopt when none (or on failure: see lastError()).
    std::optional<LeaseHolder> lease(qint64 taskId);
    /// Every task's lease, by task id.
    QHash<qint64, LeaseHolder> leases();
    /// Renews run `token`'s lease and reads what it is asked; nullopt when it no longer holds
    /// the lease (another run took it over) or on failure (lastError() then says why).
    std::optional<RunRequest> renewLease(qint64 taskId, const QString &token);
    bool releaseLease(qint64 taskId, const QString &token);
    /// Asks the run that holds the task's lease, in whatever process, to pause or stop.
    bool requestRun(qint64 taskId, RunRequest request);

    // Progress samples and events.
    bool addSample(const ProgressSample &sample);
    /// Samples with timeMs > afterMs, oldest first.
    QList<ProgressSample> samples(qint64 taskId, qint64 afterMs = -1);
    std::optional<ProgressSample> lastSample(qint64 taskId);
    bool addEvent(qint64 taskId, EventLevel level, const QString &message);
    /// Events with id > afterId and level <= maxLevel, oldest first.
    QList<EventRecord> events(qint64 taskId, qint64 afterId = 0,
                              EventLevel maxLevel = EventLevel::Trace);

private:
    enum class Access
    {
        Read,
        Write
    };
    /// The one error path of the store: runs `body` on the open connection and turns the
    /// failure it throws into lastError() ("what: why"). A write on a read-only store is
    /// refused before SQLite sees it.
    bool run(const QString &what, Access access,
             const std::function<void(store::Connection &)> &body);
    /// run() for a call with a result: what `body` returns, or `T()` (empty, nullopt) when it
    /// failed.
    template<typename T, typename Body> T fetch(const QString &what, Access access, Body body)
    {
        T value{};
        run(what, access, [&](store::Connection &db) { value = body(db); });
        return value;
    }
    /// The task's units that match `where` (after the column list, ?1 the task), as the `which`
    /// ("failed ") units of the task in a failure's words.
    QList<UnitRecord> selectUnits(const QString &which, const char *where, qint64 taskId);
    /// fetch() of something that may not be there: its absence is said in lastError() too,
    /// as `missing`.
    template<typename T, typename Body>
    std::optional<T> fetchOne(const QString &what, Access access, const QString &missing, Body body)
    {
        std::optional<T> found;
        if (run(what, access, [&](store::Connection &db) { found = body(db); }) && !found)
            m_lastError = missing;
        return found;
    }

    std::unique_ptr<store::Connection> m_connection;
    QString m_path;
    QString m_lastError;
    bool m_readOnly = false;
};

} // namespace tsm
