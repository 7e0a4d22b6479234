#pragma once

#include <QtGlobal>

namespace tsm::store {

class Connection;

/** What the access code of every table of the store shares: the connection and the clock. */
class Table
{
protected:
    explicit Table(Connection &db) : m_db(db) {}

    /// Wall-clock milliseconds, as the store's updated_ms, time_ms and created_ms hold them.
    static qint64 nowMs();
    /// A write that must have found the rows of one task: throws when it changed none.
    static void requireTask(int changed);

    Connection &m_db;
};

} // namespace tsm::store
