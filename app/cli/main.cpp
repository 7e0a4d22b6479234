// tsmigrate-cli: runs, checks and inspects task profiles headless; the commands are in commands/.
#include "commands/Command.h"
#include "commands/Console.h"
#include "commands/ExitCode.h"
#include "commands/SharedOptions.h"

#include <CheckpointStore.h>
#include <QCommandLineParser>
#include <QCoreApplication>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::cli;

namespace {

/// The description --help shows (and the man page is made from): the commands, the exit codes
/// and where secrets may come from.
QString description()
{
    QString text = u"Migrates time-series data between InfluxDB, TDengine and line-protocol "
                   "files.\n\nCommands:\n"_s;
    for (const auto &command : Command::all())
        for (const Command::Usage &usage : command->usage)
            text += u"  "_s + usage.synopsis.leftJustified(22) + usage.summary + u'\n';
    return text + u'\n' + exitCodesHelp() +
           u"\nSecrets may come from TSMIGRATE_SOURCE_PASSWORD, TSMIGRATE_SOURCE_TOKEN,\n"
           "TSMIGRATE_TARGET_PASSWORD and TSMIGRATE_TARGET_TOKEN."_s;
}

QStringList commandNames()
{
    QStringList names;
    for (const auto &command : Command::all())
        names.append(command->name);
    return names;
}

/// Every command's options, once each, in the order the commands declare them.
QList<QCommandLineOption> allOptions()
{
    QList<QCommandLineOption> options;
    QStringList seen;
    for (const auto &command : Command::all())
        for (const QCommandLineOption &option : command->options)
            if (!seen.contains(option.names().first())) {
                seen.append(option.names().first());
                options.append(option);
            }
    return options;
}

void setUp(QCommandLineParser &parser)
{
    parser.setApplicationDescription(description());
    parser.addHelpOption();
    parser.addVersionOption();
    QStringList names = commandNames();
    const QString last = names.takeLast();
    parser.addPositionalArgument(u"command"_s, u"%1 or %2"_s.arg(names.join(u", "_s), last));
    parser.addPositionalArgument(u"profile"_s, u"the task profile (JSON)"_s, u"[PROFILE.json]"_s);
    parser.addOptions(allOptions());
}

Invocation invocationOf(const QCommandLineParser &parser)
{
    Invocation invocation;
    invocation.arguments = parser.positionalArguments().mid(1);
    invocation.statePath = parser.isSet(SharedOptions::state())
                               ? parser.value(SharedOptions::state())
                               : CheckpointStore::defaultPath();
    invocation.settings = parser.values(SharedOptions::set());
    invocation.taskName = parser.value(SharedOptions::task());
    invocation.restart = parser.isSet(SharedOptions::restart());
    invocation.json = parser.isSet(SharedOptions::json());
    invocation.repair = parser.isSet(SharedOptions::repair());
    invocation.metrics = parser.value(SharedOptions::metrics());
    return invocation;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"tsmigrate"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(TSM_VERSION));

    QCommandLineParser parser;
    setUp(parser);
    parser.process(app);

    const QStringList args = parser.positionalArguments();
    if (args.isEmpty()) {
        err(parser.helpText());
        return ExitUsage;
    }
    if (Command *command = Command::find(args.first()))
        return command->execute(invocationOf(parser));
    err(u"Unknown command \"%1\". Commands: %2."_s.arg(args.first(), commandNames().join(u", "_s)));
    return ExitUsage;
}
