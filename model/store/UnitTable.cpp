#include "UnitTable.h"

#include "Names.h"
#include "Statement.h"
#include "StoreError.h"
#include "Transaction.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace tsm::store {

namespace {

constexpr const char *kUnitColumns =
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
    u.id = s.int64(0);
    u.taskId = s.int64(1);
    u.measurement = s.text(2);
    u.context = s.text(3);
    u.rangeStart = s.int64(4);
    u.rangeEnd = s.int64(5);
    u.status = unitStatusFromName(s.text(6)).value_or(UnitStatus::Pending);
    u.attempts = int(s.int64(7));
    u.pointsRead = s.int64(8);
    u.pointsWritten = s.int64(9);
    u.pointsRejected = s.int64(10);
    u.lastError = s.text(11);
    u.updatedMs = s.int64(12);
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
    requireTaskExists(taskId);
    // One statement, one transaction: 100 000 units cost one commit.
    Statement s(m_db, "INSERT OR IGNORE INTO units (task_id, measurement, context, range_start, "
                      "range_end, status, attempts, points_read, points_written, "
                      "points_rejected, last_error, updated_ms) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
    const qint64 now = nowMs();
    int added = 0;
    for (const UnitRecord &u : units) {
        s.bind(1, taskId);
        s.bind(2, u.measurement);
        s.bind(3, u.context);
        s.bind(4, u.rangeStart);
        s.bind(5, u.rangeEnd);
        s.bind(6, unitStatusName(u.status));
        s.bind(7, qint64(u.attempts));
        s.bind(8, u.pointsRead);
        s.bind(9, u.pointsWritten);
        s.bind(10, u.pointsRejected);
        s.bind(11, u.lastError);
        s.bind(12, u.updatedMs != 0 ? u.updatedMs : now);
        added += s.run();
        s.reset();
    }
    tx.commit();
    return added;
}

QList<UnitRecord> UnitTable::select(const char *where, qint64 taskId)
{
    QList<UnitRecord> list;
    Statement s(m_db, QByteArray(kUnitColumns) + where);
    s.bind(1, taskId);
    while (s.next())
        list.append(read(s));
    return list;
}

void UnitTable::requeueRunning(qint64 taskId)
{
    Statement s(m_db,
                "UPDATE units SET status = ?2, updated_ms = ?4 WHERE task_id = ?1 AND status = ?3");
    s.bind(1, taskId);
    s.bind(2, unitStatusName(UnitStatus::Pending));
    s.bind(3, unitStatusName(UnitStatus::Running));
    s.bind(4, nowMs());
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
        s.bind(1, u.unitId);
        s.bind(2, unitStatusName(u.status));
        s.bind(3, qint64(u.attemptsDelta));
        s.bind(4, u.pointsRead);
        s.bind(5, u.pointsWritten);
        s.bind(6, u.pointsRejected);
        if (u.lastError)
            s.bind(7, *u.lastError);
        else
            s.bindNull(7);
        s.bind(8, now);
        // All or nothing: a unit that is gone (the task was reset meanwhile) fails the batch.
        if (s.run() == 0)
            throw StoreError::refused(u"there is no unit with id %1"_s.arg(u.unitId));
        s.reset();
    }
    tx.commit();
}

void UnitTable::markPending(qint64 taskId, const QList<qint64> &unitIds)
{
    Transaction tx(m_db);
    Statement s(m_db, "UPDATE units SET status = ?3, points_read = 0, points_written = 0, "
                      "points_rejected = 0, last_error = '', updated_ms = ?4 "
                      "WHERE id = ?1 AND task_id = ?2");
    const qint64 now = nowMs();
    for (const qint64 id : unitIds) {
        s.bind(1, id);
        s.bind(2, taskId);
        s.bind(3, unitStatusName(UnitStatus::Pending));
        s.bind(4, now);
        s.run();
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
    totals.total = s.int64(0);
    totals.pending = s.int64(1);
    totals.running = s.int64(2);
    totals.done = s.int64(3);
    totals.failed = s.int64(4);
    totals.pointsRead = s.int64(5);
    totals.pointsWritten = s.int64(6);
    totals.pointsRejected = s.int64(7);
    return totals;
}

int UnitTable::removeFrom(qint64 taskId, qint64 fromNs)
{
    Statement s(m_db, "DELETE FROM units WHERE task_id = ?1 AND range_start >= ?2");
    s.bind(1, taskId);
    s.bind(2, fromNs);
    return s.run();
}

QList<UnitRecord> UnitTable::doneUnitsWithin(qint64 taskId, qint64 fromNs, qint64 toNs)
{
    QList<UnitRecord> units;
    Statement s(m_db, QByteArray(kUnitColumns) +
                          "WHERE task_id = ?1 AND status = 'done' AND range_start >= ?2 AND "
                          "range_end <= ?3 ORDER BY measurement, context, range_start");
    s.bind(1, taskId);
    s.bind(2, fromNs);
    s.bind(3, toNs);
    while (s.next())
        units.append(read(s));
    return units;
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
            keep.bind(1, merged.id);
            keep.bind(2, merged.rangeEnd);
            keep.bind(3, qint64(merged.attempts));
            keep.bind(4, merged.pointsRead);
            keep.bind(5, merged.pointsWritten);
            keep.bind(6, merged.pointsRejected);
            keep.bind(7, now);
            keep.run();
            keep.reset();
        }
        first = next;
    }
    tx.commit();
}

QList<MeasurementProgress> UnitTable::progressByMeasurement(qint64 taskId)
{
    QList<MeasurementProgress> list;
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
    while (s.next()) {
        MeasurementProgress m;
        m.measurement = s.text(0);
        m.unitsTotal = s.int64(1);
        m.unitsDone = s.int64(2);
        m.unitsRunning = s.int64(3);
        m.unitsFailed = s.int64(4);
        m.pointsRead = s.int64(5);
        m.pointsWritten = s.int64(6);
        m.pointsRejected = s.int64(7);
        m.lastError = s.text(8);
        m.estimatedPoints = s.isNull(9) ? kNotEstimated : s.int64(9);
        list.append(m);
    }
    return list;
}

} // namespace tsm::store
