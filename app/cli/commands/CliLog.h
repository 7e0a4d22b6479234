#pragma once

#include <QLoggingCategory>

/** The command-line tool's log category (tsm.cli): which command ran on which state file. */
Q_DECLARE_LOGGING_CATEGORY(lcCli)
