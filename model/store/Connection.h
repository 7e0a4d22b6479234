#pragma once

#include <QByteArray>
#include <QString>
#include <memory>

struct sqlite3;

namespace tsm::store {

/**
 * One open SQLite connection to the checkpoint store, set up for sharing the file (busy timeout,
 * WAL) and closed on destruction. Its calls throw StoreError.
 */
class Connection
{
public:
    /// Opens `path` (creating it and its folder unless read-only) and sets the connection up.
    static std::unique_ptr<Connection> open(const QString &path, bool readOnly);
    ~Connection();
    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;

    sqlite3 *handle() const { return m_db; }
    /// Runs statements that return no rows.
    void exec(const QByteArray &sql);
    /// Rows changed by the last INSERT, UPDATE or DELETE.
    int changes() const;

private:
    explicit Connection(sqlite3 *db);
    void setUpWriter(const QString &path);
    /// PRAGMA journal_mode=WAL, tried again while another opener holds the lock; the mode the
    /// file is in afterwards.
    QString switchToWal();

    sqlite3 *m_db = nullptr;
};

} // namespace tsm::store
