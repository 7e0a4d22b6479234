#include "core/Runner.h"

#include "core/Endpoints.h"
#include "core/Estimator.h"
#include "core/Pipeline.h"

#include <Kinds.h>
#include <ProfileJson.h>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <TimeText.h>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcRunner, "tsm.engine.runner")

namespace tsm {

namespace {

/// The ledger's records of planned units, not yet in the store.
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

constexpr qint64 kNsPerSecond = 1000000000LL;
constexpr qint64 kNsPerMinute = 60 * kNsPerSecond;

EventLevel levelOf(const QString &logLevel)
{
    return eventLevelFromName(logLevel).value_or(EventLevel::Info);
}

QString safeFileName(const QString &name)
{
    QString out;
    for (const QChar c : name)
        out += (c.isLetterOrNumber() || c == u'-' || c == u'_' || c == u'.') ? c : u'_';
    return out.isEmpty() ? u"task"_s : out;
}

/**
 * Collects what the pipeline reports from its threads, for the runner thread to write into the
 * store in batches; rejected points go straight to the rejects file.
 */
class Recorder : public PipelineObserver
{
public:
    Recorder(QString rejectsPath, EventLevel maxLevel)
        : m_rejectsPath(std::move(rejectsPath)), m_maxLevel(maxLevel)
    {}

    void unitStarted(qint64 unitId) override
    {
        UnitUpdate update;
        update.unitId = unitId;
        update.status = UnitStatus::Running;
        update.attemptsDelta = 1;
        std::lock_guard<std::mutex> lock(m_mutex);
        m_updates.append(update);
    }

    void unitFinished(const UnitOutcome &outcome) override
    {
        UnitUpdate update;
        update.unitId = outcome.unitId;
        update.status = outcome.ok ? UnitStatus::Done : UnitStatus::Failed;
        update.pointsRead = outcome.pointsRead;
        update.pointsWritten = outcome.pointsWritten;
        update.pointsRejected = outcome.pointsRejected;
        update.lastError = outcome.error;
        std::lock_guard<std::mutex> lock(m_mutex);
        m_updates.append(update);
        if (outcome.ok) {
            ++m_unitsDoneThisRun;
        } else {
            m_failedKinds.append(outcome.errorKind);
            addEventLocked(EventLevel::Error,
                           u"Unit %1 failed: %2"_s.arg(outcome.unitId).arg(outcome.error));
        }
    }

    void pointRejected(qint64 unitId, const QByteArray &line, const QString &reason) override
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (!m_rejects.isOpen()) {
            QDir().mkpath(QFileInfo(m_rejectsPath).absolutePath());
            m_rejects.setFileName(m_rejectsPath);
            if (!m_rejects.open(QIODevice::Append | QIODevice::WriteOnly)) {
                addEventLocked(EventLevel::Error, u"Cannot write the rejects file %1: %2"_s.arg(
                                                      m_rejectsPath, m_rejects.errorString()));
                return;
            }
        }
        QString flatReason = reason;
        flatReason.replace(u'\n', u' ');
        m_rejects.write("# " + QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toUtf8() +
                        " unit " + QByteArray::number(unitId) + ": " + flatReason.toUtf8() + '\n');
        m_rejects.write(line);
        if (!line.endsWith('\n'))
            m_rejects.write("\n");
        m_rejects.flush();
        ++m_rejectCount;
        if (m_rejectCount <= 20)
            addEventLocked(EventLevel::Warn, u"Point rejected: %1"_s.arg(flatReason));
        else if (m_rejectCount == 21)
            addEventLocked(EventLevel::Warn,
                           u"More points rejected; all are recorded in %1"_s.arg(m_rejectsPath));
    }

    void retrying(const QString &what, const Error &error, int attempt, int delayMs) override
    {
        addEvent(EventLevel::Warn, u"%1 failed (attempt %2): %3; retrying in %4 s"_s.arg(what)
                                       .arg(attempt)
                                       .arg(error.message())
                                       .arg(delayMs / 1000.0, 0, 'f', 1));
    }

    void addEvent(EventLevel level, const QString &message)
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        addEventLocked(level, message);
    }

    struct Drained
    {
        QList<UnitUpdate> updates;
        QList<QPair<EventLevel, QString>> events;
    };
    Drained drain()
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        Drained out{std::move(m_updates), std::move(m_events)};
        m_updates.clear();
        m_events.clear();
        return out;
    }

    qint64 unitsDoneThisRun()
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        return m_unitsDoneThisRun;
    }
    QList<ErrorKind> takeFailedKinds()
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        return std::exchange(m_failedKinds, {});
    }
    bool hasRejects()
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        return m_rejectCount > 0;
    }

private:
    void addEventLocked(EventLevel level, const QString &message)
    {
        if (level <= m_maxLevel)
            m_events.append({level, message});
    }

    QString m_rejectsPath;
    EventLevel m_maxLevel;
    std::mutex m_mutex;
    QList<UnitUpdate> m_updates;
    QList<QPair<EventLevel, QString>> m_events;
    QList<ErrorKind> m_failedKinds;
    QFile m_rejects;
    qint64 m_rejectCount = 0;
    qint64 m_unitsDoneThisRun = 0;
};

bool isTransient(ErrorKind kind)
{
    return kind == ErrorKind::Network || kind == ErrorKind::Timeout || kind == ErrorKind::Server ||
           kind == ErrorKind::Protocol;
}

} // namespace

Runner::Runner(TaskProfile profile, QString statePath, QObject *parent)
    : QObject(parent), m_profile(std::move(profile)), m_statePath(std::move(statePath))
{
    qRegisterMetaType<tsm::RunProgress>();
    qRegisterMetaType<tsm::RunOutcome>();
}

Runner::~Runner() = default;

void Runner::requestPause()
{
    m_requested.store(1);
    m_cancel.cancel();
}

void Runner::requestStop()
{
    m_requested.store(2);
    m_cancel.cancel();
}

QString Runner::rejectsPath(const QString &statePath, const QString &taskName)
{
    const QFileInfo state(statePath);
    return state.absolutePath() + u'/' + state.completeBaseName() + u".rejects/"_s +
           safeFileName(taskName) + u".lp"_s;
}

void Runner::run()
{
    // A pause or stop asked for before the run got going still counts; the flags are cleared
    // when a run ends, ready for the next one (resume).
    m_outcome = execute();
    m_cancel.reset();
    m_requested.store(0);
    Q_EMIT finished(m_outcome);
}

RunOutcome Runner::execute()
{
    RunOutcome outcome;
    CheckpointStore store;
    if (!store.open(m_statePath)) {
        outcome.message =
            u"Cannot open the state file %1: %2"_s.arg(m_statePath, store.lastError());
        outcome.errorKind = ErrorKind::Io;
        return outcome;
    }
    const EventLevel maxLevel = levelOf(m_profile.advanced.logLevel);
    // The stored profile keeps its secrets only where the user chose to keep them there.
    const auto stored = store.task(m_profile.name);
    const bool keepSecrets =
        stored && ProfileJson::hasSecrets(ProfileJson::fromJson(stored->profileJson).profile);
    const auto taskId = store.saveTask(m_profile.name, ProfileJson::toJson(m_profile, keepSecrets));
    if (!taskId) {
        outcome.message = u"Cannot save the task in %1: %2"_s.arg(m_statePath, store.lastError());
        outcome.errorKind = ErrorKind::Io;
        return outcome;
    }
    store.requeueRunningUnits(*taskId);
    const QString rejectsFile = rejectsPath(m_statePath, m_profile.name);
    Recorder recorder(rejectsFile, maxLevel);

    auto log = [&](EventLevel level, const QString &message) {
        if (level > maxLevel) // the task's log level filters what is kept and what is shown
            return;
        store.addEvent(*taskId, level, message);
        Q_EMIT event(int(level), message);
    };
    auto flushEvents = [&](const QList<QPair<EventLevel, QString>> &events) {
        for (const auto &[level, message] : events) {
            store.addEvent(*taskId, level, message);
            Q_EMIT event(int(level), message);
        }
    };
    auto finishWith = [&](TaskState state, RunOutcome result) {
        store.requeueRunningUnits(*taskId);
        result.pointsRejected = store.unitTotals(*taskId).pointsRejected;
        if (recorder.hasRejects() || result.pointsRejected > 0)
            result.rejectsFile = rejectsFile;
        store.setTaskState(*taskId, state,
                           result.status == RunOutcome::Status::Failed ? result.message
                                                                       : QString());
        log(result.status == RunOutcome::Status::Failed ? EventLevel::Error : EventLevel::Info,
            result.message);
        return result;
    };
    auto failWith = [&](const Error &error) {
        RunOutcome result;
        result.status = RunOutcome::Status::Failed;
        result.errorKind = error.kind();
        result.message = error.message();
        if (error.kind() == ErrorKind::Cancelled) {
            result.status =
                m_requested.load() == 2 ? RunOutcome::Status::Stopped : RunOutcome::Status::Paused;
            result.message =
                result.status == RunOutcome::Status::Stopped ? u"Stopped"_s : u"Paused"_s;
            return finishWith(result.status == RunOutcome::Status::Stopped ? TaskState::Stopped
                                                                           : TaskState::Paused,
                              result);
        }
        return finishWith(TaskState::Failed, result);
    };

    QElapsedTimer elapsed;
    elapsed.start();
    std::unique_ptr<Source> source;
    std::unique_ptr<Sink> sink;
    PlanRequest request;
    const bool follow = m_profile.task.mode == u"realtime" || m_profile.task.mode == u"both";
    const qint64 delayNs = qint64(std::clamp(m_profile.task.delaySeconds, 1, 30)) * kNsPerSecond;
    std::optional<qint64> stopAt; ///< the end time, when there is one
    qint64 followFrom = 0;        ///< where following starts: the end of the history range
    try {
        if (m_profile.task.mode != u"history" && !follow)
            throw Error(ErrorKind::Config,
                        u"Mode \"%1\" is unknown; use history, realtime or both"_s.arg(
                            m_profile.task.mode));
        if (const SourceKind *kind = kinds::source(m_profile.source);
            follow && kind && !kind->canFollow)
            throw Error(ErrorKind::Config,
                        u"task.mode: a %1 source cannot be followed; use mode history"_s.arg(
                            kind->label.toLower()));
        source = Endpoints::createSource(m_profile);
        sink = Endpoints::createSink(m_profile);
        log(EventLevel::Info, u"Starting task \"%1\": %2 → %3"_s.arg(
                                  m_profile.name, source->describe(), sink->describe()));

        const ConnectionInfo sourceInfo = source->checkConnection(m_cancel);
        log(EventLevel::Info,
            u"Source: %1 %2 (%3)"_s.arg(sourceInfo.product, sourceInfo.version, sourceInfo.detail));
        for (const QString &note : source->notes(m_cancel))
            log(EventLevel::Warn, u"Source: "_s + note);
        const ConnectionInfo targetInfo = sink->checkConnection(m_cancel);
        log(EventLevel::Info,
            u"Target: %1 %2 (%3)"_s.arg(targetInfo.product, targetInfo.version, targetInfo.detail));
        sink->prepare(m_cancel);
        sink->syncSchema(*source, m_profile.task.bucket, m_profile.task.measurements,
                         m_profile.task.schemaSync != u"none"_s, m_cancel);

        const auto start = TimeText::parse(m_profile.task.start, m_profile.task.timeZone);
        if (!start)
            throw Error(ErrorKind::Config,
                        u"Start time \"%1\" is not a valid time"_s.arg(m_profile.task.start));
        std::optional<qint64> end;
        if (!m_profile.task.end.isEmpty()) {
            end = TimeText::parse(m_profile.task.end, m_profile.task.timeZone);
            if (!end)
                throw Error(ErrorKind::Config,
                            u"End time \"%1\" is not a valid time"_s.arg(m_profile.task.end));
        }
        stopAt = end;
        const auto record = store.task(*taskId);
        const bool planned = record && record->planned;
        const qint64 now = TimeText::nowNs();
        qint64 historyStart = *start;
        qint64 historyEnd = 0;
        if (!follow) {
            // History without an end: up to the moment the task was first planned.
            historyEnd =
                end ? *end : (planned && record->planStartNs == *start ? record->planEndNs : now);
        } else if (m_profile.task.mode == u"both") {
            // History up to now minus the delay (late points still arrive before that), or to
            // the end time when it is earlier; following takes over from there.
            const bool keep = planned && record->planStartNs == *start &&
                              record->planEndNs >= *start && (!end || record->planEndNs <= *end);
            historyEnd = keep ? record->planEndNs
                              : std::max(*start, std::min(now - delayNs, end.value_or(now)));
        } else {
            // Realtime: from the moment the task first started (or its start, when later); the
            // history range is empty and only marks where following began.
            const bool keep =
                planned && record->planStartNs == record->planEndNs && record->planEndNs >= *start;
            historyStart = historyEnd = keep ? record->planEndNs : std::max(*start, now);
        }
        followFrom = historyEnd;

        request.database = m_profile.task.bucket;
        request.retentionPolicy = m_profile.task.retentionPolicy;
        request.measurements = m_profile.task.measurements;
        request.range = TimeRange{historyStart, historyEnd};
        request.windowNs = qint64(std::max(1, m_profile.task.windowMinutes)) * kNsPerMinute;

        if (follow && record && record->watermarkNs != 0 && record->watermarkNs >= historyEnd &&
            planned && record->planEndNs == historyEnd) {
            // Following had begun: what is left of the cycle that was interrupted is planned
            // again from the watermark.
            if (!store.deleteUnitsFrom(*taskId, record->watermarkNs))
                throw Error(ErrorKind::Io, store.lastError());
        } else if (historyStart == historyEnd) {
            if (!planned || record->planStartNs != historyStart || record->planEndNs != historyEnd)
                store.setPlan(*taskId, true, historyStart, historyEnd);
        } else if (!planned || record->planStartNs != historyStart ||
                   record->planEndNs != historyEnd) {
            store.setTaskState(*taskId, TaskState::Planning);
            RunProgress planning;
            planning.phase = u"planning"_s;
            Q_EMIT progress(planning);
            log(EventLevel::Info, u"Planning %1 .. %2"_s.arg(TimeText::format(historyStart),
                                                             TimeText::format(historyEnd)));
            const QList<PlannedUnit> planned = source->plan(request, m_cancel);
            const QList<UnitRecord> units = ledgerUnits(*taskId, planned);
            const auto added = store.addUnits(*taskId, units);
            if (!added)
                throw Error(ErrorKind::Io, store.lastError());
            store.setPlan(*taskId, true, historyStart, historyEnd);
            log(EventLevel::Info,
                u"Planned %1 read units (%2 new)"_s.arg(planned.size()).arg(*added));
        }
    } catch (const Error &error) {
        return failWith(error);
    }

    store.setTaskState(*taskId, TaskState::Running);
    // The estimated total for the monitor, on a thread of its own: the migration does not wait.
    Estimator estimator(*source, request, m_statePath, *taskId, m_cancel);
    estimator.start();
    const auto previous = store.lastSample(*taskId);
    const qint64 baseRead = previous ? previous->pointsRead : 0;
    const qint64 baseWritten = previous ? previous->pointsWritten : 0;
    const qint64 baseRejected = previous ? previous->pointsRejected : 0;
    const qint64 baseRetries = previous ? previous->retries : 0;

    PipelineSettings settings;
    settings.readConcurrency = m_profile.advanced.readConcurrency;
    settings.writeConcurrency = m_profile.advanced.writeConcurrency;
    settings.batchSize = m_profile.advanced.batchSize;

    struct RateWindow
    {
        qint64 timeMs;
        qint64 read;
        qint64 written;
        qint64 unitsDone;
    };
    std::deque<RateWindow> window;
    qint64 runRead = 0, runWritten = 0, runRejected = 0, runRetries = 0;
    // The counters of the pipeline at work (none between follow cycles), on top of the pass's.
    const PipelineCounters *live = nullptr;
    qint64 passRead = 0, passWritten = 0, passRejected = 0, passRetries = 0;
    QString phase = u"history"_s;
    qint64 watermark = 0; ///< following: everything before it is in the target

    auto sample = [&] {
        if (live) {
            runRead = passRead + live->pointsRead.load();
            runWritten = passWritten + live->pointsWritten.load();
            runRejected = passRejected + live->pointsRejected.load();
            runRetries = passRetries + live->retries.load();
        }
        const UnitTotals totals = store.unitTotals(*taskId);
        ProgressSample s;
        s.taskId = *taskId;
        s.timeMs = QDateTime::currentMSecsSinceEpoch();
        s.pointsRead = baseRead + runRead;
        s.pointsWritten = baseWritten + runWritten;
        s.pointsRejected = baseRejected + runRejected;
        s.unitsDone = totals.done;
        s.unitsTotal = totals.total;
        s.retries = baseRetries + runRetries;
        s.readersBusy = live ? live->readersBusy.load() : 0;
        s.writersBusy = live ? live->writersBusy.load() : 0;
        store.addSample(s);

        window.push_back({s.timeMs, s.pointsRead, s.pointsWritten, s.unitsDone});
        while (window.size() > 2 && window.back().timeMs - window.front().timeMs > 30000)
            window.pop_front();
        RunProgress p;
        p.phase = phase;
        p.pointsRead = s.pointsRead;
        p.pointsWritten = s.pointsWritten;
        p.pointsRejected = s.pointsRejected;
        p.unitsDone = s.unitsDone;
        p.unitsTotal = s.unitsTotal;
        p.retries = s.retries;
        p.elapsedMs = elapsed.elapsed();
        if (phase == u"following") {
            p.watermarkNs = watermark;
            p.lagSeconds = std::max<qint64>(0, (TimeText::nowNs() - watermark) / kNsPerSecond);
        }
        if (window.size() >= 2) {
            const double seconds = (window.back().timeMs - window.front().timeMs) / 1000.0;
            if (seconds > 0) {
                p.writeRate = (window.back().written - window.front().written) / seconds;
                p.readRate = (window.back().read - window.front().read) / seconds;
                const double unitRate =
                    (window.back().unitsDone - window.front().unitsDone) / seconds;
                if (unitRate > 0 && phase == u"history")
                    p.etaSeconds = qint64((s.unitsTotal - s.unitsDone) / unitRate);
            }
        }
        Q_EMIT progress(p);
    };

    // Moves every unit of the ledger that is not done through the pipeline; a second pass
    // retries units that failed for a transient reason.
    qint64 lastSampleMs = 0;
    PlanRequest active = request; ///< what the units at work belong to: history or a cycle
    QList<ErrorKind> failedKinds; ///< why units failed in the last pass of runUnfinished()
    auto runUnfinished = [&]() -> Pipeline::Result {
        Pipeline::Result result;
        failedKinds.clear();
        for (int pass = 1;; ++pass) {
            QList<ReadUnit> work;
            for (const UnitRecord &u : store.unfinishedUnits(*taskId)) {
                ReadUnit unit;
                unit.id = u.id;
                unit.measurement = u.measurement;
                unit.context = u.context;
                unit.start = u.rangeStart;
                unit.end = u.rangeEnd;
                work.append(unit);
            }
            if (work.isEmpty())
                break;
            if (pass > 1)
                log(EventLevel::Info, u"Retrying %1 failed units"_s.arg(work.size()));

            Pipeline pipeline(*source, *sink, active, sink->dialect(), settings, recorder);
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

            passRead = runRead;
            passWritten = runWritten;
            passRejected = runRejected;
            passRetries = runRetries;
            live = &pipeline.counters();
            auto drain = [&] {
                Recorder::Drained drained = recorder.drain();
                const bool anyDone =
                    std::any_of(drained.updates.begin(), drained.updates.end(),
                                [](const UnitUpdate &u) { return u.status == UnitStatus::Done; });
                if (anyDone) {
                    try {
                        sink->flush(); // durable before the ledger says done
                    } catch (const Error &error) {
                        log(EventLevel::Error, error.message());
                        for (UnitUpdate &u : drained.updates)
                            if (u.status == UnitStatus::Done)
                                u.status = UnitStatus::Pending;
                    }
                }
                if (!drained.updates.isEmpty() && !store.updateUnits(drained.updates))
                    log(EventLevel::Error, u"Cannot record progress: %1"_s.arg(store.lastError()));
                flushEvents(drained.events);
            };

            for (;;) {
                {
                    std::unique_lock<std::mutex> lock(doneMutex);
                    doneCondition.wait_for(lock, std::chrono::milliseconds(250),
                                           [&] { return done; });
                    if (done)
                        break;
                }
                drain();
                const qint64 now = elapsed.elapsed();
                if (now - lastSampleMs >= 1000) {
                    lastSampleMs = now;
                    sample();
                }
            }
            worker.join();
            drain();
            sample();
            live = nullptr;

            if (result.status != Pipeline::Result::Status::Finished || result.unitsFailed == 0)
                break;
            failedKinds = recorder.takeFailedKinds();
            const bool retryable = std::any_of(failedKinds.begin(), failedKinds.end(), isTransient);
            if (pass >= 2 || !retryable)
                break;
        }
        return result;
    };

    Pipeline::Result result = runUnfinished();
    if (result.status == Pipeline::Result::Status::Fatal && result.fatal)
        return failWith(*result.fatal);
    if (result.status == Pipeline::Result::Status::Cancelled) {
        // A pause or stop that came when every unit was already done changes nothing for a
        // history task: it is complete. (A following task pauses before it follows.)
        const UnitTotals now = store.unitTotals(*taskId);
        if (follow || now.total == 0 || now.done < now.total)
            return failWith(Error(ErrorKind::Cancelled, u"Cancelled"_s));
    }

    const UnitTotals totals = store.unitTotals(*taskId);
    RunOutcome final;
    if (totals.done < totals.total) {
        final.status = RunOutcome::Status::Failed;
        final.errorKind = ErrorKind::Query;
        final.message = u"%1 of %2 read units failed; run the task again to retry them (see the "
                        "event log for the reasons)"_s.arg(totals.total - totals.done)
                            .arg(totals.total);
        return finishWith(TaskState::Failed, final);
    }
    if (!follow) {
        final.status = RunOutcome::Status::Completed;
        final.message = u"History complete: %1 points written, %2 rejected, %3 read units"_s
                            .arg(totals.pointsWritten)
                            .arg(totals.pointsRejected)
                            .arg(totals.total);
        return finishWith(TaskState::Completed, final);
    }

    // ---- Following: every few seconds, [watermark, now - delay) is planned into the ledger as
    // one more set of units, moved through the same pipeline, and the watermark moves to its
    // end once every one of them is done. Done units below the watermark are merged, one per
    // measurement, so the ledger stays small however long the task follows.
    {
        const auto record = store.task(*taskId);
        watermark = std::max(record ? record->watermarkNs : 0, followFrom);
        if (!record || record->watermarkNs != watermark)
            store.setWatermark(*taskId, watermark);
        if (record && record->planStartNs < record->planEndNs && record->watermarkNs == 0)
            log(EventLevel::Info,
                u"History complete: %1 points written, %2 rejected, %3 read units"_s
                    .arg(totals.pointsWritten)
                    .arg(totals.pointsRejected)
                    .arg(totals.total));
    }
    phase = u"following"_s;
    log(EventLevel::Info,
        u"Following new data from %1%2, reading up to now − %3 s"_s
            .arg(TimeText::format(watermark),
                 stopAt ? u" until %1"_s.arg(TimeText::format(*stopAt)) : QString())
            .arg(delayNs / kNsPerSecond));
    sample();
    const qint64 intervalMs = std::clamp<qint64>(delayNs / 2 / 1000000, 1000, 5000);
    int troubledCycles = 0; // consecutive cycles that failed for a transient reason
    qint64 nextCycleMs = 0;
    for (;;) {
        if (stopAt && watermark >= *stopAt) {
            const UnitTotals t = store.unitTotals(*taskId);
            final.status = RunOutcome::Status::Completed;
            final.message = u"Followed new data up to the end time %1: %2 points written, %3 "
                            "rejected"_s.arg(TimeText::format(*stopAt))
                                .arg(t.pointsWritten)
                                .arg(t.pointsRejected);
            return finishWith(TaskState::Completed, final);
        }
        // Wait for the next cycle; pause and stop end the wait at once.
        while (elapsed.elapsed() < nextCycleMs && !m_cancel.isCancelled()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(
                std::clamp<qint64>(nextCycleMs - elapsed.elapsed(), 1, 100)));
            flushEvents(recorder.drain().events);
            if (elapsed.elapsed() - lastSampleMs >= 1000) {
                lastSampleMs = elapsed.elapsed();
                sample();
            }
        }
        if (m_cancel.isCancelled())
            return failWith(Error(ErrorKind::Cancelled, u"Cancelled"_s));
        nextCycleMs = elapsed.elapsed() + intervalMs;

        qint64 upper = TimeText::nowNs() - delayNs;
        if (stopAt)
            upper = std::min(upper, *stopAt);
        if (upper <= watermark)
            continue;

        auto troubled = [&](const QString &message) {
            ++troubledCycles;
            const qint64 backoffMs =
                std::min<qint64>(60000, intervalMs << std::min(troubledCycles, 6));
            log(EventLevel::Warn,
                u"%1; following again in %2 s"_s.arg(message).arg(backoffMs / 1000));
            nextCycleMs = elapsed.elapsed() + backoffMs;
        };
        try {
            if (!store.deleteUnitsFrom(*taskId, watermark))
                throw Error(ErrorKind::Io, store.lastError());
            active = request;
            active.range = TimeRange{watermark, upper};
            const QList<PlannedUnit> planned = source->plan(active, m_cancel);
            const QList<UnitRecord> units = ledgerUnits(*taskId, planned);
            if (!units.isEmpty() && !store.addUnits(*taskId, units))
                throw Error(ErrorKind::Io, store.lastError());
            if (!units.isEmpty())
                log(EventLevel::Debug,
                    u"Following %1 .. %2: %3 read units"_s
                        .arg(TimeText::format(watermark), TimeText::format(upper))
                        .arg(units.size()));
        } catch (const Error &error) {
            if (error.kind() == ErrorKind::Cancelled || m_cancel.isCancelled())
                return failWith(Error(ErrorKind::Cancelled, u"Cancelled"_s));
            if (!isTransient(error.kind()))
                return failWith(error);
            troubled(error.message());
            continue;
        }

        result = runUnfinished();
        if (result.status == Pipeline::Result::Status::Cancelled)
            return failWith(Error(ErrorKind::Cancelled, u"Cancelled"_s));
        if (result.status == Pipeline::Result::Status::Fatal && result.fatal) {
            if (!isTransient(result.fatal->kind()))
                return failWith(*result.fatal);
            m_cancel.reset(); // the pipeline fired it to stop its threads
            if (m_requested.load() != 0)
                return failWith(Error(ErrorKind::Cancelled, u"Cancelled"_s));
            troubled(result.fatal->message());
            continue;
        }
        const UnitTotals after = store.unitTotals(*taskId);
        if (after.done < after.total) {
            if (failedKinds.isEmpty() ||
                !std::all_of(failedKinds.begin(), failedKinds.end(), isTransient)) {
                final.status = RunOutcome::Status::Failed;
                final.errorKind = ErrorKind::Query;
                final.message =
                    u"%1 read units after %2 failed; run the task again to retry them (see the "
                    "event log for the reasons)"_s.arg(after.total - after.done)
                        .arg(TimeText::format(watermark));
                return finishWith(TaskState::Failed, final);
            }
            troubled(u"%1 read units after %2 failed"_s.arg(after.total - after.done)
                         .arg(TimeText::format(watermark)));
            continue;
        }
        // Every unit below `upper` is acknowledged: move the watermark, then fold the ledger.
        if (!store.setWatermark(*taskId, upper))
            return failWith(Error(ErrorKind::Io, store.lastError()));
        watermark = upper;
        troubledCycles = 0;
        if (!store.mergeDoneUnits(*taskId, followFrom, watermark))
            log(EventLevel::Warn, store.lastError());
    }
}

} // namespace tsm
