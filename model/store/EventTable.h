#pragma once

#include "CheckpointStore.h"
#include "Table.h"

namespace tsm::store {

/** Access to the events table: a task's log, as the monitor and `status` show it. */
class EventTable : public Table
{
public:
    explicit EventTable(Connection &db) : Table(db) {}

    void add(qint64 taskId, EventLevel level, const QString &message);
    /// Events with id > afterId and level <= maxLevel, oldest first.
    QList<EventRecord> after(qint64 taskId, qint64 afterId, EventLevel maxLevel);
};

} // namespace tsm::store
