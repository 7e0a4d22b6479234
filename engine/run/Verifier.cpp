#include "run/Verifier.h"

#include "connectors/Connectors.h"
#include "core/Error.h"
#include "run/RunRange.h"

#include <Counted.h>
#include <Lease.h>
#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QSet>
#include <TimeText.h>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

using namespace Qt::StringLiterals;

namespace tsm {

ReadUnit readUnitOf(const UnitRecord &unit)
{
    ReadUnit read;
    read.id = unit.id;
    read.measurement = unit.measurement;
    read.context = unit.context;
    read.start = unit.rangeStart;
    read.end = unit.rangeEnd;
    return read;
}

namespace {

/// Counts in flight at once: cheap queries, but each one is work for the server.
constexpr int kMaxCountConcurrency = 8;

} // namespace

QString VerifyReport::summary() const
{
    QString text = differing.isEmpty()
                       ? (windows == 1 ? u"1 window agrees"_s
                                       : u"%1 windows agree"_s.arg(QString::number(windows)))
                       : u"%1 of %2 differ"_s.arg(QString::number(differing.size()),
                                                  counted(windows, u"window"_s, u"windows"_s));
    if (unitsNotDone > 0)
        text += u" (%1 not migrated yet were not compared)"_s.arg(readUnits(unitsNotDone));
    return text;
}

QList<qint64> VerifyReport::differingUnits() const
{
    QList<qint64> ids;
    QSet<qint64> seen;
    for (const WindowCheck &w : differing)
        for (const qint64 id : w.unitIds)
            if (!seen.contains(id)) {
                seen.insert(id);
                ids.append(id);
            }
    return ids;
}

Verifier::Verifier(Source &source, Sink &sink, CheckpointStore &store, qint64 taskId,
                   const TaskProfile &profile, const CancelToken &cancel)
    : m_source(source), m_sink(sink), m_store(store), m_taskId(taskId), m_profile(profile),
      m_cancel(cancel)
{}

PlanRequest Verifier::requestOf(const TaskProfile &profile, const TaskRecord &task,
                                const QList<UnitRecord> &units)
{
    PlanRequest request = planRequestOf(profile.task, TimeRange());
    if (task.planned && task.planStartNs < task.planEndNs) {
        request.range = TimeRange{task.planStartNs, std::max(task.planEndNs, task.watermarkNs)};
    } else if (!units.isEmpty()) {
        request.range = TimeRange{units.first().rangeStart, units.first().rangeEnd};
        for (const UnitRecord &u : units)
            request.range = TimeRange{std::min(request.range.start, u.rangeStart),
                                      std::max(request.range.end, u.rangeEnd)};
    }
    return request;
}

VerifyReport Verifier::run()
{
    QElapsedTimer timer;
    timer.start();
    const std::optional<TaskRecord> task = m_store.task(m_taskId);
    if (!task)
        throw Error(ErrorKind::Io, m_store.lastError());
    const QList<UnitRecord> units = m_store.units(m_taskId);
    VerifyReport report;
    QList<ReadUnit> done;
    QHash<qint64, qint64> rejectedOf;
    for (const UnitRecord &u : units) {
        if (u.status != UnitStatus::Done) {
            ++report.unitsNotDone;
            continue;
        }
        done.append(readUnitOf(u));
        rejectedOf.insert(u.id, u.pointsRejected);
    }
    const PlanRequest request = requestOf(m_profile, *task, units);
    const QList<CountWindow> windows = m_source.countWindows(request, done, m_cancel);
    m_sink.prepareCount(windows, m_cancel);
    const QList<Counted> counted = countAll(request, windows);

    report.checkedMs = QDateTime::currentMSecsSinceEpoch();
    QList<WindowCheck> checks;
    checks.reserve(windows.size());
    for (qsizetype i = 0; i < windows.size(); ++i) {
        const CountWindow &w = windows.at(i);
        WindowCheck check;
        check.measurement = w.measurement;
        check.context = w.context;
        check.start = w.start;
        check.end = w.end;
        check.unitIds = w.unitIds;
        for (const qint64 id : w.unitIds)
            check.rejected += rejectedOf.value(id);
        check.sourceCount = counted.at(i).source.shown();
        check.targetCount = counted.at(i).target.shown();
        const CountComparison comparison =
            compareCounts(counted.at(i).source, counted.at(i).target, check.rejected);
        check.differs = comparison.differs;
        check.detail = comparison.differences.join(u", "_s);
        check.checkedMs = report.checkedMs;
        if (check.differs)
            report.differing.append(check);
        checks.append(check);
    }
    report.windows = checks.size();
    if (!m_store.setVerification(m_taskId, checks))
        throw Error(ErrorKind::Io, m_store.lastError());
    report.elapsedMs = timer.elapsed();
    return report;
}

QList<Verifier::Counted> Verifier::countAll(const PlanRequest &request,
                                            const QList<CountWindow> &windows)
{
    QList<Counted> counted(windows.size());
    std::atomic<qsizetype> next{0};
    std::atomic<bool> failed{false};
    std::exception_ptr error;
    std::mutex errorMutex;
    auto work = [&] {
        for (;;) {
            const qsizetype i = next.fetch_add(1);
            if (i >= windows.size() || failed.load())
                return;
            try {
                if (m_cancel.isCancelled())
                    throw Error(ErrorKind::Cancelled, u"Verification cancelled"_s);
                counted[i].source = m_source.count(request, windows.at(i), m_cancel);
                counted[i].target = m_sink.count(windows.at(i), m_cancel);
            } catch (...) {
                std::lock_guard<std::mutex> lock(errorMutex);
                if (!error)
                    error = std::current_exception();
                failed.store(true);
                return;
            }
        }
    };
    const int threads = int(std::clamp<qsizetype>(
        std::min<qsizetype>(m_profile.advanced.readConcurrency, kMaxCountConcurrency), 1,
        std::max<qsizetype>(1, windows.size())));
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t)
        pool.emplace_back(work);
    work();
    for (std::thread &thread : pool)
        thread.join();
    if (error)
        std::rethrow_exception(error);
    return counted;
}

VerifyReport Verifier::verifyTask(const TaskProfile &profile, const QString &statePath,
                                  const ConnectorFactory &factory, const CancelToken &cancel)
{
    CheckpointStore store;
    if (!store.open(statePath))
        throw Error(ErrorKind::Io, u"Cannot open the state file %1: %2"_s.arg(statePath,
                                                                              store.lastError()));
    const std::optional<TaskRecord> task = store.task(profile.name);
    if (!task)
        throw Error(ErrorKind::NotFound,
                    u"Task \"%1\" has nothing migrated in %2 to verify: run it first"_s.arg(
                        profile.name, statePath));
    if (const auto lease = store.lease(task->id);
        lease && Lease::isLive(*lease, QDateTime::currentMSecsSinceEpoch()))
        throw Error(ErrorKind::Busy,
                    u"Task \"%1\" is running in %2: verify it once that run has stopped"_s.arg(
                        profile.name, lease->describe()));
    const UnitTotals totals = store.unitTotals(task->id);
    if (totals.done == 0)
        throw Error(ErrorKind::NotFound,
                    u"Task \"%1\" has no migrated windows to verify yet: run it first"_s.arg(
                        profile.name));
    std::unique_ptr<Source> source =
        factory.source ? factory.source(profile) : Connectors::createSource(profile);
    std::unique_ptr<Sink> sink = factory.sink ? factory.sink(profile) : Connectors::createSink(profile);
    Verifier verifier(*source, *sink, store, task->id, profile, cancel);
    const VerifyReport report = verifier.run();
    store.addEvent(task->id, report.agrees() ? EventLevel::Info : EventLevel::Warn,
                   u"Verified: %1 (counted in %2 s)"_s.arg(report.summary())
                       .arg(report.elapsedMs / 1000.0, 0, 'f', 1));
    return report;
}

int Verifier::markDifferingPending(CheckpointStore &store, qint64 taskId)
{
    const QList<WindowCheck> differing = store.verification(taskId, true);
    QList<qint64> ids;
    for (const WindowCheck &w : differing)
        ids.append(w.unitIds);
    if (!store.markUnitsPending(taskId, ids))
        throw Error(ErrorKind::Io, store.lastError());
    if (!differing.isEmpty())
        store.addEvent(taskId, EventLevel::Info,
                       u"Repair: %1 (%2) marked to migrate again"_s.arg(
                           counted(differing.size(), u"differing window"_s, u"differing windows"_s),
                           readUnits(ids.size())));
    return int(differing.size());
}

} // namespace tsm
