#include "commands/Options.h"

#include "commands/Console.h"
#include "commands/ExitCode.h"

#include <TaskOptions.h>

using namespace Qt::StringLiterals;

namespace tsm::cli {

Options::Options()
{
    name = u"options"_s;
    usage = {{u"options"_s, u"every profile option with its default, range and help"_s}};
}

int Options::execute(const Invocation &)
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

} // namespace tsm::cli
