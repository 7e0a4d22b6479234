#pragma once

#include <QLoggingCategory>

/** The HTTP client's log category (tsm.http): each request and its answer, at debug level. */
Q_DECLARE_LOGGING_CATEGORY(lcHttp)
