#include "core/Source.h"

namespace tsm {

QList<CountWindow> Source::countWindows(const PlanRequest &request, const QList<ReadUnit> &done,
                                        const CancelToken &cancel)
{
    Q_UNUSED(request);
    Q_UNUSED(cancel);
    QList<CountWindow> windows;
    windows.reserve(done.size());
    for (const ReadUnit &unit : done) {
        CountWindow window;
        window.measurement = unit.measurement;
        window.context = unit.context;
        window.start = unit.start;
        window.end = unit.end;
        window.unitIds = {unit.id};
        windows.append(window);
    }
    return windows;
}

} // namespace tsm
