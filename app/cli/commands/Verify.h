#pragma once

#include "commands/Command.h"

#include <TaskProfile.h>

namespace tsm {
struct VerifyReport;
}

namespace tsm::cli {

/** tsmigrate-cli verify: counts what the source and the target hold per measurement and read
 *  window of the task's ledger, records it in the state file and names every window that differs
 *  (exit 7); --repair migrates those again through a run on the same state file and verifies
 *  again. */
class Verify : public Command
{
public:
    Verify();
    int execute(const Invocation &invocation) override;

private:
    /// Verifies, saying why it could not; an exit code when it could not.
    static std::optional<VerifyReport> verify(const TaskProfile &profile, const QString &statePath,
                                              int &exitCode);
    /// Marks the differing windows pending and migrates them again; an exit code, ExitOk when
    /// the run completed (`verified`: whether it verified at its end).
    static int repair(const TaskProfile &profile, const QString &statePath, bool &verified);
    /// The task's last verification as the store holds it.
    static std::optional<VerifyReport> stored(const TaskProfile &profile,
                                              const QString &statePath);
    static void print(const TaskProfile &profile, const VerifyReport &report, bool json,
                      int repairedWindows);
};

} // namespace tsm::cli
