#pragma once

#include <QString>
#include <QUrl>
#include <TaskProfile.h>

namespace tsm::test {

/// Points a source or a target at the server at `url`: its scheme, host and port.
template<typename Settings> void setServer(Settings &settings, const QString &url)
{
    const QUrl server(url);
    settings.protocol = server.scheme();
    settings.host = server.host();
    settings.port = server.port();
}

/// A profile with defaults moving `sourceDb` of the InfluxDB 1.x at `sourceUrl` into `targetDb`
/// of the one at `targetUrl`, over all time, with small concurrency suited to tests.
TaskProfile influxToInflux(const QString &name, const QString &sourceUrl, const QString &sourceDb,
                           const QString &targetUrl, const QString &targetDb);

/// `profile` reading and writing one request at a time, windows of `windowMinutes` and batches
/// of `batchSize` points: a run slow enough to watch, or to break in the middle.
TaskProfile oneAtATime(TaskProfile profile, int windowMinutes, int batchSize);

/// A profile with defaults copying the line-protocol file `sourcePath` into `targetPath`
/// (database "db" of the file).
TaskProfile lpfileToLpfile(const QString &name, const QString &sourcePath,
                           const QString &targetPath);

/// lpfileToLpfile() for every database of the file, from 2020 on: the command-line tests' task.
TaskProfile lpfileSince2020(const QString &name, const QString &sourcePath,
                            const QString &targetPath);

/// An InfluxDB 1.x to InfluxDB 1.x profile with a value other than the default in every field
/// the wizard shows, awkward text and secrets included; nothing listens at its hosts.
TaskProfile fullProfile();

/// `profile` without its passwords and tokens.
TaskProfile withoutSecrets(TaskProfile profile);

/// Writes the profile (with secrets) to `path`; false on failure.
bool saveProfile(const TaskProfile &profile, const QString &path);

} // namespace tsm::test
