#pragma once

// The names the store writes for its enums. The public ones (taskStateName and the rest) are
// declared in CheckpointStore.h; this adds what only the store's access code reads back.

#include "CheckpointStore.h"

namespace tsm::store {

std::optional<UnitStatus> unitStatusFromName(const QString &name);

} // namespace tsm::store
