#pragma once

#include <QByteArray>
#include <QString>
#include <exception>

struct sqlite3;

namespace tsm::store {

/**
 * Why a step of the checkpoint store failed. Thrown by the store's statements and caught once
 * per public call of CheckpointStore, which turns it into lastError(): the access code reads as
 * its SQL steps, without an error check after each.
 */
class StoreError : public std::exception
{
public:
    enum class Kind
    {
        Failed,  ///< SQLite (or the store's state) failed: reported with the store's path
        Refused, ///< the store refused the call itself (no such task, read-only): the reason
    };

    /// SQLite's message for the last call on `db`, and the statement that failed.
    static StoreError fromSqlite(sqlite3 *db, const QByteArray &statement);
    static StoreError notOpen();
    static StoreError refused(const QString &reason);
    /// A write that must have changed the rows of one task changed none.
    static StoreError noSuchTask();

    Kind kind() const { return m_kind; }
    const QString &message() const { return m_message; }
    /// The SQL that failed; empty when no statement did.
    const QByteArray &statement() const { return m_statement; }
    /// "what: SQLite's message (path)", or "what: reason" when refused.
    QString describe(const QString &what, const QString &path) const;
    const char *what() const noexcept override;

private:
    StoreError(Kind kind, const QString &message, const QByteArray &statement);

    Kind m_kind;
    QString m_message;
    QByteArray m_statement;
    QByteArray m_what; // what() must return bytes that outlive the call
};

} // namespace tsm::store
