#include "TaskTable.h"

#include "Statement.h"
#include "StoreError.h"
#include "Transaction.h"

namespace tsm::store {

namespace {

/// The columns read() reads, in its order; a query appends its WHERE and ORDER BY.
constexpr const char *kColumns =
    "SELECT id, name, profile, state, last_error, planned, plan_start, plan_end, watermark, "
    "created_ms, updated_ms, health, health_detail, plan_scope FROM tasks ";

} // namespace

TaskRecord TaskTable::read(const Statement &s)
{
    TaskRecord t;
    QString state;
    QString health;
    Columns(s) >> t.id >> t.name >> t.profileJson >> state >> t.lastError >> t.planned >>
        t.planStartNs >> t.planEndNs >> t.watermarkNs >> t.createdMs >> t.updatedMs >> health >>
        t.healthDetail >> t.planScope;
    // A state written by a newer tsmigrate is shown as idle rather than dropping the task.
    t.state = taskStateFromName(state).value_or(TaskState::Idle);
    t.health = taskHealthFromName(health).value_or(TaskHealth::Ready);
    return t;
}

qint64 TaskTable::save(const QString &name, const QByteArray &profileJson)
{
    Statement s(m_db, "INSERT INTO tasks (name, profile, created_ms, updated_ms) "
                      "VALUES (?1, ?2, ?3, ?3) "
                      "ON CONFLICT (name) DO UPDATE SET profile = excluded.profile, "
                      "updated_ms = excluded.updated_ms "
                      "RETURNING id");
    s.bindAll(name, profileJson, nowMs());
    s.expectRow();
    const qint64 id = s.int64(0);
    s.run(); // to its end, so that a failure after the row is reported too
    return id;
}

std::optional<TaskRecord> TaskTable::find(const QString &name)
{
    Statement s(m_db, QByteArray(kColumns) + "WHERE name = ?1");
    s.bind(1, name);
    return firstRow(s, read);
}

std::optional<TaskRecord> TaskTable::find(qint64 taskId)
{
    Statement s(m_db, QByteArray(kColumns) + "WHERE id = ?1");
    s.bind(1, taskId);
    return firstRow(s, read);
}

QList<TaskRecord> TaskTable::all()
{
    Statement s(m_db, QByteArray(kColumns) + "ORDER BY name");
    return allRows(s, read);
}

void TaskTable::setState(qint64 taskId, TaskState state, const QString &lastError)
{
    Statement s(m_db,
                "UPDATE tasks SET state = ?2, last_error = ?3, updated_ms = ?4 WHERE id = ?1");
    s.bindAll(taskId, taskStateName(state), lastError, nowMs());
    requireTask(s.run());
}

void TaskTable::setPlan(qint64 taskId, bool planned, qint64 planStartNs, qint64 planEndNs,
                        const QString &scope)
{
    Statement s(m_db, "UPDATE tasks SET planned = ?2, plan_start = ?3, plan_end = ?4, "
                      "updated_ms = ?5, plan_scope = ?6 WHERE id = ?1");
    s.bindAll(taskId, planned, planStartNs, planEndNs, nowMs(), scope);
    requireTask(s.run());
}

void TaskTable::setWatermark(qint64 taskId, qint64 watermarkNs)
{
    Statement s(m_db, "UPDATE tasks SET watermark = ?2, updated_ms = ?3 WHERE id = ?1");
    s.bindAll(taskId, watermarkNs, nowMs());
    requireTask(s.run());
}

void TaskTable::setHealth(qint64 taskId, TaskHealth health, const QString &detail)
{
    Statement s(m_db, "UPDATE tasks SET health = ?2, health_detail = ?3 WHERE id = ?1");
    s.bindAll(taskId, taskHealthName(health), detail);
    requireTask(s.run());
}

void TaskTable::remove(qint64 taskId)
{
    Transaction tx(m_db);
    removeRecords(taskId);
    Statement lease(m_db, "DELETE FROM leases WHERE task_id = ?1");
    lease.bind(1, taskId);
    lease.run();
    Statement s(m_db, "DELETE FROM tasks WHERE id = ?1");
    s.bind(1, taskId);
    requireTask(s.run());
    tx.commit();
}

void TaskTable::reset(qint64 taskId)
{
    Transaction tx(m_db);
    removeRecords(taskId);
    Statement s(m_db, "UPDATE tasks SET state = ?2, last_error = '', planned = 0, plan_start = 0, "
                      "plan_end = 0, plan_scope = '', watermark = 0, health = 'Ready', health_detail = '', "
                      "updated_ms = ?3 WHERE id = ?1");
    s.bindAll(taskId, taskStateName(TaskState::Idle), nowMs());
    requireTask(s.run());
    tx.commit();
}

void TaskTable::removeRecords(qint64 taskId)
{
    // Explicit deletes rather than ON DELETE CASCADE alone: they do not depend on a connection
    // having foreign keys switched on.
    for (const char *sql :
         {"DELETE FROM units WHERE task_id = ?1", "DELETE FROM samples WHERE task_id = ?1",
          "DELETE FROM events WHERE task_id = ?1", "DELETE FROM estimates WHERE task_id = ?1",
          "DELETE FROM verifications WHERE task_id = ?1",
          "DELETE FROM renamings WHERE task_id = ?1"}) {
        Statement s(m_db, sql);
        s.bind(1, taskId);
        s.run();
    }
}

} // namespace tsm::store
