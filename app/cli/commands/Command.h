#pragma once

#include <QCommandLineOption>
#include <QList>
#include <QString>
#include <QStringList>
#include <memory>
#include <vector>

namespace tsm::cli {

/** What a command is given: the arguments after its name and the options of the command line. */
struct Invocation
{
    QStringList arguments; ///< positional, after the command's name
    QString statePath;     ///< --state, or the desktop app's store
    QStringList settings;  ///< --set KEY=VALUE, in order
    QString taskName;      ///< --task
    bool restart = false;  ///< --restart
    bool json = false;     ///< --json
    bool repair = false;   ///< --repair
    QString metrics;       ///< --metrics HOST:PORT
};

/**
 * One command of tsmigrate-cli (run, check, schema, status, options): its name, how --help lists
 * it, which of the command line's options it reads, and what it does.
 */
class Command
{
public:
    /** One line of the command list in --help. */
    struct Usage
    {
        QString synopsis; ///< "run PROFILE.json"
        QString summary;  ///< "run (or resume) the task; exit 0 = history complete"
    };

    virtual ~Command();

    QString name;
    QList<Usage> usage;
    /// The options it reads (all commands accept every option; these are what it acts on).
    QList<QCommandLineOption> options;

    /// Does the command; returns the process's exit code.
    virtual int execute(const Invocation &invocation) = 0;

    /// Every command, in the order --help lists them.
    static const std::vector<std::unique_ptr<Command>> &all();
    /// The command with this name, or nullptr.
    static Command *find(const QString &name);
};

} // namespace tsm::cli
