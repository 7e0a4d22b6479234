#include "Connection.h"

#include "StoreError.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <chrono>
#include <sqlite3.h>
#include <thread>

using namespace Qt::StringLiterals;

namespace tsm::store {

namespace {

// Long enough for the other process's write transaction (at most one batch of units) to end.
constexpr int kBusyTimeoutMs = 5000;

} // namespace

Connection::Connection(sqlite3 *db) : m_db(db) {}

Connection::~Connection()
{
    sqlite3_close_v2(m_db);
}

std::unique_ptr<Connection> Connection::open(const QString &path, bool readOnly)
{
    // NOMUTEX: a connection is never shared between threads (one store per thread), so
    // SQLite's own locking would be pure cost.
    int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_READONLY;
    if (!readOnly) {
        flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
        const QString dir = QFileInfo(path).absolutePath();
        if (!QDir().mkpath(dir)) {
            throw StoreError::refused(
                u"Could not create the folder %1 for the checkpoint store"_s.arg(dir));
        }
    }
    sqlite3 *db = nullptr;
    const int rc = sqlite3_open_v2(QFile::encodeName(path).constData(), &db, flags, nullptr);
    // Owned from here: SQLite hands out a handle to close even when opening failed.
    std::unique_ptr<Connection> connection(new Connection(db));
    if (rc != SQLITE_OK) {
        throw StoreError::refused(u"Could not open the checkpoint store %1: %2"_s.arg(
            path,
            db ? QString::fromUtf8(sqlite3_errmsg(db)) : QString::fromUtf8(sqlite3_errstr(rc))));
    }
    // A GUI and a CLI may share the file: wait for the other's write instead of failing.
    sqlite3_busy_timeout(db, kBusyTimeoutMs);
    if (readOnly) {
        // query_only guards against a write slipping through even if a method forgot the check.
        connection->exec("PRAGMA query_only=ON");
    } else {
        connection->setUpWriter(path);
    }
    return connection;
}

void Connection::setUpWriter(const QString &path)
{
    // WAL: readers (the monitor) never block the writer, and commits are cheap.
    const QString mode = switchToWal();
    if (mode.compare(u"wal"_s, Qt::CaseInsensitive) != 0) {
        throw StoreError::refused(
            u"Could not switch the checkpoint store %1 to WAL mode: it stays in %2 mode"_s.arg(
                path, mode));
    }
    // NORMAL is durable across application crashes in WAL mode; only a power cut may lose the
    // last commits, and units are redone idempotently anyway.
    exec("PRAGMA synchronous=NORMAL");
    exec("PRAGMA foreign_keys=ON");
}

QString Connection::switchToWal()
{
    // Processes opening a brand-new file at once all switch it to WAL. SQLite answers BUSY at
    // once, without the busy handler, to one that holds a lock another one waits for (waiting
    // could deadlock): the statement is over, so that lock is gone, and it tries again.
    static const QByteArray sql = "PRAGMA journal_mode=WAL";
    QElapsedTimer waited;
    waited.start();
    for (;;) {
        QString mode;
        const auto read = [](void *out, int, char **values, char **) {
            *static_cast<QString *>(out) = QString::fromUtf8(values[0]);
            return 0;
        };
        const int rc = sqlite3_exec(m_db, sql.constData(), read, &mode, nullptr);
        if (rc == SQLITE_OK)
            return mode;
        if (rc != SQLITE_BUSY || waited.elapsed() > kBusyTimeoutMs)
            throw StoreError::fromSqlite(m_db, sql);
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

void Connection::exec(const QByteArray &sql)
{
    if (sqlite3_exec(m_db, sql.constData(), nullptr, nullptr, nullptr) != SQLITE_OK)
        throw StoreError::fromSqlite(m_db, sql);
}

int Connection::changes() const
{
    return sqlite3_changes(m_db);
}

} // namespace tsm::store
