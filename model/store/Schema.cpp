#include "Schema.h"

#include "Connection.h"
#include "Statement.h"
#include "StoreError.h"
#include "Transaction.h"

#include <iterator>

using namespace Qt::StringLiterals;

namespace tsm::store {

namespace {

/// Schema version 1. Each later version adds one step, never edits this one.
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

/// Schema version 3: who runs a task (one lease per task, renewed by a heartbeat), and what
/// another process asks of that run.
constexpr const char *kSchemaV3 = R"sql(
CREATE TABLE leases (
    task_id INTEGER PRIMARY KEY REFERENCES tasks(id) ON DELETE CASCADE,
    program TEXT NOT NULL,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    token TEXT NOT NULL,
    started_ms INTEGER NOT NULL,
    heartbeat_ms INTEGER NOT NULL,
    request TEXT NOT NULL DEFAULT ''
);
)sql";

/// Schema version 4: the last verification of each task, per window: what the source and the
/// target hold (the figures shown), whether they differ and in what, the units of the window.
constexpr const char *kSchemaV4 = R"sql(
CREATE TABLE verifications (
    task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    measurement TEXT NOT NULL,
    context TEXT NOT NULL DEFAULT '',
    range_start INTEGER NOT NULL,
    range_end INTEGER NOT NULL,
    source_count INTEGER NOT NULL,
    target_count INTEGER NOT NULL,
    rejected INTEGER NOT NULL DEFAULT 0,
    differs INTEGER NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    unit_ids TEXT NOT NULL DEFAULT '',
    checked_ms INTEGER NOT NULL,
    PRIMARY KEY (task_id, measurement, context, range_start)
);
)sql";

/// Schema version 5: the names a task's target gets in place of the source's (a tag that clashes
/// with a field, a field's values of a second type), decided once so that reruns agree.
constexpr const char *kSchemaV5 = R"sql(
CREATE TABLE renamings (
    task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    measurement TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL DEFAULT '',
    target TEXT NOT NULL,
    first_type TEXT NOT NULL DEFAULT '',
    convert INTEGER NOT NULL DEFAULT 0,
    decided_ms INTEGER NOT NULL,
    PRIMARY KEY (task_id, measurement, kind, name, type)
);
)sql";

/// Schema version 6: how a running task fares (TaskHealth), and why in a few words.
constexpr const char *kSchemaV6 = R"sql(
ALTER TABLE tasks ADD COLUMN health TEXT NOT NULL DEFAULT 'Ready';
ALTER TABLE tasks ADD COLUMN health_detail TEXT NOT NULL DEFAULT '';
)sql";

/// Schema version 7: what a unit of several measurements (a line-protocol file's byte range)
/// wrote of each, so that the file's progress is told per measurement.
constexpr const char *kSchemaV7 = R"sql(
CREATE TABLE unit_measurements (
    unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    measurement TEXT NOT NULL,
    points_written INTEGER NOT NULL,
    points_rejected INTEGER NOT NULL,
    PRIMARY KEY (unit_id, measurement)
);
)sql";

/// Schema version 8: what the planned ledger selects besides its time range (database, retention
/// policy, measurements, tables, series filter), so that a changed selection is planned anew.
constexpr const char *kSchemaV8 = R"sql(
ALTER TABLE tasks ADD COLUMN plan_scope TEXT NOT NULL DEFAULT '';
)sql";

/// Step i brings a file from version i to version i + 1. A new version appends one.
constexpr const char *kSteps[] = {kSchemaV1, kSchemaV2, kSchemaV3, kSchemaV4,
                                  kSchemaV5, kSchemaV6, kSchemaV7, kSchemaV8};
static_assert(std::size(kSteps) == Schema::kVersion, "one step per schema version");

} // namespace

void Schema::migrate(Connection &db, bool readOnly, const QString &path)
{
    int version = readVersion(db);
    checkVersion(version, readOnly, path);
    if (version == kVersion)
        return;
    // IMMEDIATE takes the write lock first, so two processes opening a new file at once
    // migrate it once: the second sees the first's version when it gets the lock.
    Transaction tx(db);
    version = readVersion(db);
    checkVersion(version, readOnly, path);
    upgrade(db, version);
    tx.commit();
}

int Schema::readVersion(Connection &db)
{
    Statement s(db, "PRAGMA user_version");
    s.expectRow();
    return int(s.int64(0));
}

void Schema::checkVersion(int version, bool readOnly, const QString &path)
{
    if (version > kVersion) {
        throw StoreError::refused(
            u"The checkpoint store %1 has schema version %2, newer than this tsmigrate "
            u"understands (%3): use a newer tsmigrate"_s.arg(path)
                .arg(version)
                .arg(kVersion));
    }
    if (readOnly && version == 0)
        throw StoreError::refused(
            u"%1 is not a tsmigrate checkpoint store (no schema yet)"_s.arg(path));
    if (readOnly && version < kVersion) {
        throw StoreError::refused(u"The checkpoint store %1 has the old schema version %2: open it "
                                  u"once with tsmigrate to upgrade it"_s.arg(path)
                                      .arg(version));
    }
}

void Schema::upgrade(Connection &db, int version)
{
    for (int step = version; step < kVersion; ++step)
        db.exec(kSteps[step]);
    db.exec("PRAGMA user_version=" + QByteArray::number(kVersion));
}

} // namespace tsm::store
