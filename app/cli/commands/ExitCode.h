#pragma once

#include "core/Error.h"

#include <QString>

namespace tsm::cli {

/**
 * tsmigrate-cli's exit codes, a contract for scripts:
 *   0  success (run: history complete, nothing rejected)
 *   1  the run ended with read units that failed, or stopped at a point the target refused
 *      (advanced.onRefused = stop); running again retries them
 *   2  usage error, invalid or unreadable profile, missing database; plan: a run would stop
 *      before writing
 *   3  a server could not be reached (network, TLS, timeout, retries exhausted)
 *   4  authentication or authorization failed
 *   5  interrupted (SIGINT/SIGTERM): progress is saved, running again resumes
 *   6  history complete, but the target rejected some points (see the rejects file); plan:
 *      the target would reject some points
 *   7  verify (or a run that verifies at its end): some windows differ between source and target
 *   8  the task is running in another process (the message names it); nothing was changed
 */
enum ExitCode
{
    ExitOk = 0,
    ExitUnitsFailed = 1,
    ExitUsage = 2,
    ExitUnreachable = 3,
    ExitAuth = 4,
    ExitInterrupted = 5,
    ExitRejected = 6,
    ExitDiffers = 7,
    ExitBusy = 8,
};

/// The exit code of a command that ended with an engine error of this kind.
ExitCode exitCodeFor(ErrorKind kind);

/// The exit codes in words, for --help.
QString exitCodesHelp();

} // namespace tsm::cli
