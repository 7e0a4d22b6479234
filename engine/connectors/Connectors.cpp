#include "connectors/Connectors.h"

#include "core/Error.h"
#include "rename/RenamedSource.h"
#include "sinks/InfluxV1Sink.h"
#include "sinks/InfluxV2Sink.h"
#include "sinks/InfluxV3Sink.h"
#include "sinks/LpFileSink.h"
#include "sinks/RenamingSink.h"
#include "sinks/TDengineSink.h"
#include "sinks/TDengineSqlSink.h"
#include "sources/InfluxSource.h"
#include "sources/InfluxV2Source.h"
#include "sources/InfluxV3Source.h"
#include "sources/LpFileSource.h"
#include "sources/TDengine2Source.h"

#include <Kinds.h>
#include <TaskOptions.h>
#include <TimeText.h>

using namespace Qt::StringLiterals;

namespace tsm::Connectors {

QString baseUrl(const QString &protocol, const QString &host, int port)
{
    const QString shownHost =
        host.contains(u':') && !host.startsWith(u'[') ? u"[%1]"_s.arg(host) : host;
    return u"%1://%2:%3"_s.arg(protocol.isEmpty() ? u"http"_s : protocol, shownHost).arg(port);
}

RetryPolicy retryPolicy(const TaskProfile &profile)
{
    RetryPolicy policy;
    policy.attempts = std::max(1, profile.advanced.retryAttempts);
    return policy;
}

static HttpOptions httpOptions(const TlsSettings &tls, const TaskProfile &profile)
{
    HttpOptions options;
    options.verifyTls = tls.verify;
    options.caFile = tls.caFile;
    if (profile.advanced.idleTimeoutSeconds > 0)
        options.idleTimeoutMs = profile.advanced.idleTimeoutSeconds * 1000;
    return options;
}

/// The InfluxDB at the server of `side` (the profile's source or target settings), signed in
/// with the side's token when `byToken`, else with its user and password.
template<typename Settings>
static InfluxEndpoint influxEndpoint(const Settings &side, const TaskProfile &profile, bool byToken)
{
    InfluxEndpoint endpoint;
    endpoint.baseUrl = baseUrl(side.protocol, side.host, side.port);
    endpoint.http = httpOptions(side.tls, profile);
    if (byToken) {
        endpoint.token = side.token;
    } else {
        endpoint.user = side.user;
        endpoint.password = side.password;
    }
    return endpoint;
}

InfluxEndpoint sourceInflux(const TaskProfile &profile)
{
    const SourceKind *kind = kinds::source(profile.source);
    return influxEndpoint(profile.source, profile, kind && kind->auth != AuthStyle::UserPassword);
}

InfluxEndpoint targetInflux(const TaskProfile &profile)
{
    return influxEndpoint(profile.target, profile, !profile.target.token.isEmpty());
}

static std::unique_ptr<Source> createReader(const TaskProfile &profile);

std::unique_ptr<Source> createSource(const TaskProfile &profile)
{
    std::unique_ptr<Source> source = createReader(profile); // throws for an unknown kind
    QString error;
    UserRenames renames = UserRenames::fromTask(profile.task, &error);
    if (!error.isEmpty())
        throw Error(ErrorKind::Config, error);
    if (renames.isEmpty())
        return source;
    return std::make_unique<RenamedSource>(std::move(source), std::move(renames));
}

static std::unique_ptr<Source> createReader(const TaskProfile &profile)
{
    const SourceKind *kind = kinds::source(profile.source);
    if (!kind)
        throw Error(ErrorKind::Config,
                    u"Source type \"%1\"%2 is not supported by this version"_s.arg(
                        profile.source.type, kinds::apisOf(profile.source.type).isEmpty()
                                                 ? QString()
                                                 : u" with API "_s + profile.source.apiVersion));
    const SourceSettings &s = profile.source;
    switch (kind->id) {
    case SourceId::Influx1:
        return std::make_unique<InfluxSource>(sourceInflux(profile), retryPolicy(profile));
    case SourceId::Influx2:
        return std::make_unique<InfluxV2Source>(sourceInflux(profile), retryPolicy(profile),
                                                s.orgId, s.addDbrp);
    case SourceId::Influx3:
        return std::make_unique<InfluxV3Source>(sourceInflux(profile), retryPolicy(profile));
    case SourceId::LpFile:
        return std::make_unique<LpFileSource>(s.path);
    case SourceId::TDengine2: {
        TDengineEndpoint endpoint;
        endpoint.baseUrl = baseUrl(s.protocol, s.host, s.port);
        endpoint.http = httpOptions(s.tls, profile);
        // TDengine's own user and password unless the profile names a user.
        endpoint.user = s.user.isEmpty() ? u"root"_s : s.user;
        endpoint.password = s.user.isEmpty() && s.password.isEmpty() ? u"taosdata"_s : s.password;
        auto source = std::make_unique<TDengine2Source>(endpoint, retryPolicy(profile));
        source->setAcceptRoundedFloats(s.acceptRoundedFloats);
        source->setSparse(s.sparse);
        source->setTables(profile.task.tables);
        return source;
    }
    }
    Q_UNREACHABLE();
    return nullptr;
}

static std::unique_ptr<Sink> createTDengineSink(const TaskProfile &profile)
{
    const TargetSettings &t = profile.target;
    TDengineEndpoint endpoint;
    endpoint.baseUrl = baseUrl(t.protocol, t.host, t.port);
    endpoint.http = httpOptions(t.tls, profile);
    endpoint.user = t.user;
    endpoint.password = t.password;
    // Typed tables (TDengine 2.x) go in with SQL, into tables of the source's types and names.
    const SourceKind *source = kinds::source(profile.source);
    std::unique_ptr<TDengineSink> sink;
    if (source && source->typedTables)
        sink = std::make_unique<TDengineSqlSink>(endpoint, retryPolicy(profile), t.database,
                                                 t.createDatabase);
    else
        sink = std::make_unique<TDengineSink>(endpoint, retryPolicy(profile), t.database,
                                              t.createDatabase);
    sink->setChildTableTag(t.childTableName.trimmed());
    // The sink checks the task's time range against the database's KEEP before writing.
    const auto start = TimeText::parse(profile.task.start, profile.task.timeZone);
    const auto end = profile.task.end.isEmpty()
                         ? std::optional<qint64>(TimeText::nowNs())
                         : TimeText::parse(profile.task.end, profile.task.timeZone);
    if (start && end)
        sink->setTaskRange(TimeRange{*start, *end});
    return sink;
}

/// The target, behind the task's policies where it cannot hold a tag and a field of one key or
/// a field of two types (sources of typed tables have neither).
static std::unique_ptr<Sink> withPolicies(std::unique_ptr<Sink> sink, const TargetKind &kind,
                                          const TaskProfile &profile)
{
    const SourceKind *source = kinds::source(profile.source);
    if (source && source->typedTables)
        return sink;
    NamePolicies policies;
    policies.sharedNames = kind.sharedNames;
    policies.fixedTypes = kind.fixedTypes;
    policies.keyClash = kinds::keyClash(profile.advanced.onKeyClash).value_or(KeyClashPolicy::Rename);
    policies.typeConflict =
        kinds::typeConflict(profile.advanced.onTypeConflict).value_or(TypeConflictPolicy::Suffix);
    if (!policies.renames())
        return sink;
    return std::make_unique<RenamingSink>(std::move(sink), policies);
}

static std::unique_ptr<Sink> createTarget(const TaskProfile &profile, const TargetKind *kind);

std::unique_ptr<Sink> createSink(const TaskProfile &profile)
{
    const TargetKind *kind = kinds::target(profile.target);
    std::unique_ptr<Sink> sink = createTarget(profile, kind); // throws for an unknown kind
    return withPolicies(std::move(sink), *kind, profile);
}

static std::unique_ptr<Sink> createTarget(const TaskProfile &profile, const TargetKind *kind)
{
    if (!kind)
        throw Error(ErrorKind::Config, u"Target type \"%1\" is not supported by this version"_s.arg(
                                           profile.target.type));
    const TargetSettings &t = profile.target;
    switch (kind->id) {
    case TargetId::Influx1:
        return std::make_unique<InfluxV1Sink>(targetInflux(profile), retryPolicy(profile),
                                              t.database, QString(), t.createDatabase);
    case TargetId::Influx2:
        return std::make_unique<InfluxV2Sink>(targetInflux(profile), retryPolicy(profile), t.orgId,
                                              t.database, t.createDatabase);
    case TargetId::Influx3:
        return std::make_unique<InfluxV3Sink>(targetInflux(profile), retryPolicy(profile),
                                              t.database, t.orgId, t.createDatabase);
    case TargetId::TDengine3:
        return createTDengineSink(profile);
    case TargetId::LpFile:
        return std::make_unique<LpFileSink>(t.path, t.compress, t.database);
    }
    Q_UNREACHABLE();
    return nullptr;
}

} // namespace tsm::Connectors
