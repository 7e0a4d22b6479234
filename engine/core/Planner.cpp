#include "core/Planner.h"

#include <algorithm>
#include <limits>

namespace tsm::Planner {

namespace {

constexpr qint64 kMin = std::numeric_limits<qint64>::min();
constexpr qint64 kMax = std::numeric_limits<qint64>::max();

/// value / step rounded towards minus infinity (step > 0); cannot overflow.
qint64 floorQuotient(qint64 value, qint64 step)
{
    qint64 q = value / step;
    if (value % step != 0 && value < 0)
        --q;
    return q;
}

} // namespace

qint64 floorTo(qint64 value, qint64 step)
{
    const qint64 q = floorQuotient(value, step);
    // Near INT64_MIN (InfluxDB's earliest times) the multiple can lie below the int64 range;
    // the lowest int64 is then the closest bound that is still <= value.
    if (q < kMin / step)
        return kMin;
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
    qint64 t = span.start;
    for (;;) {
        // The window holding t ends at the next multiple of windowNs, or at INT64_MAX when that
        // multiple is past the int64 range. Worked out from the quotient because the window's
        // start can itself lie before INT64_MIN.
        const qint64 q = floorQuotient(t, windowNs);
        const qint64 next = q >= kMax / windowNs ? kMax : (q + 1) * windowNs;
        PlannedUnit unit;
        unit.measurement = measurement;
        unit.start = t;
        unit.end = std::min(next, span.end);
        units.append(unit);
        if (next >= span.end)
            break;
        t = next;
    }
    return units;
}

} // namespace tsm::Planner
