#pragma once

#include <QLoggingCategory>

/** The desktop app's log category (tsm.ui): the task store, the keychain, the runs it starts. */
Q_DECLARE_LOGGING_CATEGORY(lcUi)
