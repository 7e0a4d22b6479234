#pragma once

#include <CheckpointStore.h>
#include <QString>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace tsm {

/**
 * Holds a run's lease on its task while the run works: claims it, renews it every second on a
 * thread and store connection of its own (so a long plan or a slow write does not let it go
 * stale), hands what another process asks (pause, stop) to the run, and releases it at the end.
 */
class LeaseKeeper
{
public:
    using RequestHandler = std::function<void(RunRequest)>;

    LeaseKeeper(QString statePath, RequestHandler onRequest);
    ~LeaseKeeper();
    LeaseKeeper(const LeaseKeeper &) = delete;
    LeaseKeeper &operator=(const LeaseKeeper &) = delete;

    /// Claims the task's lease through `store`; throws Error(Busy) naming the live run that holds
    /// it, Error(Io) when the store fails. Returns the stale holder it took over from, if any.
    /// Once granted, the lease is renewed until destruction.
    std::optional<LeaseHolder> claim(CheckpointStore &store, qint64 taskId,
                                     const QString &taskName);
    /// Whether another run took the lease over while this one worked (its heartbeat had stopped
    /// long enough to look stale).
    bool lost() const { return m_lost.load(); }

private:
    void renewLoop();
    void renewOnce(CheckpointStore &store);

    QString m_statePath;
    RequestHandler m_onRequest;
    LeaseHolder m_me;
    qint64 m_taskId = 0;
    std::atomic<bool> m_lost{false};
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace tsm
