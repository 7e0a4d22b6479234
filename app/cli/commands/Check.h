#pragma once

#include "commands/Command.h"

#include <TaskProfile.h>

namespace tsm::cli {

/** tsmigrate-cli check: connects to the source and the target of a profile with its credentials
 *  and says, side by side, what answered or why not. */
class Check : public Command
{
public:
    Check();
    int execute(const Invocation &invocation) override;

private:
    /// Reports the source's connection; the exit code its failure means, or ExitOk.
    static int checkSource(const TaskProfile &profile);
    static int checkTarget(const TaskProfile &profile);
};

} // namespace tsm::cli
