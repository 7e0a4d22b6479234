#pragma once

#include <CheckpointStore.h>

namespace tsm::test {

/// A unit of the ledger: `measurement` (of retention policy `context`) in [start, end).
UnitRecord unit(const QString &measurement, qint64 start, qint64 end, const QString &context = {});

/// The update that moves unit `id` to `status`, counting nothing.
UnitUpdate unitUpdate(qint64 id, UnitStatus status);

} // namespace tsm::test
