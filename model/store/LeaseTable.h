#pragma once

#include "Lease.h"
#include "Table.h"

#include <QHash>
#include <optional>

namespace tsm::store {

class Statement;

/** Access to the leases table: who runs each task, its heartbeat, and requests for it. */
class LeaseTable : public Table
{
public:
    explicit LeaseTable(Connection &db) : Table(db) {}

    /// Grants the lease to `me` unless a live run holds it, in one transaction.
    LeaseClaim claim(qint64 taskId, const LeaseHolder &me);
    std::optional<LeaseHolder> find(qint64 taskId);
    QHash<qint64, LeaseHolder> all();
    /// Renews the lease of run `token`; nullopt when it no longer holds it.
    std::optional<RunRequest> renew(qint64 taskId, const QString &token);
    void release(qint64 taskId, const QString &token);
    /// Asks the run holding the task's lease to pause or stop; false when none holds it.
    bool request(qint64 taskId, RunRequest request);

private:
    static LeaseHolder read(const Statement &s);
};

} // namespace tsm::store
