#pragma once

#include "Table.h"

#include "../CheckpointStore.h"

#include <QHash>
#include <QList>

namespace tsm::store {

/** Access to the verifications table: the last verification of each task, per window. */
class VerificationTable : public Table
{
public:
    explicit VerificationTable(Connection &db) : Table(db) {}

    /// Replaces the task's verification with these windows, in one transaction.
    void replace(qint64 taskId, const QList<WindowCheck> &windows);
    /// The windows of the task's last verification, differing ones only when asked.
    QList<WindowCheck> windows(qint64 taskId, bool differingOnly);
    /// Every task's last verification, summed, by task id.
    QHash<qint64, VerificationSummary> summaries();
};

} // namespace tsm::store
