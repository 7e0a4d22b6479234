#include "TaskTable.h"

#include "Statement.h"
#include "StoreError.h"
#include "Transaction.h"

namespace tsm::store {

namespace {

constexpr const char *kTaskColumns =
    "SELECT id, name, profile, state, last_error, planned, plan_start, plan_end, watermark, "
    "created_ms, updated_ms FROM tasks ";

} // namespace

TaskRecord TaskTable::read(const Statement &s)
{
    TaskRecord t;
    t.id = s.int64(0);
    t.name = s.text(1);
    t.profileJson = s.bytes(2);
    // A state written by a newer tsmigrate is shown as idle rather than dropping the task.
    t.state = taskStateFromName(s.text(3)).value_or(TaskState::Idle);
    t.lastError = s.text(4);
    t.planned = s.int64(5) != 0;
    t.planStartNs = s.int64(6);
    t.planEndNs = s.int64(7);
    t.watermarkNs = s.int64(8);
    t.createdMs = s.int64(9);
    t.updatedMs = s.int64(10);
    return t;
}

qint64 TaskTable::save(const QString &name, const QByteArray &profileJson)
{
    Statement s(m_db, "INSERT INTO tasks (name, profile, created_ms, updated_ms) "
                      "VALUES (?1, ?2, ?3, ?3) "
                      "ON CONFLICT (name) DO UPDATE SET profile = excluded.profile, "
                      "updated_ms = excluded.updated_ms "
                      "RETURNING id");
    s.bind(1, name);
    s.bind(2, profileJson);
    s.bind(3, nowMs());
    s.expectRow();
    const qint64 id = s.int64(0);
    s.run(); // to its end, so that a failure after the row is reported too
    return id;
}

std::optional<TaskRecord> TaskTable::find(const QString &name)
{
    Statement s(m_db, QByteArray(kTaskColumns) + "WHERE name = ?1");
    s.bind(1, name);
    if (!s.next())
        return std::nullopt;
    return read(s);
}

std::optional<TaskRecord> TaskTable::find(qint64 taskId)
{
    Statement s(m_db, QByteArray(kTaskColumns) + "WHERE id = ?1");
    s.bind(1, taskId);
    if (!s.next())
        return std::nullopt;
    return read(s);
}

QList<TaskRecord> TaskTable::all()
{
    QList<TaskRecord> list;
    Statement s(m_db, QByteArray(kTaskColumns) + "ORDER BY name");
    while (s.next())
        list.append(read(s));
    return list;
}

void TaskTable::setState(qint64 taskId, TaskState state, const QString &lastError)
{
    Statement s(m_db,
                "UPDATE tasks SET state = ?2, last_error = ?3, updated_ms = ?4 WHERE id = ?1");
    s.bind(1, taskId);
    s.bind(2, taskStateName(state));
    s.bind(3, lastError);
    s.bind(4, nowMs());
    requireTask(s.run());
}

void TaskTable::setPlan(qint64 taskId, bool planned, qint64 planStartNs, qint64 planEndNs)
{
    Statement s(m_db, "UPDATE tasks SET planned = ?2, plan_start = ?3, plan_end = ?4, "
                      "updated_ms = ?5 WHERE id = ?1");
    s.bind(1, taskId);
    s.bind(2, qint64(planned ? 1 : 0));
    s.bind(3, planStartNs);
    s.bind(4, planEndNs);
    s.bind(5, nowMs());
    requireTask(s.run());
}

void TaskTable::setWatermark(qint64 taskId, qint64 watermarkNs)
{
    Statement s(m_db, "UPDATE tasks SET watermark = ?2, updated_ms = ?3 WHERE id = ?1");
    s.bind(1, taskId);
    s.bind(2, watermarkNs);
    s.bind(3, nowMs());
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
                      "plan_end = 0, watermark = 0, updated_ms = ?3 WHERE id = ?1");
    s.bind(1, taskId);
    s.bind(2, taskStateName(TaskState::Idle));
    s.bind(3, nowMs());
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
