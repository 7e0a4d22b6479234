#include "core/Endpoints.h"

#include "core/Error.h"
#include "sinks/InfluxV1Sink.h"
#include "sinks/InfluxV2Sink.h"
#include "sinks/InfluxV3Sink.h"
#include "sinks/LpFileSink.h"
#include "sinks/TDengineSink.h"
#include "sinks/TDengineSqlSink.h"
#include "sources/InfluxSource.h"
#include "sources/InfluxV2Source.h"
#include "sources/InfluxV3Source.h"
#include "sources/LpFileSource.h"
#include "sources/TDengine2Source.h"

#include <TaskOptions.h>
#include <TimeText.h>

using namespace Qt::StringLiterals;

namespace tsm::Endpoints {

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

static HttpOptions httpOptions(const TlsSettings &tls)
{
    HttpOptions options;
    options.verifyTls = tls.verify;
    options.caFile = tls.caFile;
    return options;
}

InfluxEndpoint sourceInflux(const TaskProfile &profile)
{
    const SourceSettings &s = profile.source;
    InfluxEndpoint endpoint;
    endpoint.baseUrl = baseUrl(s.protocol, s.host, s.port);
    endpoint.http = httpOptions(s.tls);
    if (s.apiVersion == u"2.x") {
        endpoint.token = s.token;
    } else {
        endpoint.user = s.user;
        endpoint.password = s.password;
    }
    return endpoint;
}

InfluxEndpoint targetInflux(const TaskProfile &profile)
{
    const TargetSettings &t = profile.target;
    InfluxEndpoint endpoint;
    endpoint.baseUrl = baseUrl(t.protocol, t.host, t.port);
    endpoint.http = httpOptions(t.tls);
    if (!t.token.isEmpty()) {
        endpoint.token = t.token;
    } else {
        endpoint.user = t.user;
        endpoint.password = t.password;
    }
    return endpoint;
}

std::unique_ptr<Source> createSource(const TaskProfile &profile)
{
    const QString &type = profile.source.type;
    if (type == u"influxdb") {
        // The version field picks the InfluxDB 3 family; otherwise the tab picks 1.x or 2.x.
        if (isInfluxDb3(profile.source.version))
            return std::make_unique<InfluxV3Source>(sourceInflux(profile), retryPolicy(profile));
        if (profile.source.apiVersion == u"2.x")
            return std::make_unique<InfluxV2Source>(sourceInflux(profile), retryPolicy(profile),
                                                    profile.source.orgId, profile.source.addDbrp);
        return std::make_unique<InfluxSource>(sourceInflux(profile), retryPolicy(profile));
    }
    if (type == u"lpfile")
        return std::make_unique<LpFileSource>(profile.source.path);
    if (type == u"tdengine2") {
        const SourceSettings &s = profile.source;
        TDengineEndpoint endpoint;
        endpoint.baseUrl = baseUrl(s.protocol, s.host, s.port);
        endpoint.http = httpOptions(s.tls);
        // TDengine's own user and password unless the profile names a user.
        endpoint.user = s.user.isEmpty() ? u"root"_s : s.user;
        endpoint.password = s.user.isEmpty() && s.password.isEmpty() ? u"taosdata"_s : s.password;
        auto source = std::make_unique<TDengine2Source>(endpoint, retryPolicy(profile));
        source->setAcceptRoundedFloats(s.acceptRoundedFloats);
        return source;
    }
    throw Error(ErrorKind::Config,
                u"Source type \"%1\" is not supported by this version yet"_s.arg(type));
}

std::unique_ptr<Sink> createSink(const TaskProfile &profile)
{
    const QString &type = profile.target.type;
    if (type == u"influxdb1")
        return std::make_unique<InfluxV1Sink>(targetInflux(profile), retryPolicy(profile),
                                              profile.target.database, QString(),
                                              profile.target.createDatabase);
    if (type == u"influxdb2")
        return std::make_unique<InfluxV2Sink>(targetInflux(profile), retryPolicy(profile),
                                              profile.target.orgId, profile.target.database,
                                              profile.target.createDatabase);
    if (type == u"influxdb3")
        return std::make_unique<InfluxV3Sink>(targetInflux(profile), retryPolicy(profile),
                                              profile.target.database, profile.target.orgId,
                                              profile.target.createDatabase);
    if (type == u"tdengine3") {
        const TargetSettings &t = profile.target;
        TDengineEndpoint endpoint;
        endpoint.baseUrl = baseUrl(t.protocol, t.host, t.port);
        endpoint.http = httpOptions(t.tls);
        endpoint.user = t.user;
        endpoint.password = t.password;
        // TDengine 2.x data goes in with SQL, into tables of the source's types and names.
        std::unique_ptr<TDengineSink> sink;
        if (profile.source.type == u"tdengine2")
            sink = std::make_unique<TDengineSqlSink>(endpoint, retryPolicy(profile), t.database,
                                                     t.createDatabase);
        else
            sink = std::make_unique<TDengineSink>(endpoint, retryPolicy(profile), t.database,
                                                  t.createDatabase);
        // The sink checks the task's time range against the database's KEEP before writing.
        const auto start = TimeText::parse(profile.task.start, profile.task.timeZone);
        const auto end = profile.task.end.isEmpty()
                             ? std::optional<qint64>(TimeText::nowNs())
                             : TimeText::parse(profile.task.end, profile.task.timeZone);
        if (start && end)
            sink->setTaskRange(TimeRange{*start, *end});
        return sink;
    }
    if (type == u"lpfile")
        return std::make_unique<LpFileSink>(profile.target.path, profile.target.compress,
                                            profile.target.database);
    throw Error(ErrorKind::Config,
                u"Target type \"%1\" is not supported by this version yet"_s.arg(type));
}

void applyEnvironmentSecrets(TaskProfile &profile)
{
    auto take = [](const char *name, QString &into) {
        if (qEnvironmentVariableIsSet(name))
            into = qEnvironmentVariable(name);
    };
    take("TSMIGRATE_SOURCE_PASSWORD", profile.source.password);
    take("TSMIGRATE_SOURCE_TOKEN", profile.source.token);
    take("TSMIGRATE_TARGET_PASSWORD", profile.target.password);
    take("TSMIGRATE_TARGET_TOKEN", profile.target.token);
}

} // namespace tsm::Endpoints
