#include "StoreLog.h"

Q_LOGGING_CATEGORY(lcStore, "tsm.store", QtInfoMsg)
