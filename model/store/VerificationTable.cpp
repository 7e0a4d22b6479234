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
        s.bindAll(taskId, w.measurement, w.context, w.start, w.end, w.sourceCount, w.targetCount,
                  w.rejected, w.differs, w.detail, joinIds(w.unitIds), w.checkedMs);
        s.run();
        s.reset();
    }
    tx.commit();
}

QList<WindowCheck> VerificationTable::windows(qint64 taskId, bool differingOnly)
{
    Statement s(m_db, QByteArray("SELECT measurement, context, range_start, range_end, "
                                 "source_count, target_count, rejected, differs, detail, "
                                 "unit_ids, checked_ms FROM verifications WHERE task_id = ?1 ") +
                          (differingOnly ? "AND differs <> 0 " : "") +
                          "ORDER BY measurement, range_start, context");
    s.bind(1, taskId);
    return allRows(s, [](const Statement &row) {
        WindowCheck w;
        QString unitIds;
        Columns(row) >> w.measurement >> w.context >> w.start >> w.end >> w.sourceCount >>
            w.targetCount >> w.rejected >> w.differs >> w.detail >> unitIds >> w.checkedMs;
        w.unitIds = splitIds(unitIds);
        return w;
    });
}

QHash<qint64, VerificationSummary> VerificationTable::summaries()
{
    QHash<qint64, VerificationSummary> map;
    Statement s(m_db, "SELECT task_id, COUNT(*), SUM(differs <> 0), MAX(checked_ms) FROM "
                      "verifications GROUP BY task_id");
    while (s.next()) {
        qint64 taskId = 0;
        VerificationSummary summary;
        Columns(s) >> taskId >> summary.windows >> summary.differing >> summary.checkedMs;
        map.insert(taskId, summary);
    }
    return map;
}

} // namespace tsm::store
