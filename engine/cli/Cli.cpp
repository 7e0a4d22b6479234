#include "cli/Cli.h"

#include "connectors/Connectors.h"
#include "core/Error.h"
#include "run/Runner.h"
#include <TaskPhase.h>

#include <CheckpointStore.h>
#include <Kinds.h>
#include <ProfileJson.h>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QThread>
#include <QTimer>
#include <TaskOptions.h>
#include <TimeText.h>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace tsm::Cli {

namespace {

std::atomic<int> g_signal{0};

void onSignal(int signal)
{
    g_signal.store(signal);
}

void out(const QString &text)
{
    std::fputs(text.toLocal8Bit().constData(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

void err(const QString &text)
{
    std::fputs(text.toLocal8Bit().constData(), stderr);
    std::fputc('\n', stderr);
    std::fflush(stderr);
}

int exitCodeFor(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::Auth:
        return ExitAuth;
    case ErrorKind::Network:
    case ErrorKind::Timeout:
    case ErrorKind::Tls:
    case ErrorKind::Server:
        return ExitUnreachable;
    case ErrorKind::Config:
    case ErrorKind::NotFound:
    case ErrorKind::Io:
        return ExitUsage;
    case ErrorKind::Cancelled:
        return ExitInterrupted;
    default:
        return ExitUnitsFailed;
    }
}

QString duration(qint64 seconds)
{
    if (seconds < 0)
        return u"?"_s;
    if (seconds < 60)
        return u"%1s"_s.arg(seconds);
    if (seconds < 3600)
        return u"%1m%2s"_s.arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
    return u"%1h%2m"_s.arg(seconds / 3600).arg((seconds % 3600) / 60, 2, 10, QLatin1Char('0'));
}

/// Applies "key=value" to the profile through the option's declaration.
bool applySetting(TaskProfile &profile, const QString &assignment, QString *error)
{
    const qsizetype eq = assignment.indexOf(u'=');
    if (eq <= 0) {
        *error = u"--set takes KEY=VALUE, got \"%1\""_s.arg(assignment);
        return false;
    }
    const QString key = assignment.left(eq).trimmed();
    const QString value = assignment.mid(eq + 1);
    const OptionSpec *spec = findOption(key);
    if (!spec) {
        *error = u"Unknown option \"%1\" (tsmigrate-cli options lists them)"_s.arg(key);
        return false;
    }
    QVariant v;
    switch (spec->kind) {
    case OptionKind::Integer: {
        bool ok = false;
        const qint64 n = value.toLongLong(&ok);
        if (!ok) {
            *error = u"%1 must be a whole number, got \"%2\""_s.arg(key, value);
            return false;
        }
        v = n;
        break;
    }
    case OptionKind::Boolean: {
        const QString lower = value.toLower();
        if (lower == u"true" || lower == u"1" || lower == u"yes" || lower == u"on")
            v = true;
        else if (lower == u"false" || lower == u"0" || lower == u"no" || lower == u"off")
            v = false;
        else {
            *error = u"%1 must be true or false, got \"%2\""_s.arg(key, value);
            return false;
        }
        break;
    }
    case OptionKind::TextList:
        v = value.isEmpty() ? QStringList() : value.split(u',');
        break;
    default:
        v = value;
        break;
    }
    spec->set(profile, v);
    return true;
}

/// The task's log level decides what the engine's categories (tsm.*) print to stderr; the
/// task's events are printed separately, filtered by the same level.
void applyLogLevel(const QString &level)
{
    const bool debug = level == u"debug" || level == u"trace";
    const bool warnings = level != u"error";
    QLoggingCategory::setFilterRules(u"tsm.*.debug=%1\ntsm.*.info=%1\ntsm.*.warning=%2"_s.arg(
        debug ? u"true"_s : u"false"_s, warnings ? u"true"_s : u"false"_s));
}

struct LoadedProfile
{
    TaskProfile profile;
    bool ok = false;
};

/// A task saved by the desktop app keeps its passwords and tokens in the system keychain, not in
/// the state file (unless the user chose so): say where to give them when a user name or an
/// InfluxDB 2.x connection has none.
void noteMissingSecrets(const TaskProfile &p)
{
    auto usesToken = [](AuthStyle auth) {
        return auth == AuthStyle::Token || auth == AuthStyle::TokenAndOrg;
    };
    const SourceKind *source = kinds::source(p.source);
    const TargetKind *target = kinds::target(p.target);
    QStringList missing;
    if (source && usesToken(source->auth) && p.source.token.isEmpty())
        missing.append(u"TSMIGRATE_SOURCE_TOKEN"_s);
    else if (!p.source.user.isEmpty() && p.source.password.isEmpty())
        missing.append(u"TSMIGRATE_SOURCE_PASSWORD"_s);
    if (target && usesToken(target->auth) && p.target.token.isEmpty())
        missing.append(u"TSMIGRATE_TARGET_TOKEN"_s);
    else if (!p.target.user.isEmpty() && p.target.password.isEmpty())
        missing.append(u"TSMIGRATE_TARGET_PASSWORD"_s);
    if (!missing.isEmpty())
        err(u"Note: the task \"%1\" was saved without its secrets (the desktop app keeps them in "
            "the system keychain); give them in %2 if the servers ask for them"_s.arg(
                p.name, missing.join(u" and "_s)));
}

/// Where a profile comes from: a JSON file, or a task saved in the state file (--task), as the
/// desktop app saves them.
struct ProfileRef
{
    QString path;
    QString taskName;
    QString statePath;

    QString label() const
    {
        return taskName.isEmpty() ? path : u"task \"%1\" in %2"_s.arg(taskName, statePath);
    }
};

/// The profile as stored, and the folder its relative file paths start from.
std::optional<ProfileJson::LoadResult> readProfile(const ProfileRef &ref, QString *base)
{
    if (ref.taskName.isEmpty()) {
        *base = QFileInfo(ref.path).absolutePath();
        return ProfileJson::readFile(ref.path);
    }
    if (!QFileInfo::exists(ref.statePath)) {
        err(u"The state file %1 does not exist, so it holds no task \"%2\""_s.arg(ref.statePath,
                                                                                  ref.taskName));
        return std::nullopt;
    }
    CheckpointStore store;
    if (!store.open(ref.statePath, CheckpointStore::Mode::ReadOnly)) {
        err(u"Cannot open the state file %1: %2"_s.arg(ref.statePath, store.lastError()));
        return std::nullopt;
    }
    const auto task = store.task(ref.taskName);
    if (!task) {
        QStringList names;
        for (const TaskRecord &t : store.tasks())
            names.append(u"\"%1\""_s.arg(t.name));
        err(u"No task named \"%1\" in %2 (tasks: %3)"_s.arg(
            ref.taskName, ref.statePath, names.isEmpty() ? u"none"_s : names.join(u", "_s)));
        return std::nullopt;
    }
    *base = QDir::currentPath();
    return ProfileJson::fromJson(task->profileJson);
}

/// Reads, overrides, fills secrets and validates a profile; prints every problem.
LoadedProfile loadProfile(const ProfileRef &ref, const QStringList &settings)
{
    LoadedProfile loaded;
    QString base;
    const std::optional<ProfileJson::LoadResult> read = readProfile(ref, &base);
    if (!read)
        return loaded;
    const QString label = ref.label();
    const ProfileJson::LoadResult &result = *read;
    if (!result.ok()) {
        for (const FieldError &e : result.errors)
            err(u"%1: %2%3"_s.arg(label, e.key.isEmpty() ? QString() : e.key + u": "_s, e.message));
        return loaded;
    }
    loaded.profile = result.profile;
    if (!ref.taskName.isEmpty())
        loaded.profile.name = ref.taskName;
    for (const QString &setting : settings) {
        QString error;
        if (!applySetting(loaded.profile, setting, &error)) {
            err(error);
            return loaded;
        }
    }
    Connectors::applyEnvironmentSecrets(loaded.profile);
    if (!ref.taskName.isEmpty())
        noteMissingSecrets(loaded.profile);
    // File paths in a profile file, and those given with --set, are relative to its folder.
    ProfileJson::resolvePaths(loaded.profile, base);
    applyLogLevel(loaded.profile.advanced.logLevel);
    const QList<FieldError> errors = validateProfile(loaded.profile);
    if (!errors.isEmpty()) {
        for (const FieldError &e : errors)
            err(u"%1: %2: %3"_s.arg(label, e.key, e.message));
        return loaded;
    }
    loaded.ok = true;
    return loaded;
}

int commandRun(const ProfileRef &profileRef, const QStringList &settings, const QString &statePath,
               bool restart)
{
    const LoadedProfile loaded = loadProfile(profileRef, settings);
    if (!loaded.ok)
        return ExitUsage;
    const TaskProfile &profile = loaded.profile;
    if (restart) {
        CheckpointStore store;
        if (!store.open(statePath)) {
            err(u"Cannot open the state file %1: %2"_s.arg(statePath, store.lastError()));
            return ExitUsage;
        }
        if (const auto task = store.task(profile.name))
            store.resetTask(task->id);
    }

    const bool tty = ::isatty(STDERR_FILENO);
    QThread thread;
    thread.setObjectName(u"tsm-runner"_s);
    auto *runner = new Runner(profile, statePath);
    runner->moveToThread(&thread);
    QObject::connect(&thread, &QThread::finished, runner, &QObject::deleteLater);

    int exitCode = ExitUnitsFailed;
    bool progressShown = false;
    qint64 lastPlainMs = 0;
    QObject::connect(runner, &Runner::progress, qApp, [&](const RunProgress &p) {
        if (p.phase == RunPhase::Planning) {
            if (!tty)
                err(u"planning…"_s);
            return;
        }
        const QString line =
            p.phase == RunPhase::Following
                ? u"following, lag %1 s: %2 points written (%3 read, %4 rejected), %5 points/s, "
                  "elapsed %6"_s.arg(p.lagSeconds)
                      .arg(p.pointsWritten)
                      .arg(p.pointsRead)
                      .arg(p.pointsRejected)
                      .arg(qint64(p.writeRate))
                      .arg(duration(p.elapsedMs / 1000))
                : u"%1 points written (%2 read, %3 rejected), %4 points/s, units %5/%6, elapsed "
                  "%7, ETA %8"_s.arg(p.pointsWritten)
                      .arg(p.pointsRead)
                      .arg(p.pointsRejected)
                      .arg(qint64(p.writeRate))
                      .arg(p.unitsDone)
                      .arg(p.unitsTotal)
                      .arg(duration(p.elapsedMs / 1000), duration(p.etaSeconds));
        if (tty) {
            std::fprintf(stderr, "\r\033[K%s", line.toLocal8Bit().constData());
            std::fflush(stderr);
            progressShown = true;
        } else if (p.elapsedMs - lastPlainMs >= (p.phase == RunPhase::Following ? 60000 : 5000)) {
            // A log file of a task that follows for days: a line a minute is plenty.
            lastPlainMs = p.elapsedMs;
            err(u"progress: "_s + line);
        }
    });
    QObject::connect(runner, &Runner::event, qApp, [&](int level, const QString &message) {
        if (progressShown) {
            std::fputs("\r\033[K", stderr);
            progressShown = false;
        }
        err(u"%1 %2: %3"_s.arg(QDateTime::currentDateTime().toString(u"HH:mm:ss"_s),
                               eventLevelName(EventLevel(level)), message));
    });
    QObject::connect(runner, &Runner::finished, qApp, [&](const RunOutcome &outcome) {
        if (progressShown)
            std::fputs("\n", stderr);
        switch (outcome.status) {
        case RunOutcome::Status::Completed:
            exitCode = outcome.pointsRejected > 0 ? ExitRejected : ExitOk;
            if (outcome.pointsRejected > 0)
                err(u"%1 points were rejected by the target; they are recorded with the reasons "
                    "in %2"_s.arg(outcome.pointsRejected)
                        .arg(outcome.rejectsFile));
            break;
        case RunOutcome::Status::Paused:
        case RunOutcome::Status::Stopped:
            exitCode = ExitInterrupted;
            err(u"Interrupted; progress is saved in %1 — run the same command to resume."_s.arg(
                statePath));
            break;
        case RunOutcome::Status::Failed:
            exitCode = outcome.errorKind ? exitCodeFor(*outcome.errorKind) : ExitUnitsFailed;
            break;
        }
        thread.quit();
        qApp->quit();
    });

    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    QTimer signalPoll;
    QObject::connect(&signalPoll, &QTimer::timeout, qApp, [&] {
        if (g_signal.exchange(0) != 0) {
            err(u"\nInterrupt received: finishing what is in flight and saving progress…"_s);
            runner->requestPause();
        }
    });
    signalPoll.start(100);

    thread.start();
    QMetaObject::invokeMethod(runner, &Runner::run, Qt::QueuedConnection);
    QCoreApplication::exec();
    thread.quit();
    thread.wait();
    return exitCode;
}

QStringList notesOf(Source &source, const CancelToken &cancel)
{
    return source.notes(cancel);
}

QStringList notesOf(Sink &, const CancelToken &)
{
    return {};
}

int commandCheck(const ProfileRef &profileRef, const QStringList &settings)
{
    const LoadedProfile loaded = loadProfile(profileRef, settings);
    if (!loaded.ok)
        return ExitUsage;
    CancelToken cancel;
    int exitCode = ExitOk;
    auto report = [&](const QString &side, auto &&make) {
        try {
            auto endpoint = make();
            const ConnectionInfo info = endpoint->checkConnection(cancel);
            out(u"%1: OK — %2 %3 (%4) at %5"_s.arg(side, info.product, info.version, info.detail,
                                                   endpoint->describe()));
            for (const QString &note : notesOf(*endpoint, cancel))
                out(u"%1: note — %2"_s.arg(side, note));
        } catch (const Error &error) {
            out(u"%1: FAILED — %2"_s.arg(side, error.message()));
            if (exitCode == ExitOk)
                exitCode = exitCodeFor(error.kind());
        }
    };
    report(u"source"_s, [&] { return Connectors::createSource(loaded.profile); });
    report(u"target"_s, [&] { return Connectors::createSink(loaded.profile); });
    return exitCode;
}

int commandSchema(const ProfileRef &profileRef, const QStringList &settings)
{
    const LoadedProfile loaded = loadProfile(profileRef, settings);
    if (!loaded.ok)
        return ExitUsage;
    CancelToken cancel;
    try {
        auto source = Connectors::createSource(loaded.profile);
        const QStringList databases = source->listDatabases(cancel);
        out(u"%1"_s.arg(source->describe()));
        for (const QString &note : source->notes(cancel))
            out(u"note: %1"_s.arg(note));
        out(u"databases: %1"_s.arg(databases.join(u", "_s)));
        QStringList scope = databases;
        if (!loaded.profile.task.bucket.isEmpty())
            scope = QStringList{loaded.profile.task.bucket};
        for (const QString &db : std::as_const(scope)) {
            const QStringList measurements = source->listMeasurements(db, cancel);
            out(u"database %1: %2 measurements"_s.arg(db).arg(measurements.size()));
            for (const QString &m : measurements) {
                const MeasurementSchema schema = source->schema(db, m, cancel);
                QStringList fields;
                for (const FieldInfo &f : schema.fields) {
                    QStringList types;
                    for (FieldType t : f.types)
                        types.append(fieldTypeName(t));
                    fields.append(u"%1 (%2)"_s.arg(f.name, types.join(u" | "_s)));
                }
                out(u"  %1"_s.arg(m));
                out(u"    tags:   %1"_s.arg(schema.tagKeys.join(u", "_s)));
                out(u"    fields: %1"_s.arg(fields.join(u", "_s)));
            }
        }
    } catch (const Error &error) {
        err(error.message());
        return exitCodeFor(error.kind());
    }
    return ExitOk;
}

int commandStatus(const QString &statePath, const QString &taskName)
{
    if (!QFileInfo::exists(statePath)) {
        out(u"No tasks: %1 does not exist yet."_s.arg(statePath));
        return ExitOk;
    }
    CheckpointStore store;
    if (!store.open(statePath, CheckpointStore::Mode::ReadOnly)) {
        err(u"Cannot open the state file %1: %2"_s.arg(statePath, store.lastError()));
        return ExitUsage;
    }
    const QList<TaskRecord> tasks = store.tasks();
    if (tasks.isEmpty())
        out(u"No tasks in %1."_s.arg(statePath));
    bool found = taskName.isEmpty();
    for (const TaskRecord &task : tasks) {
        if (!taskName.isEmpty() && task.name != taskName)
            continue;
        found = true;
        const UnitTotals totals = store.unitTotals(task.id);
        QString phase = TaskPhase::describe(task, totals, TimeText::nowNs());
        if (phase.isEmpty())
            phase = u"history 0.0%"_s;
        out(u"%1: %2, %3 (%4/%5 units done, %6 failed), %7 points written, %8 rejected"_s
                .arg(task.name, taskStateName(task.state), phase)
                .arg(totals.done)
                .arg(totals.total)
                .arg(totals.failed)
                .arg(totals.pointsWritten)
                .arg(totals.pointsRejected));
        if (task.planned && task.planStartNs < task.planEndNs)
            out(u"  range: %1 .. %2"_s.arg(TimeText::format(task.planStartNs),
                                           TimeText::format(task.planEndNs)));
        if (task.watermarkNs != 0)
            out(u"  following: everything before %1 is in the target"_s.arg(
                TimeText::format(task.watermarkNs)));
        qint64 estimate = 0;
        int estimated = 0, cannot = 0;
        const QList<MeasurementProgress> measurements = store.measurementProgress(task.id);
        for (const MeasurementProgress &m : measurements) {
            if (m.estimatedPoints >= 0) {
                estimate += m.estimatedPoints;
                ++estimated;
            } else if (m.estimatedPoints == kCannotEstimate) {
                ++cannot;
            }
        }
        if (!measurements.isEmpty() && cannot == 0)
            out(estimated == measurements.size()
                    ? u"  estimated at the source: %1 points"_s.arg(estimate)
                    : u"  estimated at the source: not yet (%1 of %2 measurements counted)"_s
                          .arg(estimated)
                          .arg(measurements.size()));
        if (!task.lastError.isEmpty())
            out(u"  last error: %1"_s.arg(task.lastError));
        if (!taskName.isEmpty()) {
            for (const EventRecord &e : store.events(task.id, 0, EventLevel::Info))
                out(u"  %1 %2: %3"_s.arg(
                    QDateTime::fromMSecsSinceEpoch(e.timeMs).toString(Qt::ISODate),
                    eventLevelName(e.level), e.message));
        }
    }
    if (!found) {
        err(u"No task named \"%1\" in %2"_s.arg(taskName, statePath));
        return ExitUsage;
    }
    return ExitOk;
}

int commandOptions()
{
    for (const OptionSpec &spec : taskOptions()) {
        QString range;
        if (spec.kind == OptionKind::Integer)
            range = u" [%1..%2]"_s.arg(spec.minimum).arg(spec.maximum);
        else if (spec.kind == OptionKind::Choice)
            range = u" [%1]"_s.arg(spec.choices.join(u'|'));
        const QString def = spec.defaultValue.toString();
        out(u"%1 — %2%3%4"_s.arg(spec.key, spec.label, range,
                                 def.isEmpty() ? QString() : u" (default %1)"_s.arg(def)));
        if (!spec.help.isEmpty())
            out(u"    "_s + spec.help);
    }
    return ExitOk;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"tsmigrate"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(TSM_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Migrates time-series data between InfluxDB, TDengine and line-protocol files.\n\n"
        "Commands:\n"
        "  run PROFILE.json      run (or resume) the task; exit 0 = history complete\n"
        "  run --task NAME       run a task saved in the state file (e.g. by the desktop app)\n"
        "  check PROFILE.json    connectivity and credentials of source and target\n"
        "  schema PROFILE.json   databases, measurements, tag and field keys with types\n"
        "  status                tasks in the state file, their state and counts\n"
        "  options               every profile option with its default, range and help\n\n"
        "Exit codes: 0 ok, 1 units failed (run again to retry), 2 usage or profile error,\n"
        "3 server unreachable, 4 authentication failed, 5 interrupted (resumable),\n"
        "6 complete but the target rejected points.\n"
        "Secrets may come from TSMIGRATE_SOURCE_PASSWORD, TSMIGRATE_SOURCE_TOKEN,\n"
        "TSMIGRATE_TARGET_PASSWORD and TSMIGRATE_TARGET_TOKEN."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(u"command"_s, u"run, check, schema, status or options"_s);
    parser.addPositionalArgument(u"profile"_s, u"the task profile (JSON)"_s, u"[PROFILE.json]"_s);
    const QCommandLineOption stateOption(
        u"state"_s,
        u"The checkpoint store (default: the one the desktop app uses, %1)."_s.arg(
            CheckpointStore::defaultPath()),
        u"FILE"_s);
    const QCommandLineOption setOption(u"set"_s,
                                       u"Override a profile option, e.g. --set "
                                       "advanced.batchSize=10000 (repeatable)."_s,
                                       u"KEY=VALUE"_s);
    const QCommandLineOption restartOption(u"restart"_s,
                                           u"run: forget the task's progress and start over."_s);
    const QCommandLineOption taskOption(
        u"task"_s,
        u"run, check, schema: use the profile of this task saved in the state file (as the "
        "desktop app saves them); status: show one task with its log."_s,
        u"NAME"_s);
    parser.addOptions({stateOption, setOption, restartOption, taskOption});
    parser.process(app);

    const QStringList args = parser.positionalArguments();
    if (args.isEmpty()) {
        err(parser.helpText());
        return ExitUsage;
    }
    const QString command = args.first();
    const QString statePath =
        parser.isSet(stateOption) ? parser.value(stateOption) : CheckpointStore::defaultPath();
    const QStringList settings = parser.values(setOption);
    const QString taskName = parser.value(taskOption);
    auto needProfile = [&]() -> std::optional<ProfileRef> {
        ProfileRef ref;
        ref.statePath = statePath;
        if (args.size() >= 2 && !taskName.isEmpty()) {
            err(u"%1: give either a profile file or --task, not both"_s.arg(command));
            return std::nullopt;
        }
        if (args.size() >= 2)
            ref.path = args.at(1);
        else if (!taskName.isEmpty())
            ref.taskName = taskName;
        else {
            err(u"%1 needs a profile: tsmigrate-cli %1 PROFILE.json, or a task saved in the state "
                "file: tsmigrate-cli %1 --task NAME"_s.arg(command));
            return std::nullopt;
        }
        return ref;
    };

    if (command == u"run") {
        const auto profile = needProfile();
        return !profile ? ExitUsage
                        : commandRun(*profile, settings, statePath, parser.isSet(restartOption));
    }
    if (command == u"check") {
        const auto profile = needProfile();
        return !profile ? ExitUsage : commandCheck(*profile, settings);
    }
    if (command == u"schema") {
        const auto profile = needProfile();
        return !profile ? ExitUsage : commandSchema(*profile, settings);
    }
    if (command == u"status")
        return commandStatus(statePath, taskName);
    if (command == u"options")
        return commandOptions();
    err(u"Unknown command \"%1\". Commands: run, check, schema, status, options."_s.arg(command));
    return ExitUsage;
}

} // namespace tsm::Cli
