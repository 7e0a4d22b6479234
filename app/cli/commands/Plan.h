#pragma once

#include "commands/Command.h"

namespace tsm {
struct TaskPlan;
struct MeasurementPlan;
} // namespace tsm

namespace tsm::cli {

/** tsmigrate-cli plan: a dry run. What the task would move (per measurement: series, fields
 *  with their types per shard group, first and last time, points, read units), what the target
 *  cannot hold as it is and what a run does with it, and an estimated duration; writes nothing.
 *  Exit 0 when the target takes everything, 6 when points would be rejected, 2 when a run
 *  would stop before writing. */
class Plan : public Command
{
public:
    Plan();
    int execute(const Invocation &invocation) override;

    /// The plan for a person: the task, its problems, then a table per measurement, those with
    /// problems first.
    static QString text(const TaskPlan &plan);

private:
    static QString measurementText(const MeasurementPlan &m);
};

} // namespace tsm::cli
