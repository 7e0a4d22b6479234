#pragma once

namespace tsm::store {

class Connection;

/** A write transaction that rolls back unless committed, so a thrown StoreError leaves none open.
 */
class Transaction
{
public:
    /// Begins it; throws StoreError when SQLite cannot.
    explicit Transaction(Connection &db);
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

    void commit();

private:
    Connection &m_db;
    bool m_active = false;
};

} // namespace tsm::store
