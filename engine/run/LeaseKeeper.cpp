#include "run/LeaseKeeper.h"

#include "EngineLog.h"
#include "core/Error.h"

using namespace Qt::StringLiterals;

namespace tsm {

LeaseKeeper::LeaseKeeper(QString statePath, RequestHandler onRequest)
    : m_statePath(std::move(statePath)), m_onRequest(std::move(onRequest)),
      m_me(Lease::thisRun())
{}

LeaseKeeper::~LeaseKeeper()
{
    if (!m_thread.joinable())
        return;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

std::optional<LeaseHolder> LeaseKeeper::claim(CheckpointStore &store, qint64 taskId,
                                              const QString &taskName)
{
    const std::optional<LeaseClaim> claim = store.claimLease(taskId, m_me);
    if (!claim)
        throw Error(ErrorKind::Io, store.lastError());
    if (!claim->granted)
        throw Error(ErrorKind::Busy,
                    u"Task \"%1\" is running in %2; pause or stop it there, or wait until it "
                    u"ends"_s.arg(taskName, claim->other->describe()));
    m_taskId = taskId;
    m_thread = std::thread([this] { renewLoop(); });
    return claim->other;
}

void LeaseKeeper::renewLoop()
{
    CheckpointStore store;
    const bool opened = store.open(m_statePath); // if not, the run's own connection reports it
    for (;;) {
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            if (m_wake.wait_for(lock, std::chrono::milliseconds(Lease::kHeartbeatMs),
                                [this] { return m_stopping; }))
                break;
        }
        if (opened)
            renewOnce(store);
    }
    if (opened && !m_lost.load())
        store.releaseLease(m_taskId, m_me.token);
}

void LeaseKeeper::renewOnce(CheckpointStore &store)
{
    const std::optional<RunRequest> request = store.renewLease(m_taskId, m_me.token);
    if (request) {
        if (*request != RunRequest::None)
            m_onRequest(*request);
        return;
    }
    const std::optional<LeaseHolder> holder = store.lease(m_taskId);
    if (!holder || holder->token == m_me.token || m_lost.load())
        return; // the store failed for a moment: the next renewal tries again
    // Another run holds the lease now: this one stops at once.
    qCWarning(lcEngine).noquote() << "Task" << m_taskId << "was taken over by"
                                  << holder->describe();
    m_lost.store(true);
    m_onRequest(RunRequest::Stop);
}

} // namespace tsm
