#include "commands/SharedOptions.h"

#include <CheckpointStore.h>

using namespace Qt::StringLiterals;

namespace tsm::cli::SharedOptions {

const QCommandLineOption &state()
{
    static const QCommandLineOption option(
        u"state"_s,
        u"The checkpoint store (default: the one the desktop app uses, %1)."_s.arg(
            CheckpointStore::defaultPath()),
        u"FILE"_s);
    return option;
}

const QCommandLineOption &set()
{
    static const QCommandLineOption option(u"set"_s,
                                           u"Override a profile option, e.g. --set "
                                           "advanced.batchSize=10000 (repeatable)."_s,
                                           u"KEY=VALUE"_s);
    return option;
}

const QCommandLineOption &restart()
{
    static const QCommandLineOption option(u"restart"_s,
                                           u"run: forget the task's progress and start over."_s);
    return option;
}

const QCommandLineOption &task()
{
    static const QCommandLineOption option(
        u"task"_s,
        u"run, check, schema, plan: use the profile of this task saved in the state file (as the "
        "desktop app saves them); status: show one task with its log."_s,
        u"NAME"_s);
    return option;
}

const QCommandLineOption &json()
{
    static const QCommandLineOption option(
        u"json"_s, u"plan: print one JSON document instead of tables (shape in the README)."_s);
    return option;
}

} // namespace tsm::cli::SharedOptions
