#include "TaskCounts.h"

#include "TaskPhase.h"

using namespace Qt::StringLiterals;

namespace tsm {

TaskCounts TaskCounts::read(CheckpointStore &store, const TaskRecord &task, qint64 nowNs)
{
    const UnitTotals totals = store.unitTotals(task.id);
    TaskCounts c;
    c.task = task.name;
    c.state = task.state;
    c.health = task.health;
    c.healthDetail = task.healthDetail;
    c.pointsRead = totals.pointsRead;
    c.pointsWritten = totals.pointsWritten;
    c.pointsRejected = totals.pointsRejected;
    c.unitsDone = totals.done;
    c.unitsTotal = totals.total;
    c.unitsFailed = totals.failed;
    if (const std::optional<ProgressSample> last = store.lastSample(task.id))
        c.retries = last->retries;
    c.followLagSeconds = TaskPhase::followLagSeconds(task, nowNs);
    return c;
}

QJsonObject TaskCounts::toJson() const
{
    QJsonObject o{
        {u"name"_s, task},
        {u"state"_s, taskStateName(state)},
        {u"health"_s, taskHealthName(health)},
        {u"healthDetail"_s, healthDetail},
        {u"pointsRead"_s, pointsRead},
        {u"pointsWritten"_s, pointsWritten},
        {u"pointsRejected"_s, pointsRejected},
        {u"unitsDone"_s, unitsDone},
        {u"unitsTotal"_s, unitsTotal},
        {u"unitsFailed"_s, unitsFailed},
        {u"retries"_s, retries},
    };
    if (followLagSeconds)
        o.insert(u"followLagSeconds"_s, *followLagSeconds);
    return o;
}

} // namespace tsm
