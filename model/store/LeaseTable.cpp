#include "LeaseTable.h"

#include "EnumNames.h"

#include "Statement.h"
#include "Transaction.h"

using namespace Qt::StringLiterals;

namespace tsm::store {

namespace {

/// The columns read() reads, in its order; a query appends its WHERE and ORDER BY.
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
    QString request;
    Columns(s) >> h.program >> h.pid >> h.host >> h.token >> h.startedMs >> h.heartbeatMs >>
        request;
    h.request = requests().value(request).value_or(RunRequest::None);
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
    s.bindAll(taskId, me.program, me.pid, me.host, me.token, me.startedMs, nowMs());
    s.run();
    tx.commit();
    result.granted = true;
    return result;
}

std::optional<LeaseHolder> LeaseTable::find(qint64 taskId)
{
    Statement s(m_db, QByteArray(kColumns) + " WHERE task_id = ?1");
    s.bind(1, taskId);
    return firstRow(s, read);
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
    s.bindAll(taskId, token, nowMs());
    if (!s.next())
        return std::nullopt;
    return requests().value(s.text(0)).value_or(RunRequest::None);
}

void LeaseTable::release(qint64 taskId, const QString &token)
{
    Statement s(m_db, "DELETE FROM leases WHERE task_id = ?1 AND token = ?2");
    s.bindAll(taskId, token);
    s.run();
}

bool LeaseTable::request(qint64 taskId, RunRequest request)
{
    Statement s(m_db, "UPDATE leases SET request = ?2 WHERE task_id = ?1");
    s.bindAll(taskId, requests().name(request));
    return s.run() > 0;
}

} // namespace tsm::store
