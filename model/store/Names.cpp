#include "Names.h"

#include "EnumNames.h"

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

const EnumNames<TaskState> &taskStates()
{
    static const EnumNames<TaskState> names = {
        {TaskState::Idle, u"idle"_s},           {TaskState::Planning, u"planning"_s},
        {TaskState::Running, u"running"_s},     {TaskState::Paused, u"paused"_s},
        {TaskState::Stopped, u"stopped"_s},     {TaskState::Completed, u"completed"_s},
        {TaskState::Failed, u"failed"_s},       {TaskState::Retrying, u"retrying"_s},
    };
    return names;
}

const EnumNames<UnitStatus> &unitStatuses()
{
    static const EnumNames<UnitStatus> names = {
        {UnitStatus::Pending, u"pending"_s},
        {UnitStatus::Running, u"running"_s},
        {UnitStatus::Done, u"done"_s},
        {UnitStatus::Failed, u"failed"_s},
    };
    return names;
}

const EnumNames<EventLevel> &eventLevels()
{
    // "warning" is read as warn too: it is what Qt and most tools call it.
    static const EnumNames<EventLevel> names = {
        {EventLevel::Error, u"error"_s}, {EventLevel::Warn, u"warn"_s},
        {EventLevel::Info, u"info"_s},   {EventLevel::Debug, u"debug"_s},
        {EventLevel::Trace, u"trace"_s}, {EventLevel::Warn, u"warning"_s},
    };
    return names;
}

} // namespace

QString taskStateName(TaskState state)
{
    return taskStates().name(state);
}

bool isActive(TaskState state)
{
    return state == TaskState::Planning || state == TaskState::Running ||
           state == TaskState::Retrying;
}

std::optional<TaskState> taskStateFromName(const QString &name)
{
    return taskStates().value(name, Qt::CaseInsensitive);
}

QString unitStatusName(UnitStatus status)
{
    return unitStatuses().name(status);
}

QString eventLevelName(EventLevel level)
{
    return eventLevels().name(level);
}

std::optional<EventLevel> eventLevelFromName(const QString &name)
{
    return eventLevels().value(name, Qt::CaseInsensitive);
}

} // namespace tsm

namespace tsm::store {

std::optional<UnitStatus> unitStatusFromName(const QString &name)
{
    return unitStatuses().value(name);
}

} // namespace tsm::store
