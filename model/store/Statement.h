#pragma once

#include <QByteArray>
#include <QString>
#include <deque>

struct sqlite3_stmt;

namespace tsm::store {

class Connection;

/**
 * One prepared statement, finalized on scope exit; binds keep their text alive until reset or
 * then. Preparing and stepping throw StoreError, naming this statement.
 */
class Statement
{
public:
    Statement(Connection &db, const QByteArray &sql);
    ~Statement();
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;

    void bind(int index, qint64 value);
    void bind(int index, const QString &value);
    void bind(int index, const QByteArray &value);
    void bindNull(int index);

    /// Steps once: true with a row to read, false when done.
    bool next();
    /// Steps once and expects a row (a SELECT of an aggregate, an INSERT ... RETURNING).
    void expectRow();
    /// Runs a statement that returns no rows to its end; returns the rows it changed.
    int run();
    /// Makes the statement ready for the next set of binds.
    void reset();

    qint64 int64(int column) const;
    QString text(int column) const;
    QByteArray bytes(int column) const;
    bool isNull(int column) const;

private:
    Connection &m_db;
    QByteArray m_sql;
    sqlite3_stmt *m_stmt = nullptr;
    std::deque<QByteArray> m_texts; // a deque: earlier elements stay put when one is added
};

} // namespace tsm::store
