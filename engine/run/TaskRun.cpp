#include "run/TaskRun.h"

#include "connectors/Connectors.h"
#include "run/Estimator.h"
#include "run/LeaseKeeper.h"
#include "run/Verifier.h"

#include <Counted.h>
#include <Kinds.h>
#include <ProfileJson.h>
#include <Progress.h>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QScopeGuard>
#include <TimeText.h>
#include <condition_variable>
#include <mutex>
#include <thread>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

constexpr qint64 kNsPerSecond = 1000000000LL;

bool isTransient(ErrorKind kind)
{
    return kind == ErrorKind::Network || kind == ErrorKind::Timeout || kind == ErrorKind::Server ||
           kind == ErrorKind::Protocol;
}

RunOutcome outcomeOf(RunOutcome::Status status, const QString &message,
                     std::optional<ErrorKind> kind = std::nullopt)
{
    RunOutcome outcome;
    outcome.status = status;
    outcome.message = message;
    outcome.errorKind = kind;
    return outcome;
}

Error cancelled()
{
    return Error(ErrorKind::Cancelled, u"Cancelled"_s);
}

Pipeline::Result cancelledPass()
{
    Pipeline::Result result;
    result.status = Pipeline::Result::Status::Cancelled;
    return result;
}

QString historyComplete(const UnitTotals &totals)
{
    return u"History complete: %1 written, %2 rejected, %3"_s.arg(
        points(totals.pointsWritten), points(totals.pointsRejected), readUnits(totals.total));
}

} // namespace

TaskRun::TaskRun(Runner &runner, const TaskProfile &profile, const QString &statePath,
                 const ConnectorFactory &factory, CancelToken &cancel,
                 const std::atomic<int> &requested)
    : m_runner(runner), m_profile(profile), m_statePath(statePath), m_factory(factory),
      m_cancel(cancel), m_requested(requested)
{
    if (!m_factory.source)
        m_factory.source = &Connectors::createSource;
    if (!m_factory.sink)
        m_factory.sink = &Connectors::createSink;
    m_elapsed.start();
}

TaskRun::~TaskRun() = default;

// ---- Opening and ending ----

std::optional<RunOutcome> TaskRun::open()
{
    // Nothing can be recorded in the store yet (or it is another run's): said, not logged.
    auto refuse = [this](ErrorKind kind, const QString &message) {
        Q_EMIT m_runner.event(int(EventLevel::Error), message);
        return outcomeOf(RunOutcome::Status::Failed, message, kind);
    };
    if (!m_store.open(m_statePath))
        return refuse(ErrorKind::Io, u"Cannot open the state file %1: %2"_s.arg(
                                         m_statePath, m_store.lastError()));
    m_maxLevel = eventLevelFromName(m_profile.advanced.logLevel).value_or(EventLevel::Info);
    m_keeper = std::make_unique<LeaseKeeper>(m_statePath, [this](RunRequest request) {
        if (request == RunRequest::Pause)
            m_runner.requestPause();
        else
            m_runner.requestStop();
    });
    // The lease comes first: a task another run works on keeps its profile and ledger as they
    // are. A new task has no run yet; it is claimed as soon as it exists.
    const auto stored = m_store.task(m_profile.name);
    std::optional<LeaseHolder> tookOver;
    try {
        if (stored)
            tookOver = m_keeper->claim(m_store, stored->id, m_profile.name);
        // The stored profile keeps its secrets only where the user chose to keep them there.
        const bool keepSecrets =
            stored && ProfileJson::hasSecrets(ProfileJson::fromJson(stored->profileJson).profile);
        const auto taskId =
            m_store.saveTask(m_profile.name, ProfileJson::toJson(m_profile, keepSecrets));
        if (!taskId)
            throw Error(ErrorKind::Io, u"Cannot save the task in %1: %2"_s.arg(
                                           m_statePath, m_store.lastError()));
        m_taskId = *taskId;
        if (!stored)
            tookOver = m_keeper->claim(m_store, m_taskId, m_profile.name);
    } catch (const Error &error) {
        return refuse(error.kind(), error.message());
    }
    m_store.requeueRunningUnits(m_taskId);
    setHealth(TaskHealth::Ready, QString()); // what a run before left does not stand
    m_rejectsFile = Runner::rejectsPath(m_statePath, m_profile);
    m_recorder = std::make_unique<Recorder>(m_rejectsFile, m_maxLevel);
    if (tookOver)
        log(EventLevel::Warn,
            u"Took the task over from %1: that run ended without letting it go (its process is "
            u"gone or it has not been heard of for %2 s)"_s.arg(tookOver->describe())
                .arg((QDateTime::currentMSecsSinceEpoch() - tookOver->heartbeatMs) / 1000));
    return std::nullopt;
}

RunOutcome TaskRun::finishWith(TaskState state, RunOutcome result)
{
    m_store.requeueRunningUnits(m_taskId);
    result.pointsRejected = m_store.unitTotals(m_taskId).pointsRejected;
    if (m_recorder->hasRejects() || result.pointsRejected > 0)
        result.rejectsFile = m_rejectsFile;
    const bool failed = result.status == RunOutcome::Status::Failed;
    m_store.setTaskState(m_taskId, state, failed ? result.message : QString());
    if (failed)
        setHealth(TaskHealth::Fatal, result.message);
    else
        setHealth(TaskHealth::Ready, QString());
    log(failed ? EventLevel::Error : EventLevel::Info, result.message);
    return result;
}

RunOutcome TaskRun::failWith(const Error &error)
{
    if (m_keeper->lost()) {
        // The task is another run's now: its state and ledger are left to that run.
        const QString message =
            u"Another run took the task over while this one worked; this one stopped"_s;
        log(EventLevel::Error, message);
        return outcomeOf(RunOutcome::Status::Failed, message, ErrorKind::Busy);
    }
    if (error.kind() == ErrorKind::Rejected && m_settings.stopOnRefused)
        return finishWith(
            TaskState::Failed,
            outcomeOf(RunOutcome::Status::Failed,
                      u"%1. Stopped at the first refused point (advanced.onRefused = stop); the "
                      u"refused points are in %2. Fix the cause and run the task again: it "
                      u"goes on from where it stopped"_s.arg(error.message(), m_rejectsFile),
                      error.kind()));
    if (error.kind() != ErrorKind::Cancelled)
        return finishWith(TaskState::Failed,
                          outcomeOf(RunOutcome::Status::Failed, error.message(), error.kind()));
    if (m_requested.load() == 2)
        return finishWith(TaskState::Stopped, outcomeOf(RunOutcome::Status::Stopped, u"Stopped"_s,
                                                        ErrorKind::Cancelled));
    return finishWith(TaskState::Paused,
                      outcomeOf(RunOutcome::Status::Paused, u"Paused"_s, ErrorKind::Cancelled));
}

// ---- Connecting and planning ----

void TaskRun::checkRejectsFile() const
{
    // Tried now, not at the first refused point: a file nobody can write loses nothing yet.
    const QFileInfo info(m_rejectsFile);
    const QString folder = info.absolutePath();
    const bool folderExisted = QFileInfo(folder).isDir();
    QString problem;
    if (info.isDir()) {
        problem = u"it is a folder"_s;
    } else if (!QDir().mkpath(folder)) {
        problem = u"its folder %1 cannot be created"_s.arg(folder);
    } else {
        const bool existed = info.exists();
        QFile file(m_rejectsFile);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Append))
            problem = file.errorString();
        else if (!existed)
            file.remove(); // it appears with the first refused point
        if (!existed && !folderExisted)
            QDir().rmdir(folder); // and its folder with it
    }
    if (!problem.isEmpty())
        throw Error(ErrorKind::Io, u"advanced.rejectsFile: the rejects file %1 cannot be written "
                                   u"(local): %2"_s.arg(m_rejectsFile, problem));
}

void TaskRun::connect()
{
    checkRejectsFile();
    if (!m_profile.advanced.rejectsFile.trimmed().isEmpty())
        log(EventLevel::Info, u"Refused points go to %1"_s.arg(m_rejectsFile));
    if (const SourceKind *kind = kinds::source(m_profile.source);
        kind && !kind->canFollow && kinds::follows(m_profile.task.mode))
        throw Error(ErrorKind::Config,
                    u"task.mode: a %1 source cannot be followed; use mode %2"_s.arg(
                        kind->label.toLower(), kinds::modeName(TaskMode::History)));
    m_source = m_factory.source(m_profile);
    m_sink = m_factory.sink(m_profile);
    log(EventLevel::Info, u"Starting task \"%1\": %2 → %3"_s.arg(
                              m_profile.name, m_source->describe(), m_sink->describe()));

    const ConnectionInfo sourceInfo = m_source->checkConnection(m_cancel);
    log(EventLevel::Info,
        u"Source: %1 %2 (%3)"_s.arg(sourceInfo.product, sourceInfo.version, sourceInfo.detail));
    for (const QString &note : m_source->notes(m_cancel))
        log(EventLevel::Warn, u"Source: "_s + note);
    m_source->checkRequest(planRequestOf(m_profile.task, TimeRange()), m_cancel);
    const ConnectionInfo targetInfo = m_sink->checkConnection(m_cancel);
    log(EventLevel::Info,
        u"Target: %1 %2 (%3)"_s.arg(targetInfo.product, targetInfo.version, targetInfo.detail));
    m_sink->prepare(m_cancel);
    m_sink->syncSchema(*m_source, m_profile.task.bucket, m_profile.task.measurements,
                       kinds::syncsSchema(m_profile.task.schemaSync), m_cancel);
}

std::optional<RunOutcome> TaskRun::schemaOnly()
{
    if (!kinds::schemaOnly(m_profile.task.schemaSync))
        return std::nullopt;
    const QString summary = m_sink->schemaSummary();
    return finishWith(
        TaskState::Completed,
        outcomeOf(RunOutcome::Status::Completed,
                  u"Schema sync only: %1; no data was moved, so there is nothing to "
                  u"verify"_s.arg(summary.isEmpty() ? u"the target's tables exist"_s : summary)));
}

void TaskRun::plan()
{
    // Decided once the target is ready: "now" bounds the history of a task without an end.
    m_range = decideRunRange(m_profile.task, m_store.task(m_taskId), TimeText::nowNs());
    m_request = planRequestOf(m_profile.task, m_range.history);
    m_active = m_request;
    if (!m_profile.task.retro.trimmed().isEmpty() &&
        kinds::mode(m_profile.task.mode) != TaskMode::Realtime)
        log(EventLevel::Warn, u"task.retro is ignored with mode %1: only a realtime task "
                              u"back-fills"_s.arg(m_profile.task.mode));

    const auto stored = m_store.task(m_taskId);
    switch (m_range.ledger) {
    case RunRange::Ledger::Ready:
        return;
    case RunRange::Ledger::ResumeFollowing:
        // What is left of the cycle that was interrupted is planned again from the watermark.
        if (!m_store.deleteUnitsFrom(m_taskId, stored->watermarkNs))
            throw Error(ErrorKind::Io, m_store.lastError());
        return;
    case RunRange::Ledger::MarkOnly:
        m_store.setPlan(m_taskId, true, m_range.history.start, m_range.history.end, m_range.scope);
        return;
    case RunRange::Ledger::Plan:
        break;
    }
    m_store.setTaskState(m_taskId, TaskState::Planning);
    RunProgress planning;
    planning.phase = RunPhase::Planning;
    Q_EMIT m_runner.progress(planning);
    log(EventLevel::Info, u"Planning %1 .. %2"_s.arg(TimeText::format(m_range.history.start),
                                                     TimeText::format(m_range.history.end)));
    const QList<PlannedUnit> planned = planSource(m_request);
    const qint64 added = stored && stored->planned ? planAnew(planned, *stored)
                                                   : addPlannedUnits(planned);
    m_store.setPlan(m_taskId, true, m_range.history.start, m_range.history.end, m_range.scope);
    log(EventLevel::Info,
        u"Planned %1 (%2 new)"_s.arg(readUnits(planned.size())).arg(QString::number(added)));
}

QList<PlannedUnit> TaskRun::planSource(const PlanRequest &request)
{
    // Planning sends its statements one after another: a failing one costs its waits, and the
    // event log says so at once rather than after a long silence. The estimator's thread may
    // report here too: its events wait for the next drain.
    const std::thread::id planner = std::this_thread::get_id();
    m_source->setRetryListener(
        [this, planner](const QString &what, const Error &error, int attempt, int delayMs) {
            ++m_planFailures; // read on this thread by sample(), after planning
            m_recorder->retrying(u"Planning: "_s + what, error, attempt, delayMs);
            if (std::this_thread::get_id() == planner)
                flushEvents(m_recorder->drainEvents());
        });
    const auto forget = qScopeGuard([this] { m_source->setRetryListener({}); });
    return m_source->plan(request, m_cancel);
}

namespace {

QList<UnitRecord> ledgerUnits(qint64 taskId, const QList<PlannedUnit> &planned)
{
    QList<UnitRecord> units;
    units.reserve(planned.size());
    for (const PlannedUnit &p : planned) {
        UnitRecord unit;
        unit.taskId = taskId;
        unit.measurement = p.measurement;
        unit.context = p.context;
        unit.rangeStart = p.start;
        unit.rangeEnd = p.end;
        units.append(unit);
    }
    return units;
}

} // namespace

qint64 TaskRun::addPlannedUnits(const QList<PlannedUnit> &planned)
{
    if (planned.isEmpty())
        return 0;
    const auto added = m_store.addUnits(m_taskId, ledgerUnits(m_taskId, planned));
    if (!added)
        throw Error(ErrorKind::Io, m_store.lastError());
    return *added;
}

qint64 TaskRun::planAnew(const QList<PlannedUnit> &planned, const TaskRecord &stored)
{
    const QList<UnitRecord> ledger = m_store.units(m_taskId);
    const qsizetype done = std::count_if(ledger.begin(), ledger.end(), [](const UnitRecord &u) {
        return u.status == UnitStatus::Done;
    });
    const QString was = u"%1 .. %2"_s.arg(TimeText::format(stored.planStartNs),
                                          TimeText::format(stored.planEndNs));
    const QStringList changes = planChanges(m_range, stored);
    const QStringList blocking =
        changesNeedingARestart(changes, !m_source->unitsAreTimeWindows());
    if (done > 0 && !blocking.isEmpty())
        throw Error(ErrorKind::Config,
                    u"%1: changed since the task read part of its source (%2 done, planned for "
                    u"%3)%4, so what they read cannot tell what the new settings add. Put them "
                    u"back, or run the task again from the beginning (tsmigrate-cli run "
                    u"--restart; in the app: Run Again from the Beginning), which reads the "
                    u"whole selection again."_s
                        .arg(blocking.join(u", "_s), readUnits(done), was,
                             m_source->unitsAreTimeWindows()
                                 ? QString()
                                 : u"; its read units are byte ranges"_s));
    const QList<PlannedUnit> rest = notYetDone(planned, ledger);
    const auto added = m_store.replaceUnfinishedUnits(m_taskId, ledgerUnits(m_taskId, rest));
    if (!added)
        throw Error(ErrorKind::Io, m_store.lastError());
    log(EventLevel::Info,
        u"The plan changed (%1; planned before: %2): %3 done are kept, and only what they do "
        u"not cover is read"_s.arg(changes.join(u", "_s), was, readUnits(done)));
    return *added;
}

void TaskRun::decideNames()
{
    // Decided once: a rerun or a resumed run writes the same columns as the first.
    const QList<Renaming> decided = m_store.renamings(m_taskId);
    const QList<Renaming> all = m_sink->decideNames(*m_source, m_request, decided, m_cancel);
    QList<Renaming> added;
    for (const Renaming &r : all)
        if (!decided.contains(r))
            added.append(r);
    if (!added.isEmpty() && !m_store.addRenamings(m_taskId, added))
        throw Error(ErrorKind::Io, m_store.lastError());
    QMap<QString, QStringList> byMeasurement;
    for (const Renaming &r : all)
        byMeasurement[r.measurement].append(r.describe());
    for (auto it = byMeasurement.cbegin(); it != byMeasurement.cend(); ++it)
        log(EventLevel::Info, u"Renamed in the target, measurement \"%1\": %2"_s.arg(
                                  it.key(), it.value().join(u"; "_s)));
    for (const MeasurementProgress &m : m_store.measurementProgress(m_taskId))
        if (const QString table = m_sink->tableNameOf(m.measurement); table != m.measurement)
            log(EventLevel::Info, u"Measurement \"%1\" is written to the table \"%2\" of the "
                                  u"target (%3)"_s.arg(m.measurement, table,
                                                       m_sink->tableNaming()));
    for (const QString &note : m_sink->namingNotes())
        log(EventLevel::Info, note);
}

// ---- Moving units ----

RunOutcome TaskRun::migrate()
{
    m_store.setTaskState(m_taskId, TaskState::Running);
    // The estimated total for the monitor, on a thread of its own: the migration does not wait.
    Estimator estimator(*m_source, m_request, m_statePath, m_taskId, m_cancel);
    estimator.start();
    m_previous = m_store.lastSample(m_taskId);
    m_health.emplace(HealthThresholds::of(m_profile));
    // Where this run starts from: a run shorter than the sampling interval still has a rate.
    sample();
    m_lastSampleMs = m_elapsed.elapsed();
    m_settings.readConcurrency = m_profile.advanced.readConcurrency;
    m_settings.writeConcurrency = m_profile.advanced.writeConcurrency;
    m_settings.batchSize = m_profile.advanced.batchSize;
    m_settings.unitRetry = Connectors::retryPolicy(m_profile);
    m_settings.maxPointsPerSecond = m_profile.advanced.maxPointsPerSecond;
    m_settings.readIntervalMs = m_profile.advanced.readIntervalMs;
    m_settings.stopOnRefused = kinds::refused(m_profile.advanced.onRefused) == RefusedPolicy::Stop;
    if (m_settings.maxPointsPerSecond > 0 || m_settings.readIntervalMs > 0)
        log(EventLevel::Info, u"Pacing: at most %1 points/s written, %2 ms between a reader's "
                              u"reads"_s.arg(m_settings.maxPointsPerSecond > 0
                                                 ? QString::number(m_settings.maxPointsPerSecond)
                                                 : u"unlimited"_s)
                                  .arg(m_settings.readIntervalMs));

    if (std::optional<RunOutcome> ended = endOfHistory(runHistory()))
        return *ended;
    if (m_runner.catchUpOnly())
        return finishWith(TaskState::Stopped,
                          outcomeOf(RunOutcome::Status::Completed,
                                    u"Migrated again what was pending below the watermark; start "
                                    "the task to follow new data again"_s));
    return follow();
}

void TaskRun::verifyAtEnd(RunOutcome &outcome)
{
    if (!m_profile.advanced.verify)
        return;
    log(EventLevel::Info, u"Verifying: counting each window in the source and the target"_s);
    try {
        Verifier verifier(*m_source, *m_sink, m_store, m_taskId, m_profile, m_cancel);
        const VerifyReport report = verifier.run();
        outcome.windowsVerified = report.windows;
        outcome.windowsDiffering = report.differing.size();
        log(report.agrees() ? EventLevel::Info : EventLevel::Warn,
            u"Verified: %1 (counted in %2 s)"_s.arg(report.summary())
                .arg(report.elapsedMs / 1000.0, 0, 'f', 1));
        for (const WindowCheck &w : report.differing)
            log(EventLevel::Warn, u"Differs: %1 %2 .. %3: source %4, target %5 (%6)"_s
                                      .arg(w.measurement, TimeText::format(w.start),
                                           TimeText::format(w.end))
                                      .arg(w.sourceCount)
                                      .arg(w.targetCount)
                                      .arg(w.detail));
        if (!report.agrees())
            outcome.message += u"; %1 — tsmigrate-cli verify --repair migrates them again"_s.arg(
                report.summary());
    } catch (const Error &error) {
        m_cancel.reset(); // a pause or stop during the counts ends only the verification
        outcome.verifyErrorKind = error.kind();
        const QString message =
            error.kind() == ErrorKind::Cancelled
                ? u"Verification interrupted; run tsmigrate-cli verify to verify"_s
                : u"Verification failed: %1"_s.arg(error.message());
        log(EventLevel::Error, message);
        outcome.message += u"; "_s + message;
    }
}

Pipeline::Result TaskRun::runHistory()
{
    // A pass that a failure which may pass stopped (a server down, a network gone) is tried
    // again after a growing pause, for as long as advanced.retryFor allows.
    const qint64 retryForMs = qint64(m_profile.advanced.retryForMinutes) * 60000;
    QElapsedTimer troubled;
    for (int attempt = 0;; ++attempt) {
        Pipeline::Result result = runUnfinished();
        if (result.status != Pipeline::Result::Status::Fatal || !result.fatal ||
            !isTransient(result.fatal->kind()))
            return result;
        m_cancel.reset(); // the pipeline fired it to stop its threads
        if (m_requested.load() != 0)
            return cancelledPass();
        if (!troubled.isValid())
            troubled.start();
        const qint64 leftMs = retryForMs - troubled.elapsed();
        if (leftMs <= 0) {
            if (retryForMs > 0)
                result.fatal = Error(result.fatal->kind(),
                                     u"%1 (gave up after %2 min of trying again)"_s.arg(
                                         result.fatal->message())
                                         .arg(m_profile.advanced.retryForMinutes));
            return result;
        }
        const qint64 waitMs = std::min(leftMs, std::min<qint64>(60000, 1000LL << std::min(attempt, 6)));
        const QString why =
            u"%1: %2; trying again at %3"_s.arg(
                failingSide(*result.fatal), result.fatal->message(),
                QDateTime::currentDateTime().addMSecs(waitMs).toString(u"HH:mm:ss"_s));
        m_store.setTaskState(m_taskId, TaskState::Retrying, why);
        log(EventLevel::Warn, why);
        m_nextCycleMs = m_elapsed.elapsed() + waitMs;
        waitForNextCycle();
        if (m_cancel.isCancelled())
            return cancelledPass();
        m_store.setTaskState(m_taskId, TaskState::Running);
    }
}

QString TaskRun::failingSide(const Error &error) const
{
    // The HTTP client names host:port in what it throws.
    auto named = [&](const QString &host, int port) {
        return !host.isEmpty() && error.message().contains(u"%1:%2"_s.arg(host).arg(port));
    };
    const bool source = named(m_profile.source.host, m_profile.source.port);
    const bool target = named(m_profile.target.host, m_profile.target.port);
    if (source && target)
        return u"The source and target server is unreachable"_s;
    if (target)
        return u"The target is unreachable"_s;
    if (source)
        return u"The source is unreachable"_s;
    return u"A failure that may pass"_s;
}

std::optional<RunOutcome> TaskRun::endOfHistory(const Pipeline::Result &result)
{
    if (result.status == Pipeline::Result::Status::Fatal && result.fatal)
        return failWith(*result.fatal);
    if (result.status == Pipeline::Result::Status::Cancelled) {
        // A pause or stop that came when every unit was already done changes nothing for a
        // history task: it is complete. (A following task pauses before it follows.)
        const UnitTotals now = m_store.unitTotals(m_taskId);
        if (m_range.follow || now.total == 0 || now.done < now.total)
            return failWith(cancelled());
    }
    const UnitTotals totals = m_store.unitTotals(m_taskId);
    if (totals.done < totals.total)
        return finishWith(
            TaskState::Failed,
            outcomeOf(RunOutcome::Status::Failed,
                      u"%1 of %2 failed; run the task again to retry them (see the event "
                      "log for the reasons)"_s.arg(QString::number(totals.total - totals.done),
                                                   readUnits(totals.total)),
                      ErrorKind::Query));
    if (!m_range.follow) {
        RunOutcome completed = outcomeOf(RunOutcome::Status::Completed, historyComplete(totals));
        verifyAtEnd(completed);
        return finishWith(TaskState::Completed, completed);
    }
    return std::nullopt;
}

QList<ReadUnit> TaskRun::unfinishedWork()
{
    QList<ReadUnit> work;
    for (const UnitRecord &u : m_store.unfinishedUnits(m_taskId))
        work.append(readUnitOf(u));
    return work;
}

Pipeline::Result TaskRun::runUnfinished()
{
    // A second pass retries units that failed for a transient reason.
    Pipeline::Result result;
    m_failedKinds.clear();
    for (int pass = 1;; ++pass) {
        const QList<ReadUnit> work = unfinishedWork();
        if (work.isEmpty())
            break;
        if (pass > 1)
            log(EventLevel::Info,
                u"Retrying %1"_s.arg(counted(work.size(), u"failed unit"_s, u"failed units"_s)));
        result = runPass(work);
        if (result.status != Pipeline::Result::Status::Finished || result.unitsFailed == 0)
            break;
        m_failedKinds = m_recorder->takeFailedKinds();
        const bool retryable = std::any_of(m_failedKinds.begin(), m_failedKinds.end(), isTransient);
        if (pass >= 2 || !retryable)
            break;
    }
    return result;
}

Pipeline::Result TaskRun::runPass(const QList<ReadUnit> &work)
{
    Pipeline pipeline(*m_source, *m_sink, m_active, m_sink->dialect(), m_settings, *m_recorder);
    Pipeline::Result result;
    std::mutex doneMutex;
    std::condition_variable doneCondition;
    bool done = false;
    std::thread worker([&] {
        Pipeline::Result r = pipeline.run(work, m_cancel);
        std::lock_guard<std::mutex> lock(doneMutex);
        result = std::move(r);
        done = true;
        doneCondition.notify_all();
    });

    m_passRead = m_runRead;
    m_passWritten = m_runWritten;
    m_passRejected = m_runRejected;
    m_passRetries = m_runRetries;
    m_passSeen = m_runSeen;
    m_live = &pipeline.counters();
    for (;;) {
        {
            std::unique_lock<std::mutex> lock(doneMutex);
            doneCondition.wait_for(lock, std::chrono::milliseconds(250), [&] { return done; });
            if (done)
                break;
        }
        drain();
        sampleIfDue();
    }
    worker.join();
    drain();
    sample();
    m_live = nullptr;
    return result;
}

void TaskRun::drain()
{
    Recorder::Drained drained = m_recorder->drain();
    const bool anyDone =
        std::any_of(drained.updates.begin(), drained.updates.end(),
                    [](const UnitUpdate &u) { return u.status == UnitStatus::Done; });
    if (anyDone) {
        try {
            m_sink->flush(); // durable before the ledger says done
        } catch (const Error &error) {
            log(EventLevel::Error, error.message());
            for (UnitUpdate &u : drained.updates)
                if (u.status == UnitStatus::Done)
                    u.status = UnitStatus::Pending;
        }
    }
    if (!drained.updates.isEmpty() && !m_store.updateUnits(drained.updates))
        log(EventLevel::Error, u"Cannot record progress: %1"_s.arg(m_store.lastError()));
    flushEvents(drained.events);
}

// ---- Following: every few seconds, [watermark, now - delay) is planned into the ledger as one
// more set of units, moved through the same pipeline, and the watermark moves to its end once
// every one of them is done. Done units below the watermark are merged, one per measurement, so
// the ledger stays small however long the task follows.

RunOutcome TaskRun::follow()
{
    const qint64 followFrom = m_range.history.end;
    {
        const auto record = m_store.task(m_taskId);
        m_watermark = std::max(record ? record->watermarkNs : 0, followFrom);
        if (!record || record->watermarkNs != m_watermark)
            m_store.setWatermark(m_taskId, m_watermark);
        if (record && record->planStartNs < record->planEndNs && record->watermarkNs == 0)
            log(EventLevel::Info, historyComplete(m_store.unitTotals(m_taskId)));
    }
    m_phase = RunPhase::Following;
    const std::optional<qint64> stopAt = m_range.stopAt;
    const qint64 intervalMs = qint64(std::clamp(m_profile.task.pollSeconds, 1, 3600)) * 1000;
    log(EventLevel::Info,
        u"Following new data from %1%2, reading up to now − %3 s every %4 s"_s
            .arg(TimeText::format(m_watermark),
                 stopAt ? u" until %1"_s.arg(TimeText::format(*stopAt)) : QString())
            .arg(m_range.delayNs / kNsPerSecond)
            .arg(intervalMs / 1000));
    sample();
    for (;;) {
        if (stopAt && m_watermark >= *stopAt) {
            const UnitTotals t = m_store.unitTotals(m_taskId);
            return finishWith(
                TaskState::Completed,
                outcomeOf(RunOutcome::Status::Completed,
                          u"Followed new data up to the end time %1: %2 points written, %3 "
                          "rejected"_s.arg(TimeText::format(*stopAt))
                              .arg(t.pointsWritten)
                              .arg(t.pointsRejected)));
        }
        waitForNextCycle();
        if (m_cancel.isCancelled())
            return failWith(cancelled());
        m_nextCycleMs = m_elapsed.elapsed() + intervalMs;
        qint64 upper = TimeText::nowNs() - m_range.delayNs;
        if (stopAt)
            upper = std::min(upper, *stopAt);
        if (upper <= m_watermark)
            continue;
        if (std::optional<RunOutcome> ended = followCycle(upper, intervalMs))
            return *ended;
    }
}

void TaskRun::waitForNextCycle()
{
    // Pause and stop end the wait at once.
    while (m_elapsed.elapsed() < m_nextCycleMs && !m_cancel.isCancelled()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(
            std::clamp<qint64>(m_nextCycleMs - m_elapsed.elapsed(), 1, 100)));
        flushEvents(m_recorder->drain().events);
        sampleIfDue();
    }
}

void TaskRun::troubled(const QString &message, qint64 intervalMs)
{
    ++m_troubledCycles;
    const qint64 backoffMs =
        std::max(intervalMs, std::min<qint64>(60000, intervalMs << std::min(m_troubledCycles, 6)));
    log(EventLevel::Warn, u"%1; following again in %2 s"_s.arg(message).arg(backoffMs / 1000));
    m_nextCycleMs = m_elapsed.elapsed() + backoffMs;
}

std::optional<RunOutcome> TaskRun::followCycle(qint64 upper, qint64 intervalMs)
{
    try {
        if (!m_store.deleteUnitsFrom(m_taskId, m_watermark))
            throw Error(ErrorKind::Io, m_store.lastError());
        m_active = m_request;
        m_active.range = TimeRange{m_watermark, upper};
        const QList<PlannedUnit> planned = planSource(m_active);
        addPlannedUnits(planned);
        if (!planned.isEmpty())
            log(EventLevel::Debug, u"Following %1 .. %2: %3"_s.arg(TimeText::format(m_watermark),
                                                                   TimeText::format(upper),
                                                                   readUnits(planned.size())));
    } catch (const Error &error) {
        if (error.kind() == ErrorKind::Cancelled || m_cancel.isCancelled())
            return failWith(cancelled());
        if (!isTransient(error.kind()))
            return failWith(error);
        troubled(error.message(), intervalMs);
        return std::nullopt;
    }

    const Pipeline::Result result = runUnfinished();
    if (result.status == Pipeline::Result::Status::Cancelled)
        return failWith(cancelled());
    if (result.status == Pipeline::Result::Status::Fatal && result.fatal) {
        if (!isTransient(result.fatal->kind()))
            return failWith(*result.fatal);
        m_cancel.reset(); // the pipeline fired it to stop its threads
        if (m_requested.load() != 0)
            return failWith(cancelled());
        troubled(result.fatal->message(), intervalMs);
        return std::nullopt;
    }
    const UnitTotals after = m_store.unitTotals(m_taskId);
    if (after.done < after.total) {
        const QString failed = u"%1 after %2 failed"_s.arg(readUnits(after.total - after.done),
                                                           TimeText::format(m_watermark));
        if (m_failedKinds.isEmpty() ||
            !std::all_of(m_failedKinds.begin(), m_failedKinds.end(), isTransient))
            return finishWith(TaskState::Failed,
                              outcomeOf(RunOutcome::Status::Failed,
                                        failed + u"; run the task again to retry them (see the "
                                                 "event log for the reasons)"_s,
                                        ErrorKind::Query));
        troubled(failed, intervalMs);
        return std::nullopt;
    }
    // Every unit below `upper` is acknowledged: move the watermark, then fold the ledger.
    if (!m_store.setWatermark(m_taskId, upper))
        return failWith(Error(ErrorKind::Io, m_store.lastError()));
    m_watermark = upper;
    m_troubledCycles = 0;
    if (!m_store.mergeDoneUnits(m_taskId, m_range.history.end, m_watermark))
        log(EventLevel::Warn, m_store.lastError());
    return std::nullopt;
}

// ---- Events and progress ----

void TaskRun::log(EventLevel level, const QString &message)
{
    if (level > m_maxLevel) // the task's log level filters what is kept and what is shown
        return;
    m_store.addEvent(m_taskId, level, message);
    Q_EMIT m_runner.event(int(level), message);
}

void TaskRun::flushEvents(const QList<QPair<EventLevel, QString>> &events)
{
    for (const auto &[level, message] : events) {
        m_store.addEvent(m_taskId, level, message);
        Q_EMIT m_runner.event(int(level), message);
    }
}

void TaskRun::sampleIfDue()
{
    const qint64 now = m_elapsed.elapsed();
    if (now - m_lastSampleMs >= 1000) {
        m_lastSampleMs = now;
        sample();
    }
}

void TaskRun::sample()
{
    if (m_live) {
        m_runRead = m_passRead + m_live->pointsRead.load();
        m_runWritten = m_passWritten + m_live->pointsWritten.load();
        m_runRejected = m_passRejected + m_live->pointsRejected.load();
        m_runRetries = m_passRetries + m_live->retries.load();
        m_runSeen.sourceFailures = m_passSeen.sourceFailures + m_live->sourceFailures.load();
        m_runSeen.sinkReconnects = m_passSeen.sinkReconnects + m_live->sinkReconnects.load();
        m_runSeen.writeErrors = m_passSeen.writeErrors + m_live->writeErrors.load();
        m_runSeen.queueFullWaits = m_passSeen.queueFullWaits + m_live->queueFullWaits.load();
        m_runSeen.waitingForRoom = m_live->readersWaitingForRoom.load();
    } else {
        m_runSeen.waitingForRoom = 0; // no pipeline, no reader waiting
    }
    const UnitTotals totals = m_store.unitTotals(m_taskId);
    ProgressSample s;
    s.taskId = m_taskId;
    s.timeMs = QDateTime::currentMSecsSinceEpoch();
    s.pointsRead = (m_previous ? m_previous->pointsRead : 0) + m_runRead;
    s.pointsWritten = (m_previous ? m_previous->pointsWritten : 0) + m_runWritten;
    s.pointsRejected = (m_previous ? m_previous->pointsRejected : 0) + m_runRejected;
    s.unitsDone = totals.done;
    s.unitsTotal = totals.total;
    s.retries = (m_previous ? m_previous->retries : 0) + m_runRetries;
    s.readersBusy = m_live ? m_live->readersBusy.load() : 0;
    s.writersBusy = m_live ? m_live->writersBusy.load() : 0;
    m_store.addSample(s);
    observeHealth(s.timeMs);

    // The samples of the last 30 s: the rates and the ETA as every display computes them.
    m_window.append(s);
    while (m_window.size() > 2 && s.timeMs - m_window.first().timeMs > Progress::kRateWindowMs)
        m_window.removeFirst();
    RunProgress p;
    p.phase = m_phase;
    p.pointsRead = s.pointsRead;
    p.pointsWritten = s.pointsWritten;
    p.pointsRejected = s.pointsRejected;
    p.unitsDone = s.unitsDone;
    p.unitsTotal = s.unitsTotal;
    p.retries = s.retries;
    p.elapsedMs = m_elapsed.elapsed();
    if (m_phase == RunPhase::Following) {
        p.watermarkNs = m_watermark;
        p.lagSeconds = std::max<qint64>(0, (TimeText::nowNs() - m_watermark) / kNsPerSecond);
    }
    const Progress::Rates rate = Progress::recent(m_window);
    p.writeRate = rate.written;
    p.readRate = rate.read;
    if (m_phase == RunPhase::History)
        p.etaSeconds = Progress::etaSeconds(
            rate, Progress::remaining(Progress::estimatedTotal(m_store.measurementProgress(m_taskId)),
                                      s.pointsWritten, s.pointsRejected, s.unitsDone,
                                      s.unitsTotal));
    Q_EMIT m_runner.progress(p);
}

void TaskRun::observeHealth(qint64 nowMs)
{
    if (!m_health)
        return;
    HealthObservation seen = m_runSeen;
    seen.nowMs = nowMs;
    seen.pointsRead = m_runRead;
    seen.pointsWritten = m_runWritten;
    seen.sourceFailures += m_planFailures;
    seen.following = m_phase == RunPhase::Following;
    const TaskHealth health = m_health->observe(seen);
    if (const std::optional<TaskHealth> before = setHealth(health, m_health->detail());
        before && *before != health)
        log(health == TaskHealth::Ready ? EventLevel::Info : EventLevel::Warn,
            m_health->detail().isEmpty()
                ? u"Health: %1"_s.arg(taskHealthName(health))
                : u"Health: %1 (%2)"_s.arg(taskHealthName(health), m_health->detail()));
}

std::optional<TaskHealth> TaskRun::setHealth(TaskHealth health, const QString &detail)
{
    const std::optional<TaskHealth> before = m_recordedHealth;
    if (before == health && detail == m_recordedHealthDetail)
        return before;
    // Not recorded: said again at the next sample.
    if (m_store.setHealth(m_taskId, health, detail)) {
        m_recordedHealth = health;
        m_recordedHealthDetail = detail;
    }
    return before;
}

} // namespace tsm
