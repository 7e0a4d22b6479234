#pragma once

#include "core/CancelToken.h"
#include "core/Error.h"
#include "core/Sink.h"
#include "core/Source.h"

#include <CheckpointStore.h>
#include <QObject>
#include <QString>
#include <TaskProfile.h>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>

namespace tsm {

/** Where a running task is. */
enum class RunPhase
{
    Planning,
    History,
    Following,
};
/// "planning", "history", "following".
QString phaseName(RunPhase phase);

/** A snapshot of a running task, as the runner reports it once a second. */
struct RunProgress
{
    RunPhase phase = RunPhase::History;
    qint64 pointsRead = 0;
    qint64 pointsWritten = 0;
    qint64 pointsRejected = 0;
    qint64 unitsDone = 0;
    qint64 unitsTotal = 0;
    qint64 retries = 0;
    double writeRate = 0; ///< points/s over the last few seconds
    double readRate = 0;
    qint64 etaSeconds = -1; ///< -1 while unknown
    qint64 elapsedMs = 0;
    qint64 watermarkNs = 0; ///< following: everything before it is in the target
    qint64 lagSeconds = -1; ///< following: how far the target is behind now (delay included)
};

/** How a run ended. */
struct RunOutcome
{
    enum class Status
    {
        Completed, ///< every unit done (history), or followed up to the end time
        Paused,    ///< pause requested; resumable
        Stopped,   ///< stop requested; resumable
        Failed,    ///< a fatal error or failed units; the next run retries what is not done
    } status = Status::Failed;
    QString message;
    std::optional<ErrorKind> errorKind;
    qint64 pointsRejected = 0; ///< over the task's life
    QString rejectsFile;       ///< where rejected points were recorded, when there were any
    /// The verification at the end of a history (advanced.verify): windows compared (-1: none
    /// made), how many differ, and why it could not be finished when it could not.
    qint64 windowsVerified = -1;
    qint64 windowsDiffering = 0;
    std::optional<ErrorKind> verifyErrorKind;
};

/** How a run builds its source and sink; an empty member uses the connector registry. Tests
 *  hand the Runner sources and sinks of their own. */
struct ConnectorFactory
{
    std::function<std::unique_ptr<Source>(const TaskProfile &)> source;
    std::function<std::unique_ptr<Sink>(const TaskProfile &)> sink;
};

/**
 * Runs one task: plans it into the checkpoint store's ledger (once), then moves every unit not
 * done yet through the pipeline, recording unit results, progress samples and events. In
 * realtime and both modes it then follows new data: every few seconds it plans
 * [watermark, now − delay) into the ledger, runs it the same way and moves the watermark once
 * every unit below it is done, until the end time (if any) or until paused or stopped. Lives on
 * its own QThread; run() blocks that thread until the run ends. requestPause() and
 * requestStop() may be called from any thread.
 */
class Runner : public QObject
{
    Q_OBJECT

public:
    Runner(TaskProfile profile, QString statePath, QObject *parent = nullptr);
    ~Runner() override;

    /// Replaces how the source and the sink are built (before run()).
    void setConnectorFactory(ConnectorFactory factory) { m_factory = std::move(factory); }

    /// Migrate what is not done (e.g. windows a repair marked pending) and end there, instead of
    /// following new data afterwards (before run()).
    void setCatchUpOnly(bool on) { m_catchUpOnly = on; }
    bool catchUpOnly() const { return m_catchUpOnly; }

    void requestPause();
    void requestStop();

    /// Where rejected points of a task are written by default: beside the state file.
    static QString rejectsPath(const QString &statePath, const QString &taskName);
    /// Where the task's rejected points are written: advanced.rejectsFile (a relative path from
    /// the working directory), else the default beside the state file.
    static QString rejectsPath(const QString &statePath, const TaskProfile &profile);

    const RunOutcome &outcome() const { return m_outcome; }

public Q_SLOTS:
    /// Runs (or resumes) the task; emits finished() at the end.
    void run();

Q_SIGNALS:
    void progress(const tsm::RunProgress &progress);
    void event(int level, const QString &message);
    void finished(const tsm::RunOutcome &outcome);

private:
    RunOutcome execute();

    TaskProfile m_profile;
    QString m_statePath;
    ConnectorFactory m_factory;
    CancelToken m_cancel;
    std::atomic<int> m_requested{0}; ///< 0 none, 1 pause, 2 stop
    bool m_catchUpOnly = false;
    RunOutcome m_outcome;
};

} // namespace tsm

Q_DECLARE_METATYPE(tsm::RunProgress)
Q_DECLARE_METATYPE(tsm::RunOutcome)
