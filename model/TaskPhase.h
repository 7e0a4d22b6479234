#pragma once

#include "CheckpointStore.h"

#include <QString>
#include <optional>

namespace tsm {

/** Which phase a task is in, read from the checkpoint store, for the CLI and the task list. */
namespace TaskPhase {

/// "history 42.0%", "following, lag 3 s" (running) or "following, up to <time>" (not running);
/// empty for a task that has not begun.
QString describe(const TaskRecord &task, const UnitTotals &totals, qint64 nowNs);

/// Once the task follows new data: seconds from its watermark to `nowNs`; nullopt before.
std::optional<qint64> followLagSeconds(const TaskRecord &task, qint64 nowNs);

} // namespace TaskPhase
} // namespace tsm
