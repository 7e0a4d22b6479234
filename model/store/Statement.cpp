#include "Statement.h"

#include "Connection.h"
#include "StoreError.h"

#include <sqlite3.h>

namespace tsm::store {

Statement::Statement(Connection &db, const QByteArray &sql) : m_db(db), m_sql(sql)
{
    if (sqlite3_prepare_v2(m_db.handle(), m_sql.constData(), -1, &m_stmt, nullptr) != SQLITE_OK) {
        const StoreError error = StoreError::fromSqlite(m_db.handle(), m_sql);
        sqlite3_finalize(m_stmt);
        throw error;
    }
}

Statement::~Statement()
{
    sqlite3_finalize(m_stmt);
}

void Statement::bind(int index, qint64 value)
{
    sqlite3_bind_int64(m_stmt, index, value);
}

void Statement::bind(int index, const QString &value)
{
    bind(index, value.toUtf8());
}

void Statement::bind(int index, const QByteArray &value)
{
    // SQLITE_STATIC (a null destructor): the bytes live in m_texts until reset or the end.
    m_texts.push_back(value);
    const QByteArray &bytes = m_texts.back();
    sqlite3_bind_text(m_stmt, index, bytes.constData(), int(bytes.size()), nullptr);
}

void Statement::bind(int index, const std::optional<QString> &value)
{
    if (value)
        bind(index, *value);
    else
        bindNull(index);
}

void Statement::bindNull(int index)
{
    sqlite3_bind_null(m_stmt, index);
}

bool Statement::next()
{
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    throw StoreError::fromSqlite(m_db.handle(), m_sql);
}

void Statement::expectRow()
{
    if (!next())
        throw StoreError::fromSqlite(m_db.handle(), m_sql);
}

int Statement::run()
{
    while (next()) {
    }
    return m_db.changes();
}

void Statement::reset()
{
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
    m_texts.clear();
}

qint64 Statement::int64(int column) const
{
    return sqlite3_column_int64(m_stmt, column);
}

QString Statement::text(int column) const
{
    const auto *data = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, column));
    return QString::fromUtf8(data, sqlite3_column_bytes(m_stmt, column));
}

QByteArray Statement::bytes(int column) const
{
    const auto *data = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, column));
    return QByteArray(data, sqlite3_column_bytes(m_stmt, column));
}

bool Statement::isNull(int column) const
{
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

Columns &Columns::operator>>(qint64 &value)
{
    value = m_s.int64(m_next++);
    return *this;
}

Columns &Columns::operator>>(int &value)
{
    value = int(m_s.int64(m_next++));
    return *this;
}

Columns &Columns::operator>>(bool &value)
{
    value = m_s.int64(m_next++) != 0;
    return *this;
}

Columns &Columns::operator>>(QString &value)
{
    value = m_s.text(m_next++);
    return *this;
}

Columns &Columns::operator>>(QByteArray &value)
{
    value = m_s.bytes(m_next++);
    return *this;
}

} // namespace tsm::store
