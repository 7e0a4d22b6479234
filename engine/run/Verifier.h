#pragma once

#include "core/CancelToken.h"
#include "core/Sink.h"
#include "core/Source.h"
#include "run/Runner.h"

#include <CheckpointStore.h>
#include <TaskProfile.h>

namespace tsm {

/// The read unit a unit of the ledger stands for: what a run reads (again) and a verification
/// counts.
ReadUnit readUnitOf(const UnitRecord &unit);

/** What a verification found. */
struct VerifyReport
{
    qint64 windows = 0;           ///< compared
    QList<WindowCheck> differing; ///< the windows whose counts differ
    qint64 unitsNotDone = 0;      ///< units of the ledger not migrated yet: not compared
    qint64 checkedMs = 0;         ///< when (wall clock)
    qint64 elapsedMs = 0;         ///< how long it took

    bool agrees() const { return differing.isEmpty(); }
    /// "12 windows agree" or "2 of 12 windows differ".
    QString summary() const;
    /// The unit ids of the differing windows, each once.
    QList<qint64> differingUnits() const;
};

/**
 * Proves a migration by counting: for the done units of a task's ledger (history, and a
 * following task's windows below its watermark), the source and the target count what they hold
 * per measurement and window (per field, and per point where they can), several windows at a
 * time; the result of each window goes into the state file and the event log. A window whose
 * target lacks no more points than the target refused (the rejects file) agrees.
 */
class Verifier
{
public:
    Verifier(Source &source, Sink &sink, CheckpointStore &store, qint64 taskId,
             const TaskProfile &profile, const CancelToken &cancel);

    /// Counts and compares; throws tsm::Error (the kind says why) when a side cannot count.
    VerifyReport run();

    /// The request a verification counts within: the task's database, policy, measurements,
    /// window length and range (the planned history up to the watermark).
    static PlanRequest requestOf(const TaskProfile &profile, const TaskRecord &task,
                                 const QList<UnitRecord> &units);

    /// Verifies a task by itself (the verify command, the app's Verify): opens the state file,
    /// refuses (Error Busy) while a run holds the task's lease, connects both sides and runs a
    /// Verifier. Throws tsm::Error; NotFound when the task has nothing migrated to verify.
    static VerifyReport verifyTask(const TaskProfile &profile, const QString &statePath,
                                   const ConnectorFactory &factory, const CancelToken &cancel);

    /// Marks the units of the task's last differing windows pending (a repair then migrates
    /// them again); returns how many windows. Throws Error(Io) when the store refuses.
    static int markDifferingPending(CheckpointStore &store, qint64 taskId);

private:
    struct Counted
    {
        PointCount source;
        PointCount target;
    };
    QList<Counted> countAll(const PlanRequest &request, const QList<CountWindow> &windows);

    Source &m_source;
    Sink &m_sink;
    CheckpointStore &m_store;
    qint64 m_taskId;
    const TaskProfile &m_profile;
    const CancelToken &m_cancel;
};

} // namespace tsm
