#pragma once

#include "core/Source.h"

#include <QList>

namespace tsm {

/** Cutting time spans into read units. */
namespace Planner {

/// Units of at most `windowNs`, aligned to multiples of `windowNs` since the epoch (so two plans
/// of the same data agree), clipped to `span`.
QList<PlannedUnit> windows(const QString &measurement, const TimeRange &span, qint64 windowNs);

/// Intersection of two ranges (empty when they do not overlap).
TimeRange intersect(const TimeRange &a, const TimeRange &b);

/// Floor division that rounds towards minus infinity (times before 1970 are negative).
qint64 floorTo(qint64 value, qint64 step);

} // namespace Planner
} // namespace tsm
