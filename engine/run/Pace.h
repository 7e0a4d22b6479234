#pragma once

#include "core/CancelToken.h"

#include <QtGlobal>
#include <mutex>

namespace tsm {

/** The time a run paces itself by: the steady clock, or a test's. */
class PaceClock
{
public:
    virtual ~PaceClock() = default;
    virtual qint64 nowNs() const = 0;
    /// Waits `ns`; throws Error(Cancelled) when `cancel` fires meanwhile.
    virtual void sleepNs(qint64 ns, const CancelToken &cancel) = 0;

    /// The steady clock, with waits a pause or stop cuts short.
    static PaceClock &system();
};

/**
 * A token bucket shared by every writer of a task (advanced.maxPointsPerSecond): `rate` tokens a
 * second, at most a second's worth saved up, and none at the start, so that the rate holds from
 * the first batch. A batch larger than what is saved takes its points on credit and waits until
 * the bucket has refilled them, so batches of any size keep the rate on average; writers that
 * wait at the same time queue behind each other's credit.
 */
class TokenBucket
{
public:
    TokenBucket(qint64 pointsPerSecond, PaceClock &clock);

    qint64 rate() const { return m_rate; }
    /// Takes `points` tokens, waiting as long as the rate asks. Thread-safe.
    void acquire(qint64 points, const CancelToken &cancel);
    /// How long acquire(points) would wait now, in ns, taking the tokens (no waiting).
    qint64 reserve(qint64 points);

private:
    const qint64 m_rate;
    PaceClock &m_clock;
    std::mutex m_mutex;
    double m_tokens = 0;
    qint64 m_lastNs = 0;
};

} // namespace tsm
