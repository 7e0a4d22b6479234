#include "LogLevels.h"

#include "CheckpointStore.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

namespace tsm::LogLevels {

QString rulesFor(const QString &level)
{
    const EventLevel parsed = eventLevelFromName(level).value_or(EventLevel::Info);
    auto on = [](bool b) { return b ? u"true"_s : u"false"_s; };
    const bool warnings = parsed >= EventLevel::Warn;
    const bool debug = parsed >= EventLevel::Debug;
    const bool trace = parsed >= EventLevel::Trace;
    return u"tsm.*.warning=%1\ntsm.*.info=%2\ntsm.*.debug=%2\ntsm.http.info=%3\ntsm.http.debug=%3"_s
        .arg(on(warnings), on(debug), on(trace));
}

void apply(const QString &level)
{
    QLoggingCategory::setFilterRules(rulesFor(level));
}

} // namespace tsm::LogLevels
