#include "commands/ExitCode.h"

using namespace Qt::StringLiterals;

namespace tsm::cli {

ExitCode exitCodeFor(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::Auth:
        return ExitAuth;
    case ErrorKind::Network:
    case ErrorKind::Timeout:
    case ErrorKind::Tls:
    case ErrorKind::Server:
        return ExitUnreachable;
    case ErrorKind::Config:
    case ErrorKind::NotFound:
    case ErrorKind::Io:
        return ExitUsage;
    case ErrorKind::Cancelled:
        return ExitInterrupted;
    case ErrorKind::Busy:
        return ExitBusy;
    default:
        return ExitUnitsFailed;
    }
}

QString exitCodesHelp()
{
    return u"Exit codes: 0 ok, 1 units failed or stopped at a refused point (run again to\n"
           "retry), 2 usage or profile error,\n"
           "3 server unreachable, 4 authentication failed, 5 interrupted (resumable),\n"
           "6 complete but the target rejected points (plan: would reject),\n"
           "7 source and target differ (verify), 8 the task runs in another process."_s;
}

} // namespace tsm::cli
