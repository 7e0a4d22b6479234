#include "TaskProfile.h"

#include "TaskOptions.h"

namespace tsm {

TaskProfile TaskProfile::withDefaults()
{
    // The defaults live only in the declarations; applying them in declaration order lets a
    // type set before its port and user (see the type setters in TaskOptions.cpp).
    TaskProfile profile;
    for (const OptionSpec &spec : taskOptions())
        spec.set(profile, spec.defaultValue);
    return profile;
}

} // namespace tsm
