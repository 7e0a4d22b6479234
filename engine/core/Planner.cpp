#include "core/Planner.h"

#include <algorithm>
#include <limits>

namespace tsm::Planner {

qint64 floorTo(qint64 value, qint64 step)
{
    qint64 q = value / step;
    if (value % step != 0 && value < 0)
        --q;
    return q * step;
}

TimeRange intersect(const TimeRange &a, const TimeRange &b)
{
    return TimeRange{std::max(a.start, b.start), std::min(a.end, b.end)};
}

QList<PlannedUnit> windows(const QString &measurement, const TimeRange &span, qint64 windowNs)
{
    QList<PlannedUnit> units;
    if (span.isEmpty() || windowNs <= 0)
        return units;
    qint64 t = floorTo(span.start, windowNs);
    while (t < span.end) {
        // Guard the last window near INT64_MAX against overflow.
        const qint64 next = t > std::numeric_limits<qint64>::max() - windowNs
                                ? std::numeric_limits<qint64>::max()
                                : t + windowNs;
        PlannedUnit unit;
        unit.measurement = measurement;
        unit.start = std::max(t, span.start);
        unit.end = std::min(next, span.end);
        units.append(unit);
        if (next == std::numeric_limits<qint64>::max())
            break;
        t = next;
    }
    return units;
}

} // namespace tsm::Planner
