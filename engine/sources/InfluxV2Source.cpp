#include "sources/InfluxV2Source.h"

#include "core/Error.h"

#include <QLoggingCategory>
#include <algorithm>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcInfluxV2Source, "tsm.engine.influx2")

namespace tsm {

namespace {

/// The form's name for the field, for messages about what was typed there.
QString orgLabel()
{
    return u"Organization ID"_s;
}

} // namespace

InfluxV2Source::InfluxV2Source(InfluxEndpoint endpoint, RetryPolicy retry, QString orgId,
                               bool addDbrp)
    : InfluxSource(std::move(endpoint), retry), m_v2(api()), m_orgId(orgId.trimmed()),
      m_addDbrp(addDbrp)
{}

QString InfluxV2Source::describe() const
{
    return u"InfluxDB 2.x at %1, organization %2"_s.arg(api().endpoint().baseUrl, m_orgId);
}

ConnectionInfo InfluxV2Source::checkConnection(const CancelToken &cancel)
{
    ConnectionInfo info =
        m_v2.identify(cancel, u"choose the 1.x authentication (user and password)"_s,
                      u"set the source's version to 3 (InfluxDB 3 has no organizations or "
                      u"buckets API)"_s);
    // /ping needs no token; listing the organization's buckets proves token and organization.
    const QList<InfluxV2Api::Bucket> buckets =
        m_v2.organizationBuckets(m_orgId, orgLabel(), cancel);
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_buckets = buckets;
    }
    const QString found = u"organization %1, %2 buckets"_s.arg(m_orgId).arg(buckets.size());
    info.detail = info.detail.isEmpty() ? found : info.detail + u", "_s + found;
    return info;
}

QStringList InfluxV2Source::listDatabases(const CancelToken &cancel)
{
    const QList<InfluxV2Api::Bucket> buckets =
        m_v2.organizationBuckets(m_orgId, orgLabel(), cancel);
    std::lock_guard<std::mutex> lock(m_mutex);
    m_buckets = buckets;
    QStringList names;
    for (const InfluxV2Api::Bucket &bucket : buckets)
        names.append(bucket.name);
    return names;
}

InfluxV2Source::Mapping InfluxV2Source::mapping(const QString &bucketName,
                                                const CancelToken &cancel)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (const auto it = m_mappings.constFind(bucketName); it != m_mappings.constEnd())
        return *it;
    if (bucketName.isEmpty())
        throw Error(ErrorKind::Config, u"The task names no bucket to read"_s);

    auto named = [&] {
        return std::find_if(m_buckets->begin(), m_buckets->end(),
                            [&](const auto &b) { return b.name == bucketName; });
    };
    // Listed again when the bucket is not in an earlier list: it may be new.
    if (!m_buckets || named() == m_buckets->end())
        m_buckets = m_v2.organizationBuckets(m_orgId, orgLabel(), cancel);
    const auto bucket = named();
    if (bucket == m_buckets->end()) {
        QStringList names;
        for (const InfluxV2Api::Bucket &b : std::as_const(*m_buckets))
            names.append(b.name);
        throw Error(ErrorKind::NotFound,
                    u"Bucket \"%1\" does not exist in organization %2 on %3 (it has: %4)"_s.arg(
                        bucketName, m_orgId, api().endpoint().baseUrl,
                        names.isEmpty() ? u"no buckets"_s : names.join(u", "_s)));
    }

    // By bucket ID, not by database name: a database of the same name may map to another
    // bucket.
    auto mappingsOf = [&] { return m_v2.dbrps(m_orgId, {{"bucketID", bucket->id}}, cancel); };
    QList<InfluxV2Api::Dbrp> mappings = mappingsOf();
    if (mappings.isEmpty() && m_addDbrp) {
        const bool created =
            m_v2.createDbrp(m_orgId, bucket->id, bucket->name, u"autogen"_s, cancel);
        qCInfo(lcInfluxV2Source) << (created ? "Added" : "Asked to add") << "the mapping"
                                 << bucket->name << "/ autogen for bucket" << bucket->id;
        mappings = mappingsOf();
        if (mappings.isEmpty()) {
            // The server refused it as a duplicate: the name is taken by another bucket.
            const QList<InfluxV2Api::Dbrp> taken =
                m_v2.dbrps(m_orgId, {{"db", bucket->name}, {"rp", u"autogen"_s}}, cancel);
            throw Error(
                ErrorKind::Config,
                u"Bucket \"%1\" has no database/retention-policy mapping, and the one "
                u"Add Database Retention Policy adds, %1/autogen, already maps to %2; "
                u"map another name to the bucket with `influx v1 dbrp create "
                u"--bucket-id %3 --db NAME --rp autogen --default`"_s.arg(
                    bucket->name,
                    taken.isEmpty() ? u"another bucket"_s : u"bucket "_s + taken.first().bucketId,
                    bucket->id));
        }
    }
    if (mappings.isEmpty())
        throw Error(ErrorKind::Config,
                    u"Bucket \"%1\" has no database/retention-policy mapping, which InfluxQL "
                    u"needs; turn on Add Database Retention Policy or create it with `influx v1 "
                    u"dbrp create --bucket-id %2 --db %1 --rp autogen --default`"_s.arg(
                        bucket->name, bucket->id));
    // The default mapping first: SHOW statements without a policy read that one.
    std::stable_sort(mappings.begin(), mappings.end(),
                     [](const auto &a, const auto &b) { return a.isDefault && !b.isDefault; });
    Mapping result{mappings.first().database, mappings.first().retentionPolicy, *bucket};
    m_mappings.insert(bucketName, result);
    return result;
}

PlanRequest InfluxV2Source::inInfluxQl(const PlanRequest &request, const CancelToken &cancel)
{
    const Mapping m = mapping(request.database, cancel);
    PlanRequest translated = request;
    translated.database = m.database;
    translated.retentionPolicy = m.retentionPolicy;
    return translated;
}

QStringList InfluxV2Source::listMeasurements(const QString &bucket, const CancelToken &cancel)
{
    return InfluxSource::listMeasurements(mapping(bucket, cancel).database, cancel);
}

MeasurementSchema InfluxV2Source::schema(const QString &bucket, const QString &measurement,
                                         const CancelToken &cancel)
{
    return InfluxSource::schema(mapping(bucket, cancel).database, measurement, cancel);
}

std::optional<TimeRange> InfluxV2Source::timeBounds(const QString &bucket,
                                                    const QString &measurement,
                                                    const CancelToken &cancel)
{
    return InfluxSource::timeBounds(mapping(bucket, cancel).database, measurement, cancel);
}

QList<PlannedUnit> InfluxV2Source::plan(const PlanRequest &request, const CancelToken &cancel)
{
    const PlanRequest translated = inInfluxQl(request, cancel);
    return planUnits(translated, translated.retentionPolicy, cancel);
}

void InfluxV2Source::read(const ReadUnit &unit, const PlanRequest &request,
                          const LpDialect &dialect, BatchOutput &out, const CancelToken &cancel)
{
    InfluxSource::read(unit, inInfluxQl(request, cancel), dialect, out, cancel);
}

QList<TimeRange> InfluxV2Source::shardGroups(const QString &database,
                                             const QString &retentionPolicy, const TimeRange &range,
                                             const CancelToken &cancel)
{
    std::optional<qint64> duration;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        for (const Mapping &m : std::as_const(m_mappings))
            if (m.database == database && m.retentionPolicy == retentionPolicy)
                duration = m.bucket.shardGroupDurationNs();
    }
    if (!duration)
        return InfluxSource::shardGroups(database, retentionPolicy, range, cancel);
    return alignedShardGroups(range, *duration);
}

} // namespace tsm
