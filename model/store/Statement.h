#pragma once

#include <QByteArray>
#include <QString>
#include <deque>
#include <optional>
#include <type_traits>

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
    /// Any other whole number (int, an enum's underlying value, bool as 0 or 1).
    template<typename Int, std::enable_if_t<std::is_integral_v<Int>, int> = 0>
    void bind(int index, Int value)
    {
        bind(index, qint64(value));
    }
    void bind(int index, const QString &value);
    void bind(int index, const QByteArray &value);
    /// The text, or NULL without one.
    void bind(int index, const std::optional<QString> &value);
    void bindNull(int index);
    /// Binds `values` to ?1, ?2, … in their order.
    template<typename... Values> void bindAll(const Values &...values)
    {
        int index = 0;
        (bind(++index, values), ...);
    }

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

/**
 * Reads the columns of a statement's current row in the order of its SELECT, so that a row
 * reader names each column once: `Columns(s) >> record.id >> record.name;`.
 */
class Columns
{
public:
    explicit Columns(const Statement &s) : m_s(s) {}

    Columns &operator>>(qint64 &value);
    Columns &operator>>(int &value);
    /// A column holding 0 or 1.
    Columns &operator>>(bool &value);
    Columns &operator>>(QString &value);
    Columns &operator>>(QByteArray &value);

private:
    const Statement &m_s;
    int m_next = 0;
};

} // namespace tsm::store
