#include "commands/Run.h"

#include "commands/Console.h"
#include "commands/ExitCode.h"
#include "commands/MetricsServer.h"
#include "commands/ProfileArgument.h"
#include "commands/ProgressLine.h"
#include "commands/SharedOptions.h"
#include "run/RunThread.h"

#include <CheckpointStore.h>
#include <ForgetProgress.h>
#include <QCoreApplication>
#include <QDateTime>
#include <QTimer>
#include <atomic>
#include <csignal>
#include <memory>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace tsm::cli {

namespace {

std::atomic<int> g_signal{0};

void onSignal(int signal)
{
    g_signal.store(signal);
}

} // namespace

Run::Run()
{
    name = u"run"_s;
    usage = {
        {u"run PROFILE.json"_s, u"run (or resume) the task; exit 0 = history complete"_s},
        {u"run --task NAME"_s, u"run a task saved in the state file (e.g. by the desktop app)"_s},
        {u"run ... --metrics HOST:PORT"_s, u"Prometheus text at /metrics while running"_s}};
    options = {SharedOptions::state(), SharedOptions::set(), SharedOptions::restart(),
               SharedOptions::task(), SharedOptions::metrics()};
}

int Run::execute(const Invocation &invocation)
{
    const std::optional<TaskProfile> profile = profileOf(name, invocation);
    if (!profile)
        return ExitUsage;
    // Before anything runs: a wrong address or a port in use is a usage error.
    std::unique_ptr<MetricsServer> metrics;
    if (!invocation.metrics.isEmpty()) {
        QString error;
        const auto address = MetricsServer::parseAddress(invocation.metrics, &error);
        metrics = std::make_unique<MetricsServer>(invocation.statePath, profile->name);
        if (!address || !metrics->listen(*address, &error)) {
            err(error);
            return ExitUsage;
        }
        err(u"Metrics at %1"_s.arg(metrics->url()));
    }
    if (invocation.restart) {
        if (const int forgotten = forgetProgress(profile->name, invocation.statePath);
            forgotten != ExitOk)
            return forgotten;
    }
    return runToEnd(*profile, invocation.statePath);
}

int Run::forgetProgress(const QString &taskName, const QString &statePath)
{
    CheckpointStore store;
    if (!store.open(statePath)) {
        err(u"Cannot open the state file %1: %2"_s.arg(statePath, store.lastError()));
        return ExitUsage;
    }
    const ForgetOutcome forgotten = tsm::forgetProgress(store, taskName);
    if (forgotten.ok())
        return ExitOk;
    err(forgotten.message);
    return forgotten.status == ForgetOutcome::Status::Running ? ExitBusy : ExitUsage;
}

int Run::runToEnd(const TaskProfile &profile, const QString &statePath, bool catchUpOnly,
                  RunOutcome *outcome)
{
    RunThread run(profile, statePath);
    run.setCatchUpOnly(catchUpOnly);
    ProgressLine line(::isatty(STDERR_FILENO));
    int exitCode = ExitUnitsFailed;
    QObject::connect(&run, &RunThread::progress, qApp, [&](const RunProgress &p) { line.show(p); });
    QObject::connect(&run, &RunThread::event, qApp,
                     [&](int level, const QString &message) { line.event(level, message); });
    QObject::connect(&run, &RunThread::finished, qApp, [&](const RunOutcome &ended) {
        line.finish();
        exitCode = exitCodeOf(ended, statePath);
        if (outcome)
            *outcome = ended;
        qApp->quit();
    });

    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    QTimer signalPoll;
    QObject::connect(&signalPoll, &QTimer::timeout, qApp, [&] {
        if (g_signal.exchange(0) != 0) {
            err(u"\nInterrupt received: finishing what is in flight and saving progress…"_s);
            run.requestPause();
        }
    });
    signalPoll.start(100);

    run.start();
    QCoreApplication::exec();
    return exitCode;
}

int Run::exitCodeOf(const RunOutcome &outcome, const QString &statePath)
{
    switch (outcome.status) {
    case RunOutcome::Status::Completed:
        if (outcome.verifyErrorKind) {
            err(u"The history is complete, but it could not be verified; run tsmigrate-cli verify "
                "to verify it."_s);
            return exitCodeFor(*outcome.verifyErrorKind);
        }
        if (outcome.windowsDiffering > 0) {
            err(u"%1 of %2 windows differ between source and target (tsmigrate-cli verify lists "
                "them; --repair migrates them again)."_s.arg(outcome.windowsDiffering)
                    .arg(outcome.windowsVerified));
            return ExitDiffers;
        }
        if (outcome.pointsRejected == 0)
            return ExitOk;
        err(u"%1 points were rejected by the target; they are recorded with the reasons in %2"_s
                .arg(outcome.pointsRejected)
                .arg(outcome.rejectsFile));
        return ExitRejected;
    case RunOutcome::Status::Paused:
    case RunOutcome::Status::Stopped:
        err(u"Interrupted; progress is saved in %1 — run the same command to resume."_s.arg(
            statePath));
        return ExitInterrupted;
    case RunOutcome::Status::Failed:
        break;
    }
    return outcome.errorKind ? exitCodeFor(*outcome.errorKind) : ExitUnitsFailed;
}

} // namespace tsm::cli
