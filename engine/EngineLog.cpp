#include "EngineLog.h"

Q_LOGGING_CATEGORY(lcEngine, "tsm.engine")
