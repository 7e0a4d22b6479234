#include "Kinds.h"

#include "EnumNames.h"
#include "TaskProfile.h"

using namespace Qt::StringLiterals;

namespace tsm::kinds {

namespace {

constexpr int kInfluxPort = 8086;
constexpr int kTDenginePort = 6041; // taosAdapter's REST interface

} // namespace

const QList<SourceKind> &sources()
{
    // id, type, api, type label, label, authentication tab, port, auth, container(s), series
    // (plural), follow, retention policies, typed tables, InfluxQL, versions
    static const QList<SourceKind> rows = {
        {SourceId::Influx1, u"influxdb"_s, u"1.x"_s, u"InfluxDB"_s, u"InfluxDB 1.x"_s,
         u"1.x version"_s, kInfluxPort, AuthStyle::UserPassword, u"bucket"_s, u"buckets"_s,
         u"measurement"_s, u"measurements"_s, true, true, false, true,
         {u"1.8"_s, u"1.7"_s, u"1.6"_s, u"1.5"_s, u"1.4"_s, u"1.3"_s}},
        {SourceId::Influx2, u"influxdb"_s, u"2.x"_s, u"InfluxDB"_s, u"InfluxDB 2.x"_s,
         u"2.x version"_s, kInfluxPort, AuthStyle::TokenAndOrg, u"bucket"_s, u"buckets"_s,
         u"measurement"_s, u"measurements"_s, true, true, false, true,
         {u"2.7"_s, u"2.6"_s, u"2.5"_s, u"2.4"_s, u"2.3"_s, u"2.2"_s, u"2.1"_s, u"2.0"_s,
          u"Cloud"_s}},
        {SourceId::Influx3, u"influxdb"_s, u"3"_s, u"InfluxDB"_s, u"InfluxDB 3"_s, u"3.x version"_s,
         kInfluxPort, AuthStyle::Token, u"bucket"_s, u"buckets"_s, u"measurement"_s,
         u"measurements"_s, true, true, false, true,
         {u"Core"_s, u"Enterprise"_s, u"Cloud Dedicated"_s, u"Clustered"_s}},
        {SourceId::TDengine2, u"tdengine2"_s, QString(), u"TDengine 2.x"_s, u"TDengine 2.x"_s,
         u"TDengine 2.x"_s, kTDenginePort, AuthStyle::UserPassword, u"database"_s, u"databases"_s,
         u"super table"_s, u"super tables"_s, true, false, true, false, {}},
        {SourceId::LpFile, u"lpfile"_s, QString(), u"Line-protocol file"_s, u"Line-protocol file"_s,
         QString(), 0, AuthStyle::None, u"database"_s, u"databases"_s, u"measurement"_s,
         u"measurements"_s,
         false, false, false, false, {}},
    };
    return rows;
}

const QList<TargetKind> &targets()
{
    static const QList<TargetKind> rows = {
        // id, type, label, port, auth, default user, shared names, fixed types, creates tables
        {TargetId::TDengine3, u"tdengine3"_s, u"TDengine 3.x"_s, kTDenginePort,
         AuthStyle::UserPassword, u"root"_s, true, true, true},
        {TargetId::Influx1, u"influxdb1"_s, u"InfluxDB 1.x"_s, kInfluxPort, AuthStyle::UserPassword,
         QString(), false, false, false},
        {TargetId::Influx2, u"influxdb2"_s, u"InfluxDB 2.x"_s, kInfluxPort, AuthStyle::TokenAndOrg,
         QString(), false, false, false},
        {TargetId::Influx3, u"influxdb3"_s, u"InfluxDB 3.x"_s, kInfluxPort, AuthStyle::Token,
         QString(), true, true, false},
        {TargetId::LpFile, u"lpfile"_s, u"Line-protocol file"_s, 0, AuthStyle::None, QString(),
         false, false, false},
    };
    return rows;
}

const SourceKind *source(const SourceSettings &settings)
{
    for (const SourceKind &row : sources())
        if (row.type == settings.type && (row.api.isEmpty() || row.api == settings.apiVersion))
            return &row;
    return nullptr;
}

const SourceKind *source(SourceId id)
{
    for (const SourceKind &row : sources())
        if (row.id == id)
            return &row;
    return nullptr;
}

const TargetKind *target(const TargetSettings &settings)
{
    for (const TargetKind &row : targets())
        if (row.type == settings.type)
            return &row;
    return nullptr;
}

const TargetKind *target(TargetId id)
{
    for (const TargetKind &row : targets())
        if (row.id == id)
            return &row;
    return nullptr;
}

bool is(const SourceSettings &settings, SourceId id)
{
    const SourceKind *row = source(settings);
    return row && row->id == id;
}

bool is(const TargetSettings &settings, TargetId id)
{
    const TargetKind *row = target(settings);
    return row && row->id == id;
}

QStringList sourceTypes()
{
    QStringList types;
    for (const SourceKind &row : sources())
        if (!types.contains(row.type))
            types.append(row.type);
    return types;
}

QStringList sourceTypeLabels()
{
    QStringList types;
    QStringList labels;
    for (const SourceKind &row : sources())
        if (!types.contains(row.type)) {
            types.append(row.type);
            labels.append(row.typeLabel);
        }
    return labels;
}

QStringList apisOf(const QString &sourceType)
{
    QStringList apis;
    for (const SourceKind &row : sources())
        if (row.type == sourceType && !row.api.isEmpty())
            apis.append(row.api);
    return apis;
}

QStringList apiLabelsOf(const QString &sourceType)
{
    QStringList labels;
    for (const SourceKind &row : sources())
        if (row.type == sourceType && !row.api.isEmpty())
            labels.append(row.label);
    return labels;
}

QStringList targetTypes()
{
    QStringList types;
    for (const TargetKind &row : targets())
        types.append(row.type);
    return types;
}

QStringList targetTypeLabels()
{
    QStringList labels;
    for (const TargetKind &row : targets())
        labels.append(row.label);
    return labels;
}

int defaultPort(const QString &type)
{
    for (const SourceKind &row : sources())
        if (row.type == type)
            return row.defaultPort;
    for (const TargetKind &row : targets())
        if (row.type == type)
            return row.defaultPort;
    return 0;
}

QString defaultTargetUser(const QString &targetType)
{
    for (const TargetKind &row : targets())
        if (row.type == targetType)
            return row.defaultUser;
    return QString();
}

namespace {

const EnumNames<TaskMode> &modes()
{
    static const EnumNames<TaskMode> names = {
        {TaskMode::History, u"history"_s},
        {TaskMode::Realtime, u"realtime"_s},
        {TaskMode::Both, u"both"_s},
    };
    return names;
}

const EnumNames<KeyClashPolicy> &keyClashes()
{
    static const EnumNames<KeyClashPolicy> names = {
        {KeyClashPolicy::Rename, u"rename"_s},
        {KeyClashPolicy::Reject, u"reject"_s},
    };
    return names;
}

const EnumNames<TypeConflictPolicy> &typeConflicts()
{
    static const EnumNames<TypeConflictPolicy> names = {
        {TypeConflictPolicy::Suffix, u"suffix"_s},
        {TypeConflictPolicy::Convert, u"convert"_s},
        {TypeConflictPolicy::Reject, u"reject"_s},
    };
    return names;
}

const EnumNames<RefusedPolicy> &refusedPolicies()
{
    static const EnumNames<RefusedPolicy> names = {
        {RefusedPolicy::Continue, u"continue"_s},
        {RefusedPolicy::Stop, u"stop"_s},
    };
    return names;
}

const QString kSyncAlways = u"always"_s;
const QString kSyncNone = u"none"_s;
const QString kSyncOnly = u"only"_s;

} // namespace

QStringList modeNames()
{
    return modes().names();
}

QString modeName(TaskMode mode)
{
    return modes().name(mode);
}

std::optional<TaskMode> mode(const QString &name)
{
    return modes().value(name);
}

bool follows(const QString &modeName)
{
    const std::optional<TaskMode> m = mode(modeName);
    return m && *m != TaskMode::History;
}

QStringList schemaSyncNames()
{
    return {kSyncAlways, kSyncNone, kSyncOnly};
}

bool syncsSchema(const QString &schemaSync)
{
    return schemaSync != kSyncNone;
}

bool schemaOnly(const QString &schemaSync)
{
    return schemaSync == kSyncOnly;
}

QStringList keyClashNames()
{
    return keyClashes().names();
}

std::optional<KeyClashPolicy> keyClash(const QString &name)
{
    return keyClashes().value(name);
}

QStringList typeConflictNames()
{
    return typeConflicts().names();
}

std::optional<TypeConflictPolicy> typeConflict(const QString &name)
{
    return typeConflicts().value(name);
}

QStringList refusedNames()
{
    return refusedPolicies().names();
}

std::optional<RefusedPolicy> refused(const QString &name)
{
    return refusedPolicies().value(name);
}

bool namesInfluxDb3(const QString &version)
{
    const QString v = version.trimmed().toLower();
    return v.startsWith(u'3') || v.startsWith(u"v3"_s) || v.contains(u"clustered"_s) ||
           v.contains(u"dedicated"_s);
}

} // namespace tsm::kinds
