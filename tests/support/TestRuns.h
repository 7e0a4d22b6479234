#pragma once

#include "run/Runner.h"

#include <TaskProfile.h>

namespace tsm::test {

/// Runs the task of `profile` with its state file at `statePath`. The run must complete and be
/// verified at its end: counted through the same API on both sides, every window agreeing. The
/// outcome goes to `outcome`, when given, for the caller's own checks; a failed check records a
/// test failure (see QTest::currentTestFailed()).
void runVerified(const TaskProfile &profile, const QString &statePath,
                 RunOutcome *outcome = nullptr);

} // namespace tsm::test
