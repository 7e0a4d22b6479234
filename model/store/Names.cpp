#include "Names.h"

using namespace Qt::StringLiterals;

namespace tsm {

QString taskStateName(TaskState state)
{
    switch (state) {
    case TaskState::Idle:
        return u"idle"_s;
    case TaskState::Planning:
        return u"planning"_s;
    case TaskState::Running:
        return u"running"_s;
    case TaskState::Paused:
        return u"paused"_s;
    case TaskState::Stopped:
        return u"stopped"_s;
    case TaskState::Completed:
        return u"completed"_s;
    case TaskState::Failed:
        return u"failed"_s;
    case TaskState::Retrying:
        return u"retrying"_s;
    }
    return QString();
}

bool isActive(TaskState state)
{
    return state == TaskState::Planning || state == TaskState::Running ||
           state == TaskState::Retrying;
}

std::optional<TaskState> taskStateFromName(const QString &name)
{
    for (TaskState s : {TaskState::Idle, TaskState::Planning, TaskState::Running, TaskState::Paused,
                        TaskState::Stopped, TaskState::Completed, TaskState::Failed,
                        TaskState::Retrying}) {
        if (name.compare(taskStateName(s), Qt::CaseInsensitive) == 0)
            return s;
    }
    return std::nullopt;
}

QString unitStatusName(UnitStatus status)
{
    switch (status) {
    case UnitStatus::Pending:
        return u"pending"_s;
    case UnitStatus::Running:
        return u"running"_s;
    case UnitStatus::Done:
        return u"done"_s;
    case UnitStatus::Failed:
        return u"failed"_s;
    }
    return QString();
}

QString eventLevelName(EventLevel level)
{
    switch (level) {
    case EventLevel::Error:
        return u"error"_s;
    case EventLevel::Warn:
        return u"warn"_s;
    case EventLevel::Info:
        return u"info"_s;
    case EventLevel::Debug:
        return u"debug"_s;
    case EventLevel::Trace:
        return u"trace"_s;
    }
    return QString();
}

std::optional<EventLevel> eventLevelFromName(const QString &name)
{
    for (EventLevel l : {EventLevel::Error, EventLevel::Warn, EventLevel::Info, EventLevel::Debug,
                         EventLevel::Trace}) {
        if (name.compare(eventLevelName(l), Qt::CaseInsensitive) == 0)
            return l;
    }
    if (name.compare(u"warning"_s, Qt::CaseInsensitive) == 0)
        return EventLevel::Warn;
    return std::nullopt;
}

} // namespace tsm

namespace tsm::store {

std::optional<UnitStatus> unitStatusFromName(const QString &name)
{
    for (UnitStatus s :
         {UnitStatus::Pending, UnitStatus::Running, UnitStatus::Done, UnitStatus::Failed}) {
        if (unitStatusName(s) == name)
            return s;
    }
    return std::nullopt;
}

} // namespace tsm::store
