#include "TaskHealth.h"

#include "EnumNames.h"
#include "TaskProfile.h"

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

const EnumNames<TaskHealth> &healthNames()
{
    static const EnumNames<TaskHealth> names = {
        {TaskHealth::Ready, u"Ready"_s},
        {TaskHealth::Idle, u"Idle"_s},
        {TaskHealth::Busy, u"Busy"_s},
        {TaskHealth::Bounce, u"Bounce"_s},
        {TaskHealth::SourceError, u"SourceError"_s},
        {TaskHealth::SinkError, u"SinkError"_s},
        {TaskHealth::Fatal, u"Fatal"_s},
    };
    return names;
}

} // namespace

QString taskHealthName(TaskHealth health)
{
    return healthNames().name(health);
}

std::optional<TaskHealth> taskHealthFromName(const QString &name)
{
    return healthNames().value(name);
}

QList<TaskHealth> allTaskHealths()
{
    return {TaskHealth::Ready,       TaskHealth::Idle,      TaskHealth::Busy, TaskHealth::Bounce,
            TaskHealth::SourceError, TaskHealth::SinkError, TaskHealth::Fatal};
}

HealthThresholds HealthThresholds::of(const TaskProfile &profile)
{
    HealthThresholds t;
    t.bounceErrors = profile.advanced.bounceErrors;
    t.bounceWindowSeconds = profile.advanced.bounceWindowSeconds;
    t.idleSeconds = profile.advanced.idleSeconds;
    return t;
}

HealthTracker::HealthTracker(HealthThresholds thresholds) : m_thresholds(thresholds) {}

TaskHealth HealthTracker::observe(const HealthObservation &now)
{
    const HealthObservation before = m_last.value_or(now);
    const bool read = now.pointsRead > before.pointsRead;
    // A failure seen in the same stretch as progress wins: the side is not well yet.
    if (now.sourceFailures > before.sourceFailures)
        m_sourceDown = true;
    else if (read)
        m_sourceDown = false;
    if (now.sinkReconnects > before.sinkReconnects)
        m_sinkDown = true;
    else if (now.pointsWritten > before.pointsWritten)
        m_sinkDown = false;
    // Busy while a reader waits for room, and for the stretch in which one began to.
    m_busy = now.queueFullWaits > before.queueFullWaits || now.waitingForRoom > 0;
    countWriteErrors(now.nowMs, now.writeErrors - before.writeErrors);
    // Idle counts from the last new data, or from when following began.
    if (read || (now.following && (!before.following || m_lastNewDataMs < 0)))
        m_lastNewDataMs = now.nowMs;
    m_last = now;
    decide(now);
    return m_health;
}

void HealthTracker::countWriteErrors(qint64 nowMs, qint64 added)
{
    if (added > 0) {
        m_writeErrors.append({nowMs, added});
        m_writeErrorsInWindow += added;
    }
    const qint64 windowMs = qint64(m_thresholds.bounceWindowSeconds) * 1000;
    while (!m_writeErrors.isEmpty() && nowMs - m_writeErrors.first().first >= windowMs) {
        m_writeErrorsInWindow -= m_writeErrors.first().second;
        m_writeErrors.removeFirst();
    }
}

void HealthTracker::decide(const HealthObservation &now)
{
    const qint64 quietMs = m_lastNewDataMs < 0 ? 0 : now.nowMs - m_lastNewDataMs;
    if (now.failed) {
        m_health = TaskHealth::Fatal;
        m_detail = u"the run ended with an error"_s;
    } else if (m_sourceDown) {
        m_health = TaskHealth::SourceError;
        m_detail = u"the source fails; trying again"_s;
    } else if (m_sinkDown) {
        m_health = TaskHealth::SinkError;
        m_detail = u"the target cannot be reached; trying again"_s;
    } else if (m_writeErrorsInWindow >= m_thresholds.bounceErrors) {
        m_health = TaskHealth::Bounce;
        m_detail = u"%1 write errors in %2 s"_s.arg(m_writeErrorsInWindow)
                       .arg(m_thresholds.bounceWindowSeconds);
    } else if (m_busy) {
        m_health = TaskHealth::Busy;
        m_detail = u"the write queue is full"_s;
    } else if (now.following && quietMs >= qint64(m_thresholds.idleSeconds) * 1000) {
        m_health = TaskHealth::Idle;
        m_detail = u"no new data for %1 s or more"_s.arg(m_thresholds.idleSeconds);
    } else {
        m_health = TaskHealth::Ready;
        m_detail.clear();
    }
}

} // namespace tsm
