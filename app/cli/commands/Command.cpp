#include "commands/Command.h"

#include "commands/Check.h"
#include "commands/CliLog.h"
#include "commands/Options.h"
#include "commands/Plan.h"
#include "commands/Run.h"
#include "commands/Schema.h"
#include "commands/Status.h"

namespace tsm::cli {

Command::~Command() = default;

const std::vector<std::unique_ptr<Command>> &Command::all()
{
    static const std::vector<std::unique_ptr<Command>> commands = [] {
        std::vector<std::unique_ptr<Command>> list;
        list.push_back(std::make_unique<Run>());
        list.push_back(std::make_unique<Check>());
        list.push_back(std::make_unique<Schema>());
        list.push_back(std::make_unique<Plan>());
        list.push_back(std::make_unique<Status>());
        list.push_back(std::make_unique<Options>());
        return list;
    }();
    return commands;
}

Command *Command::find(const QString &name)
{
    for (const std::unique_ptr<Command> &command : all())
        if (command->name == name) {
            qCDebug(lcCli) << "command" << name;
            return command.get();
        }
    return nullptr;
}

} // namespace tsm::cli
