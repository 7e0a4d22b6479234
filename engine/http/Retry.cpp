#include "http/Retry.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

std::mt19937 &randomEngine()
{
    // One engine per thread: no locking, and writers that failed together do not come back
    // together.
    thread_local std::mt19937 engine{std::random_device{}()};
    return engine;
}

} // namespace

int RetryPolicy::delayMs(int attempt, const Error &error) const
{
    if (error.retryAfterSeconds() >= 0) {
        const qint64 wanted = qint64(error.retryAfterSeconds()) * 1000;
        return int(std::min<qint64>(wanted, std::max(0, maxRetryAfterMs)));
    }
    const int doublings = std::clamp(attempt - 1, 0, 40);
    const double computed =
        std::min(double(std::max(0, baseDelayMs)) * double(1LL << doublings), double(maxDelayMs));
    std::uniform_real_distribution<double> jitter(0.75, 1.25);
    const double delay = std::min(computed * jitter(randomEngine()), double(maxDelayMs));
    return std::max(0, int(delay));
}

void withRetries(const RetryPolicy &policy, const CancelToken &cancel,
                 const std::function<void()> &operation,
                 const std::function<void(const Error &, int attempt, int delayMs)> &onRetry)
{
    const int attempts = std::max(1, policy.attempts);
    for (int attempt = 1;; ++attempt) {
        if (cancel.isCancelled())
            throw Error(ErrorKind::Cancelled, u"Cancelled"_s);
        try {
            operation();
            return;
        } catch (const Error &error) {
            if (!error.isRetryable() || attempt >= attempts)
                throw;
            if (cancel.isCancelled())
                throw Error(ErrorKind::Cancelled, u"Cancelled"_s);
            const int delay = policy.delayMs(attempt, error);
            if (onRetry)
                onRetry(error, attempt, delay);
            sleepCancellable(delay, cancel);
        }
    }
}

void sleepCancellable(int milliseconds, const CancelToken &cancel)
{
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + std::chrono::milliseconds(std::max(0, milliseconds));
    for (;;) {
        if (cancel.isCancelled())
            throw Error(ErrorKind::Cancelled, u"Cancelled"_s);
        const auto now = Clock::now();
        if (now >= deadline)
            return;
        // Short steps so a pause or stop takes effect within a tenth of a second.
        std::this_thread::sleep_for(
            std::min<Clock::duration>(deadline - now, std::chrono::milliseconds(100)));
    }
}

} // namespace tsm
