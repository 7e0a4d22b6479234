#include "run/Pace.h"

#include "http/Retry.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace tsm {

namespace {

constexpr double kNsPerSecond = 1e9;

class SteadyClock : public PaceClock
{
public:
    qint64 nowNs() const override
    {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
            .count();
    }
    void sleepNs(qint64 ns, const CancelToken &cancel) override
    {
        // Whole milliseconds, rounded up: the bucket's credit is paid in full.
        sleepCancellable(int(std::min<qint64>((ns + 999999) / 1000000, 1LL << 30)), cancel);
    }
};

} // namespace

PaceClock &PaceClock::system()
{
    static SteadyClock clock;
    return clock;
}

TokenBucket::TokenBucket(qint64 pointsPerSecond, PaceClock &clock)
    : m_rate(std::max<qint64>(1, pointsPerSecond)), m_clock(clock), m_lastNs(clock.nowNs())
{}

qint64 TokenBucket::reserve(qint64 points)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    const qint64 now = m_clock.nowNs();
    const double refill =
        double(std::max<qint64>(0, now - m_lastNs)) * double(m_rate) / kNsPerSecond;
    m_tokens = std::min(double(m_rate), m_tokens + refill);
    m_lastNs = std::max(m_lastNs, now);
    m_tokens -= double(points);
    return m_tokens >= 0 ? 0 : qint64(std::ceil(-m_tokens * kNsPerSecond / double(m_rate)));
}

void TokenBucket::acquire(qint64 points, const CancelToken &cancel)
{
    const qint64 wait = reserve(points);
    if (wait > 0)
        m_clock.sleepNs(wait, cancel);
}

} // namespace tsm
