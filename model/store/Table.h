#pragma once

#include "Statement.h"

#include <QList>
#include <QtGlobal>
#include <optional>

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

    /// The first row of `s` as `read` makes it, or nothing when there is none.
    template<typename Read>
    static auto firstRow(Statement &s, Read read) -> std::optional<decltype(read(s))>
    {
        if (!s.next())
            return std::nullopt;
        return read(s);
    }
    /// Every row of `s`, each as `read` makes it.
    template<typename Read> static auto allRows(Statement &s, Read read) -> QList<decltype(read(s))>
    {
        QList<decltype(read(s))> rows;
        while (s.next())
            rows.append(read(s));
        return rows;
    }

    Connection &m_db;
};

} // namespace tsm::store
