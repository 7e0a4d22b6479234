#pragma once

#include "CheckpointStore.h"
#include "Table.h"

namespace tsm::store {

class Statement;

/** Access to the tasks table: a task with its profile, state, plan and watermark. */
class TaskTable : public Table
{
public:
    explicit TaskTable(Connection &db) : Table(db) {}

    /// Inserts the task or replaces the profile of the one with that name; returns its id.
    qint64 save(const QString &name, const QByteArray &profileJson);
    std::optional<TaskRecord> find(const QString &name);
    std::optional<TaskRecord> find(qint64 taskId);
    QList<TaskRecord> all();
    void setState(qint64 taskId, TaskState state, const QString &lastError);
    void setPlan(qint64 taskId, bool planned, qint64 planStartNs, qint64 planEndNs,
                 const QString &scope);
    void setWatermark(qint64 taskId, qint64 watermarkNs);
    void setHealth(qint64 taskId, TaskHealth health, const QString &detail);
    /// Deletes the task and everything recorded for it, in one transaction.
    void remove(qint64 taskId);
    /// Deletes what was recorded for the task and sets it back to idle, in one transaction.
    void reset(qint64 taskId);

private:
    static TaskRecord read(const Statement &s);
    /// Deletes the task's units, samples, events and estimates (inside the caller's transaction).
    void removeRecords(qint64 taskId);
};

} // namespace tsm::store
