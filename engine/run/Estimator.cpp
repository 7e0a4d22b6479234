#include "run/Estimator.h"

#include "EngineLog.h"
#include "core/Error.h"

#include <CheckpointStore.h>

using namespace Qt::StringLiterals;

namespace tsm {

Estimator::Estimator(Source &source, PlanRequest request, QString statePath, qint64 taskId,
                     const CancelToken &run)
    : m_source(source), m_request(std::move(request)), m_statePath(std::move(statePath)),
      m_taskId(taskId), m_run(run)
{}

Estimator::~Estimator()
{
    if (m_thread.joinable() && !m_run.isCancelled()) {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_finished.wait_for(lock, std::chrono::seconds(2), [this] { return m_done; });
    }
    m_cancel.cancel();
    wait();
}

void Estimator::start()
{
    if (!m_thread.joinable())
        m_thread = std::thread([this] { run(); });
}

void Estimator::wait()
{
    if (m_thread.joinable())
        m_thread.join();
}

void Estimator::run()
{
    estimate();
    std::lock_guard<std::mutex> lock(m_mutex);
    m_done = true;
    m_finished.notify_all();
}

void Estimator::estimate()
{
    CheckpointStore store;
    if (!store.open(m_statePath)) {
        qCWarning(lcEngine) << "cannot open the state file:" << store.lastError();
        return;
    }
    for (const MeasurementProgress &m : store.measurementProgress(m_taskId)) {
        if (m_cancel.isCancelled() || m_run.isCancelled())
            return;
        if (m.estimatedPoints >= 0)
            continue; // counted by an earlier run; one that could not count is asked again
        qint64 points = kCannotEstimate;
        try {
            // Units of no one measurement (a file's byte ranges): each measurement is counted,
            // for the monitor, and the units' row gets the sum.
            const auto each = m.measurement.isEmpty()
                                  ? m_source.pointsByMeasurement(m_request, m_cancel)
                                  : std::nullopt;
            if (each) {
                points = 0;
                for (auto it = each->constBegin(); it != each->constEnd(); ++it) {
                    store.setEstimate(m_taskId, it.key(), it.value());
                    points += it.value();
                }
            } else {
                points = m_source.estimatePoints(m_request, m.measurement, m_cancel)
                             .value_or(kCannotEstimate);
            }
        } catch (const Error &error) {
            // An estimate is a courtesy: the migration goes on, and the monitor says "unknown".
            if (error.kind() == ErrorKind::Cancelled || m_cancel.isCancelled())
                return;
            store.addEvent(
                m_taskId, EventLevel::Warn,
                u"Cannot estimate the points of \"%1\": %2"_s.arg(m.measurement, error.message()));
        }
        if (!store.setEstimate(m_taskId, m.measurement, points))
            qCWarning(lcEngine) << store.lastError();
    }
}

} // namespace tsm
