#include "EventTable.h"

#include "Statement.h"

namespace tsm::store {

void EventTable::add(qint64 taskId, EventLevel level, const QString &message)
{
    Statement s(m_db,
                "INSERT INTO events (task_id, time_ms, level, message) VALUES (?1, ?2, ?3, ?4)");
    s.bind(1, taskId);
    s.bind(2, nowMs());
    s.bind(3, qint64(level));
    s.bind(4, message);
    requireTask(s.run());
}

QList<EventRecord> EventTable::after(qint64 taskId, qint64 afterId, EventLevel maxLevel)
{
    QList<EventRecord> list;
    Statement s(m_db, "SELECT id, task_id, time_ms, level, message FROM events "
                      "WHERE task_id = ?1 AND id > ?2 AND level <= ?3 ORDER BY id");
    s.bind(1, taskId);
    s.bind(2, afterId);
    s.bind(3, qint64(maxLevel));
    while (s.next()) {
        EventRecord e;
        e.id = s.int64(0);
        e.taskId = s.int64(1);
        e.timeMs = s.int64(2);
        // A level out of range (a newer tsmigrate's) is shown as the nearest one we know.
        e.level = EventLevel(qBound<qint64>(0, s.int64(3), qint64(EventLevel::Trace)));
        e.message = s.text(4);
        list.append(e);
    }
    return list;
}

} // namespace tsm::store
