#include "TaskOptions.h"

#include "Kinds.h"
#include "TimeText.h"
#include "UserRenames.h"

#include <QRegularExpression>
#include <QTimeZone>
#include <limits>
#include <type_traits>
#include <utility>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

using kinds::defaultTargetUser;

QVariant toVariant(const QString &value)
{
    return value;
}
QVariant toVariant(int value)
{
    return value;
}
QVariant toVariant(bool value)
{
    return value;
}
QVariant toVariant(const QStringList &value)
{
    return value;
}

void fromVariant(const QVariant &value, QString &field)
{
    field = value.toString();
}
void fromVariant(const QVariant &value, bool &field)
{
    field = value.toBool();
}
void fromVariant(const QVariant &value, QStringList &field)
{
    field = value.toStringList();
}
void fromVariant(const QVariant &value, int &field)
{
    // Clamped rather than wrapped, so that 1e10 stays out of range and validation says so.
    const qint64 wide = value.toLongLong();
    field = int(qBound(qint64(std::numeric_limits<int>::min()), wide,
                       qint64(std::numeric_limits<int>::max())));
}

/// A type-dependent default (port, user) follows a type change while it still holds the old
/// type's default, so switching the type in the wizard, or loading a profile that names only its
/// type, gives the right port without a second copy of the defaults.
/// A file has no port: the last server port is kept for when the type goes back to a server,
/// and then counts as untouched if it is any type's default.
void followPort(int &port, const QString &oldType, const QString &newType)
{
    const int newDefault = defaultPort(newType);
    if (newDefault == 0)
        return;
    const int oldDefault = defaultPort(oldType);
    auto isSomeDefault = [port] {
        for (const SourceKind &row : kinds::sources())
            if (row.defaultPort == port)
                return true;
        for (const TargetKind &row : kinds::targets())
            if (row.defaultPort == port)
                return true;
        return false;
    };
    const bool untouched = port == 0 || port == oldDefault || (oldDefault == 0 && isSomeDefault());
    if (untouched)
        port = newDefault;
}

/** Builds one declaration; the fluent calls keep each option to a few lines. */
class Declare
{
public:
    Declare(const QString &key, const QString &group, OptionKind kind, const QString &label)
    {
        m_spec.key = key;
        m_spec.group = group;
        m_spec.kind = kind;
        m_spec.label = label;
        m_spec.appliesTo = [](const TaskProfile &) { return true; };
    }

    /// `access` is a generic lambda returning a reference to the field for a (const) profile.
    template<typename Access> Declare &field(Access access)
    {
        m_spec.get = [access](const TaskProfile &p) { return toVariant(access(p)); };
        m_spec.set = [access](TaskProfile &p, const QVariant &v) { fromVariant(v, access(p)); };
        return *this;
    }
    Declare &setter(std::function<void(TaskProfile &, const QVariant &)> set)
    {
        m_spec.set = std::move(set);
        return *this;
    }
    Declare &def(const QVariant &value)
    {
        m_spec.defaultValue = value;
        return *this;
    }
    Declare &range(qint64 minimum, qint64 maximum)
    {
        m_spec.minimum = minimum;
        m_spec.maximum = maximum;
        return *this;
    }
    Declare &choices(const QStringList &choices)
    {
        m_spec.choices = choices;
        return *this;
    }
    Declare &labels(const QStringList &labels)
    {
        m_spec.choiceLabels = labels;
        return *this;
    }
    Declare &placeholder(const QString &example)
    {
        m_spec.placeholder = example;
        return *this;
    }
    Declare &required()
    {
        m_spec.required = true;
        return *this;
    }
    Declare &optionalFor(std::function<bool(const TaskProfile &)> optional)
    {
        m_spec.optionalFor = std::move(optional);
        return *this;
    }
    Declare &when(std::function<bool(const TaskProfile &)> appliesTo)
    {
        m_spec.appliesTo = std::move(appliesTo);
        return *this;
    }
    Declare &suggest(std::function<QStringList(const TaskProfile &)> suggestions)
    {
        m_spec.suggestions = std::move(suggestions);
        return *this;
    }
    /// {min}, {max} and {default} in the text are filled from the declaration, so the help never
    /// repeats a number that could drift from it.
    Declare &help(QString text)
    {
        text.replace(u"{min}"_s, QString::number(m_spec.minimum));
        text.replace(u"{max}"_s, QString::number(m_spec.maximum));
        text.replace(u"{default}"_s, m_spec.defaultValue.toString());
        m_spec.help = std::move(text);
        return *this;
    }
    OptionSpec take() { return std::move(m_spec); }

private:
    OptionSpec m_spec;
};

/// Whether the source type has API families to choose from (InfluxDB's 1.x, 2.x and 3).
bool sourceHasApis(const TaskProfile &p)
{
    return !kinds::apisOf(p.source.type).isEmpty();
}
/// Whether new data can be followed (realtime and both modes): a server, not a file.
bool sourceCanFollow(const TaskProfile &p)
{
    const SourceKind *kind = kinds::source(p.source);
    return !kind || kind->canFollow;
}
bool sourceIsServer(const TaskProfile &p)
{
    const SourceKind *kind = kinds::source(p.source);
    return !kind || !kind->isFile();
}
bool sourceIsFile(const TaskProfile &p)
{
    const SourceKind *kind = kinds::source(p.source);
    return kind && kind->isFile();
}
AuthStyle sourceAuth(const TaskProfile &p)
{
    const SourceKind *kind = kinds::source(p.source);
    return kind ? kind->auth : AuthStyle::None;
}
AuthStyle targetAuth(const TaskProfile &p)
{
    const TargetKind *kind = kinds::target(p.target);
    return kind ? kind->auth : AuthStyle::None;
}
bool sourceHasTypedTables(const TaskProfile &p)
{
    const SourceKind *kind = kinds::source(p.source);
    return kind && kind->typedTables;
}
bool sourceReadsInfluxQl(const TaskProfile &p)
{
    const SourceKind *kind = kinds::source(p.source);
    return kind && kind->influxQl;
}
bool sourceUsesTls(const TaskProfile &p)
{
    return sourceIsServer(p) && p.source.protocol == u"https"_s;
}
bool sourceAuth1(const TaskProfile &p)
{
    return sourceAuth(p) == AuthStyle::UserPassword;
}
bool sourceAuth2(const TaskProfile &p)
{
    return sourceAuth(p) == AuthStyle::Token || sourceAuth(p) == AuthStyle::TokenAndOrg;
}
bool targetIsServer(const TaskProfile &p)
{
    const TargetKind *kind = kinds::target(p.target);
    return !kind || !kind->isFile();
}
bool targetIsFile(const TaskProfile &p)
{
    const TargetKind *kind = kinds::target(p.target);
    return kind && kind->isFile();
}
bool targetUsesTls(const TaskProfile &p)
{
    return targetIsServer(p) && p.target.protocol == u"https"_s;
}
bool targetUsesUser(const TaskProfile &p)
{
    return targetAuth(p) == AuthStyle::UserPassword;
}
bool targetUsesToken(const TaskProfile &p)
{
    return targetAuth(p) == AuthStyle::Token || targetAuth(p) == AuthStyle::TokenAndOrg;
}

// The groups of the form, and what several declarations share.
const QString basic = u"basic"_s;
const QString connection = u"connection"_s;
const QString auth1 = u"auth1"_s;
const QString auth2 = u"auth2"_s;
const QString task = u"task"_s;
const QString advanced = u"advanced"_s;
const QStringList protocols = {u"http"_s, u"https"_s};

const SourceKind &defaultSource()
{
    return *kinds::source(SourceId::Influx1);
}
QString defaultTargetType()
{
    return kinds::target(TargetId::TDengine3)->type;
}
QString orgIdHelp()
{
    return u"A string of hexadecimal characters, not the organization name. It is shown on the "
           u"Organization → About page of the InfluxDB console."_s;
}
QString portHelp()
{
    return u"InfluxDB listens on port %1 by default; TDengine's REST interface (taosAdapter) on "
           u"port %2."_s.arg(defaultSource().defaultPort)
        .arg(kinds::target(TargetId::TDengine3)->defaultPort);
}

/// One side of the task as a server: what tells its options apart.
struct ServerSide
{
    QString side;        ///< "source" or "target": the keys' prefix and the help's noun
    QString group;       ///< of the form
    QString labelPrefix; ///< "" or "Target ": the labels of the target's fields say so
    int defaultPort = 0;
    bool (*isServer)(const TaskProfile &) = nullptr;
    bool (*usesTls)(const TaskProfile &) = nullptr;
};

ServerSide sourceServer()
{
    ServerSide source;
    source.side = u"source"_s;
    source.group = connection;
    source.defaultPort = defaultPort(defaultSource().type);
    source.isServer = sourceIsServer;
    source.usesTls = sourceUsesTls;
    return source;
}
ServerSide targetServer()
{
    ServerSide target;
    target.side = u"target"_s;
    target.group = basic;
    target.labelPrefix = u"Target "_s;
    target.defaultPort = defaultPort(defaultTargetType());
    target.isServer = targetIsServer;
    target.usesTls = targetUsesTls;
    return target;
}

/// How either side reaches its server, declared alike: protocol, host, port and TLS.
/// `settings` gives the side's settings of a (const) profile.
template<typename Settings>
void declareServer(std::vector<OptionSpec> &o, const ServerSide &s, Settings settings)
{
    o.push_back(
        Declare(s.side + u".protocol"_s, s.group, OptionKind::Choice, s.labelPrefix + u"Protocol"_s)
            .field([settings](auto &p) -> auto & { return settings(p).protocol; })
            .def(u"http"_s)
            .choices(protocols)
            .required()
            .when(s.isServer)
            .help(u"How to connect to the %1: http, or https for a server with TLS."_s.arg(s.side))
            .take());
    o.push_back(
        Declare(s.side + u".host"_s, s.group, OptionKind::Text, s.labelPrefix + u"Host"_s)
            .field([settings](auto &p) -> auto & { return settings(p).host; })
            .def(u"127.0.0.1"_s)
            .required()
            .when(s.isServer)
            .help(u"The address of the %1 server, either an IP address or a domain name."_s.arg(
                s.side))
            .take());
    o.push_back(
        Declare(s.side + u".port"_s, s.group, OptionKind::Integer, s.labelPrefix + u"Port"_s)
            .field([settings](auto &p) -> auto & { return settings(p).port; })
            .def(s.defaultPort)
            .range(1, 65535)
            .required()
            .when(s.isServer)
            .help(u"The port of the %1 server. "_s.arg(s.side) + portHelp())
            .take());
    o.push_back(Declare(s.side + u".tls.verify"_s, s.group, OptionKind::Boolean,
                        u"Verify %1Certificate"_s.arg(s.labelPrefix))
                    .field([settings](auto &p) -> auto & { return settings(p).tls.verify; })
                    .def(true)
                    .when(s.usesTls)
                    .help(u"With https: check the %1's certificate. Turn this off only for a "
                          u"self-signed certificate you trust."_s.arg(s.side))
                    .take());
    o.push_back(
        Declare(s.side + u".tls.caFile"_s, s.group, OptionKind::Path, s.labelPrefix + u"CA File"_s)
            .field([settings](auto &p) -> auto & { return settings(p).tls.caFile; })
            .def(QString())
            .when(s.usesTls)
            .help(u"With https: a PEM file with the authority that signed the %1's "
                  u"certificate, when the system does not trust it already."_s.arg(s.side))
            .take());
}

/// The basic information (the form's first card), with the target next to its database.
void declareBasic(std::vector<OptionSpec> &o)
{
    o.push_back(Declare(u"name"_s, basic, OptionKind::Text, u"Name"_s)
                    .field([](auto &p) -> auto & { return p.name; })
                    .def(QString())
                    .required()
                    .help(u"A name for this task, such as test_influxdb_01. A task is identified "
                          u"by its name: running a profile whose task already has progress "
                          u"resumes it."_s)
                    .take());
    o.push_back(
        Declare(u"source.type"_s, basic, OptionKind::Choice, u"Type"_s)
            .field([](auto &p) -> auto & { return p.source.type; })
            .setter([](TaskProfile &p, const QVariant &v) {
                const QString type = v.toString();
                followPort(p.source.port, p.source.type, type);
                p.source.type = type;
            })
            .def(defaultSource().type)
            .choices(kinds::sourceTypes())
            .labels(kinds::sourceTypeLabels())
            .required()
            .help(u"Where the data comes from: InfluxDB (1.x, 2.x, Cloud or 3), TDengine 2.x, "
                  u"or a line-protocol file. The fields of the form change with the "
                  u"type."_s)
            .take());
    o.push_back(Declare(u"target.type"_s, basic, OptionKind::Choice, u"Target Type"_s)
                    .field([](auto &p) -> auto & { return p.target.type; })
                    .setter([](TaskProfile &p, const QVariant &v) {
                        const QString type = v.toString();
                        followPort(p.target.port, p.target.type, type);
                        if (p.target.user == defaultTargetUser(p.target.type))
                            p.target.user = defaultTargetUser(type);
                        p.target.type = type;
                    })
                    .def(defaultTargetType())
                    .choices(kinds::targetTypes())
                    .labels(kinds::targetTypeLabels())
                    .required()
                    .help(u"Where the data goes: TDengine 3.x (through taosAdapter), InfluxDB "
                          u"1.x, 2.x or 3.x, or a line-protocol file."_s)
                    .take());
    o.push_back(Declare(u"target.database"_s, basic, OptionKind::Text, u"Target Database"_s)
                    .field([](auto &p) -> auto & { return p.target.database; })
                    .def(QString())
                    .required()
                    .when(targetIsServer)
                    .help(u"The database the data is written into (the bucket for an InfluxDB "
                          u"2.x target). Since InfluxDB stores data in various time precisions "
                          u"such as seconds, milliseconds, microseconds and nanoseconds, a "
                          u"TDengine target must be a nanosecond-precision database."_s)
                    .take());
    o.push_back(
        Declare(u"target.createDatabase"_s, basic, OptionKind::Boolean, u"Create Target Database"_s)
            .field([](auto &p) -> auto & { return p.target.createDatabase; })
            .def(true)
            .when(targetIsServer)
            .help(u"Create the target database when it does not exist yet; on TDengine "
                  u"it is created with nanosecond precision."_s)
            .take());
    declareServer(
        o, targetServer(), [](auto &p) -> auto & { return p.target; });
    o.push_back(Declare(u"target.auth.user"_s, basic, OptionKind::Text, u"Target User"_s)
                    .field([](auto &p) -> auto & { return p.target.user; })
                    .def(defaultTargetUser(defaultTargetType()))
                    .when(targetUsesUser)
                    .help(u"The user of the target TDengine or InfluxDB 1.x; it must be allowed "
                          u"to write to the target database."_s)
                    .take());
    o.push_back(Declare(u"target.auth.password"_s, basic, OptionKind::Secret, u"Target Password"_s)
                    .field([](auto &p) -> auto & { return p.target.password; })
                    .def(QString())
                    .when(targetUsesUser)
                    .help(u"The password of the target user."_s)
                    .take());
    o.push_back(
        Declare(u"target.auth.orgId"_s, basic, OptionKind::Text, u"Target Organization ID"_s)
            .field([](auto &p) -> auto & { return p.target.orgId; })
            .def(QString())
            .required()
            .when([](const TaskProfile &p) { return targetAuth(p) == AuthStyle::TokenAndOrg; })
            .help(u"The organization ID of the target InfluxDB 2.x. "_s + orgIdHelp())
            .take());
    o.push_back(Declare(u"target.auth.token"_s, basic, OptionKind::Secret, u"Target Token"_s)
                    .field([](auto &p) -> auto & { return p.target.token; })
                    .def(QString())
                    .when(targetUsesToken)
                    .help(u"An access token of the target InfluxDB with write access to the "
                          u"target database or bucket."_s)
                    .take());
    o.push_back(Declare(u"target.path"_s, basic, OptionKind::Path, u"Target File"_s)
                    .field([](auto &p) -> auto & { return p.target.path; })
                    .def(QString())
                    .required()
                    .when(targetIsFile)
                    .help(u"The line-protocol file to write."_s)
                    .take());
    o.push_back(Declare(u"target.compress"_s, basic, OptionKind::Boolean, u"Compress Target File"_s)
                    .field([](auto &p) -> auto & { return p.target.compress; })
                    .def(false)
                    .when(targetIsFile)
                    .help(u"Write the line-protocol file gzip-compressed."_s)
                    .take());
}

/// The connection of the source.
void declareConnection(std::vector<OptionSpec> &o)
{
    declareServer(
        o, sourceServer(), [](auto &p) -> auto & { return p.source; });
    o.push_back(Declare(u"source.path"_s, connection, OptionKind::Path, u"File"_s)
                    .field([](auto &p) -> auto & { return p.source.path; })
                    .def(QString())
                    .required()
                    .when(sourceIsFile)
                    .help(u"The line-protocol file to read: a .lp file or a gzip-compressed "
                          u".lp.gz, including the output of influx_inspect export with its "
                          u"DDL/DML header lines."_s)
                    .take());
}

/// Authentication: a tab per InfluxDB API family, and TDengine 2.x.
void declareAuthentication(std::vector<OptionSpec> &o)
{
    o.push_back(Declare(u"source.auth.apiVersion"_s, auth1, OptionKind::Choice, u"Authentication"_s)
                    .field([](auto &p) -> auto & { return p.source.apiVersion; })
                    .def(defaultSource().api)
                    .choices(kinds::apisOf(defaultSource().type))
                    .labels(kinds::apiLabelsOf(defaultSource().type))
                    .required()
                    .when(sourceHasApis)
                    .help(u"Different versions of InfluxDB require different authentication "
                          u"parameters, and the APIs differ significantly: choose the 1.x "
                          u"version, the 2.x version (InfluxDB Cloud is 2.x) or the 3.x version "
                          u"(Core, Enterprise, Cloud Dedicated, Clustered) to match the source."_s)
                    .take());
    o.push_back(Declare(u"source.auth.version"_s, auth1, OptionKind::Text, u"Version"_s)
                    .field([](auto &p) -> auto & { return p.source.version; })
                    .def(QString())
                    .when(sourceHasApis)
                    .suggest([](const TaskProfile &p) {
                        const SourceKind *kind = kinds::source(p.source);
                        return kind ? kind->versions : QStringList();
                    })
                    .help(u"The version of the source InfluxDB, e.g. 1.8, 2.7 or 3.0 (on "
                          u"every tab); the tab, not this text, chooses the API."_s)
                    .take());
    o.push_back(Declare(u"source.auth.user"_s, auth1, OptionKind::Text, u"User"_s)
                    .field([](auto &p) -> auto & { return p.source.user; })
                    .def(QString())
                    .when(sourceAuth1)
                    .help(u"The user of the source database; the user must have read access to "
                          u"the data to migrate."_s)
                    .take());
    o.push_back(Declare(u"source.auth.password"_s, auth1, OptionKind::Secret, u"Password"_s)
                    .field([](auto &p) -> auto & { return p.source.password; })
                    .def(QString())
                    .when(sourceAuth1)
                    .help(u"The password of the user above in the source database."_s)
                    .take());
    o.push_back(
        Declare(u"source.auth.orgId"_s, auth2, OptionKind::Text, u"Organization ID"_s)
            .field([](auto &p) -> auto & { return p.source.orgId; })
            .def(QString())
            .required()
            // InfluxDB 3 has no organizations.
            .when([](const TaskProfile &p) { return sourceAuth(p) == AuthStyle::TokenAndOrg; })
            .help(u"The organization ID of the source InfluxDB. "_s + orgIdHelp())
            .take());
    o.push_back(Declare(u"source.auth.token"_s, auth2, OptionKind::Secret, u"Token"_s)
                    .field([](auto &p) -> auto & { return p.source.token; })
                    .def(QString())
                    .required()
                    .when(sourceAuth2)
                    .help(u"The access token for the source InfluxDB; it must have read access "
                          u"in the organization."_s)
                    .take());
    o.push_back(
        Declare(u"source.auth.addDbrp"_s, auth2, OptionKind::Boolean,
                u"Add Database Retention Policy"_s)
            .field([](auto &p) -> auto & { return p.source.addDbrp; })
            .def(false)
            .when([](const TaskProfile &p) { return sourceAuth(p) == AuthStyle::TokenAndOrg; })
            .help(u"InfluxQL requires a combination of database and retention policy "
                  u"(DBRP) to query data. Some 2.x versions and InfluxDB Cloud require "
                  u"this mapping to be added by hand; with this switch on, the mapping "
                  u"is added automatically when the task runs."_s)
            .take());
}

/// What the task reads, when and how.
void declareTask(std::vector<OptionSpec> &o)
{
    o.push_back(Declare(u"task.bucket"_s, task, OptionKind::Text, u"Bucket"_s)
                    .field([](auto &p) -> auto & { return p.task.bucket; })
                    .def(QString())
                    .required()
                    .optionalFor(sourceIsFile)
                    .help(u"In InfluxDB a bucket is the namespace data is stored in (for 1.x: "
                          u"the database; for TDengine 2.x: the database). Each task reads one "
                          u"bucket; Get Schema lists those of the source. For a line-protocol "
                          u"file: the database its # DML / # CONTEXT-DATABASE lines name, to read "
                          u"only that one; empty reads every database of the file."_s)
                    .take());
    o.push_back(Declare(u"task.retentionPolicy"_s, task, OptionKind::Text, u"Retention Policy"_s)
                    .field([](auto &p) -> auto & { return p.task.retentionPolicy; })
                    .def(QString())
                    .when([](const TaskProfile &p) {
                        const SourceKind *kind = kinds::source(p.source);
                        return kind && kind->retentionPolicies;
                    })
                    .help(u"The retention policy to read; empty means the database's default "
                          u"one."_s)
                    .take());
    o.push_back(Declare(u"task.measurements"_s, task, OptionKind::TextList, u"Measurements"_s)
                    .field([](auto &p) -> auto & { return p.task.measurements; })
                    .def(QStringList())
                    .help(u"Optional: one or more measurements to migrate (super tables for "
                          u"TDengine 2.x). If none is selected, all of them are migrated."_s)
                    .take());
    o.push_back(Declare(u"task.start"_s, task, OptionKind::Time, u"Start Time"_s)
                    .field([](auto &p) -> auto & { return p.task.start; })
                    .def(QString())
                    .required()
                    .help(u"The start time of the data in the source to migrate, in RFC 3339 "
                          u"(e.g. 2024-01-01T00:00:00Z). A time without an offset is read in the "
                          u"task's time zone. This field is required."_s)
                    .take());
    o.push_back(Declare(u"task.end"_s, task, OptionKind::Time, u"End Time"_s)
                    .field([](auto &p) -> auto & { return p.task.end; })
                    .def(QString())
                    .help(u"The end time of the data in the source to migrate. Without an end "
                          u"time, the latest data keeps being synchronized (realtime and both "
                          u"modes; history migrates up to the moment the task was first "
                          u"planned); with one, synchronization stops at that time and the task "
                          u"completes. A time without an offset is read in the task's time zone. "
                          u"Optional."_s)
                    .take());
    o.push_back(Declare(u"task.timeZone"_s, task, OptionKind::Text, u"Time Zone"_s)
                    .field([](auto &p) -> auto & { return p.task.timeZone; })
                    .def(u"UTC"_s)
                    .required()
                    .suggest([](const TaskProfile &) {
                        static const QStringList zones = [] {
                            QStringList ids;
                            for (const QByteArray &id : QTimeZone::availableTimeZoneIds())
                                ids.append(QString::fromUtf8(id));
                            return ids;
                        }();
                        return zones;
                    })
                    .help(u"The IANA time zone, such as UTC or Asia/Shanghai, in which start and "
                          u"end times without an offset are read."_s)
                    .take());
    o.push_back(Declare(u"task.windowMinutes"_s, task, OptionKind::Integer,
                        u"Time Range per Read (minutes)"_s)
                    .field([](auto &p) -> auto & { return p.task.windowMinutes; })
                    .def(60)
                    .range(1, 525600)
                    .required()
                    .help(u"The maximum time range of a single read from the source. This is an "
                          u"important parameter to decide based on server performance and data "
                          u"storage density: if the range is too small, the task runs slowly; if "
                          u"it is too large, the source database may fail because of high memory "
                          u"usage."_s)
                    .take());
    o.push_back(Declare(u"task.delaySeconds"_s, task, OptionKind::Integer, u"Delay (seconds)"_s)
                    .field([](auto &p) -> auto & { return p.task.delaySeconds; })
                    .def(10)
                    .range(1, 30)
                    .required()
                    .when(sourceCanFollow)
                    .help(u"An integer between {min} and {max}: the out-of-order wait (taosX's "
                          u"term). To eliminate the impact of out-of-order data, the task always "
                          u"waits this long before reading data: it reads only up to now minus "
                          u"the delay."_s)
                    .take());
    o.push_back(Declare(u"task.mode"_s, task, OptionKind::Choice, u"Mode"_s)
                    .field([](auto &p) -> auto & { return p.task.mode; })
                    .def(kinds::modeName(TaskMode::History))
                    .choices(kinds::modeNames())
                    .required()
                    // A file is read once: history is all it has.
                    .when(sourceCanFollow)
                    .help(u"history: migrate the data from the start time to the end time (or, "
                          u"without one, to the moment the task is first run), then stop. "
                          u"realtime: synchronize data from the moment the task first runs "
                          u"onwards, every few seconds up to now minus the delay, until it is "
                          u"stopped or reaches the end time. both: first history up to now minus "
                          u"the delay, then realtime. A line-protocol file source supports "
                          u"history only."_s)
                    .take());
    o.push_back(Declare(u"task.retro"_s, task, OptionKind::Text, u"Back-fill (retro)"_s)
                    .field([](auto &p) -> auto & { return p.task.retro; })
                    .def(QString())
                    .placeholder(u"2h"_s)
                    .when([](const TaskProfile &p) {
                        return sourceCanFollow(p) && kinds::mode(p.task.mode) == TaskMode::Realtime;
                    })
                    .help(u"Realtime only: before following, migrate what the source holds from "
                          u"this long before the task's first run (taosX's retro), e.g. 30m, 2h, "
                          u"7d or 1h30m (units s, m, h, d, w). The back-fill reads up to the "
                          u"first run minus the delay; following takes over from there. Decided "
                          u"at the first run and kept when the task runs again. Empty or 0: "
                          u"none. With mode both it has no meaning (the history covers it) and "
                          u"is hidden and ignored."_s)
                    .take());
    o.push_back(
        Declare(u"task.pollSeconds"_s, task, OptionKind::Integer, u"Poll Interval (seconds)"_s)
            .field([](auto &p) -> auto & { return p.task.pollSeconds; })
            .def(5)
            .range(1, 3600)
            .required()
            .when(sourceCanFollow)
            .help(u"While following new data (realtime and both modes): how long the task "
                  u"waits between two reads of what is new, {min} to {max}. After a "
                  u"failure that may pass it waits longer, up to a minute or this "
                  u"interval. The default is {default}."_s)
            .take());
    o.push_back(Declare(u"task.schemaSync"_s, task, OptionKind::Choice, u"Schema Sync"_s)
                    .field([](auto &p) -> auto & { return p.task.schemaSync; })
                    .def(kinds::schemaSyncNames().first())
                    .choices(kinds::schemaSyncNames())
                    .required()
                    .when(sourceHasTypedTables)
                    .help(u"always: synchronize the structure of the tables to the target "
                          u"database before migrating data; this may take longer when there are "
                          u"many subtables. none: when the target database is known to have the "
                          u"same table structure already, skip it to save time. only: create "
                          u"the super tables and subtables in the target and move no data (a "
                          u"TDengine 3 target)."_s)
                    .take());
    o.push_back(Declare(u"task.tables"_s, task, OptionKind::TextList, u"Tables"_s)
                    .field([](auto &p) -> auto & { return p.task.tables; })
                    .def(QStringList())
                    .when(sourceHasTypedTables)
                    .placeholder(u"meters.d1001, meters.d1002"_s)
                    .help(u"Optional: subtables to migrate, each as super_table.table, beside "
                          u"the super tables above (all of whose subtables are migrated). With "
                          u"neither, every super table is migrated. A table that does not exist "
                          u"or is not in the super table named is refused before anything runs."_s)
                    .take());
    o.push_back(Declare(u"task.seriesFilter"_s, task, OptionKind::Text, u"Series Filter"_s)
                    .field([](auto &p) -> auto & { return p.task.seriesFilter; })
                    .def(QString())
                    .when(sourceReadsInfluxQl)
                    .placeholder(u"host = 'a' AND dc =~ /eu-.*/"_s)
                    .help(u"Optional: an InfluxQL condition on tags that selects the series to "
                          u"migrate, e.g. host = 'a' AND dc =~ /eu-.*/. Reads, counts, the plan "
                          u"and verification see only the matching series. The source's own "
                          u"parser checks it before anything runs. Empty: every series."_s)
                    .take());
    o.push_back(Declare(u"task.rename"_s, task, OptionKind::TextList, u"Renames"_s)
                    .field([](auto &p) -> auto & { return p.task.rename; })
                    .def(QStringList())
                    .placeholder(u"measurement:cpu=cpu2, tag:host=node"_s)
                    .help(u"Optional: names the target gets in place of the source's, each as "
                          u"kind:from=to with kind measurement, tag or field (measurement:cpu="
                          u"cpu2, tag:host=node). They apply before the target's own naming "
                          u"rules; the plan and verification use the new names."_s)
                    .take());
    o.push_back(Declare(u"task.renameFile"_s, task, OptionKind::Path, u"Renames File"_s)
                    .field([](auto &p) -> auto & { return p.task.renameFile; })
                    .def(QString())
                    .help(u"Optional: a CSV file of renames, one kind,from,to line each (kind: "
                          u"measurement, tag or field; a name with a comma or a quote in double "
                          u"quotes, \"\" for a quote). Renames typed above win over the "
                          u"file's."_s)
                    .take());
    o.push_back(Declare(u"task.addTags"_s, task, OptionKind::TextList, u"Added Tags"_s)
                    .field([](auto &p) -> auto & { return p.task.addTags; })
                    .def(QStringList())
                    .placeholder(u"env=prod, dc=eu"_s)
                    .help(u"Optional: constant tags added to every point, each as key=value "
                          u"(env=prod). A point that has the tag already gets this value."_s)
                    .take());
    o.push_back(
        Declare(u"source.acceptRoundedFloats"_s, task, OptionKind::Boolean,
                u"Accept Rounded Floats"_s)
            .field([](auto &p) -> auto & { return p.source.acceptRoundedFloats; })
            .def(false)
            .when([](const TaskProfile &p) { return kinds::is(p.source, SourceId::TDengine2); })
            .help(u"TDengine 2.0 to 2.3 serve REST through taosd's built-in HTTP server, "
                  u"which writes FLOAT values with 5 decimals and DOUBLE values with 9: "
                  u"1e-300 arrives as 0 and pi as 3.141592654. Super tables with FLOAT or "
                  u"DOUBLE columns or tags are therefore refused from such a server; "
                  u"switch this on to migrate them with the values rounded so. TDengine "
                  u"2.4 and later (taosAdapter) send every value in full and need "
                  u"nothing."_s)
            .take());
    o.push_back(Declare(u"source.sparse"_s, task, OptionKind::Boolean, u"Sparse"_s)
                    .field([](auto &p) -> auto & { return p.source.sparse; })
                    .def(false)
                    .when(sourceHasTypedTables)
                    .help(u"For many subtables with little data each: plan one read per super "
                          u"table and time range and read it with one query over the super "
                          u"table, instead of one per subtable. Counts and verification are "
                          u"then per super table and time range."_s)
                    .take());
}

/// The advanced options.
void declareAdvanced(std::vector<OptionSpec> &o)
{
    o.push_back(Declare(u"advanced.logLevel"_s, advanced, OptionKind::Choice, u"Log Level"_s)
                    .field([](auto &p) -> auto & { return p.advanced.logLevel; })
                    .def(u"info"_s)
                    .choices({u"error"_s, u"warn"_s, u"info"_s, u"debug"_s, u"trace"_s})
                    .required()
                    .help(u"How much the task logs: error, warn, info, debug or trace. The "
                          u"default is {default}."_s)
                    .take());
    o.push_back(Declare(u"advanced.readConcurrency"_s, advanced, OptionKind::Integer,
                        u"Max Read Concurrency"_s)
                    .field([](auto &p) -> auto & { return p.advanced.readConcurrency; })
                    .def(50)
                    .range(1, 500)
                    .required()
                    .help(u"The maximum number of reads from the source at the same time. The "
                          u"default is {default}."_s)
                    .take());
    o.push_back(Declare(u"advanced.writeConcurrency"_s, advanced, OptionKind::Integer,
                        u"Max Write Concurrency"_s)
                    .field([](auto &p) -> auto & { return p.advanced.writeConcurrency; })
                    .def(50)
                    .range(1, 500)
                    .required()
                    .help(u"The maximum number of writes to the target at the same time. The "
                          u"default is {default}."_s)
                    .take());
    o.push_back(Declare(u"advanced.batchSize"_s, advanced, OptionKind::Integer, u"Batch Size"_s)
                    .field([](auto &p) -> auto & { return p.advanced.batchSize; })
                    .def(5000)
                    .range(1, 1000000)
                    .required()
                    .help(u"The maximum number of points in one write to the target. The "
                          u"default is {default}."_s)
                    .take());
    o.push_back(
        Declare(u"advanced.retryAttempts"_s, advanced, OptionKind::Integer, u"Retry Attempts"_s)
            .field([](auto &p) -> auto & { return p.advanced.retryAttempts; })
            .def(6)
            .range(1, 100)
            .required()
            .help(u"How many times a request is tried before a transient failure "
                  u"(network error, timeout, 429 or 5xx) is final; the waits between "
                  u"tries grow exponentially. The default is {default}."_s)
            .take());
    o.push_back(
        Declare(u"advanced.retryFor"_s, advanced, OptionKind::Integer, u"Retry For (minutes)"_s)
            .field([](auto &p) -> auto & { return p.advanced.retryForMinutes; })
            .def(60)
            .range(0, 10080)
            .required()
            .help(u"How long a run waits out a failure that may pass — a server down, a "
                  u"network gone — before it gives up: it tries again after a growing pause "
                  u"(up to a minute), and the task shows as retrying meanwhile. 0: give up at "
                  u"once. The default is {default} minutes."_s)
            .take());
    o.push_back(Declare(u"advanced.idleTimeoutSeconds"_s, advanced, OptionKind::Integer,
                        u"Idle Timeout (seconds)"_s)
                    .field([](auto &p) -> auto & { return p.advanced.idleTimeoutSeconds; })
                    .def(120)
                    .range(1, 3600)
                    .required()
                    .help(u"A request to the source or the target fails (and is retried) when "
                          u"no byte of its answer arrives for this long. Raise it for a server "
                          u"that thinks long before it answers a large read. The default is "
                          u"{default}."_s)
                    .take());
    o.push_back(Declare(u"advanced.maxPointsPerSecond"_s, advanced, OptionKind::Integer,
                        u"Max Points per Second"_s)
                    .field([](auto &p) -> auto & { return p.advanced.maxPointsPerSecond; })
                    .def(0)
                    .range(0, 100000000)
                    .required()
                    .help(u"A rate limit over the whole task: at most this many points are "
                          u"written per second, whatever the write concurrency, so a busy "
                          u"target keeps room for its other work. 0: no limit (the default)."_s)
                    .take());
    o.push_back(Declare(u"advanced.readIntervalMs"_s, advanced, OptionKind::Integer,
                        u"Pause between Reads (ms)"_s)
                    .field([](auto &p) -> auto & { return p.advanced.readIntervalMs; })
                    .def(0)
                    .range(0, 600000)
                    .required()
                    .help(u"Each reader waits this long between two consecutive reads from the "
                          u"source, for a source that suffers under back-to-back queries. "
                          u"0: no pause (the default)."_s)
                    .take());
    o.push_back(Declare(u"advanced.rejectsFile"_s, advanced, OptionKind::Path, u"Rejects File"_s)
                    .field([](auto &p) -> auto & { return p.advanced.rejectsFile; })
                    .def(QString())
                    .help(u"Where the points the target refuses are written, each after a line "
                          u"with the target's reason (line protocol, appended). A relative path "
                          u"is relative to the profile's folder (to the working directory for a "
                          u"task saved in the state file). A path that cannot be written stops "
                          u"the task before anything runs. Empty: <state file>.rejects/<task>.lp "
                          u"beside the state file."_s)
                    .take());
    o.push_back(
        Declare(u"advanced.onRefused"_s, advanced, OptionKind::Choice, u"On Refused Points"_s)
            .field([](auto &p) -> auto & { return p.advanced.onRefused; })
            .def(kinds::refusedNames().first())
            .choices(kinds::refusedNames())
            .required()
            .help(u"continue: points the target refuses go to the rejects file and the "
                  u"task goes on (tsmigrate-cli exits with 6 at the end). stop: the first "
                  u"refused point stops the task, naming its measurement, the target's "
                  u"reason and the rejects file (exit 1); the read unit it belongs to is "
                  u"not done, so running the task again once the cause is fixed migrates "
                  u"it again, without loss or duplicates. The default is {default}."_s)
            .take());
    o.push_back(Declare(u"advanced.verify"_s, advanced, OptionKind::Boolean,
                        u"Verify at the End"_s)
                    .field([](auto &p) -> auto & { return p.advanced.verify; })
                    .def(true)
                    .help(u"When the history is migrated, count the points of each measurement "
                          u"and read window in the source and in the target (per field where "
                          u"the target stores fields as columns) and report every window that "
                          u"differs; tsmigrate-cli verify --repair migrates those again. A "
                          u"count cannot see a changed value. On by default."_s)
                    .take());
}

/// Whether the target keeps tags and fields apart, or a field's type, only in part: it needs the
/// policies for what it cannot hold as it is.
/// A source of typed tables (TDengine 2.x) has neither, and its tables keep their names.
bool targetSharesNames(const TaskProfile &p)
{
    const TargetKind *kind = kinds::target(p.target);
    return kind && kind->sharedNames && !sourceHasTypedTables(p);
}
bool targetFixesTypes(const TaskProfile &p)
{
    const TargetKind *kind = kinds::target(p.target);
    return kind && kind->fixedTypes && !sourceHasTypedTables(p);
}

/// What a run does with what the target cannot hold as it is, and how TDengine names tables.
void declareConflicts(std::vector<OptionSpec> &o)
{
    o.push_back(Declare(u"advanced.onKeyClash"_s, advanced, OptionKind::Choice,
                        u"On Tag and Field Clash"_s)
                    .field([](auto &p) -> auto & { return p.advanced.onKeyClash; })
                    .def(kinds::keyClashNames().first())
                    .choices(kinds::keyClashNames())
                    .required()
                    .when(targetSharesNames)
                    .help(u"A tag and a field with the same key in one measurement: the target "
                          u"(TDengine 3, InfluxDB 3) keeps tags and fields in one set of names. "
                          u"rename: the tag is written as <tag>_tag (_tag2, _tag3… should that "
                          u"name be taken too); every renaming is stated in the plan, the event "
                          u"log and tsmigrate-cli status. reject: the points that carry both go "
                          u"to the rejects file. The default is {default}."_s)
                    .take());
    o.push_back(Declare(u"advanced.onTypeConflict"_s, advanced, OptionKind::Choice,
                        u"On Field Type Conflict"_s)
                    .field([](auto &p) -> auto & { return p.advanced.onTypeConflict; })
                    .def(kinds::typeConflictNames().first())
                    .choices(kinds::typeConflictNames())
                    .required()
                    .when(targetFixesTypes)
                    .help(u"A field with more than one type (InfluxDB keeps a type per shard "
                          u"group; TDengine 3 and InfluxDB 3 one per column). The first type is "
                          u"the type of the earliest values, read from the source before the run "
                          u"and kept for reruns. suffix: values of each other type go to the "
                          u"field <field>_<type> (y_integer, z_string). convert: integers whose "
                          u"value a float holds exactly (|v| ≤ 2^53) join a float field; "
                          u"anything else as suffix. reject: the points with another type go to "
                          u"the rejects file. The default is {default}."_s)
                    .take());
    o.push_back(Declare(u"target.childTableName"_s, advanced, OptionKind::Text,
                        u"Child Table Name Tag"_s)
                    .field([](auto &p) -> auto & { return p.target.childTableName; })
                    .def(QString())
                    .when([](const TaskProfile &p) {
                        return kinds::is(p.target, TargetId::TDengine3) && !sourceHasTypedTables(p);
                    })
                    .help(u"TDengine 3: the tag whose value names each point's child table "
                          u"(taosAdapter's table_name_key, TDengine's smlChildTableName); the "
                          u"tag itself is then not stored as a tag. Empty: TDengine names child "
                          u"tables t_ + an MD5 of the measurement and tags. A point without the "
                          u"tag gets the MD5 name."_s)
                    .take());
}

/// The thresholds of a running task's health states (as taosX defines them): shown in the task
/// list, the monitor, tsmigrate-cli status and its metrics.
void declareHealth(std::vector<OptionSpec> &o)
{
    o.push_back(Declare(u"advanced.bounceErrors"_s, advanced, OptionKind::Integer,
                        u"Bounce After (write errors)"_s)
                    .field([](auto &p) -> auto & { return p.advanced.bounceErrors; })
                    .def(10)
                    .range(1, 1000000)
                    .required()
                    .help(u"The task's health is Bounce when the target answers this many writes "
                          u"with an error (or refuses points of them) within the bounce window. "
                          u"The default is {default}."_s)
                    .take());
    o.push_back(Declare(u"advanced.bounceWindowSeconds"_s, advanced, OptionKind::Integer,
                        u"Bounce Window (seconds)"_s)
                    .field([](auto &p) -> auto & { return p.advanced.bounceWindowSeconds; })
                    .def(60)
                    .range(1, 86400)
                    .required()
                    .help(u"The window over which write errors are counted for the Bounce "
                          u"health. The default is {default}."_s)
                    .take());
    o.push_back(
        Declare(u"advanced.idleSeconds"_s, advanced, OptionKind::Integer, u"Idle After (seconds)"_s)
            .field([](auto &p) -> auto & { return p.advanced.idleSeconds; })
            .def(60)
            .range(1, 86400)
            .required()
            .help(u"A task that follows new data has the health Idle when the source "
                  u"has had nothing new for this long. The default is {default}."_s)
            .take());
}

std::vector<OptionSpec> declareOptions()
{
    std::vector<OptionSpec> o;
    declareBasic(o);
    declareConnection(o);
    declareAuthentication(o);
    declareTask(o);
    declareAdvanced(o);
    declareConflicts(o);
    declareHealth(o);
    return o;
}

/// "Time Range per Read (minutes)" → ("Time range per read", "minutes"): the label as the
/// subject of a sentence, acronyms such as ID and TLS kept.
std::pair<QString, QString> sentenceNoun(const QString &label)
{
    QString noun = label;
    QString unit;
    static const QRegularExpression unitRe(u"\\s*\\(([^)]*)\\)\\s*$"_s);
    const QRegularExpressionMatch m = unitRe.match(noun);
    if (m.hasMatch()) {
        unit = m.captured(1);
        noun.truncate(m.capturedStart());
    }
    QStringList words = noun.split(u' ', Qt::SkipEmptyParts);
    for (qsizetype i = 1; i < words.size(); ++i) {
        QString &w = words[i];
        if (w.size() > 1 && w.at(1).isUpper())
            continue; // ID, TLS, CA
        w[0] = w.at(0).toLower();
    }
    return {words.join(u' '), unit};
}

/// Why an option is required here, when the reason is not obvious from the form.
QString requiredContext(const OptionSpec &spec, const TaskProfile &p)
{
    if (const SourceKind *kind = kinds::source(p.source); kind && spec.group == u"auth2"_s)
        return u" for the "_s + kind->authTab;
    if (spec.key.startsWith(u"source."_s) && sourceIsFile(p))
        return u" for a line-protocol file source"_s;
    if (spec.key.startsWith(u"target."_s) && targetIsFile(p))
        return u" for a line-protocol file target"_s;
    return QString();
}

bool isBlank(const QVariant &value)
{
    if (value.typeId() == QMetaType::QStringList)
        return value.toStringList().isEmpty();
    return value.toString().trimmed().isEmpty();
}

bool isKnownZone(const QString &zone)
{
    return !zone.isEmpty() && QTimeZone(zone.toUtf8()).isValid();
}

/// The series filter, renames and added tags: what the source kind allows, entries well formed.
void validateControls(const TaskProfile &profile, QList<FieldError> &errors)
{
    const SourceKind *kind = kinds::source(profile.source);
    const QString kindLabel = kind ? kind->label : profile.source.type;
    if (!profile.task.seriesFilter.trimmed().isEmpty() && kind && !kind->influxQl) {
        errors.append({u"task.seriesFilter"_s,
                       u"Series filter (task.seriesFilter) is an InfluxQL condition and applies "
                       u"to InfluxDB sources only; a %1 source has no series filter: leave it "
                       u"empty"_s.arg(kindLabel)});
    }
    const TaskSettings &t = profile.task;
    if (kind && kind->typedTables) {
        for (const QString &key : {u"task.rename"_s, u"task.renameFile"_s, u"task.addTags"_s}) {
            if (!isBlank(findOption(key)->get(profile)))
                errors.append({key, u"%1 (%2) cannot be used with a %3 source, whose tables "
                                    u"keep their names and types"_s.arg(findOption(key)->label,
                                                                        key, kindLabel)});
        }
    }
    if (kinds::schemaOnly(t.schemaSync) && kind) {
        const TargetKind *target = kinds::target(profile.target);
        if (!kind->typedTables)
            errors.append({u"task.schemaSync"_s,
                           u"Schema sync \"only\" creates the tables of a TDengine 2.x source "
                           u"and moves no data; this source is %1, which has no tables to "
                           u"create: choose always"_s.arg(kindLabel)});
        else if (target && !target->createsTables)
            errors.append({u"task.schemaSync"_s,
                           u"Schema sync \"only\" creates the target's tables and moves no data; "
                           u"a %1 target has no table structure to create: choose always or "
                           u"none"_s.arg(target->label)});
    }
    for (const QString &table : t.tables) {
        const qsizetype dot = table.indexOf(u'.');
        if (dot <= 0 || dot == table.size() - 1)
            errors.append({u"task.tables"_s, u"Tables: \"%1\" is not super_table.table (e.g. "
                                             u"meters.d1001)"_s.arg(table)});
    }
    UserRenames renames;
    for (const QString &entry : t.rename) {
        if (const QString e = renames.addEntry(entry); !e.isEmpty())
            errors.append({u"task.rename"_s, u"Renames: "_s + e});
    }
    for (const QString &entry : t.addTags) {
        if (const QString e = renames.addTag(entry); !e.isEmpty())
            errors.append({u"task.addTags"_s, u"Added tags: "_s + e});
    }
}

} // namespace

/// The field's label in the words of the source's kind: TDengine 2.x has a Database where
/// InfluxDB has a Bucket, as the wizard's task page says.
QString optionLabel(const OptionSpec &spec, const TaskProfile &p)
{
    const SourceKind *kind = kinds::source(p.source);
    if (spec.key == u"task.bucket"_s && kind && !kind->container.isEmpty())
        return kind->container.left(1).toUpper() + kind->container.mid(1);
    return spec.label;
}

bool isRequired(const OptionSpec &spec, const TaskProfile &p)
{
    return spec.required && !(spec.optionalFor && spec.optionalFor(p));
}

const std::vector<OptionSpec> &taskOptions()
{
    static const std::vector<OptionSpec> options = declareOptions();
    return options;
}

const OptionSpec *findOption(const QString &key)
{
    for (const OptionSpec &spec : taskOptions()) {
        if (spec.key == key)
            return &spec;
    }
    return nullptr;
}

bool isInfluxDb3(const QString &version)
{
    return kinds::namesInfluxDb3(version);
}

QString choiceLabel(const OptionSpec &spec, const QString &value)
{
    const qsizetype i = spec.choices.indexOf(value);
    return i >= 0 ? spec.choiceLabels.value(i, value) : value;
}

int defaultPort(const QString &type)
{
    return kinds::defaultPort(type);
}

QList<FieldError> validateProfile(const TaskProfile &profile)
{
    QList<FieldError> errors;
    const QString zone = profile.task.timeZone;
    // An unknown zone is reported once on its own field; times are then checked as if in UTC
    // so that a good time does not get a second, misleading error.
    const QString parseZone = isKnownZone(zone) ? zone : u"UTC"_s;

    // Generic checks, all driven by the declarations.
    for (const OptionSpec &spec : taskOptions()) {
        if (!spec.appliesTo(profile))
            continue;
        const QVariant value = spec.get(profile);
        const auto [noun, unit] = sentenceNoun(optionLabel(spec, profile));
        switch (spec.kind) {
        case OptionKind::Integer: {
            const qint64 n = value.toLongLong();
            if (n < spec.minimum || n > spec.maximum) {
                errors.append({spec.key, u"%1 must be between %2 and %3%4"_s.arg(
                                             noun, QString::number(spec.minimum),
                                             QString::number(spec.maximum),
                                             unit.isEmpty() ? QString() : u" "_s + unit)});
            }
            break;
        }
        case OptionKind::Choice:
            if (!spec.choices.contains(value.toString())) {
                errors.append(
                    {spec.key, u"%1 must be one of: %2"_s.arg(noun, spec.choices.join(u", "_s))});
            }
            break;
        case OptionKind::Boolean:
            break;
        default:
            if (isRequired(spec, profile) && isBlank(value)) {
                errors.append(
                    {spec.key, u"%1 is required%2"_s.arg(noun, requiredContext(spec, profile))});
            } else if (spec.kind == OptionKind::Time && !isBlank(value) &&
                       !TimeText::parse(value.toString().trimmed(), parseZone)) {
                errors.append({spec.key, u"%1 is not a valid time: use RFC 3339, e.g. "
                                         u"2024-01-01T00:00:00Z"_s.arg(noun)});
            }
            break;
        }
    }

    // Rules across fields or beyond a range, written by hand.
    if (!zone.isEmpty() && !isKnownZone(zone)) {
        errors.append({u"task.timeZone"_s, u"Time zone \"%1\" is unknown"_s.arg(zone)});
    }
    const auto start = TimeText::parse(profile.task.start.trimmed(), parseZone);
    const auto end = TimeText::parse(profile.task.end.trimmed(), parseZone);
    if (start && end && *end <= *start) {
        errors.append({u"task.end"_s, u"End time must be after start time"_s});
    }
    const SourceKind *sourceKind = kinds::source(profile.source);
    if (sourceKind && !sourceKind->canFollow && kinds::follows(profile.task.mode)) {
        errors.append({u"task.mode"_s,
                       u"A line-protocol file source cannot be followed: mode "
                       u"\"%1\" needs a database source; use history"_s.arg(profile.task.mode)});
    }
    validateControls(profile, errors);
    if (findOption(u"task.retro"_s)->appliesTo(profile) &&
        !TimeText::parseDuration(profile.task.retro))
        errors.append({u"task.retro"_s,
                       u"Back-fill \"%1\" is not a duration: use a whole number and a unit, e.g. "
                       u"30m, 2h, 7d or 1h30m"_s.arg(profile.task.retro)});
    static const QRegularExpression hex(u"^[0-9a-fA-F]+$"_s);
    for (const QString &key : {u"source.auth.orgId"_s, u"target.auth.orgId"_s}) {
        const OptionSpec *spec = findOption(key);
        const QString value = spec->get(profile).toString().trimmed();
        if (spec->appliesTo(profile) && !value.isEmpty() && !hex.match(value).hasMatch()) {
            errors.append(
                {key, u"%1 must be hexadecimal (the ID from Organization → About, "
                      u"not the organization name)"_s.arg(sentenceNoun(spec->label).first)});
        }
    }
    // InfluxDB 3 Core can run without authentication; 2.x never does.
    if (targetAuth(profile) == AuthStyle::TokenAndOrg && profile.target.token.isEmpty()) {
        errors.append({u"target.auth.token"_s, u"Target token is required for an InfluxDB 2.x "
                                               u"target"_s});
    }
    return errors;
}

} // namespace tsm
