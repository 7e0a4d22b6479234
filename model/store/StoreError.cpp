#include "StoreError.h"

#include <sqlite3.h>

using namespace Qt::StringLiterals;

namespace tsm::store {

StoreError::StoreError(Kind kind, const QString &message, const QByteArray &statement)
    : m_kind(kind), m_message(message), m_statement(statement), m_what(message.toUtf8())
{}

StoreError StoreError::fromSqlite(sqlite3 *db, const QByteArray &statement)
{
    return StoreError(Kind::Failed, QString::fromUtf8(sqlite3_errmsg(db)), statement);
}

StoreError StoreError::notOpen()
{
    return StoreError(Kind::Failed, u"the store is not open"_s, QByteArray());
}

StoreError StoreError::refused(const QString &reason)
{
    return StoreError(Kind::Refused, reason, QByteArray());
}

StoreError StoreError::noSuchTask()
{
    return refused(u"no such task"_s);
}

QString StoreError::describe(const QString &what, const QString &path) const
{
    if (m_kind == Kind::Refused)
        return u"%1: %2"_s.arg(what, m_message);
    return u"%1: %2 (%3)"_s.arg(what, m_message, path);
}

const char *StoreError::what() const noexcept
{
    return m_what.constData();
}

} // namespace tsm::store
