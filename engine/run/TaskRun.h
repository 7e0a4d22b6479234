#pragma once

#include "core/CancelToken.h"
#include "core/Error.h"
#include "run/LeaseKeeper.h"
#include "run/Pipeline.h"
#include "run/Recorder.h"
#include "run/RunRange.h"
#include "run/Runner.h"

#include <CheckpointStore.h>
#include <QElapsedTimer>
#include <TaskHealth.h>
#include <atomic>
#include <memory>
#include <optional>

namespace tsm {

/**
 * One run of a task, as a sequence of steps the Runner calls: open the store, connect the
 * source and the sink, decide the range and plan it, move the units that are not done, then
 * follow new data. Holds what the steps share; lives on the runner's thread for one run.
 */
class TaskRun
{
public:
    TaskRun(Runner &runner, const TaskProfile &profile, const QString &statePath,
            const ConnectorFactory &factory, CancelToken &cancel,
            const std::atomic<int> &requested);
    ~TaskRun();

    /// Opens the state file and records the task; an outcome when that fails.
    std::optional<RunOutcome> open();
    /// Builds and checks the source and the sink, prepares the target.
    void connect();
    /// Schema sync "only": the task completes once connect() has created the tables, without
    /// planning, moving or verifying data; nothing for any other choice.
    std::optional<RunOutcome> schemaOnly();
    /// Decides the range of this run and brings the ledger up to it.
    void plan();
    /// Decides (or reads back) the names the target gets in place of the source's, and logs
    /// each renaming and the target's table naming once per measurement.
    void decideNames();
    /// Moves the history's units, then (realtime, both) follows new data until the end.
    RunOutcome migrate();
    /// How the run ends for an error thrown by a step (a cancel is a pause or a stop).
    RunOutcome failWith(const Error &error);

private:
    /// Refuses a rejects file that cannot be written (advanced.rejectsFile), before any read.
    void checkRejectsFile() const;
    RunOutcome finishWith(TaskState state, RunOutcome result);
    std::optional<RunOutcome> endOfHistory(const Pipeline::Result &result);
    /// The verification at the end of a history, when the task asks for it (advanced.verify).
    void verifyAtEnd(RunOutcome &outcome);
    /// Moves the history's units, waiting out failures that may pass (advanced.retryFor).
    Pipeline::Result runHistory();
    /// "The target is unreachable", from the host and port an error names.
    QString failingSide(const Error &error) const;
    RunOutcome follow();
    /// One cycle of following: plan [watermark, upper) and move it; an outcome ends the run.
    std::optional<RunOutcome> followCycle(qint64 upper, qint64 intervalMs);
    void troubled(const QString &message, qint64 intervalMs);
    void waitForNextCycle();

    Pipeline::Result runUnfinished();
    Pipeline::Result runPass(const QList<ReadUnit> &work);
    QList<ReadUnit> unfinishedWork();
    /// The source's plan of `request`, each retry of its statements logged as it happens.
    QList<PlannedUnit> planSource(const PlanRequest &request);
    void drain();
    /// Records planned units in the ledger; how many were new.
    qint64 addPlannedUnits(const QList<PlannedUnit> &planned);
    /// The task's range changed since its ledger was planned: the units not done give way to
    /// what of `planned` no done unit covers. Returns how many units were added.
    qint64 planAnew(const QList<PlannedUnit> &planned, const TaskRecord &stored);
    void log(EventLevel level, const QString &message);
    void flushEvents(const QList<QPair<EventLevel, QString>> &events);
    void sampleIfDue();
    void sample();
    /// The health the counts of this run make now, recorded (and logged) when it changes.
    void observeHealth(qint64 nowMs);
    /// Records the health when it changed; the health before, when there was one in this run.
    std::optional<TaskHealth> setHealth(TaskHealth health, const QString &detail);

    Runner &m_runner;
    const TaskProfile &m_profile;
    QString m_statePath;
    ConnectorFactory m_factory;
    CancelToken &m_cancel;
    const std::atomic<int> &m_requested;

    CheckpointStore m_store;
    qint64 m_taskId = 0;
    EventLevel m_maxLevel = EventLevel::Info;
    QString m_rejectsFile;
    std::unique_ptr<Recorder> m_recorder;
    std::unique_ptr<LeaseKeeper> m_keeper; ///< released last, once the outcome is recorded
    QElapsedTimer m_elapsed;
    std::unique_ptr<Source> m_source;
    std::unique_ptr<Sink> m_sink;
    RunRange m_range;
    PlanRequest m_request; ///< the history
    PlanRequest m_active;  ///< what the units at work belong to: the history or a cycle
    PipelineSettings m_settings;
    QList<ErrorKind> m_failedKinds; ///< why units failed in the last pass of runUnfinished()

    // Progress: the counts before this run, this run's, and the pipeline's at work.
    std::optional<ProgressSample> m_previous;
    QList<ProgressSample> m_window; ///< the samples of the last 30 s
    qint64 m_runRead = 0, m_runWritten = 0, m_runRejected = 0, m_runRetries = 0;
    qint64 m_passRead = 0, m_passWritten = 0, m_passRejected = 0, m_passRetries = 0;
    const PipelineCounters *m_live = nullptr;
    // Health: the counts it is made of, this run's and before the pipeline at work, as above.
    HealthObservation m_runSeen, m_passSeen;
    /// Planning statements tried again (source failures); the estimator's thread counts too.
    std::atomic<qint64> m_planFailures{0};
    std::optional<HealthTracker> m_health;
    std::optional<TaskHealth> m_recordedHealth; ///< none yet in this run
    QString m_recordedHealthDetail;
    qint64 m_lastSampleMs = 0;
    RunPhase m_phase = RunPhase::History;
    qint64 m_watermark = 0;   ///< following: everything before it is in the target
    int m_troubledCycles = 0; ///< consecutive cycles that failed for a transient reason
    qint64 m_nextCycleMs = 0;
};

} // namespace tsm
