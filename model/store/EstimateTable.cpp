#include "EstimateTable.h"

#include "Statement.h"

namespace tsm::store {

void EstimateTable::set(qint64 taskId, const QString &measurement, qint64 points)
{
    Statement s(m_db, "INSERT INTO estimates (task_id, measurement, points, updated_ms) "
                      "VALUES (?1, ?2, ?3, ?4) "
                      "ON CONFLICT (task_id, measurement) DO UPDATE SET points = excluded.points, "
                      "updated_ms = excluded.updated_ms");
    s.bindAll(taskId, measurement, points, nowMs());
    requireTask(s.run());
}

QHash<QString, qint64> EstimateTable::all(qint64 taskId)
{
    QHash<QString, qint64> map;
    Statement s(m_db, "SELECT measurement, points FROM estimates WHERE task_id = ?1");
    s.bind(1, taskId);
    while (s.next())
        map.insert(s.text(0), s.int64(1));
    return map;
}

} // namespace tsm::store
