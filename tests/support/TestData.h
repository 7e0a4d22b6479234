#pragma once

#include <QByteArray>
#include <QtGlobal>
#include <functional>

namespace tsm::test {

/// Line protocol for `series` series of `points` points each, series after series: point `i`
/// of series `s` is `point(s, i)` (measurement, tags and fields) stamped t0 + i × step.
QByteArray seriesLines(int series, int points, qint64 t0, qint64 step,
                       const std::function<QByteArray(int s, int i)> &point);

} // namespace tsm::test
