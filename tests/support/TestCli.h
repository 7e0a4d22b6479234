#pragma once

#include "support/InfluxdFixture.h"

#include <CheckpointStore.h>
#include <QProcess>
#include <QStandardPaths>
#include <QString>
#include <QStringList>

/// initTestCase of a test that runs tsmigrate-cli against a real influxd: skips (or, under CI,
/// fails) without influxd, fails without the CLI, and keeps the standard paths to the test.
#define TSM_INIT_CLI_TEST_CASE()                                                                   \
    do {                                                                                           \
        TSM_SKIP_WITHOUT_INFLUXD();                                                                \
        QVERIFY2(!tsm::test::cliPath().isEmpty(), "TSM_CLI is not set");                           \
        QStandardPaths::setTestModeEnabled(true);                                                  \
    } while (false)

namespace tsm::test {

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

/**
 * `tsmigrate-cli run <profile> --state <state>` in the background, its output merged, for a
 * test that watches the run or stops it; killed when it goes out of scope still running, so a
 * failed test leaves no process behind.
 */
class CliRun
{
public:
    CliRun() = default;
    ~CliRun();
    CliRun(const CliRun &) = delete;
    CliRun &operator=(const CliRun &) = delete;

    /// False when the process did not start. `extraArguments` follow the state file.
    bool start(const QString &profilePath, const QString &statePath,
               const QStringList &extraArguments = {});
    /// SIGINT, as Ctrl-C in a terminal: the run stops after the writes under way.
    void interrupt();
    /// Everything it printed since the last call.
    QString readOutput() { return QString::fromUtf8(m_process.readAll()); }
    QProcess &process() { return m_process; }

private:
    QProcess m_process;
};

/// Polls the state file (opening `watcher` read-only once it exists) until task `taskName` has
/// at least `units` units done, `process` ends, or `timeoutMs` passes. True when the units are
/// done and the process still runs.
bool waitForUnitsDone(QProcess &process, CheckpointStore &watcher, const QString &statePath,
                      const QString &taskName, qint64 units, int timeoutMs = 60000);

} // namespace tsm::test
