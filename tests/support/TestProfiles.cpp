#include "support/TestProfiles.h"

#include <ProfileJson.h>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcessEnvironment>
#include <QTest>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace tsm::test {

TaskProfile influxToInflux(const QString &name, const QString &sourceUrl, const QString &sourceDb,
                           const QString &targetUrl, const QString &targetDb)
{
    TaskProfile p = TaskProfile::withDefaults();
    p.name = name;
    const QUrl source(sourceUrl);
    p.source.type = u"influxdb"_s;
    p.source.protocol = source.scheme();
    p.source.host = source.host();
    p.source.port = source.port();
    p.source.apiVersion = u"1.x"_s;
    const QUrl target(targetUrl);
    p.target.type = u"influxdb1"_s;
    p.target.protocol = target.scheme();
    p.target.host = target.host();
    p.target.port = target.port();
    p.target.user.clear();
    p.target.database = targetDb;
    p.target.createDatabase = true;
    p.task.bucket = sourceDb;
    p.task.start = u"1900-01-01T00:00:00Z"_s;
    p.task.end = u"2200-01-01T00:00:00Z"_s;
    p.advanced.readConcurrency = 4;
    p.advanced.writeConcurrency = 2;
    p.advanced.batchSize = 1000;
    p.advanced.retryAttempts = 3;
    return p;
}

bool saveProfile(const TaskProfile &profile, const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return file.write(ProfileJson::toJson(profile, true)) > 0;
}

QString cliPath()
{
    // ctest sets TSM_CLI; a test started by hand, from any folder, finds the one built with it.
    const QString path = qEnvironmentVariable("TSM_CLI");
    return path.isEmpty() ? QStringLiteral(TSM_BUILT_CLI) : path;
}

QString sourceDir()
{
    const QString path = qEnvironmentVariable("TSM_SOURCE_DIR");
    return path.isEmpty() ? QStringLiteral(TSM_BUILT_SOURCE_DIR) : path;
}

CliResult runCli(const QStringList &arguments, int timeoutMs, const QStringList &extraEnvironment)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &assignment : extraEnvironment) {
        const qsizetype eq = assignment.indexOf(u'=');
        env.insert(assignment.left(eq), assignment.mid(eq + 1));
    }
    process.setProcessEnvironment(env);
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(cliPath(), arguments);
    CliResult result;
    if (!process.waitForStarted(10000)) {
        result.output = u"cannot start %1: %2"_s.arg(cliPath(), process.errorString());
        return result;
    }
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        result.output = u"timed out: "_s;
    }
    result.output += QString::fromUtf8(process.readAll());
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    return result;
}

bool waitForUnitsDone(QProcess &process, CheckpointStore &watcher, const QString &statePath,
                      const QString &taskName, qint64 units, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs && process.state() == QProcess::Running) {
        if (watcher.isOpen() || (QFileInfo::exists(statePath) &&
                                 watcher.open(statePath, CheckpointStore::Mode::ReadOnly)))
            if (const auto task = watcher.task(taskName))
                if (watcher.unitTotals(task->id).done >= units)
                    return process.state() == QProcess::Running;
        QTest::qWait(20);
    }
    return false;
}

} // namespace tsm::test
