#pragma once

#include <QLoggingCategory>

/** The checkpoint store's log category (tsm.store): failed statements, at debug level. */
Q_DECLARE_LOGGING_CATEGORY(lcStore)
