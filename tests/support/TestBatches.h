#pragma once

#include "core/Batch.h"
#include "http/Retry.h"

#include <QByteArray>
#include <QList>
#include <vector>

namespace tsm::test {

/// Retries that give up after `attempts` tries within a fraction of a second, so a test of
/// the retry path does not wait as a migration would.
RetryPolicy fastRetries(int attempts = 4);

/// A batch of `lines` (given without their newlines) that units share as `shares` says; no
/// shares: no unit is credited.
Batch makeBatch(const QList<QByteArray> &lines, const std::vector<UnitShare> &shares);
/// A batch of `lines`, all of them of unit `unitId`.
Batch unitBatch(const QList<QByteArray> &lines, qint64 unitId = 1);

} // namespace tsm::test
