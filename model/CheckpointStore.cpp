#include "CheckpointStore.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <algorithm>
#include <deque>
#include <sqlite3.h>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

constexpr int kSchemaVersion = 2;
// Long enough for the other process's write transaction (at most one batch of units) to end.
constexpr int kBusyTimeoutMs = 5000;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

/** One prepared statement, finalized on scope exit; binds keep their text alive until then. */
class Statement
{
public:
    Statement(sqlite3 *db, const char *sql)
    {
        if (sqlite3_prepare_v2(db, sql, -1, &m_stmt, nullptr) != SQLITE_OK) {
            sqlite3_finalize(m_stmt);
            m_stmt = nullptr;
        }
    }
    ~Statement() { sqlite3_finalize(m_stmt); }
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;

    bool ok() const { return m_stmt != nullptr; }

    void bind(int index, qint64 value) { sqlite3_bind_int64(m_stmt, index, value); }
    void bind(int index, const QString &value)
    {
        // SQLITE_STATIC (a null destructor): the bytes live in m_texts until reset or the end.
        m_texts.push_back(value.toUtf8());
        const QByteArray &bytes = m_texts.back();
        sqlite3_bind_text(m_stmt, index, bytes.constData(), int(bytes.size()), nullptr);
    }
    void bind(int index, const QByteArray &value)
    {
        m_texts.push_back(value);
        const QByteArray &bytes = m_texts.back();
        sqlite3_bind_text(m_stmt, index, bytes.constData(), int(bytes.size()), nullptr);
    }
    void bindNull(int index) { sqlite3_bind_null(m_stmt, index); }

    /// SQLITE_ROW, SQLITE_DONE or an error code.
    int step() { return sqlite3_step(m_stmt); }
    void reset()
    {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
        m_texts.clear();
    }

    qint64 int64(int column) const { return sqlite3_column_int64(m_stmt, column); }
    QString text(int column) const
    {
        const auto *data = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, column));
        return QString::fromUtf8(data, sqlite3_column_bytes(m_stmt, column));
    }
    bool isNull(int column) const { return sqlite3_column_type(m_stmt, column) == SQLITE_NULL; }
    QByteArray bytes(int column) const
    {
        const auto *data = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, column));
        return QByteArray(data, sqlite3_column_bytes(m_stmt, column));
    }

private:
    sqlite3_stmt *m_stmt = nullptr;
    std::deque<QByteArray> m_texts; // a deque: earlier elements stay put when one is added
};

std::optional<UnitStatus> unitStatusFromName(const QString &name)
{
    for (UnitStatus s :
         {UnitStatus::Pending, UnitStatus::Running, UnitStatus::Done, UnitStatus::Failed}) {
        if (unitStatusName(s) == name)
            return s;
    }
    return std::nullopt;
}

constexpr const char *kTaskColumns =
    "SELECT id, name, profile, state, last_error, planned, plan_start, plan_end, watermark, "
    "created_ms, updated_ms FROM tasks ";

TaskRecord readTask(const Statement &s)
{
    TaskRecord t;
    t.id = s.int64(0);
    t.name = s.text(1);
    t.profileJson = s.bytes(2);
    // A state written by a newer tsmigrate is shown as idle rather than dropping the task.
    t.state = taskStateFromName(s.text(3)).value_or(TaskState::Idle);
    t.lastError = s.text(4);
    t.planned = s.int64(5) != 0;
    t.planStartNs = s.int64(6);
    t.planEndNs = s.int64(7);
    t.watermarkNs = s.int64(8);
    t.createdMs = s.int64(9);
    t.updatedMs = s.int64(10);
    return t;
}

constexpr const char *kUnitColumns =
    "SELECT id, task_id, measurement, context, range_start, range_end, status, attempts, "
    "points_read, points_written, points_rejected, last_error, updated_ms FROM units ";

UnitRecord readUnit(const Statement &s)
{
    UnitRecord u;
    u.id = s.int64(0);
    u.taskId = s.int64(1);
    u.measurement = s.text(2);
    u.context = s.text(3);
    u.rangeStart = s.int64(4);
    u.rangeEnd = s.int64(5);
    u.status = unitStatusFromName(s.text(6)).value_or(UnitStatus::Pending);
    u.attempts = int(s.int64(7));
    u.pointsRead = s.int64(8);
    u.pointsWritten = s.int64(9);
    u.pointsRejected = s.int64(10);
    u.lastError = s.text(11);
    u.updatedMs = s.int64(12);
    return u;
}

constexpr const char *kSampleColumns =
    "SELECT task_id, time_ms, points_read, points_written, points_rejected, units_done, "
    "units_total, retries, readers_busy, writers_busy FROM samples ";

ProgressSample readSample(const Statement &s)
{
    ProgressSample p;
    p.taskId = s.int64(0);
    p.timeMs = s.int64(1);
    p.pointsRead = s.int64(2);
    p.pointsWritten = s.int64(3);
    p.pointsRejected = s.int64(4);
    p.unitsDone = s.int64(5);
    p.unitsTotal = s.int64(6);
    p.retries = s.int64(7);
    p.readersBusy = int(s.int64(8));
    p.writersBusy = int(s.int64(9));
    return p;
}

/** A write transaction that rolls back unless committed. */
class Transaction
{
public:
    explicit Transaction(sqlite3 *db) : m_db(db)
    {
        // IMMEDIATE: a deferred transaction that reads first and then writes can fail with
        // SQLITE_BUSY at once, without waiting, when another connection wrote in between.
        m_active = sqlite3_exec(m_db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
    }
    ~Transaction()
    {
        if (m_active)
            sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

    bool active() const { return m_active; }
    bool commit()
    {
        if (sqlite3_exec(m_db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
            return false;
        m_active = false;
        return true;
    }

private:
    sqlite3 *m_db;
    bool m_active = false;
};

/// "what: sqlite's message (path)".
QString failText(sqlite3 *db, const QString &what, const QString &path)
{
    const QString sqliteMessage =
        db ? QString::fromUtf8(sqlite3_errmsg(db)) : u"the store is not open"_s;
    return u"%1: %2 (%3)"_s.arg(what, sqliteMessage, path);
}

/// Whether a write may go ahead; sets the error when not. A read-only store never reaches
/// SQLite with a write.
bool writable(sqlite3 *db, bool readOnly, const QString &what, const QString &path,
              QString &lastError)
{
    if (!db) {
        lastError = failText(db, what, path);
        return false;
    }
    if (readOnly) {
        lastError = u"%1: the store %2 is open read-only"_s.arg(what, path);
        return false;
    }
    return true;
}

/// Runs one writing statement that must change exactly the rows of one task.
template<typename Bind>
bool runUpdate(sqlite3 *db, const char *sql, Bind bind, const QString &what, const QString &path,
               QString &lastError, bool mustChange = true)
{
    Statement s(db, sql);
    if (!s.ok()) {
        lastError = failText(db, what, path);
        return false;
    }
    bind(s);
    if (s.step() != SQLITE_DONE) {
        lastError = failText(db, what, path);
        return false;
    }
    if (mustChange && sqlite3_changes(db) == 0) {
        lastError = what + u": no such task"_s;
        return false;
    }
    return true;
}

QList<UnitRecord> queryUnits(sqlite3 *db, const char *where, qint64 taskId, const QString &what,
                             const QString &path, QString &lastError)
{
    QList<UnitRecord> list;
    if (!db) {
        lastError = failText(db, what, path);
        return list;
    }
    Statement s(db, (QByteArray(kUnitColumns) + where).constData());
    if (!s.ok()) {
        lastError = failText(db, what, path);
        return list;
    }
    s.bind(1, taskId);
    int rc = SQLITE_ROW;
    while ((rc = s.step()) == SQLITE_ROW)
        list.append(readUnit(s));
    if (rc != SQLITE_DONE)
        lastError = failText(db, what, path);
    return list;
}

/// Schema version 1. Each later version adds one step to migrate(), never edits this one.
constexpr const char *kSchemaV1 = R"sql(
CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    profile TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'idle',
    last_error TEXT NOT NULL DEFAULT '',
    planned INTEGER NOT NULL DEFAULT 0,
    plan_start INTEGER NOT NULL DEFAULT 0,
    plan_end INTEGER NOT NULL DEFAULT 0,
    watermark INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
);
CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    measurement TEXT NOT NULL,
    context TEXT NOT NULL DEFAULT '',
    range_start INTEGER NOT NULL,
    range_end INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    points_read INTEGER NOT NULL DEFAULT 0,
    points_written INTEGER NOT NULL DEFAULT 0,
    points_rejected INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    updated_ms INTEGER NOT NULL DEFAULT 0,
    UNIQUE (task_id, measurement, context, range_start)
);
CREATE INDEX units_task_status ON units (task_id, status);
CREATE TABLE samples (
    task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    time_ms INTEGER NOT NULL,
    points_read INTEGER NOT NULL,
    points_written INTEGER NOT NULL,
    points_rejected INTEGER NOT NULL,
    units_done INTEGER NOT NULL,
    units_total INTEGER NOT NULL,
    retries INTEGER NOT NULL,
    readers_busy INTEGER NOT NULL,
    writers_busy INTEGER NOT NULL
);
CREATE INDEX samples_task_time ON samples (task_id, time_ms);
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    time_ms INTEGER NOT NULL,
    level INTEGER NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX events_task_id ON events (task_id, id);
)sql";

/// Schema version 2: the source's estimate of the points of each measurement of a task.
constexpr const char *kSchemaV2 = R"sql(
CREATE TABLE estimates (
    task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    measurement TEXT NOT NULL,
    points INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (task_id, measurement)
);
)sql";

} // namespace

// ---- Names

QString taskStateName(TaskState state)
{
    switch (state) {
    case TaskState::Idle:
        return u"idle"_s;
    case TaskState::Planning:
        return u"planning"_s;
    case TaskState::Running:
        return u"running"_s;
    case TaskState::Paused:
        return u"paused"_s;
    case TaskState::Stopped:
        return u"stopped"_s;
    case TaskState::Completed:
        return u"completed"_s;
    case TaskState::Failed:
        return u"failed"_s;
    }
    return QString();
}

std::optional<TaskState> taskStateFromName(const QString &name)
{
    for (TaskState s : {TaskState::Idle, TaskState::Planning, TaskState::Running, TaskState::Paused,
                        TaskState::Stopped, TaskState::Completed, TaskState::Failed}) {
        if (name.compare(taskStateName(s), Qt::CaseInsensitive) == 0)
            return s;
    }
    return std::nullopt;
}

QString unitStatusName(UnitStatus status)
{
    switch (status) {
    case UnitStatus::Pending:
        return u"pending"_s;
    case UnitStatus::Running:
        return u"running"_s;
    case UnitStatus::Done:
        return u"done"_s;
    case UnitStatus::Failed:
        return u"failed"_s;
    }
    return QString();
}

QString eventLevelName(EventLevel level)
{
    switch (level) {
    case EventLevel::Error:
        return u"error"_s;
    case EventLevel::Warn:
        return u"warn"_s;
    case EventLevel::Info:
        return u"info"_s;
    case EventLevel::Debug:
        return u"debug"_s;
    case EventLevel::Trace:
        return u"trace"_s;
    }
    return QString();
}

std::optional<EventLevel> eventLevelFromName(const QString &name)
{
    for (EventLevel l : {EventLevel::Error, EventLevel::Warn, EventLevel::Info, EventLevel::Debug,
                         EventLevel::Trace}) {
        if (name.compare(eventLevelName(l), Qt::CaseInsensitive) == 0)
            return l;
    }
    if (name.compare(u"warning"_s, Qt::CaseInsensitive) == 0)
        return EventLevel::Warn;
    return std::nullopt;
}

// ---- Opening

CheckpointStore::CheckpointStore() = default;

CheckpointStore::~CheckpointStore()
{
    close();
}

QString CheckpointStore::defaultPath()
{
    // GenericDataLocation + "/tsmigrate" is AppDataLocation for an application named tsmigrate
    // (without an organization). Spelt out because the application name defaults to the
    // executable's: tsmigrate-cli, or a test, would otherwise get a store of its own instead of
    // the GUI's, and DESIGN.md promises the CLI the GUI's store.
    const QString dir =
        QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + u"/tsmigrate"_s;
    QDir().mkpath(dir);
    return dir + u"/tsmigrate.sqlite"_s;
}

int CheckpointStore::schemaVersion()
{
    return kSchemaVersion;
}

bool CheckpointStore::open(const QString &path, Mode mode)
{
    close();
    m_lastError.clear();
    m_path = path;
    m_readOnly = mode == Mode::ReadOnly;

    // NOMUTEX: a connection is never shared between threads (one store per thread), so
    // SQLite's own locking would be pure cost.
    int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_READONLY;
    if (!m_readOnly) {
        flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
        const QString dir = QFileInfo(path).absolutePath();
        if (!QDir().mkpath(dir)) {
            m_lastError = u"Could not create the folder %1 for the checkpoint store"_s.arg(dir);
            return false;
        }
    }
    const int rc = sqlite3_open_v2(QFile::encodeName(path).constData(), &m_db, flags, nullptr);
    if (rc != SQLITE_OK) {
        m_lastError = u"Could not open the checkpoint store %1: %2"_s.arg(
            path,
            m_db ? QString::fromUtf8(sqlite3_errmsg(m_db)) : QString::fromUtf8(sqlite3_errstr(rc)));
        close();
        return false;
    }
    // A GUI and a CLI may share the file: wait for the other's write instead of failing.
    sqlite3_busy_timeout(m_db, kBusyTimeoutMs);

    if (m_readOnly) {
        // query_only guards against a write slipping through even if a method forgot the check.
        if (!exec("PRAGMA query_only=ON") || !migrate()) {
            const QString error = m_lastError;
            close();
            m_lastError = error;
            return false;
        }
        return true;
    }

    // WAL: readers (the monitor) never block the writer, and commits are cheap.
    {
        Statement wal(m_db, "PRAGMA journal_mode=WAL");
        const int step = wal.ok() ? wal.step() : SQLITE_ERROR;
        if (step != SQLITE_ROW || wal.text(0).compare(u"wal"_s, Qt::CaseInsensitive) != 0) {
            m_lastError = u"Could not switch the checkpoint store %1 to WAL mode: %2"_s.arg(
                path, QString::fromUtf8(sqlite3_errmsg(m_db)));
            close();
            return false;
        }
    }
    // NORMAL is durable across application crashes in WAL mode; only a power cut may lose the
    // last commits, and units are redone idempotently anyway.
    if (!exec("PRAGMA synchronous=NORMAL") || !exec("PRAGMA foreign_keys=ON") || !migrate()) {
        const QString error = m_lastError;
        close();
        m_lastError = error;
        return false;
    }
    return true;
}

void CheckpointStore::close()
{
    if (m_db) {
        sqlite3_close_v2(m_db);
        m_db = nullptr;
    }
}

bool CheckpointStore::isOpen() const
{
    return m_db != nullptr;
}

QString CheckpointStore::path() const
{
    return m_path;
}

QString CheckpointStore::lastError() const
{
    return m_lastError;
}

bool CheckpointStore::exec(const char *sql)
{
    char *message = nullptr;
    if (sqlite3_exec(m_db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
        m_lastError = u"%1 failed on %2: %3"_s.arg(QString::fromUtf8(sql).simplified().left(60),
                                                   m_path, QString::fromUtf8(message));
        sqlite3_free(message);
        return false;
    }
    return true;
}

bool CheckpointStore::migrate()
{
    const auto readVersion = [this](int &version) {
        Statement s(m_db, "PRAGMA user_version");
        if (!s.ok() || s.step() != SQLITE_ROW) {
            m_lastError = u"Could not read the schema version of %1: %2"_s.arg(
                m_path, QString::fromUtf8(sqlite3_errmsg(m_db)));
            return false;
        }
        version = int(s.int64(0));
        return true;
    };
    const auto tooNew = [this](int version) {
        m_lastError = u"The checkpoint store %1 has schema version %2, newer than this tsmigrate "
                      u"understands (%3): use a newer tsmigrate"_s.arg(m_path)
                          .arg(version)
                          .arg(kSchemaVersion);
        return false;
    };

    int version = 0;
    if (!readVersion(version))
        return false;
    if (version > kSchemaVersion)
        return tooNew(version);
    if (version == kSchemaVersion)
        return true;
    if (m_readOnly) {
        m_lastError =
            version == 0
                ? u"%1 is not a tsmigrate checkpoint store (no schema yet)"_s.arg(m_path)
                : u"The checkpoint store %1 has the old schema version %2: open it once with "
                  u"tsmigrate to upgrade it"_s.arg(m_path)
                      .arg(version);
        return false;
    }

    // IMMEDIATE takes the write lock first, so two processes opening a new file at once
    // migrate it once: the second sees the first's version when it gets the lock.
    if (!exec("BEGIN IMMEDIATE"))
        return false;
    if (!readVersion(version)) {
        exec("ROLLBACK");
        return false;
    }
    if (version > kSchemaVersion) {
        exec("ROLLBACK");
        return tooNew(version);
    }
    if (version < 1 && !exec(kSchemaV1)) {
        const QString error = m_lastError;
        exec("ROLLBACK");
        m_lastError = u"Could not create the checkpoint store's tables: "_s + error;
        return false;
    }
    if (version < 2 && !exec(kSchemaV2)) {
        const QString error = m_lastError;
        exec("ROLLBACK");
        m_lastError = u"Could not upgrade the checkpoint store to schema version 2: "_s + error;
        return false;
    }
    // Later versions: if (version < 3 && !exec(kSchemaV3)) ...
    const QByteArray setVersion = "PRAGMA user_version=" + QByteArray::number(kSchemaVersion);
    if (!exec(setVersion.constData()) || !exec("COMMIT")) {
        const QString error = m_lastError;
        exec("ROLLBACK");
        m_lastError = error;
        return false;
    }
    return true;
}

// ---- Tasks

std::optional<qint64> CheckpointStore::saveTask(const QString &name, const QByteArray &profileJson)
{
    const QString what = u"Could not save task \"%1\""_s.arg(name);
    if (!writable(m_db, m_readOnly, what, m_path, m_lastError))
        return std::nullopt;
    Statement s(m_db, "INSERT INTO tasks (name, profile, created_ms, updated_ms) "
                      "VALUES (?1, ?2, ?3, ?3) "
                      "ON CONFLICT (name) DO UPDATE SET profile = excluded.profile, "
                      "updated_ms = excluded.updated_ms "
                      "RETURNING id");
    if (!s.ok()) {
        m_lastError = failText(m_db, what, m_path);
        return std::nullopt;
    }
    s.bind(1, name);
    s.bind(2, profileJson);
    s.bind(3, nowMs());
    if (s.step() != SQLITE_ROW) {
        m_lastError = failText(m_db, what, m_path);
        return std::nullopt;
    }
    const qint64 id = s.int64(0);
    if (s.step() != SQLITE_DONE) {
        m_lastError = failText(m_db, what, m_path);
        return std::nullopt;
    }
    return id;
}

std::optional<TaskRecord> CheckpointStore::task(const QString &name)
{
    const QString what = u"Could not read task \"%1\""_s.arg(name);
    if (!m_db) {
        m_lastError = failText(m_db, what, m_path);
        return std::nullopt;
    }
    Statement s(m_db, (QByteArray(kTaskColumns) + "WHERE name = ?1").constData());
    if (!s.ok()) {
        m_lastError = failText(m_db, what, m_path);
        return std::nullopt;
    }
    s.bind(1, name);
    const int rc = s.step();
    if (rc == SQLITE_ROW)
        return readTask(s);
    m_lastError = rc == SQLITE_DONE ? u"There is no task named \"%1\""_s.arg(name)
                                    : failText(m_db, what, m_path);
    return std::nullopt;
}

std::optional<TaskRecord> CheckpointStore::task(qint64 taskId)
{
    const QString what = u"Could not read task %1"_s.arg(taskId);
    if (!m_db) {
        m_lastError = failText(m_db, what, m_path);
        return std::nullopt;
    }
    Statement s(m_db, (QByteArray(kTaskColumns) + "WHERE id = ?1").constData());
    if (!s.ok()) {
        m_lastError = failText(m_db, what, m_path);
        return std::nullopt;
    }
    s.bind(1, taskId);
    const int rc = s.step();
    if (rc == SQLITE_ROW)
        return readTask(s);
    m_lastError = rc == SQLITE_DONE ? u"There is no task with id %1"_s.arg(taskId)
                                    : failText(m_db, what, m_path);
    return std::nullopt;
}

QList<TaskRecord> CheckpointStore::tasks()
{
    QList<TaskRecord> list;
    const QString what = u"Could not list the tasks"_s;
    if (!m_db) {
        m_lastError = failText(m_db, what, m_path);
        return list;
    }
    Statement s(m_db, (QByteArray(kTaskColumns) + "ORDER BY name").constData());
    if (!s.ok()) {
        m_lastError = failText(m_db, what, m_path);
        return list;
    }
    int rc = SQLITE_ROW;
    while ((rc = s.step()) == SQLITE_ROW)
        list.append(readTask(s));
    if (rc != SQLITE_DONE)
        m_lastError = failText(m_db, what, m_path);
    return list;
}

bool CheckpointStore::setTaskState(qint64 taskId, TaskState state, const QString &lastError)
{
    const QString what =
        u"Could not set the state of task %1 to %2"_s.arg(taskId).arg(taskStateName(state));
    if (!writable(m_db, m_readOnly, what, m_path, m_lastError))
        return false;
    return runUpdate(
        m_db, "UPDATE tasks SET state = ?2, last_error = ?3, updated_ms = ?4 WHERE id = ?1",
        [&](Statement &s) {
            s.bind(1, taskId);
            s.bind(2, taskStateName(state));
            s.bind(3, lastError);
            s.bind(4, nowMs());
        },
        what, m_path, m_lastError);
}

bool CheckpointStore::setPlan(qint64 taskId, bool planned, qint64 planStartNs, qint64 planEndNs)
{
    const QString what = u"Could not save the plan of task %1"_s.arg(taskId);
    if (!writable(m_db, m_readOnly, what, m_path, m_lastError))
        return false;
    return runUpdate(
        m_db,
        "UPDATE tasks SET planned = ?2, plan_start = ?3, plan_end = ?4, updated_ms = ?5 "
        "WHERE id = ?1",
        [&](Statement &s) {
            s.bind(1, taskId);
            s.bind(2, qint64(planned ? 1 : 0));
            s.bind(3, planStartNs);
            s.bind(4, planEndNs);
            s.bind(5, nowMs());
        },
        what, m_path, m_lastError);
}

bool CheckpointStore::setWatermark(qint64 taskId, qint64 watermarkNs)
{
    const QString what = u"Could not save the watermark of task %1"_s.arg(taskId);
    if (!writable(m_db, m_readOnly, what, m_path, m_lastError))
        return false;
    return runUpdate(
        m_db, "UPDATE tasks SET watermark = ?2, updated_ms = ?3 WHERE id = ?1",
        [&](Statement &s) {
            s.bind(1, taskId);
            s.bind(2, watermarkNs);
            s.bind(3, nowMs());
        },
        what, m_path, m_lastError);
}

bool CheckpointStore::deleteTask(qint64 taskId)
{
    const QString what = u"Could not delete task %1"_s.arg(taskId);
    if (!writable(m_db, m_readOnly, what, m_path, m_lastError))
        return false;
    Transaction tx(m_db);
    if (!tx.active()) {
        m_lastError = failText(m_db, what, m_path);
        return false;
    }
    // Explicit deletes rather than ON DELETE CASCADE alone: they do not depend on a connection
    // having foreign keys switched on.
    const auto bindId = [&](Statement &s) { s.bind(1, taskId); };
    for (const char *sql :
         {"DELETE FROM units WHERE task_id = ?1", "DELETE FROM samples WHERE task_id = ?1",
          "DELETE FROM events WHERE task_id = ?1", "DELETE FROM estimates WHERE task_id = ?1"}) {
        if (!runUpdate(m_db, sql, bindId, what, m_path, m_lastError, false))
            return false;
    }
    if (!runUpdate(m_db, "DELETE FROM tasks WHERE id = ?1", bindId, what, m_path, m_lastError))
        return false;
    if (!tx.commit()) {
        m_lastError = failText(m_db, what, m_path);
        return false;
    }
    return true;
}

bool CheckpointStore::resetTask(qint64 taskId)
{
    const QString what = u"Could not reset task %1"_s.arg(taskId);
    if (!writable(m_db, m_readOnly, what, m_path, m_lastError))
        return false;
    Transaction tx(m_db);
    if (!tx.active()) {
        m_lastError = failText(m_db, what, m_path);
        return false;
    }
    const auto bindId = [&](Statement &s) { s.bind(1, taskId); };
    for (const char *sql :
         {"DELETE FROM units WHERE task_id = ?1", "DELETE FROM samples WHERE task_id = ?1",
          "DELETE FROM events WHERE task_id = ?1", "DELETE FROM estimates WHERE task_id = ?1"}) {
        if (!runUpdate(m_db, sql, bindId, what, m_path, m_lastError, false))
            return false;
    }
    const auto bindReset = [&](Statement &s) {
        s.bind(1, taskId);
        s.bind(2, taskStateName(TaskState::Idle));
        s.bind(3, nowMs());
    };
    if (!runUpdate(m_db,
                   "UPDATE tasks SET state = ?2, last_error = '', planned = 0, plan_start = 0, "
                   "plan_end = 0, watermark = 0, updated_ms = ?3 WHERE id = ?1",
                   bindReset, what, m_path, m_lastError)) {
        return false;
    }
    if (!tx.commit()) {
        m_lastError = failText(m_db, what, m_path);
        return false;
    }
    return true;
}

// ---- The ledger

std::optional<int> CheckpointStore::addUnits(qint64 taskId, const QList<UnitRecord> &units)
{
    const QString what = u"Could not add %1 units to task %2"_s.arg(units.size()).arg(taskId);
    if (!writable(m_db, m_readOnly, what, m_path, m_lastError))
        return std::nullopt;
    Transaction tx(m_db);
    if (!tx.active()) {
        m_lastError = failText(m_db, what, m_path);
        return std::nullopt;
    }
    {
        // The foreign key would reject the first unit anyway; saying which task is clearer.
        Statement exists(m_db, "SELECT 1 FROM tasks WHERE id = ?1");
        exists.bind(1, taskId);
        if (!exists.ok() || exists.step() != SQLITE_ROW) {
            m_lastError = what + u": no such task"_s;
            return std::nullopt;
        }
    }
    // One statement, one transaction: 100 000 units cost one commit.
    Statement s(m_db, "INSERT OR IGNORE INTO units (task_id, measurement, context, range_start, "
                      "range_end, status, attempts, points_read, points_written, "
                      "points_rejected, last_error, updated_ms) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
    if (!s.ok()) {
        m_lastError = failText(m_db, what, m_path);
        return std::nullopt;
    }
    const qint64 now = nowMs();
    int added = 0;
    for (const UnitRecord &u : units) {
        s.bind(1, taskId);
        s.bind(2, u.measurement);
        s.bind(3, u.context);
        s.bind(4, u.rangeStart);
        s.bind(5, u.rangeEnd);
        s.bind(6, unitStatusName(u.status));
        s.bind(7, qint64(u.attempts));
        s.bind(8, u.pointsRead);
        s.bind(9, u.pointsWritten);
        s.bind(10, u.pointsRejected);
        s.bind(11, u.lastError);
        s.bind(12, u.updatedMs != 0 ? u.updatedMs : now);
        if (s.step() != SQLITE_DONE) {
            m_lastError = failText(m_db, what, m_path);
            return std::nullopt;
        }
        added += sqlite3_changes(m_db);
        s.reset();
    }
    if (!tx.commit()) {
        m_lastError = failText(m_db, what, m_path);
        return std::nullopt;
    }
    return added;
}

QList<UnitRecord> CheckpointStore::units(qint64 taskId)
{
    return queryUnits(m_db, "WHERE task_id = ?1 ORDER BY id", taskId,
                      u"Could not read the units of task %1"_s.arg(taskId), m_path, m_lastError);
}

QList<UnitRecord> CheckpointStore::unfinishedUnits(qint64 taskId)
{
    // Plan order is the order the planner added them in, i.e. id order.
    return queryUnits(m_db, "WHERE task_id = ?1 AND status <> 'done' ORDER BY id", taskId,
                      u"Could not read the unfinished units of task %1"_s.arg(taskId), m_path,
                      m_lastError);
}

bool CheckpointStore::requeueRunningUnits(qint64 taskId)
{
    const QString what = u"Could not requeue the running units of task %1"_s.arg(taskId);
    if (!writable(m_db, m_readOnly, what, m_path, m_lastError))
        return false;
    return runUpdate(
        m_db, "UPDATE units SET status = ?2, updated_ms = ?4 WHERE task_id = ?1 AND status = ?3",
        [&](Statement &s) {
            s.bind(1, taskId);
            s.bind(2, unitStatusName(UnitStatus::Pending));
            s.bind(3, unitStatusName(UnitStatus::Running));
            s.bind(4, nowMs());
        },
        what, m_path, m_lastError, false);
}

bool CheckpointStore::updateUnits(const QList<UnitUpdate> &updates)
{
    const QString what = u"Could not update %1 units"_s.arg(updates.size());
    if (!writable(m_db, m_readOnly, what, m_path, m_lastError))
        return false;
    Transaction tx(m_db);
    if (!tx.active()) {
        m_lastError = failText(m_db, what, m_path);
        return false;
    }
    Statement s(m_db, "UPDATE units SET status = ?2, attempts = attempts + ?3, "
                      "points_read = CASE WHEN ?4 >= 0 THEN ?4 ELSE points_read END, "
                      "points_written = CASE WHEN ?5 >= 0 THEN ?5 ELSE points_written END, "
                      "points_rejected = CASE WHEN ?6 >= 0 THEN ?6 ELSE points_rejected END, "
                      "last_error = COALESCE(?7, last_error), updated_ms = ?8 WHERE id = ?1");
    if (!s.ok()) {
        m_lastError = failText(m_db, what, m_path);
        return false;
    }
    const qint64 now = nowMs();
    for (const UnitUpdate &u : updates) {
        s.bind(1, u.unitId);
        s.bind(2, unitStatusName(u.status));
        s.bind(3, qint64(u.attemptsDelta));
        s.bind(4, u.pointsRead);
        s.bind(5, u.pointsWritten);
        s.bind(6, u.pointsRejected);
        if (u.lastError)
            s.bind(7, *u.lastError);
        else
            s.bindNull(7);
        s.bind(8, now);
        if (s.step() != SQLITE_DONE) {
            m_lastError = failText(m_db, what, m_path);
            return false;
        }
        // All or nothing: a unit that is gone (the task was reset meanwhile) fails the batch.
        if (sqlite3_changes(m_db) == 0) {
            m_lastError = what + u": there is no unit with id %1"_s.arg(u.unitId);
            return false;
        }
        s.reset();
    }
    if (!tx.commit()) {
        m_lastError = failText(m_db, what, m_path);
        return false;
    }
    return true;
}

UnitTotals CheckpointStore::unitTotals(qint64 taskId)
{
    UnitTotals totals;
    const QString what = u"Could not count the units of task %1"_s.arg(taskId);
    if (!m_db) {
        m_lastError = failText(m_db, what, m_path);
        return totals;
    }
    Statement s(m_db, "SELECT COUNT(*), "
                      "COALESCE(SUM(status = 'pending'), 0), COALESCE(SUM(status = 'running'), 0), "
                      "COALESCE(SUM(status = 'done'), 0), COALESCE(SUM(status = 'failed'), 0), "
                      "COALESCE(SUM(points_read), 0), COALESCE(SUM(points_written), 0), "
                      "COALESCE(SUM(points_rejected), 0) FROM units WHERE task_id = ?1");
    if (!s.ok()) {
        m_lastError = failText(m_db, what, m_path);
        return totals;
    }
    s.bind(1, taskId);
    if (s.step() != SQLITE_ROW) {
        m_lastError = failText(m_db, what, m_path);
        return totals;
    }
    totals.total = s.int64(0);
    totals.pending = s.int64(1);
    totals.running = s.int64(2);
    totals.done = s.int64(3);
    totals.failed = s.int64(4);
    totals.pointsRead = s.int64(5);
    totals.pointsWritten = s.int64(6);
    totals.pointsRejected = s.int64(7);
    return totals;
}

std::optional<int> CheckpointStore::deleteUnitsFrom(qint64 taskId, qint64 fromNs)
{
    const QString what = u"Could not delete the units of task %1 from %2"_s.arg(taskId).arg(fromNs);
    if (!writable(m_db, m_readOnly, what, m_path, m_lastError))
        return std::nullopt;
    if (!runUpdate(
            m_db, "DELETE FROM units WHERE task_id = ?1 AND range_start >= ?2",
            [&](Statement &s) {
                s.bind(1, taskId);
                s.bind(2, fromNs);
            },
            what, m_path, m_lastError, false))
        return std::nullopt;
    return sqlite3_changes(m_db);
}

bool CheckpointStore::mergeDoneUnits(qint64 taskId, qint64 fromNs, qint64 toNs)
{
    const QString what = u"Could not merge the done units of task %1"_s.arg(taskId);
    if (!writable(m_db, m_readOnly, what, m_path, m_lastError))
        return false;
    Transaction tx(m_db);
    if (!tx.active()) {
        m_lastError = failText(m_db, what, m_path);
        return false;
    }
    QList<UnitRecord> units;
    {
        Statement s(m_db, (QByteArray(kUnitColumns) +
                           "WHERE task_id = ?1 AND status = 'done' AND range_start >= ?2 AND "
                           "range_end <= ?3 ORDER BY measurement, context, range_start")
                              .constData());
        if (!s.ok()) {
            m_lastError = failText(m_db, what, m_path);
            return false;
        }
        s.bind(1, taskId);
        s.bind(2, fromNs);
        s.bind(3, toNs);
        int rc = SQLITE_ROW;
        while ((rc = s.step()) == SQLITE_ROW)
            units.append(readUnit(s));
        if (rc != SQLITE_DONE) {
            m_lastError = failText(m_db, what, m_path);
            return false;
        }
    }
    Statement keep(m_db,
                   "UPDATE units SET range_end = ?2, attempts = ?3, points_read = ?4, "
                   "points_written = ?5, points_rejected = ?6, updated_ms = ?7 WHERE id = ?1");
    Statement drop(m_db, "DELETE FROM units WHERE id = ?1");
    if (!keep.ok() || !drop.ok()) {
        m_lastError = failText(m_db, what, m_path);
        return false;
    }
    const qint64 now = nowMs();
    for (qsizetype first = 0; first < units.size();) {
        UnitRecord merged = units.at(first);
        qsizetype next = first + 1;
        for (; next < units.size() && units.at(next).measurement == merged.measurement &&
               units.at(next).context == merged.context;
             ++next) {
            const UnitRecord &u = units.at(next);
            merged.rangeEnd = std::max(merged.rangeEnd, u.rangeEnd);
            merged.attempts += u.attempts;
            merged.pointsRead += u.pointsRead;
            merged.pointsWritten += u.pointsWritten;
            merged.pointsRejected += u.pointsRejected;
            drop.bind(1, u.id);
            if (drop.step() != SQLITE_DONE) {
                m_lastError = failText(m_db, what, m_path);
                return false;
            }
            drop.reset();
        }
        if (next > first + 1) {
            keep.bind(1, merged.id);
            keep.bind(2, merged.rangeEnd);
            keep.bind(3, qint64(merged.attempts));
            keep.bind(4, merged.pointsRead);
            keep.bind(5, merged.pointsWritten);
            keep.bind(6, merged.pointsRejected);
            keep.bind(7, now);
            if (keep.step() != SQLITE_DONE) {
                m_lastError = failText(m_db, what, m_path);
                return false;
            }
            keep.reset();
        }
        first = next;
    }
    if (!tx.commit()) {
        m_lastError = failText(m_db, what, m_path);
        return false;
    }
    return true;
}

// ---- Samples and events

bool CheckpointStore::addSample(const ProgressSample &sample)
{
    const QString what = u"Could not save a progress sample of task %1"_s.arg(sample.taskId);
    if (!writable(m_db, m_readOnly, what, m_path, m_lastError))
        return false;
    return runUpdate(
        m_db,
        "INSERT INTO samples (task_id, time_ms, points_read, points_written, points_rejected, "
        "units_done, units_total, retries, readers_busy, writers_busy) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        [&](Statement &s) {
            s.bind(1, sample.taskId);
            s.bind(2, sample.timeMs != 0 ? sample.timeMs : nowMs());
            s.bind(3, sample.pointsRead);
            s.bind(4, sample.pointsWritten);
            s.bind(5, sample.pointsRejected);
            s.bind(6, sample.unitsDone);
            s.bind(7, sample.unitsTotal);
            s.bind(8, sample.retries);
            s.bind(9, qint64(sample.readersBusy));
            s.bind(10, qint64(sample.writersBusy));
        },
        what, m_path, m_lastError);
}

QList<ProgressSample> CheckpointStore::samples(qint64 taskId, qint64 afterMs)
{
    QList<ProgressSample> list;
    const QString what = u"Could not read the progress samples of task %1"_s.arg(taskId);
    if (!m_db) {
        m_lastError = failText(m_db, what, m_path);
        return list;
    }
    Statement s(m_db, (QByteArray(kSampleColumns) +
                       "WHERE task_id = ?1 AND time_ms > ?2 ORDER BY time_ms, rowid")
                          .constData());
    if (!s.ok()) {
        m_lastError = failText(m_db, what, m_path);
        return list;
    }
    s.bind(1, taskId);
    s.bind(2, afterMs);
    int rc = SQLITE_ROW;
    while ((rc = s.step()) == SQLITE_ROW)
        list.append(readSample(s));
    if (rc != SQLITE_DONE)
        m_lastError = failText(m_db, what, m_path);
    return list;
}

std::optional<ProgressSample> CheckpointStore::lastSample(qint64 taskId)
{
    const QString what = u"Could not read the last progress sample of task %1"_s.arg(taskId);
    if (!m_db) {
        m_lastError = failText(m_db, what, m_path);
        return std::nullopt;
    }
    Statement s(m_db, (QByteArray(kSampleColumns) +
                       "WHERE task_id = ?1 ORDER BY time_ms DESC, rowid DESC LIMIT 1")
                          .constData());
    if (!s.ok()) {
        m_lastError = failText(m_db, what, m_path);
        return std::nullopt;
    }
    s.bind(1, taskId);
    const int rc = s.step();
    if (rc == SQLITE_ROW)
        return readSample(s);
    m_lastError = rc == SQLITE_DONE ? u"Task %1 has no progress samples"_s.arg(taskId)
                                    : failText(m_db, what, m_path);
    return std::nullopt;
}

bool CheckpointStore::addEvent(qint64 taskId, EventLevel level, const QString &message)
{
    const QString what = u"Could not log an event of task %1"_s.arg(taskId);
    if (!writable(m_db, m_readOnly, what, m_path, m_lastError))
        return false;
    return runUpdate(
        m_db, "INSERT INTO events (task_id, time_ms, level, message) VALUES (?1, ?2, ?3, ?4)",
        [&](Statement &s) {
            s.bind(1, taskId);
            s.bind(2, nowMs());
            s.bind(3, qint64(level));
            s.bind(4, message);
        },
        what, m_path, m_lastError);
}

QList<EventRecord> CheckpointStore::events(qint64 taskId, qint64 afterId, EventLevel maxLevel)
{
    QList<EventRecord> list;
    const QString what = u"Could not read the events of task %1"_s.arg(taskId);
    if (!m_db) {
        m_lastError = failText(m_db, what, m_path);
        return list;
    }
    Statement s(m_db, "SELECT id, task_id, time_ms, level, message FROM events "
                      "WHERE task_id = ?1 AND id > ?2 AND level <= ?3 ORDER BY id");
    if (!s.ok()) {
        m_lastError = failText(m_db, what, m_path);
        return list;
    }
    s.bind(1, taskId);
    s.bind(2, afterId);
    s.bind(3, qint64(maxLevel));
    int rc = SQLITE_ROW;
    while ((rc = s.step()) == SQLITE_ROW) {
        EventRecord e;
        e.id = s.int64(0);
        e.taskId = s.int64(1);
        e.timeMs = s.int64(2);
        e.level = EventLevel(qBound<qint64>(0, s.int64(3), qint64(EventLevel::Trace)));
        e.message = s.text(4);
        list.append(e);
    }
    if (rc != SQLITE_DONE)
        m_lastError = failText(m_db, what, m_path);
    return list;
}

// ---- Per-measurement progress and estimates

QList<MeasurementProgress> CheckpointStore::measurementProgress(qint64 taskId)
{
    QList<MeasurementProgress> list;
    const QString what = u"Could not read the progress by measurement of task %1"_s.arg(taskId);
    if (!m_db) {
        m_lastError = failText(m_db, what, m_path);
        return list;
    }
    // The last error is the one of the failed unit updated last (ties: the higher id).
    Statement s(m_db,
                "SELECT u.measurement, COUNT(*), COALESCE(SUM(u.status = 'done'), 0), "
                "COALESCE(SUM(u.status = 'running'), 0), COALESCE(SUM(u.status = 'failed'), 0), "
                "COALESCE(SUM(u.points_read), 0), COALESCE(SUM(u.points_written), 0), "
                "COALESCE(SUM(u.points_rejected), 0), "
                "(SELECT f.last_error FROM units f WHERE f.task_id = ?1 AND "
                "f.measurement = u.measurement AND f.status = 'failed' "
                "ORDER BY f.updated_ms DESC, f.id DESC LIMIT 1), "
                "(SELECT e.points FROM estimates e WHERE e.task_id = ?1 AND "
                "e.measurement = u.measurement) "
                "FROM units u WHERE u.task_id = ?1 GROUP BY u.measurement ORDER BY MIN(u.id)");
    if (!s.ok()) {
        m_lastError = failText(m_db, what, m_path);
        return list;
    }
    s.bind(1, taskId);
    int rc = SQLITE_ROW;
    while ((rc = s.step()) == SQLITE_ROW) {
        MeasurementProgress m;
        m.measurement = s.text(0);
        m.unitsTotal = s.int64(1);
        m.unitsDone = s.int64(2);
        m.unitsRunning = s.int64(3);
        m.unitsFailed = s.int64(4);
        m.pointsRead = s.int64(5);
        m.pointsWritten = s.int64(6);
        m.pointsRejected = s.int64(7);
        m.lastError = s.text(8);
        m.estimatedPoints = s.isNull(9) ? kNotEstimated : s.int64(9);
        list.append(m);
    }
    if (rc != SQLITE_DONE)
        m_lastError = failText(m_db, what, m_path);
    return list;
}

bool CheckpointStore::setEstimate(qint64 taskId, const QString &measurement, qint64 points)
{
    const QString what =
        u"Could not save the estimate for \"%1\" of task %2"_s.arg(measurement).arg(taskId);
    if (!writable(m_db, m_readOnly, what, m_path, m_lastError))
        return false;
    return runUpdate(
        m_db,
        "INSERT INTO estimates (task_id, measurement, points, updated_ms) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (task_id, measurement) DO UPDATE SET points = excluded.points, "
        "updated_ms = excluded.updated_ms",
        [&](Statement &st) {
            st.bind(1, taskId);
            st.bind(2, measurement);
            st.bind(3, points);
            st.bind(4, nowMs());
        },
        what, m_path, m_lastError);
}

QHash<QString, qint64> CheckpointStore::estimates(qint64 taskId)
{
    QHash<QString, qint64> map;
    const QString what = u"Could not read the estimates of task %1"_s.arg(taskId);
    if (!m_db) {
        m_lastError = failText(m_db, what, m_path);
        return map;
    }
    Statement s(m_db, "SELECT measurement, points FROM estimates WHERE task_id = ?1");
    if (!s.ok()) {
        m_lastError = failText(m_db, what, m_path);
        return map;
    }
    s.bind(1, taskId);
    int rc = SQLITE_ROW;
    while ((rc = s.step()) == SQLITE_ROW)
        map.insert(s.text(0), s.int64(1));
    if (rc != SQLITE_DONE)
        m_lastError = failText(m_db, what, m_path);
    return map;
}

QList<UnitRecord> CheckpointStore::failedUnits(qint64 taskId)
{
    return queryUnits(m_db, "WHERE task_id = ?1 AND status = 'failed' ORDER BY id", taskId,
                      u"Could not read the failed units of task %1"_s.arg(taskId), m_path,
                      m_lastError);
}

} // namespace tsm
