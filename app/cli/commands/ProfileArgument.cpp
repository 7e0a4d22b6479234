#include "commands/ProfileArgument.h"

#include "commands/Console.h"

#include <LogLevels.h>

using namespace Qt::StringLiterals;

namespace tsm::cli {

std::optional<ProfileRef> profileArgument(const QString &command, const Invocation &invocation)
{
    const bool hasFile = !invocation.arguments.isEmpty();
    const bool hasTask = !invocation.taskName.isEmpty();
    if (hasFile && hasTask) {
        err(u"%1: give either a profile file or --task, not both"_s.arg(command));
        return std::nullopt;
    }
    if (hasFile)
        return ProfileRef::file(invocation.arguments.first());
    if (hasTask)
        return ProfileRef::task(invocation.taskName, invocation.statePath);
    err(u"%1 needs a profile: tsmigrate-cli %1 PROFILE.json, or a task saved in the state "
        "file: tsmigrate-cli %1 --task NAME"_s.arg(command));
    return std::nullopt;
}

std::optional<TaskProfile> loadProfile(const ProfileRef &ref, const Invocation &invocation)
{
    const LoadedProfile loaded = ProfileLoader(ref)
                                     .withSettings(invocation.settings)
                                     .withEnvironmentSecrets()
                                     .validated()
                                     .load();
    for (const QString &note : loaded.notes)
        err(note);
    for (const QString &problem : loaded.problems)
        err(problem);
    if (!loaded.ok())
        return std::nullopt;
    LogLevels::apply(loaded.profile.advanced.logLevel);
    return loaded.profile;
}

std::optional<TaskProfile> profileOf(const QString &command, const Invocation &invocation)
{
    const std::optional<ProfileRef> ref = profileArgument(command, invocation);
    return ref ? loadProfile(*ref, invocation) : std::nullopt;
}

} // namespace tsm::cli
