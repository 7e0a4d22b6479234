#pragma once

#include <QList>
#include <QString>
#include <QStringList>
#include <optional>

namespace tsm {

struct SourceSettings;
struct TargetSettings;

/** How a connection proves who it is. */
enum class AuthStyle
{
    None,         ///< a file
    UserPassword, ///< InfluxDB 1.x, TDengine
    Token,        ///< InfluxDB 3: a token, no organization
    TokenAndOrg,  ///< InfluxDB 2.x: a token within an organization
};

/** Every source the engine reads. The engine's connector registry switches on this, so a
 *  new one is a compile error until it has a factory. */
enum class SourceId
{
    Influx1,
    Influx2,
    Influx3,
    TDengine2,
    LpFile,
};

/** Every target the engine writes. */
enum class TargetId
{
    TDengine3,
    Influx1,
    Influx2,
    Influx3,
    LpFile,
};

/**
 * One row per source kind: what the profile stores (`type`, and for InfluxDB the API family in
 * `source.auth.apiVersion`), what a person sees, and what the kind can do. The option
 * declarations, validation, the wizard and the CLI read these rows; no other file compares a
 * kind with a string.
 */
struct SourceKind
{
    SourceId id;
    QString type;      ///< source.type in the profile
    QString api;       ///< source.auth.apiVersion; empty where the type has one API
    QString typeLabel; ///< the type as the Type field shows it ("InfluxDB")
    QString label;     ///< the kind in full ("InfluxDB 2.x")
    QString authTab;   ///< the wizard's authentication tab ("2.x version"); empty for a file
    int defaultPort;   ///< 0: a file
    AuthStyle auth;
    QString container;      ///< what a task reads from, singular: "bucket", "database", "file"
    QString containers;     ///< the plural, for counts
    QString series;         ///< "measurement", "super table"
    QString seriesPlural;   ///< "measurements", "super tables"
    bool canFollow;         ///< realtime and both modes
    bool retentionPolicies; ///< a task may name one
    bool typedTables;       ///< columns with declared types: a TDengine 3 target takes them by SQL
    bool influxQl;          ///< read through InfluxQL: a series filter (task.seriesFilter) applies
    QStringList versions;   ///< the versions a person chooses from, newest first (source.auth.version)
    bool isFile() const { return defaultPort == 0; }
};

/** One row per target kind. */
struct TargetKind
{
    TargetId id;
    QString type; ///< target.type in the profile
    QString label;
    int defaultPort; ///< 0: a file
    AuthStyle auth;
    QString defaultUser; ///< the user every server of the kind has ("root" for TDengine)
    bool sharedNames;    ///< tags and fields share one set of names (a tag and a field clash)
    bool fixedTypes;     ///< a field keeps the type it was first written with, everywhere
    bool createsTables;  ///< schema sync creates its tables (TDengine 3 from TDengine 2.x)
    bool isFile() const { return defaultPort == 0; }
};

/** What a run does with a tag and a field of one key (advanced.onKeyClash), and with a field of
 *  more than one type (advanced.onTypeConflict), where the target cannot hold them as they are. */
enum class KeyClashPolicy
{
    Rename, ///< the tag gets the suffix _tag
    Reject,
};
enum class TypeConflictPolicy
{
    Suffix,  ///< values of each type but the first go to <field>_<type>
    Convert, ///< integers exactly representable go into a float field; the rest as Suffix
    Reject,
};
/** What a point the target refuses does (advanced.onRefused): the task goes on, or stops. */
enum class RefusedPolicy
{
    Continue,
    Stop,
};

/** How a task runs (task.mode): its history range, new data as it arrives, or both. */
enum class TaskMode
{
    History,
    Realtime,
    Both,
};

namespace kinds {

const QList<SourceKind> &sources();
const QList<TargetKind> &targets();

/** The row of a profile's source: its type and, for InfluxDB, its API family; nullptr when the
 *  profile names no known kind. */
const SourceKind *source(const SourceSettings &settings);
const SourceKind *source(SourceId id);
/** The row of a profile's target, or nullptr. */
const TargetKind *target(const TargetSettings &settings);
const TargetKind *target(TargetId id);

/** Whether the profile's source or target is this kind (false for an unknown kind). */
bool is(const SourceSettings &settings, SourceId id);
bool is(const TargetSettings &settings, TargetId id);

/** The source types, once each, in the order of the Type field, with their labels. */
QStringList sourceTypes();
QStringList sourceTypeLabels();
/** The API families of a source type ("1.x", "2.x", "3" for InfluxDB; empty for the rest). */
QStringList apisOf(const QString &sourceType);
QStringList apiLabelsOf(const QString &sourceType);
QStringList targetTypes();
QStringList targetTypeLabels();

/** The default port of a source or target type: 0 for a file or an unknown type. */
int defaultPort(const QString &type);
/** The user every server of a target type has; empty where there is none. */
QString defaultTargetUser(const QString &targetType);

/** The modes as the profile names them ("history", "realtime", "both"), in the field's order. */
QStringList modeNames();
QString modeName(TaskMode mode);
/** The mode a profile names; nullopt for an unknown one. */
std::optional<TaskMode> mode(const QString &name);
/** Whether a mode keeps following new data after its history (realtime, both); false for an
 *  unknown one. */
bool follows(const QString &modeName);

/** The schema sync choices (task.schemaSync: "always", "none", "only"), whether one creates the
 *  target's tables before data moves, and whether it creates them and moves no data. */
QStringList schemaSyncNames();
bool syncsSchema(const QString &schemaSync);
bool schemaOnly(const QString &schemaSync);

/** The policies as the profile names them, in the field's order (the first is the default). */
QStringList keyClashNames();
std::optional<KeyClashPolicy> keyClash(const QString &name);
QStringList typeConflictNames();
std::optional<TypeConflictPolicy> typeConflict(const QString &name);
QStringList refusedNames();
std::optional<RefusedPolicy> refused(const QString &name);

/** Whether a free-text version names the InfluxDB 3 family ("3", "3.0.1", "v3", "Clustered",
 *  "Cloud Dedicated"); profiles written before the API family had a choice of its own are
 *  upgraded with it. */
bool namesInfluxDb3(const QString &version);

} // namespace kinds

} // namespace tsm
