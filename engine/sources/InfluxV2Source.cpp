#include "sources/InfluxV2Source.h"

#include "EngineLog.h"
#include "core/Error.h"

#include <Counted.h>
#include <algorithm>

using namespace Qt::StringLiterals;

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
{
    // Statements without a policy read the database's default mapping, not the bucket's.
    setNamesRetentionPolicy(true);
}

QString InfluxV2Source::describe() const
{
    return u"InfluxDB 2.x at %1, organization %2"_s.arg(api().endpoint().baseUrl, m_orgId);
}

ConnectionInfo InfluxV2Source::checkConnection(const CancelToken &cancel)
{
    ConnectionInfo info =
        m_v2.identify(cancel, u"choose the 1.x authentication (user and password)"_s,
                      u"choose the 3 API for the source (source.auth.apiVersion; InfluxDB 3 "
                      u"has no organizations or buckets API)"_s);
    // /ping needs no token; listing the organization's buckets proves token and organization.
    const QList<InfluxV2Api::Bucket> buckets =
        m_v2.organizationBuckets(m_orgId, orgLabel(), cancel);
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_buckets = buckets;
    }
    const QString found =
        u"organization %1, %2"_s.arg(m_orgId, counted(buckets.size(), u"bucket"_s, u"buckets"_s));
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

InfluxV2Api::Bucket InfluxV2Source::bucketNamed(const QString &bucketName,
                                                const CancelToken &cancel)
{
    if (InfluxV2Api::isId(m_orgId))
        if (const auto bucket = m_v2.findBucket(m_orgId, bucketName, cancel))
            return *bucket;
    // The list checks the organization ID and names the buckets there are.
    m_buckets = m_v2.organizationBuckets(m_orgId, orgLabel(), cancel);
    QStringList names;
    for (const InfluxV2Api::Bucket &b : std::as_const(*m_buckets)) {
        if (b.name == bucketName)
            return b;
        names.append(b.name);
    }
    throw Error(ErrorKind::NotFound,
                u"Bucket \"%1\" does not exist in organization %2 on %3 (it has: %4)"_s.arg(
                    bucketName, m_orgId, api().endpoint().baseUrl,
                    names.isEmpty() ? u"no buckets"_s : names.join(u", "_s)));
}

QList<InfluxV2Api::Dbrp> InfluxV2Source::usableMappings(const InfluxV2Api::Bucket &bucket,
                                                        QStringList *shadowed,
                                                        const CancelToken &cancel)
{
    // By bucket ID, not by database name: a database of the same name may map to another
    // bucket.
    QList<InfluxV2Api::Dbrp> mappings = m_v2.dbrps(m_orgId, {{"bucketID", bucket.id}}, cancel);
    // The default mapping first: SHOW statements without a policy read that one.
    std::stable_sort(mappings.begin(), mappings.end(),
                     [](const auto &a, const auto &b) { return a.isDefault && !b.isDefault; });
    QList<InfluxV2Api::Dbrp> usable;
    for (const InfluxV2Api::Dbrp &candidate : std::as_const(mappings)) {
        // 2.4+ lists a bucket's virtual mapping under its bucketID even where another bucket's
        // stored mapping has the same db/rp, and queries resolve db/rp to the stored one
        // (dbrp/service.go FindMany): ask what db/rp resolves to without the bucket filter.
        const QList<InfluxV2Api::Dbrp> resolved = m_v2.dbrps(
            m_orgId, {{"db", candidate.database}, {"rp", candidate.retentionPolicy}}, cancel);
        if (resolved.size() == 1 && resolved.first().bucketId == bucket.id)
            usable.append(candidate);
        else
            shadowed->append(u"%1/%2 (it reads %3)"_s.arg(
                candidate.database, candidate.retentionPolicy,
                resolved.isEmpty() ? u"no bucket"_s : u"bucket "_s + resolved.first().bucketId));
    }
    return usable;
}

InfluxV2Source::Mapping InfluxV2Source::mapping(const QString &bucketName,
                                                const CancelToken &cancel)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (const auto it = m_mappings.constFind(bucketName); it != m_mappings.constEnd())
        return *it;
    if (bucketName.isEmpty())
        throw Error(ErrorKind::Config, u"The task names no bucket to read"_s);
    const InfluxV2Api::Bucket bucket = bucketNamed(bucketName, cancel);

    QStringList shadowed;
    QList<InfluxV2Api::Dbrp> mappings = usableMappings(bucket, &shadowed, cancel);
    if (mappings.isEmpty() && shadowed.isEmpty() && m_addDbrp) {
        const bool created = m_v2.createDbrp(m_orgId, bucket.id, bucket.name, u"autogen"_s, cancel);
        qCInfo(lcEngine) << (created ? "Added" : "Asked to add") << "the mapping"
                                 << bucket.name << "/ autogen for bucket" << bucket.id;
        mappings = usableMappings(bucket, &shadowed, cancel);
        if (mappings.isEmpty()) {
            // The server refused it as a duplicate: the name is taken by another bucket.
            const QList<InfluxV2Api::Dbrp> taken =
                m_v2.dbrps(m_orgId, {{"db", bucket.name}, {"rp", u"autogen"_s}}, cancel);
            throw Error(
                ErrorKind::Config,
                u"Bucket \"%1\" has no database/retention-policy mapping, and the one "
                u"Add Database Retention Policy adds, %1/autogen, already maps to %2; "
                u"map another name to the bucket with `influx v1 dbrp create "
                u"--bucket-id %3 --db NAME --rp autogen --default`"_s.arg(
                    bucket.name,
                    taken.isEmpty() ? u"another bucket"_s : u"bucket "_s + taken.first().bucketId,
                    bucket.id));
        }
    }
    if (mappings.isEmpty() && !shadowed.isEmpty())
        throw Error(ErrorKind::Config,
                    u"Bucket \"%1\" cannot be read through InfluxQL: its mapping %2, but another "
                    u"bucket's mapping of the same database and retention policy is what "
                    u"queries read; map another name to the bucket with `influx v1 dbrp create "
                    u"--bucket-id %3 --db NAME --rp autogen --default`"_s.arg(
                        bucket.name, shadowed.join(u", "_s), bucket.id));
    if (mappings.isEmpty())
        throw Error(ErrorKind::Config,
                    u"Bucket \"%1\" has no database/retention-policy mapping, which InfluxQL "
                    u"needs; turn on Add Database Retention Policy or create it with `influx v1 "
                    u"dbrp create --bucket-id %2 --db %1 --rp autogen --default`"_s.arg(bucket.name,
                                                                                        bucket.id));
    const InfluxV2Api::Dbrp &chosen = mappings.first();
    // What statements without a policy read (getDefaultRP): only that is the default.
    const QList<InfluxV2Api::Dbrp> defaults =
        m_v2.dbrps(m_orgId, {{"db", chosen.database}, {"default", u"true"_s}}, cancel);
    const bool isDefault = defaults.size() == 1 && defaults.first().bucketId == bucket.id &&
                           defaults.first().retentionPolicy == chosen.retentionPolicy;
    Mapping result{chosen.database, chosen.retentionPolicy, bucket, isDefault};
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

bool InfluxV2Source::isDefaultMapping(const QString &database, const QString &retentionPolicy)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    for (const Mapping &m : std::as_const(m_mappings))
        if (m.database == database && m.retentionPolicy == retentionPolicy)
            return m.isDefault;
    return false;
}

QStringList InfluxV2Source::listMeasurements(const QString &bucket, const CancelToken &cancel)
{
    const Mapping m = mapping(bucket, cancel);
    return listMeasurementsIn(m.database, m.retentionPolicy, cancel);
}

QStringList InfluxV2Source::listMeasurementsIn(const QString &database,
                                               const QString &retentionPolicy,
                                               const CancelToken &cancel)
{
    // SHOW MEASUREMENTS ON "db" reads the default mapping only (executeShowMeasurementsStatement);
    // 2.1+ take ON "db"."rp" and then answer name, database, retention policy.
    QStringList names;
    try {
        const auto result = api().query(
            u"SHOW MEASUREMENTS ON %1.%2"_s.arg(InfluxApi::quoteIdentifier(database),
                                                InfluxApi::quoteIdentifier(retentionPolicy)),
            database, retentionPolicy, cancel);
        bool honoured = true;
        for (const QuerySeries &series : result) {
            const int dbColumn = series.column(u"database"_s);
            const int rpColumn = series.column(u"retention policy"_s);
            honoured = honoured && dbColumn >= 0 && rpColumn >= 0;
            if (!honoured)
                break;
            for (const QJsonValue &rowValue : series.values) {
                const QJsonArray row = rowValue.toArray();
                if (row.at(dbColumn).toString() == database &&
                    row.at(rpColumn).toString() == retentionPolicy)
                    names.append(row.at(0).toString());
            }
        }
        if (honoured)
            return names;
    } catch (const Error &error) {
        if (error.kind() != ErrorKind::Query || error.httpStatus() != 400)
            throw;
        qCInfo(lcEngine) << "SHOW MEASUREMENTS ON db.rp not understood:" << error.message();
    }
    if (isDefaultMapping(database, retentionPolicy))
        return InfluxSource::listMeasurementsIn(database, retentionPolicy, cancel);
    // Before 2.1: a FROM with the policy reaches its bucket; one series per measurement.
    names.clear();
    for (const QuerySeries &series : api().query(
             u"SELECT * FROM %1.%2./.*/ LIMIT 1"_s.arg(InfluxApi::quoteIdentifier(database),
                                                       InfluxApi::quoteIdentifier(retentionPolicy)),
             database, retentionPolicy, cancel))
        if (!names.contains(series.name))
            names.append(series.name);
    return names;
}

QStringList InfluxV2Source::tagKeys(const Mapping &m, const QString &measurement,
                                    const CancelToken &cancel)
{
    QStringList keys;
    if (m.isDefault) {
        for (const QuerySeries &series : api().query(
                 u"SHOW TAG KEYS ON %1 FROM %2"_s.arg(InfluxApi::quoteIdentifier(m.database),
                                                      InfluxApi::quoteIdentifier(measurement)),
                 m.database, m.retentionPolicy, cancel))
            for (const QJsonValue &row : series.values)
                keys.append(row.toArray().at(0).toString());
        return keys;
    }
    // SHOW TAG KEYS always reads the default mapping (executeShowTagKeys); GROUP BY * names
    // every tag key of the policy's measurement in each series, empty where a series has none.
    for (const QuerySeries &series :
         api().query(u"SELECT * FROM %1 GROUP BY * LIMIT 1 SLIMIT 1"_s.arg(
                         fromClause(m.database, m.retentionPolicy, measurement)),
                     m.database, m.retentionPolicy, cancel))
        for (const auto &tag : series.tags)
            if (!keys.contains(tag.first))
                keys.append(tag.first);
    std::sort(keys.begin(), keys.end());
    return keys;
}

MeasurementSchema InfluxV2Source::schema(const QString &bucket, const QString &measurement,
                                         const CancelToken &cancel)
{
    const Mapping m = mapping(bucket, cancel);
    MeasurementSchema schema;
    schema.name = measurement;
    schema.tagKeys = tagKeys(m, measurement, cancel);
    const auto types = fieldTypes(m.database, m.retentionPolicy, measurement, cancel);
    for (auto it = types.begin(); it != types.end(); ++it)
        schema.fields.append(FieldInfo{it.key(), it.value()});
    std::sort(schema.fields.begin(), schema.fields.end(),
              [](const FieldInfo &a, const FieldInfo &b) { return a.name < b.name; });
    return schema;
}

std::optional<TimeRange> InfluxV2Source::timeBounds(const QString &bucket,
                                                    const QString &measurement,
                                                    const CancelToken &cancel)
{
    const Mapping m = mapping(bucket, cancel);
    return timeBoundsIn(m.database, m.retentionPolicy, measurement, cancel);
}

std::optional<qint64> InfluxV2Source::estimatePoints(const PlanRequest &request,
                                                     const QString &measurement,
                                                     const CancelToken &cancel)
{
    return InfluxSource::estimatePoints(inInfluxQl(request, cancel), measurement, cancel);
}

PlanRequest InfluxV2Source::resolved(const PlanRequest &request, const CancelToken &cancel)
{
    return inInfluxQl(request, cancel);
}

QList<TimeRange> InfluxV2Source::typeStretches(const PlanRequest &request,
                                               const CancelToken &cancel)
{
    const PlanRequest translated = inInfluxQl(request, cancel);
    return shardGroups(translated.database, translated.retentionPolicy, translated.range, cancel);
}

std::optional<QPair<FieldType, qint64>>
InfluxV2Source::fieldTypeWithin(const PlanRequest &request, const QString &measurement,
                                const QString &field, const TimeRange &stretch,
                                const CancelToken &cancel)
{
    return InfluxSource::fieldTypeWithin(inInfluxQl(request, cancel), measurement, field, stretch,
                                         cancel);
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

PointCount InfluxV2Source::count(const PlanRequest &request, const CountWindow &window,
                                 const CancelToken &cancel)
{
    return InfluxSource::count(inInfluxQl(request, cancel), window, cancel);
}

QList<TimeRange> InfluxV2Source::countGroups(const PlanRequest &request, const CancelToken &cancel)
{
    return shardGroups(request.database, request.retentionPolicy, request.range, cancel);
}

} // namespace tsm
