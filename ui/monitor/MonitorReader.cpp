#include "MonitorReader.h"

#include "run/Runner.h"

#include <Kinds.h>
#include <ProfileJson.h>
#include <QFileInfo>
#include <QMap>
#include <QTimer>
#include <TaskPhase.h>
#include <TimeText.h>
#include <algorithm>

using namespace Qt::StringLiterals;

namespace tsm {

MonitorReader::MonitorReader(QString storePath, QString taskName)
    : m_path(std::move(storePath)), m_taskName(std::move(taskName))
{
    qRegisterMetaType<tsm::MonitorSnapshot>();
}

void MonitorReader::start(int intervalMs)
{
    if (!m_timer) {
        m_timer = new QTimer(this);
        connect(m_timer, &QTimer::timeout, this, &MonitorReader::poll);
    }
    m_intervalMs = intervalMs;
    m_timer->start(intervalMs);
    poll();
}

void MonitorReader::poll()
{
    MonitorSnapshot snap;
    if (!m_store.isOpen()) {
        if (!QFileInfo::exists(m_path)) {
            snap.storeError = tr("The state file %1 does not exist (yet).").arg(m_path);
            Q_EMIT snapshot(snap);
            return;
        }
        // Read-only: watching never writes, and never takes a lock the migration waits for.
        if (!m_store.open(m_path, CheckpointStore::Mode::ReadOnly)) {
            snap.storeError = m_store.lastError();
            Q_EMIT snapshot(snap);
            return;
        }
    }
    const auto task = m_store.task(m_taskName);
    if (!task) {
        snap.storeError = tr("There is no task named \"%1\" in %2.").arg(m_taskName, m_path);
        Q_EMIT snapshot(snap);
        return;
    }
    snap.taskFound = true;
    snap.task = *task;
    const auto last = m_store.lastSample(task->id);
    // A task deleted and saved again, or reset (--restart): its samples start over.
    if (task->id != m_taskId || (m_lastSampleMs >= 0 && (!last || last->timeMs < m_lastSampleMs))) {
        snap.restarted = m_taskId != 0;
        m_taskId = task->id;
        m_lastSampleMs = -1;
        m_lastEventId = 0;
    }
    snap.newSamples = m_store.samples(task->id, m_lastSampleMs);
    if (!snap.newSamples.isEmpty())
        m_lastSampleMs = snap.newSamples.last().timeMs;
    snap.newEvents = m_store.events(task->id, m_lastEventId);
    if (!snap.newEvents.isEmpty())
        m_lastEventId = snap.newEvents.last().id;
    snap.measurements = m_store.measurementProgress(task->id);
    for (const MeasurementProgress &m : std::as_const(snap.measurements)) {
        snap.totals.total += m.unitsTotal;
        snap.totals.done += m.unitsDone;
        snap.totals.running += m.unitsRunning;
        snap.totals.failed += m.unitsFailed;
        snap.totals.pointsRead += m.pointsRead;
        snap.totals.pointsWritten += m.pointsWritten;
        snap.totals.pointsRejected += m.pointsRejected;
    }
    snap.measurementRows = snap.measurements;
    const bool hasFile =
        std::any_of(snap.measurements.cbegin(), snap.measurements.cend(),
                    [](const MeasurementProgress &m) { return m.measurement.isEmpty(); });
    if (hasFile)
        snap.measurementRows = withFileMeasurements(
            snap.measurements, m_store.measurementCounts(task->id), m_store.estimates(task->id));
    snap.totals.pending =
        snap.totals.total - snap.totals.done - snap.totals.running - snap.totals.failed;
    if (snap.totals.failed > 0)
        snap.failedUnits = m_store.failedUnits(task->id);
    const ProfileJson::LoadResult profile = ProfileJson::fromJson(task->profileJson);
    snap.readConcurrency = profile.profile.advanced.readConcurrency;
    snap.writeConcurrency = profile.profile.advanced.writeConcurrency;
    snap.maxPointsPerSecond = profile.profile.advanced.maxPointsPerSecond;
    // The runner sets the watermark once the history is complete and following begins.
    snap.following = kinds::follows(profile.profile.task.mode) && task->watermarkNs != 0;
    snap.phase = TaskPhase::describe(*task, snap.totals, TimeText::nowNs());
    TaskProfile named = profile.profile;
    named.name = m_taskName;
    const QString rejects = Runner::rejectsPath(m_path, named);
    if (QFileInfo::exists(rejects))
        snap.rejectsFile = rejects;

    const bool quiet =
        snap.newSamples.isEmpty() && snap.newEvents.isEmpty() && task->updatedMs == m_lastUpdatedMs;
    m_lastUpdatedMs = task->updatedMs;
    m_quietPolls = quiet ? m_quietPolls + 1 : 0;
    const bool idle = !isActive(task->state);
    const int interval = idle && m_quietPolls >= 4 ? 10 * m_intervalMs : m_intervalMs;
    if (m_timer && m_timer->interval() != interval)
        m_timer->setInterval(interval);
    Q_EMIT snapshot(snap);
}

QList<MeasurementProgress>
MonitorReader::withFileMeasurements(const QList<MeasurementProgress> &ledger,
                                    const QList<MeasurementCount> &wrote,
                                    const QHash<QString, qint64> &estimates)
{
    const auto file =
        std::find_if(ledger.cbegin(), ledger.cend(),
                     [](const MeasurementProgress &m) { return m.measurement.isEmpty(); });
    if (file == ledger.cend())
        return ledger;
    // Every measurement the file was counted to hold, and any it wrote that the count missed.
    QMap<QString, MeasurementProgress> byName;
    auto rowOf = [&](const QString &name) -> MeasurementProgress & {
        auto it = byName.find(name);
        if (it == byName.end()) {
            MeasurementProgress m = *file; // the file's units, which the measurement shares
            m.measurement = name;
            m.pointsRead = m.pointsWritten = m.pointsRejected = 0;
            m.lastError.clear();
            m.estimatedPoints =
                file->estimatedPoints == kCannotEstimate ? kCannotEstimate : kNotEstimated;
            m.ofFile = true;
            it = byName.insert(name, m);
        }
        return *it;
    };
    for (auto it = estimates.constBegin(); it != estimates.constEnd(); ++it)
        if (!it.key().isEmpty())
            rowOf(it.key()).estimatedPoints = it.value();
    for (const MeasurementCount &c : wrote) {
        MeasurementProgress &m = rowOf(c.measurement);
        m.pointsWritten = c.pointsWritten;
        m.pointsRejected = c.pointsRejected;
    }
    QList<MeasurementProgress> rows = ledger;
    for (const MeasurementProgress &m : std::as_const(byName))
        if (std::none_of(ledger.cbegin(), ledger.cend(), [&](const MeasurementProgress &l) {
                return l.measurement == m.measurement;
            }))
            rows.append(m);
    return rows;
}

} // namespace tsm
