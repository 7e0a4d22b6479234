#include "LeaseTable.h"

#include "EnumNames.h"

#include "Statement.h"
#include "Transaction.h"

using namespace Qt::StringLiterals;

namespace tsm::store {

namespace {

constexpr const char *kColumns =
    "SELECT program, pid, host, token, started_ms, heartbeat_ms, request, task_id FROM leases";

const EnumNames<RunRequest> &requests()
{
    static const EnumNames<RunRequest> names = {
        {RunRequest::None, QString()},
        {RunRequest::Pause, u"pause"_s},
        {RunRequest::Stop, u"stop"_s},
    };
    return names;
}

} // namespace

LeaseHolder LeaseTable::read(const Statement &s)
{
    LeaseHolder h;
    h.program = s.text(0);
    h.pid = s.int64(1);
    h.host = s.text(2);
    h.token = s.text(3);
    h.startedMs = s.int64(4);
    h.heartbeatMs = s.int64(5);
    h.request = requests().value(s.text(6)).value_or(RunRequest::None);
    return h;
}

LeaseClaim LeaseTable::claim(qint64 taskId, const LeaseHolder &me)
{
    Transaction tx(m_db);
    LeaseClaim result;
    result.other = find(taskId);
    if (result.other && result.other->token != me.token && Lease::isLive(*result.other, nowMs()))
        return result; // refused; the transaction rolls back (nothing was written)
    if (result.other && result.other->token == me.token)
        result.other.reset();
    Statement s(m_db, "INSERT INTO leases (task_id, program, pid, host, token, started_ms, "
                      "heartbeat_ms, request) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, '') "
                      "ON CONFLICT (task_id) DO UPDATE SET program = excluded.program, "
                      "pid = excluded.pid, host = excluded.host, token = excluded.token, "
                      "started_ms = excluded.started_ms, heartbeat_ms = excluded.heartbeat_ms, "
                      "request = ''");
    s.bind(1, taskId);
    s.bind(2, me.program);
    s.bind(3, me.pid);
    s.bind(4, me.host);
    s.bind(5, me.token);
    s.bind(6, me.startedMs);
    s.bind(7, nowMs());
    s.run();
    tx.commit();
    result.granted = true;
    return result;
}

std::optional<LeaseHolder> LeaseTable::find(qint64 taskId)
{
    Statement s(m_db, QByteArray(kColumns) + " WHERE task_id = ?1");
    s.bind(1, taskId);
    if (!s.next())
        return std::nullopt;
    return read(s);
}

QHash<qint64, LeaseHolder> LeaseTable::all()
{
    QHash<qint64, LeaseHolder> leases;
    Statement s(m_db, kColumns);
    while (s.next())
        leases.insert(s.int64(7), read(s));
    return leases;
}

std::optional<RunRequest> LeaseTable::renew(qint64 taskId, const QString &token)
{
    Statement s(m_db, "UPDATE leases SET heartbeat_ms = ?3 WHERE task_id = ?1 AND token = ?2 "
                      "RETURNING request");
    s.bind(1, taskId);
    s.bind(2, token);
    s.bind(3, nowMs());
    if (!s.next())
        return std::nullopt;
    return requests().value(s.text(0)).value_or(RunRequest::None);
}

void LeaseTable::release(qint64 taskId, const QString &token)
{
    Statement s(m_db, "DELETE FROM leases WHERE task_id = ?1 AND token = ?2");
    s.bind(1, taskId);
    s.bind(2, token);
    s.run();
}

bool LeaseTable::request(qint64 taskId, RunRequest request)
{
    Statement s(m_db, "UPDATE leases SET request = ?2 WHERE task_id = ?1");
    s.bind(1, taskId);
    s.bind(2, requests().name(request));
    return s.run() > 0;
}

} // namespace tsm::store
