#include "commands/Check.h"

#include "commands/Console.h"
#include "commands/ExitCode.h"
#include "commands/ProfileArgument.h"
#include "commands/SharedOptions.h"
#include "connectors/Connectors.h"
#include "run/RunRange.h"

using namespace Qt::StringLiterals;

namespace tsm::cli {

namespace {

/// "side: OK — product version (detail) at where", then the notes; or "side: FAILED — why".
template<typename Make, typename Notes>
int report(const QString &side, Make &&make, Notes &&notesOf)
{
    CancelToken cancel;
    try {
        auto endpoint = make();
        const ConnectionInfo info = endpoint->checkConnection(cancel);
        out(u"%1: OK — %2 %3 (%4) at %5"_s.arg(side, info.product, info.version, info.detail,
                                               endpoint->describe()));
        for (const QString &note : notesOf(*endpoint, cancel))
            out(u"%1: note — %2"_s.arg(side, note));
        return ExitOk;
    } catch (const Error &error) {
        out(u"%1: FAILED — %2"_s.arg(side, error.message()));
        return exitCodeFor(error.kind());
    }
}

} // namespace

Check::Check()
{
    name = u"check"_s;
    usage = {{u"check PROFILE.json"_s, u"connectivity and credentials of source and target"_s}};
    options = {SharedOptions::set(), SharedOptions::task(), SharedOptions::state()};
}

int Check::execute(const Invocation &invocation)
{
    const std::optional<TaskProfile> profile = profileOf(name, invocation);
    if (!profile)
        return ExitUsage;
    // Both sides are checked; the first failure decides the exit code.
    const int source = checkSource(*profile);
    const int target = checkTarget(*profile);
    return source != ExitOk ? source : target;
}

int Check::checkSource(const TaskProfile &profile)
{
    return report(
        u"source"_s, [&] { return Connectors::createSource(profile); },
        [&profile](Source &source, const CancelToken &cancel) {
            source.checkRequest(planRequestOf(profile.task, TimeRange()), cancel);
            return source.notes(cancel);
        });
}

int Check::checkTarget(const TaskProfile &profile)
{
    return report(
        u"target"_s, [&] { return Connectors::createSink(profile); },
        [](Sink &, const CancelToken &) { return QStringList(); });
}

} // namespace tsm::cli
