#include "commands/CliLog.h"

Q_LOGGING_CATEGORY(lcCli, "tsm.cli")
