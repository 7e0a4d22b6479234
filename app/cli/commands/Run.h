#pragma once

#include "commands/Command.h"

#include <TaskProfile.h>

namespace tsm {
struct RunOutcome;
}

namespace tsm::cli {

/** tsmigrate-cli run: runs (or resumes) a task until its history is complete (or its end time,
 *  when it follows), showing its progress; Ctrl-C or SIGTERM pauses it with its progress saved. */
class Run : public Command
{
public:
    Run();
    int execute(const Invocation &invocation) override;

private:
    /// --restart: the task's progress is forgotten first, unless another process runs it; an
    /// exit code, ExitOk when done.
    static int forgetProgress(const QString &taskName, const QString &statePath);
    /// Runs on the engine's thread while this one shows progress and watches for signals.
    static int runToEnd(const TaskProfile &profile, const QString &statePath);
    /// The exit code of how the run ended, said in words where there is something to say.
    static int exitCodeOf(const RunOutcome &outcome, const QString &statePath);
};

} // namespace tsm::cli
