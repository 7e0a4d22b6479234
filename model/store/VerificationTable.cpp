#include "VerificationTable.h"

#include "Statement.h"
#include "Transaction.h"

#include <QStringList>

using namespace Qt::StringLiterals;

namespace tsm::store {

namespace {

QString joinIds(const QList<qint64> &ids)
{
    QStringList text;
    for (const qint64 id : ids)
        text.append(QString::number(id));
    return text.join(u',');
}

QList<qint64> splitIds(const QString &text)
{
    QList<qint64> ids;
    for (const QString &part : text.split(u',', Qt::SkipEmptyParts))
        ids.append(part.toLongLong());
    return ids;
}

} // namespace

void VerificationTable::replace(qint64 taskId, const QList<WindowCheck> &windows)
{
    Transaction tx(m_db);
    Statement clear(m_db, "DELETE FROM verifications WHERE task_id = ?1");
    clear.bind(1, taskId);
    clear.run();
    Statement s(m_db, "INSERT OR REPLACE INTO verifications (task_id, measurement, context, "
                      "range_start, range_end, source_count, target_count, rejected, differs, "
                      "detail, unit_ids, checked_ms) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
    for (const WindowCheck &w : windows) {
        s.bind(1, taskId);
        s.bind(2, w.measurement);
        s.bind(3, w.context);
        s.bind(4, w.start);
        s.bind(5, w.end);
        s.bind(6, w.sourceCount);
        s.bind(7, w.targetCount);
        s.bind(8, w.rejected);
        s.bind(9, qint64(w.differs ? 1 : 0));
        s.bind(10, w.detail);
        s.bind(11, joinIds(w.unitIds));
        s.bind(12, w.checkedMs);
        s.run();
        s.reset();
    }
    tx.commit();
}

QList<WindowCheck> VerificationTable::windows(qint64 taskId, bool differingOnly)
{
    QList<WindowCheck> list;
    Statement s(m_db, differingOnly
                          ? "SELECT measurement, context, range_start, range_end, source_count, "
                            "target_count, rejected, differs, detail, unit_ids, checked_ms FROM "
                            "verifications WHERE task_id = ?1 AND differs <> 0 "
                            "ORDER BY measurement, range_start, context"
                          : "SELECT measurement, context, range_start, range_end, source_count, "
                            "target_count, rejected, differs, detail, unit_ids, checked_ms FROM "
                            "verifications WHERE task_id = ?1 "
                            "ORDER BY measurement, range_start, context");
    s.bind(1, taskId);
    while (s.next()) {
        WindowCheck w;
        w.measurement = s.text(0);
        w.context = s.text(1);
        w.start = s.int64(2);
        w.end = s.int64(3);
        w.sourceCount = s.int64(4);
        w.targetCount = s.int64(5);
        w.rejected = s.int64(6);
        w.differs = s.int64(7) != 0;
        w.detail = s.text(8);
        w.unitIds = splitIds(s.text(9));
        w.checkedMs = s.int64(10);
        list.append(w);
    }
    return list;
}

QHash<qint64, VerificationSummary> VerificationTable::summaries()
{
    QHash<qint64, VerificationSummary> map;
    Statement s(m_db, "SELECT task_id, COUNT(*), SUM(differs <> 0), MAX(checked_ms) FROM "
                      "verifications GROUP BY task_id");
    while (s.next()) {
        VerificationSummary summary;
        summary.windows = s.int64(1);
        summary.differing = s.int64(2);
        summary.checkedMs = s.int64(3);
        map.insert(s.int64(0), summary);
    }
    return map;
}

} // namespace tsm::store
