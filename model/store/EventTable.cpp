#include "EventTable.h"

#include "Statement.h"

namespace tsm::store {

void EventTable::add(qint64 taskId, EventLevel level, const QString &message)
{
    Statement s(m_db,
                "INSERT INTO events (task_id, time_ms, level, message) VALUES (?1, ?2, ?3, ?4)");
    s.bindAll(taskId, nowMs(), qint64(level), message);
    requireTask(s.run());
}

QList<EventRecord> EventTable::after(qint64 taskId, qint64 afterId, EventLevel maxLevel)
{
    Statement s(m_db, "SELECT id, task_id, time_ms, level, message FROM events "
                      "WHERE task_id = ?1 AND id > ?2 AND level <= ?3 ORDER BY id");
    s.bindAll(taskId, afterId, qint64(maxLevel));
    return allRows(s, [](const Statement &row) {
        EventRecord e;
        qint64 level = 0;
        Columns(row) >> e.id >> e.taskId >> e.timeMs >> level >> e.message;
        // A level out of range (a newer tsmigrate's) is shown as the nearest one we know.
        e.level = EventLevel(qBound<qint64>(0, level, qint64(EventLevel::Trace)));
        return e;
    });
}

} // namespace tsm::store
