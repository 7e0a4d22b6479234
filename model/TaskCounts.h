#pragma once

#include "CheckpointStore.h"

#include <QJsonObject>
#include <optional>

namespace tsm {

/**
 * A task's figures as tsmigrate-cli status and the metrics endpoint report them, read from the
 * checkpoint store in one place so that the two always agree: points and units from the ledger,
 * retries from the last progress sample, the state and health the run recorded.
 */
struct TaskCounts
{
    QString task;
    TaskState state = TaskState::Idle;
    TaskHealth health = TaskHealth::Ready;
    QString healthDetail;
    qint64 pointsRead = 0;
    qint64 pointsWritten = 0;
    qint64 pointsRejected = 0;
    qint64 unitsDone = 0;
    qint64 unitsTotal = 0;
    qint64 unitsFailed = 0;
    qint64 retries = 0;
    /// Seconds between now and the watermark, once the task follows new data.
    std::optional<qint64> followLagSeconds;

    /// Reads them (at `nowNs`, for the lag).
    static TaskCounts read(CheckpointStore &store, const TaskRecord &task, qint64 nowNs);
    /// As tsmigrate-cli status --json writes them.
    QJsonObject toJson() const;
};

} // namespace tsm
