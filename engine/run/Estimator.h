#pragma once

#include "core/CancelToken.h"
#include "core/Source.h"

#include <QString>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace tsm {

/**
 * Estimates the points a task will move, measurement by measurement, with cheap count queries
 * at the source, and records them in the checkpoint store for the monitor, on a thread and a
 * store connection of its own so the migration does not wait for it. A measurement counted by
 * an earlier run is not asked again. On destruction it is given a
 * moment to finish (a short run ends before its counts come back), then cancelled.
 */
class Estimator
{
public:
    /// `run` is the run's token: when the run is paused or stopped, estimating stops at once.
    Estimator(Source &source, PlanRequest request, QString statePath, qint64 taskId,
              const CancelToken &run);
    ~Estimator();
    Estimator(const Estimator &) = delete;
    Estimator &operator=(const Estimator &) = delete;

    /// Starts estimating the measurements of the task's ledger.
    void start();
    /// Waits until every estimate is recorded (or estimating failed).
    void wait();

private:
    void run();
    void estimate();

    Source &m_source;
    PlanRequest m_request;
    QString m_statePath;
    qint64 m_taskId;
    const CancelToken &m_run;
    CancelToken m_cancel;
    std::thread m_thread;
    std::mutex m_mutex;
    std::condition_variable m_finished;
    bool m_done = false;
};

} // namespace tsm
