#include "UnitTable.h"

#include "Names.h"
#include "Statement.h"
#include "StoreError.h"
#include "Transaction.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace tsm::store {

namespace {

/// The columns read() reads, in its order; a query appends its WHERE and ORDER BY.
constexpr const char *kColumns =
    "SELECT id, task_id, measurement, context, range_start, range_end, status, attempts, "
    "points_read, points_written, points_rejected, last_error, updated_ms FROM units ";

/// Adds `u`'s span and counts to `merged`, which holds the units before it.
void absorb(UnitRecord &merged, const UnitRecord &u)
{
    merged.rangeEnd = std::max(merged.rangeEnd, u.rangeEnd);
    merged.attempts += u.attempts;
    merged.pointsRead += u.pointsRead;
    merged.pointsWritten += u.pointsWritten;
    merged.pointsRejected += u.pointsRejected;
}

} // namespace

UnitRecord UnitTable::read(const Statement &s)
{
    UnitRecord u;
    QString status;
    Columns(s) >> u.id >> u.taskId >> u.measurement >> u.context >> u.rangeStart >> u.rangeEnd >>
        status >> u.attempts >> u.pointsRead >> u.pointsWritten >> u.pointsRejected >>
        u.lastError >> u.updatedMs;
    u.status = unitStatusFromName(status).value_or(UnitStatus::Pending);
    return u;
}

void UnitTable::requireTaskExists(qint64 taskId)
{
    // The foreign key would reject the first unit anyway; saying which task is clearer.
    Statement exists(m_db, "SELECT 1 FROM tasks WHERE id = ?1");
    exists.bind(1, taskId);
    if (!exists.next())
        throw StoreError::noSuchTask();
}

int UnitTable::add(qint64 taskId, const QList<UnitRecord> &units)
{
    Transaction tx(m_db);
    const int added = insert(taskId, units);
    tx.commit();
    return added;
}

int UnitTable::replaceUnfinished(qint64 taskId, const QList<UnitRecord> &units)
{
    Transaction tx(m_db);
    Statement drop(m_db, "DELETE FROM units WHERE task_id = ?1 AND status <> 'done'");
    drop.bind(1, taskId);
    drop.run();
    const int added = insert(taskId, units);
    tx.commit();
    return added;
}

int UnitTable::insert(qint64 taskId, const QList<UnitRecord> &units)
{
    requireTaskExists(taskId);
    // One statement, one transaction: 100 000 units cost one commit.
    Statement s(m_db, "INSERT OR IGNORE INTO units (task_id, measurement, context, range_start, "
                      "range_end, status, attempts, points_read, points_written, "
                      "points_rejected, last_error, updated_ms) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
    const qint64 now = nowMs();
    int added = 0;
    for (const UnitRecord &u : units) {
        s.bindAll(taskId, u.measurement, u.context, u.rangeStart, u.rangeEnd,
                  unitStatusName(u.status), u.attempts, u.pointsRead, u.pointsWritten,
                  u.pointsRejected, u.lastError, u.updatedMs != 0 ? u.updatedMs : now);
        added += s.run();
        s.reset();
    }
    return added;
}

QList<UnitRecord> UnitTable::select(const char *where, qint64 taskId)
{
    Statement s(m_db, QByteArray(kColumns) + where);
    s.bind(1, taskId);
    return allRows(s, read);
}

void UnitTable::requeueRunning(qint64 taskId)
{
    Statement s(m_db,
                "UPDATE units SET status = ?2, updated_ms = ?4 WHERE task_id = ?1 AND status = ?3");
    s.bindAll(taskId, unitStatusName(UnitStatus::Pending), unitStatusName(UnitStatus::Running),
              nowMs());
    s.run();
}

void UnitTable::update(const QList<UnitUpdate> &updates)
{
    Transaction tx(m_db);
    Statement s(m_db, "UPDATE units SET status = ?2, attempts = attempts + ?3, "
                      "points_read = CASE WHEN ?4 >= 0 THEN ?4 ELSE points_read END, "
                      "points_written = CASE WHEN ?5 >= 0 THEN ?5 ELSE points_written END, "
                      "points_rejected = CASE WHEN ?6 >= 0 THEN ?6 ELSE points_rejected END, "
                      "last_error = COALESCE(?7, last_error), updated_ms = ?8 WHERE id = ?1");
    const qint64 now = nowMs();
    for (const UnitUpdate &u : updates) {
        s.bindAll(u.unitId, unitStatusName(u.status), u.attemptsDelta, u.pointsRead,
                  u.pointsWritten, u.pointsRejected, u.lastError, now);
        // All or nothing: a unit that is gone (the task was reset meanwhile) fails the batch.
        if (s.run() == 0)
            throw StoreError::refused(u"there is no unit with id %1"_s.arg(u.unitId));
        s.reset();
        if (u.measurements)
            setMeasurementCounts(u.unitId, *u.measurements);
    }
    tx.commit();
}

void UnitTable::setMeasurementCounts(qint64 unitId, const QList<MeasurementCount> &counts)
{
    Statement clear(m_db, "DELETE FROM unit_measurements WHERE unit_id = ?1");
    clear.bind(1, unitId);
    clear.run();
    Statement s(m_db, "INSERT INTO unit_measurements (unit_id, measurement, points_written, "
                      "points_rejected) VALUES (?1, ?2, ?3, ?4)");
    for (const MeasurementCount &c : counts) {
        s.bindAll(unitId, c.measurement, c.pointsWritten, c.pointsRejected);
        s.run();
        s.reset();
    }
}

QList<MeasurementCount> UnitTable::measurementCounts(qint64 taskId)
{
    Statement s(m_db, "SELECT m.measurement, SUM(m.points_written), SUM(m.points_rejected) "
                      "FROM unit_measurements m JOIN units u ON u.id = m.unit_id "
                      "WHERE u.task_id = ?1 GROUP BY m.measurement ORDER BY m.measurement");
    s.bind(1, taskId);
    QList<MeasurementCount> counts;
    while (s.next())
        counts.append({s.text(0), s.int64(1), s.int64(2)});
    return counts;
}

void UnitTable::markPending(qint64 taskId, const QList<qint64> &unitIds)
{
    Transaction tx(m_db);
    Statement s(m_db, "UPDATE units SET status = ?3, points_read = 0, points_written = 0, "
                      "points_rejected = 0, last_error = '', updated_ms = ?4 "
                      "WHERE id = ?1 AND task_id = ?2");
    const qint64 now = nowMs();
    for (const qint64 id : unitIds) {
        s.bindAll(id, taskId, unitStatusName(UnitStatus::Pending), now);
        if (s.run() > 0)
            setMeasurementCounts(id, {});
        s.reset();
    }
    tx.commit();
}

UnitTotals UnitTable::totals(qint64 taskId)
{
    Statement s(m_db, "SELECT COUNT(*), "
                      "COALESCE(SUM(status = 'pending'), 0), COALESCE(SUM(status = 'running'), 0), "
                      "COALESCE(SUM(status = 'done'), 0), COALESCE(SUM(status = 'failed'), 0), "
                      "COALESCE(SUM(points_read), 0), COALESCE(SUM(points_written), 0), "
                      "COALESCE(SUM(points_rejected), 0) FROM units WHERE task_id = ?1");
    s.bind(1, taskId);
    s.expectRow();
    UnitTotals totals;
    Columns(s) >> totals.total >> totals.pending >> totals.running >> totals.done >>
        totals.failed >> totals.pointsRead >> totals.pointsWritten >> totals.pointsRejected;
    return totals;
}

int UnitTable::removeFrom(qint64 taskId, qint64 fromNs)
{
    Statement s(m_db, "DELETE FROM units WHERE task_id = ?1 AND range_start >= ?2");
    s.bindAll(taskId, fromNs);
    return s.run();
}

QList<UnitRecord> UnitTable::doneUnitsWithin(qint64 taskId, qint64 fromNs, qint64 toNs)
{
    Statement s(m_db, QByteArray(kColumns) +
                          "WHERE task_id = ?1 AND status = 'done' AND range_start >= ?2 AND "
                          "range_end <= ?3 ORDER BY measurement, context, range_start");
    s.bindAll(taskId, fromNs, toNs);
    return allRows(s, read);
}

void UnitTable::mergeDone(qint64 taskId, qint64 fromNs, qint64 toNs)
{
    Transaction tx(m_db);
    const QList<UnitRecord> units = doneUnitsWithin(taskId, fromNs, toNs);
    Statement keep(m_db,
                   "UPDATE units SET range_end = ?2, attempts = ?3, points_read = ?4, "
                   "points_written = ?5, points_rejected = ?6, updated_ms = ?7 WHERE id = ?1");
    Statement drop(m_db, "DELETE FROM units WHERE id = ?1");
    const qint64 now = nowMs();
    for (qsizetype first = 0; first < units.size();) {
        // The first unit of a run of one measurement and context stays and takes in the rest.
        UnitRecord merged = units.at(first);
        qsizetype next = first + 1;
        for (; next < units.size() && units.at(next).measurement == merged.measurement &&
               units.at(next).context == merged.context;
             ++next) {
            absorb(merged, units.at(next));
            drop.bind(1, units.at(next).id);
            drop.run();
            drop.reset();
        }
        if (next > first + 1) {
            keep.bindAll(merged.id, merged.rangeEnd, merged.attempts, merged.pointsRead,
                         merged.pointsWritten, merged.pointsRejected, now);
            keep.run();
            keep.reset();
        }
        first = next;
    }
    tx.commit();
}

QList<MeasurementProgress> UnitTable::progressByMeasurement(qint64 taskId)
{
    // The last error is the one of the failed unit updated last (ties: the higher id).
    Statement s(m_db,
                "SELECT u.measurement, COUNT(*), COALESCE(SUM(u.status = 'done'), 0), "
                "COALESCE(SUM(u.status = 'running'), 0), COALESCE(SUM(u.status = 'failed'), 0), "
                "COALESCE(SUM(u.points_read), 0), COALESCE(SUM(u.points_written), 0), "
                "COALESCE(SUM(u.points_rejected), 0), "
                "(SELECT f.last_error FROM units f WHERE f.task_id = ?1 AND "
                "f.measurement = u.measurement AND f.status = 'failed' "
                "ORDER BY f.updated_ms DESC, f.id DESC LIMIT 1), "
                "(SELECT e.points FROM estimates e WHERE e.task_id = ?1 AND "
                "e.measurement = u.measurement) "
                "FROM units u WHERE u.task_id = ?1 GROUP BY u.measurement ORDER BY MIN(u.id)");
    s.bind(1, taskId);
    return allRows(s, [](const Statement &row) {
        MeasurementProgress m;
        Columns(row) >> m.measurement >> m.unitsTotal >> m.unitsDone >> m.unitsRunning >>
            m.unitsFailed >> m.pointsRead >> m.pointsWritten >> m.pointsRejected >> m.lastError;
        m.estimatedPoints = row.isNull(9) ? kNotEstimated : row.int64(9);
        return m;
    });
}

} // namespace tsm::store
