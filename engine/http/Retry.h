#pragma once

#include "core/CancelToken.h"
#include "core/Error.h"

#include <functional>

namespace tsm {

/** Exponential backoff with jitter for transient failures, honouring Retry-After. */
struct RetryPolicy
{
    int attempts = 6;             ///< total tries, first one included
    int baseDelayMs = 500;        ///< before the second try; doubled each time
    int maxDelayMs = 30000;       ///< cap of the computed delay
    int maxRetryAfterMs = 300000; ///< cap of a server's Retry-After

    /// Delay before try number `attempt` + 1 (attempt counts from 1), with ±25% jitter; a
    /// Retry-After of the error wins when given.
    int delayMs(int attempt, const Error &error) const;
};

/**
 * Runs `operation` until it succeeds, throws a non-retryable Error, or the policy's attempts
 * are used up (then the last Error is rethrown). `onRetry` is told of each failed try before
 * the wait. Waiting stops early when `cancel` fires (ErrorKind::Cancelled).
 */
void withRetries(const RetryPolicy &policy, const CancelToken &cancel,
                 const std::function<void()> &operation,
                 const std::function<void(const Error &, int attempt, int delayMs)> &onRetry = {});

/// Sleeps in small steps; throws Error(Cancelled) when `cancel` fires meanwhile.
void sleepCancellable(int milliseconds, const CancelToken &cancel);

} // namespace tsm
