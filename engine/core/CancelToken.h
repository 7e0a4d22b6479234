#pragma once

#include <atomic>

namespace tsm {

/** Shared flag that long operations poll so pause/stop take effect promptly. */
class CancelToken
{
public:
    void cancel() { m_cancelled.store(true, std::memory_order_relaxed); }
    void reset() { m_cancelled.store(false, std::memory_order_relaxed); }
    bool isCancelled() const
    {
        return m_cancelled.load(std::memory_order_relaxed) || (m_parent && m_parent->isCancelled());
    }
    /// Also cancelled whenever `parent` is (set before the token is shared between threads).
    void setParent(const CancelToken *parent) { m_parent = parent; }

private:
    std::atomic<bool> m_cancelled{false};
    const CancelToken *m_parent = nullptr;
};

} // namespace tsm
