#pragma once

#include <QLoggingCategory>

/** The engine's log category (tsm.engine): planning, reading, writing, runs. */
Q_DECLARE_LOGGING_CATEGORY(lcEngine)
