#pragma once

#include <QByteArray>
#include <TaskCounts.h>

namespace tsm::cli {

/** A task's figures in the Prometheus text exposition format (version 0.0.4). */
namespace MetricsText {

/// The content type of what format() writes.
QByteArray contentType();
/// Every metric of the task, with its HELP and TYPE lines (metric names in the README).
QByteArray format(const TaskCounts &counts);

} // namespace MetricsText
} // namespace tsm::cli
