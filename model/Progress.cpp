#include "Progress.h"

#include <algorithm>
#include <cmath>

namespace tsm::Progress {

namespace {

Rates ratesOver(const ProgressSample &a, const ProgressSample &b)
{
    Rates r;
    const qint64 ms = b.timeMs - a.timeMs;
    if (ms <= 0)
        return r;
    const double seconds = ms / 1000.0;
    r.read = std::max<qint64>(0, b.pointsRead - a.pointsRead) / seconds;
    r.written = std::max<qint64>(0, b.pointsWritten - a.pointsWritten) / seconds;
    r.units = std::max<qint64>(0, b.unitsDone - a.unitsDone) / seconds;
    r.known = true;
    return r;
}

} // namespace

Rates between(const ProgressSample &a, const ProgressSample &b)
{
    if (b.timeMs - a.timeMs > kRunGapMs)
        return {};
    return ratesOver(a, b);
}

Rates recent(const QList<ProgressSample> &samples, qint64 windowMs)
{
    if (samples.isEmpty())
        return {};
    const ProgressSample &last = samples.last();
    qsizetype from = samples.size() - 1;
    while (from > 0 && last.timeMs - samples.at(from - 1).timeMs <= windowMs &&
           samples.at(from).timeMs - samples.at(from - 1).timeMs <= kRunGapMs)
        --from;
    return ratesOver(samples.at(from), last);
}

bool isCurrent(const ProgressSample &last, qint64 nowMs)
{
    return nowMs - last.timeMs <= kRunGapMs;
}

EstimatedTotal estimatedTotal(const QList<MeasurementProgress> &measurements)
{
    EstimatedTotal total;
    total.measurements = int(measurements.size());
    qint64 points = 0;
    bool unknown = false;
    for (const MeasurementProgress &m : measurements) {
        if (m.estimatedPoints >= 0) {
            points += m.estimatedPoints;
            ++total.counted;
        } else if (m.estimatedPoints == kCannotEstimate) {
            unknown = true;
        }
    }
    if (unknown)
        total.state = EstimatedTotal::State::Unknown;
    else if (total.measurements > 0 && total.counted == total.measurements)
        total.state = EstimatedTotal::State::Known;
    if (total.state == EstimatedTotal::State::Known)
        total.points = points;
    return total;
}

Remaining remaining(const EstimatedTotal &total, qint64 pointsWritten, qint64 pointsRejected,
                    qint64 unitsDone, qint64 unitsTotal)
{
    Remaining left;
    if (total.state == EstimatedTotal::State::Known)
        left.points = std::max<qint64>(0, total.points - pointsWritten - pointsRejected);
    left.units = std::max<qint64>(0, unitsTotal - unitsDone);
    return left;
}

qint64 etaSeconds(const Rates &rate, const Remaining &left)
{
    if (left.points >= 0 && rate.written > 0)
        return qint64(std::ceil(left.points / rate.written));
    if (rate.units > 0)
        return qint64(std::ceil(left.units / rate.units));
    return -1;
}

} // namespace tsm::Progress
