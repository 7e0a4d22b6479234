#include "Transaction.h"

#include "Connection.h"

#include <sqlite3.h>

namespace tsm::store {

Transaction::Transaction(Connection &db) : m_db(db)
{
    // IMMEDIATE: a deferred transaction that reads first and then writes can fail with
    // SQLITE_BUSY at once, without waiting, when another connection wrote in between.
    m_db.exec("BEGIN IMMEDIATE");
    m_active = true;
}

Transaction::~Transaction()
{
    // Not through exec(): a destructor must not throw, and a failed rollback leaves nothing
    // to do (SQLite rolls back by itself when the connection closes).
    if (m_active)
        sqlite3_exec(m_db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit()
{
    m_db.exec("COMMIT");
    m_active = false;
}

} // namespace tsm::store
