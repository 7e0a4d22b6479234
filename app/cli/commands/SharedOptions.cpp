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
        u"run, check, schema, plan, verify: use the profile of this task saved in the state file "
        u"(as the "
        "desktop app saves them); status: show one task with its log."_s,
        u"NAME"_s);
    return option;
}

const QCommandLineOption &json()
{
    static const QCommandLineOption option(
        u"json"_s,
        u"plan, verify, status: print one JSON document instead of tables or lines (shape in "
        u"the README)."_s);
    return option;
}

const QCommandLineOption &repair()
{
    static const QCommandLineOption option(
        u"repair"_s, u"verify: migrate the windows that differ again, then verify again."_s);
    return option;
}

const QCommandLineOption &metrics()
{
    static const QCommandLineOption option(
        u"metrics"_s,
        u"run: serve the task's figures in the Prometheus text format at "
        u"http://HOST:PORT/metrics while it runs (port 0: any free port, named on stderr)."_s,
        u"HOST:PORT"_s);
    return option;
}

} // namespace tsm::cli::SharedOptions
