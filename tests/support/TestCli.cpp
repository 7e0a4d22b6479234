#include "support/TestCli.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcessEnvironment>
#include <QTest>
#include <csignal>

using namespace Qt::StringLiterals;

namespace tsm::test {

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

CliRun::~CliRun()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished();
    }
}

bool CliRun::start(const QString &profilePath, const QString &statePath,
                   const QStringList &extraArguments)
{
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    m_process.start(cliPath(),
                    QStringList{u"run"_s, profilePath, u"--state"_s, statePath} + extraArguments);
    return m_process.waitForStarted();
}

void CliRun::interrupt()
{
    ::kill(pid_t(m_process.processId()), SIGINT);
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
        // The state file of another process signals nothing: it is read again after 20 ms, or
        // at once when the process ends.
        process.waitForFinished(20);
    }
    return false;
}

} // namespace tsm::test
