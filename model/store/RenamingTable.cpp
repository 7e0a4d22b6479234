#include "RenamingTable.h"

#include "Statement.h"

namespace tsm::store {

void RenamingTable::add(qint64 taskId, const QList<Renaming> &renamings)
{
    for (const Renaming &r : renamings) {
        Statement s(m_db, "INSERT OR IGNORE INTO renamings (task_id, measurement, kind, name, "
                          "type, target, first_type, convert, decided_ms) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
        s.bind(1, taskId);
        s.bind(2, r.measurement);
        s.bind(3, renamingKindName(r.kind));
        s.bind(4, r.name);
        s.bind(5, r.type);
        s.bind(6, r.target);
        s.bind(7, r.firstType);
        s.bind(8, qint64(r.convert ? 1 : 0));
        s.bind(9, nowMs());
        s.run(); // 0 when decided before: the first decision stands
    }
}

QList<Renaming> RenamingTable::all(qint64 taskId)
{
    QList<Renaming> list;
    Statement s(m_db, "SELECT measurement, kind, name, type, target, first_type, convert "
                      "FROM renamings WHERE task_id = ?1 ORDER BY measurement, rowid");
    s.bind(1, taskId);
    while (s.next()) {
        Renaming r;
        r.measurement = s.text(0);
        r.kind = renamingKind(s.text(1));
        r.name = s.text(2);
        r.type = s.text(3);
        r.target = s.text(4);
        r.firstType = s.text(5);
        r.convert = s.int64(6) != 0;
        list.append(r);
    }
    return list;
}

} // namespace tsm::store
