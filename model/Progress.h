#pragma once

#include "CheckpointStore.h"

#include <QList>

namespace tsm {

/**
 * The arithmetic of a run's progress, over the samples and per-measurement estimates of the
 * checkpoint store: rates, the estimated total and the ETA. The task list, the monitor and
 * tsmigrate-cli all compute them here, so one run shows one rate wherever it is watched.
 */
namespace Progress {

/// Rates are taken over the last 30 s of samples: steady enough to read, recent enough to follow
/// a change of pace.
constexpr qint64 kRateWindowMs = 30000;
/// A run samples once a second: samples further apart belong to different runs.
constexpr qint64 kRunGapMs = 5000;

/** Points and read units per second over a stretch of samples. */
struct Rates
{
    double read = 0;
    double written = 0;
    double units = 0;   ///< read units done per second
    bool known = false; ///< false with fewer than two samples of the latest run in the window
};

/// The rates between two consecutive samples (one point of a throughput chart); none across a gap
/// between runs.
Rates between(const ProgressSample &a, const ProgressSample &b);

/// The rates over the last `windowMs` of `samples` (in time order), within the latest run: the
/// rate every display shows.
Rates recent(const QList<ProgressSample> &samples, qint64 windowMs = kRateWindowMs);

/// Whether a run whose last sample is `last` still samples at `nowMs` (a process that ended
/// without saying so leaves its task "running" with old samples).
bool isCurrent(const ProgressSample &last, qint64 nowMs);

/** The points of the task at the source, added up from its measurements' estimates. */
struct EstimatedTotal
{
    enum class State
    {
        NotYet,  ///< no measurements yet, or some are still being counted
        Unknown, ///< the source cannot count some measurement cheaply
        Known,
    };
    State state = State::NotYet;
    qint64 points = -1;   ///< when Known
    int counted = 0;      ///< measurements with an estimate so far
    int measurements = 0; ///< measurements in the ledger
};

EstimatedTotal estimatedTotal(const QList<MeasurementProgress> &measurements);

/** What is left of a task's history. */
struct Remaining
{
    qint64 points = -1; ///< to write (rejected points count as handled); -1 without a total
    qint64 units = 0;   ///< read units not done yet
};

Remaining remaining(const EstimatedTotal &total, qint64 pointsWritten, qint64 pointsRejected,
                    qint64 unitsDone, qint64 unitsTotal);

/// Seconds until history is complete at `rate`: from the points left when the total is known and
/// points are being written, else from the units left; -1 while unknown.
qint64 etaSeconds(const Rates &rate, const Remaining &left);

} // namespace Progress
} // namespace tsm
