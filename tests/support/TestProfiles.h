#pragma once

#include <CheckpointStore.h>
#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <TaskProfile.h>

namespace tsm::test {

/// A profile with defaults moving `sourceDb` of the InfluxDB 1.x at `sourceUrl` into `targetDb`
/// of the one at `targetUrl`, over all time, with small concurrency suited to tests.
TaskProfile influxToInflux(const QString &name, const QString &sourceUrl, const QString &sourceDb,
                           const QString &targetUrl, const QString &targetDb);

/// Writes the profile (with secrets) to `path`; false on failure.
bool saveProfile(const TaskProfile &profile, const QString &path);

/// The tsmigrate-cli built with the tests (TSM_CLI when set, as ctest does).
QString cliPath();

/// The source tree the tests were built from (TSM_SOURCE_DIR when set), whatever the
/// working directory.
QString sourceDir();

/// Runs tsmigrate-cli with `arguments`, waits up to `timeoutMs`; output is stdout + stderr.
struct CliResult
{
    int exitCode = -1;
    QString output;
};
CliResult runCli(const QStringList &arguments, int timeoutMs = 300000,
                 const QStringList &extraEnvironment = {});

/// Polls the state file (opening `watcher` read-only once it exists) until task `taskName` has
/// at least `units` units done, `process` ends, or `timeoutMs` passes. True when the units are
/// done and the process still runs.
bool waitForUnitsDone(QProcess &process, CheckpointStore &watcher, const QString &statePath,
                      const QString &taskName, qint64 units, int timeoutMs = 60000);

} // namespace tsm::test
