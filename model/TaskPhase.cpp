#include "TaskPhase.h"

#include "Kinds.h"
#include "ProfileJson.h"
#include "TimeText.h"
#include <algorithm>

using namespace Qt::StringLiterals;

namespace tsm::TaskPhase {

std::optional<qint64> followLagSeconds(const TaskRecord &task, qint64 nowNs)
{
    // The runner sets the watermark when following begins, after the history is complete.
    const ProfileJson::LoadResult profile = ProfileJson::fromJson(task.profileJson);
    if (!kinds::follows(profile.profile.task.mode) || task.watermarkNs == 0)
        return std::nullopt;
    return std::max<qint64>(0, (nowNs - task.watermarkNs) / 1000000000LL);
}

QString describe(const TaskRecord &task, const UnitTotals &totals, qint64 nowNs)
{
    if (const std::optional<qint64> lag = followLagSeconds(task, nowNs)) {
        if (task.state == TaskState::Running)
            return u"following, lag %1 s"_s.arg(*lag);
        return u"following, up to %1"_s.arg(TimeText::format(task.watermarkNs));
    }
    if (task.state == TaskState::Planning)
        return u"planning"_s;
    if (!task.planned && totals.total == 0)
        return QString();
    const double percent = totals.total > 0 ? 100.0 * totals.done / totals.total : 0.0;
    return u"history %1%"_s.arg(percent, 0, 'f', 1);
}

} // namespace tsm::TaskPhase
