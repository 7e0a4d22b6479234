#include "sources/InfluxV3Source.h"

#include "core/Error.h"

#include <Kinds.h>

using namespace Qt::StringLiterals;

namespace tsm {

QString InfluxV3Source::describe() const
{
    return u"InfluxDB 3 at %1"_s.arg(api().endpoint().baseUrl);
}

ConnectionInfo InfluxV3Source::checkConnection(const CancelToken &cancel)
{
    ConnectionInfo info = api().ping(cancel);
    const int major = InfluxApi::majorVersion(info);
    if (major == 1 || major == 2)
        throw Error(ErrorKind::Config,
                    u"InfluxDB at %1 is InfluxDB %2, not InfluxDB 3: choose the %3 API for the "
                    u"source (source.auth.apiVersion)"_s.arg(api().endpoint().baseUrl, info.version,
                                                             kinds::source(major == 1 ? SourceId::Influx1
                                                                        : SourceId::Influx2)
                                                                 ->api));
    // InfluxDB 3 checks the token on /ping already; listing the databases proves it reads.
    const QStringList databases = listDatabases(cancel);
    const QString found = u"%1 databases visible"_s.arg(databases.size());
    info.detail = info.detail.isEmpty() ? found : info.detail + u", "_s + found;
    return info;
}

QStringList InfluxV3Source::listDatabases(const CancelToken &cancel)
{
    return api().influxDb3Databases(cancel);
}

PlanRequest InfluxV3Source::resolved(const PlanRequest &request, const CancelToken &cancel)
{
    checkDatabase(request.database, cancel);
    PlanRequest r = request;
    r.retentionPolicy.clear();
    return r;
}

QList<TimeRange> InfluxV3Source::shardGroups(const QString &, const QString &,
                                             const TimeRange &range, const CancelToken &)
{
    return {range};
}

QString InfluxV3Source::fromClause(const QString &, const QString &,
                                   const QString &measurement) const
{
    return InfluxApi::quoteIdentifier(measurement);
}

QList<TimeRange> InfluxV3Source::countGroups(const PlanRequest &request, const CancelToken &)
{
    return {request.range};
}

} // namespace tsm
