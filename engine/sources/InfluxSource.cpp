#include "sources/InfluxSource.h"

#include "EngineLog.h"
#include "core/Error.h"
#include "core/Planner.h"
#include "influx/InfluxResponseDecoder.h"
#include "lp/LineParser.h"

#include <QDateTime>
#include <algorithm>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

std::optional<FieldType> fieldTypeFromName(const QString &name)
{
    if (name == u"float")
        return FieldType::Float;
    if (name == u"integer")
        return FieldType::Integer;
    if (name == u"unsigned")
        return FieldType::Unsigned;
    if (name == u"string")
        return FieldType::String;
    if (name == u"boolean")
        return FieldType::Boolean;
    return std::nullopt;
}

/// "168h0m0s" -> nanoseconds; 0 when it cannot be read.
qint64 parseGoDuration(const QString &text)
{
    qint64 total = 0;
    qint64 number = 0;
    bool haveNumber = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c.isDigit()) {
            number = number * 10 + c.digitValue();
            haveNumber = true;
            continue;
        }
        if (!haveNumber)
            return 0;
        qint64 unit = 0;
        if (c == u'h')
            unit = 3600LL * 1000000000LL;
        else if (c == u's')
            unit = 1000000000LL;
        else if (c == u'm' && i + 1 < text.size() && text.at(i + 1) == u's') {
            unit = 1000000LL;
            ++i;
        } else if (c == u'm')
            unit = 60LL * 1000000000LL;
        else
            return 0;
        total += number * unit;
        number = 0;
        haveNumber = false;
    }
    return total;
}

std::optional<qint64> parseShardTime(const QJsonValue &value)
{
    if (value.isDouble())
        return value.toInteger();
    const QDateTime dt = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
    if (!dt.isValid())
        return std::nullopt;
    return dt.toMSecsSinceEpoch() * 1000000LL;
}

constexpr qint64 kMaxTime = std::numeric_limits<qint64>::max();

/// " AND (<filter>)" after a statement's time condition, when the task has a series filter.
QString seriesCondition(const PlanRequest &request)
{
    return request.seriesFilter.isEmpty() ? QString() : u" AND (%1)"_s.arg(request.seriesFilter);
}
constexpr qint64 kHour = 3600LL * 1000000000LL;

/// Seconds from Go's zero time (0001-01-01T00:00:00Z) to the Unix epoch.
constexpr qint64 kGoZeroToUnixSeconds = 62135596800LL;

} // namespace

qint64 InfluxSource::shardGroupStart(qint64 time, qint64 duration)
{
    // InfluxDB starts a group at time.Truncate(duration), and Go truncates to multiples of the
    // duration since its zero time, not since 1970: weekly groups start on Mondays.
    const __int128 sinceZero = __int128(time) + __int128(kGoZeroToUnixSeconds) * 1000000000;
    __int128 floored = sinceZero - sinceZero % duration;
    if (sinceZero % duration < 0)
        floored -= duration;
    return qint64(floored - __int128(kGoZeroToUnixSeconds) * 1000000000);
}

InfluxSource::InfluxSource(InfluxEndpoint endpoint, RetryPolicy retry)
    : m_api(std::move(endpoint), retry)
{
    // Statements (planning, schema, counts) report their retries like the data reads.
    m_api.setRetryCallback([this](const QString &what, const Error &error, int attempt,
                                  int delayMs) { notifyRetry(what, error, attempt, delayMs); });
}

QString InfluxSource::describe() const
{
    return u"InfluxDB at %1"_s.arg(m_api.endpoint().baseUrl);
}

ConnectionInfo InfluxSource::checkConnection(const CancelToken &cancel)
{
    ConnectionInfo info = m_api.ping(cancel);
    // /ping needs no credentials; a SHOW DATABASES proves they work.
    const QStringList databases = listDatabases(cancel);
    const QString visible = databases.size() == 1 ? u"1 database visible"_s
                                                  : u"%1 databases visible"_s.arg(databases.size());
    info.detail = info.detail.isEmpty() ? visible : info.detail + u", "_s + visible;
    return info;
}

QStringList InfluxSource::listDatabases(const CancelToken &cancel)
{
    return m_api.databases(cancel);
}

QStringList InfluxSource::listMeasurementsIn(const QString &database, const QString &,
                                             const CancelToken &cancel)
{
    return InfluxSource::listMeasurements(database, cancel);
}

QList<QuerySeries> InfluxSource::queryIn(const QString &statement, const QString &database,
                                         const QString &retentionPolicy, const CancelToken &cancel)
{
    return m_namesRetentionPolicy ? m_api.query(statement, database, retentionPolicy, cancel)
                                  : m_api.query(statement, database, cancel);
}

QStringList InfluxSource::listMeasurements(const QString &database, const CancelToken &cancel)
{
    QStringList names;
    const auto result = m_api.query(
        u"SHOW MEASUREMENTS ON %1"_s.arg(InfluxApi::quoteIdentifier(database)), database, cancel);
    for (const QuerySeries &series : result)
        for (const QJsonValue &row : series.values)
            names.append(row.toArray().at(0).toString());
    return names;
}

MeasurementSchema InfluxSource::schema(const QString &database, const QString &measurement,
                                       const CancelToken &cancel)
{
    MeasurementSchema schema;
    schema.name = measurement;
    const QString from = InfluxApi::quoteIdentifier(measurement);
    for (const QuerySeries &series :
         m_api.query(u"SHOW TAG KEYS FROM %1"_s.arg(from), database, cancel))
        for (const QJsonValue &row : series.values)
            schema.tagKeys.append(row.toArray().at(0).toString());
    const auto types = fieldTypes(database, QString(), measurement, cancel);
    for (auto it = types.begin(); it != types.end(); ++it)
        schema.fields.append(FieldInfo{it.key(), it.value()});
    std::sort(schema.fields.begin(), schema.fields.end(),
              [](const FieldInfo &a, const FieldInfo &b) { return a.name < b.name; });
    return schema;
}

QHash<QString, QList<FieldType>> InfluxSource::fieldTypes(const QString &database,
                                                          const QString &retentionPolicy,
                                                          const QString &measurement,
                                                          const CancelToken &cancel)
{
    const QString rp = m_namesRetentionPolicy ? retentionPolicy : QString();
    const QString cacheKey = database + u'\n' + rp + u'\n' + measurement;
    {
        std::lock_guard<std::mutex> lock(m_cacheMutex);
        const auto it = m_fieldTypeCache.constFind(cacheKey);
        if (it != m_fieldTypeCache.constEnd())
            return *it;
    }
    QHash<QString, QList<FieldType>> types;
    const auto result = queryIn(
        u"SHOW FIELD KEYS FROM %1"_s.arg(rp.isEmpty() ? InfluxApi::quoteIdentifier(measurement)
                                                      : fromClause(database, rp, measurement)),
        database, rp, cancel);
    for (const QuerySeries &series : result) {
        const int keyColumn = std::max(0, series.column(u"fieldKey"_s));
        const int typeColumn =
            series.column(u"fieldType"_s) >= 0 ? series.column(u"fieldType"_s) : 1;
        for (const QJsonValue &rowValue : series.values) {
            const QJsonArray row = rowValue.toArray();
            const auto type = fieldTypeFromName(row.at(typeColumn).toString());
            if (!type)
                throw Error(
                    ErrorKind::Protocol,
                    u"Unknown field type \"%1\" of field \"%2\" in \"%3\""_s.arg(
                        row.at(typeColumn).toString(), row.at(keyColumn).toString(), measurement));
            QList<FieldType> &list = types[row.at(keyColumn).toString()];
            if (!list.contains(*type))
                list.append(*type);
        }
    }
    std::lock_guard<std::mutex> lock(m_cacheMutex);
    m_fieldTypeCache.insert(cacheKey, types);
    return types;
}

QString InfluxSource::fromClause(const QString &database, const QString &retentionPolicy,
                                 const QString &measurement) const
{
    return InfluxApi::quoteIdentifier(database) + u'.' +
           (retentionPolicy.isEmpty() ? QString() : InfluxApi::quoteIdentifier(retentionPolicy)) +
           u'.' + InfluxApi::quoteIdentifier(measurement);
}

std::optional<qint64> InfluxSource::edgeTime(const QString &from, const QString &database,
                                             const QString &retentionPolicy, const TimeRange &range,
                                             bool last, const CancelToken &cancel,
                                             const QString &condition)
{
    const auto result =
        queryIn(u"SELECT * FROM %1 WHERE time >= %2 AND time < %3%4%5 LIMIT 1"_s.arg(from)
                    .arg(range.start)
                    .arg(range.end)
                    .arg(condition, last ? u" ORDER BY time DESC"_s : QString()),
                database, retentionPolicy, cancel);
    for (const QuerySeries &series : result)
        for (const QJsonValue &row : series.values)
            return row.toArray().at(0).toInteger();
    return std::nullopt;
}

std::optional<TimeRange> InfluxSource::boundsWithin(const QString &from, const QString &database,
                                                    const QString &retentionPolicy,
                                                    const TimeRange &range,
                                                    const CancelToken &cancel,
                                                    const QString &condition)
{
    const auto first = edgeTime(from, database, retentionPolicy, range, false, cancel, condition);
    if (!first)
        return std::nullopt;
    const auto last = edgeTime(from, database, retentionPolicy, range, true, cancel, condition);
    return TimeRange{*first, (last ? *last : *first) + 1};
}

std::optional<TimeRange> InfluxSource::timeBounds(const QString &database,
                                                  const QString &measurement,
                                                  const CancelToken &cancel)
{
    return timeBoundsIn(database, QString(), measurement, cancel);
}

std::optional<TimeRange> InfluxSource::timeBoundsIn(const QString &database,
                                                    const QString &retentionPolicy,
                                                    const QString &measurement,
                                                    const CancelToken &cancel)
{
    return boundsWithin(fromClause(database, retentionPolicy, measurement), database,
                        retentionPolicy,
                        TimeRange{std::numeric_limits<qint64>::min() + 1, kMaxTime}, cancel);
}

QString InfluxSource::resolveRetentionPolicy(const QString &database, const QString &requested,
                                             const CancelToken &cancel)
{
    const auto result =
        m_api.query(u"SHOW RETENTION POLICIES ON %1"_s.arg(InfluxApi::quoteIdentifier(database)),
                    database, cancel);
    QStringList names;
    QString defaultName;
    for (const QuerySeries &series : result) {
        const int nameColumn = std::max(0, series.column(u"name"_s));
        const int defaultColumn = series.column(u"default"_s);
        for (const QJsonValue &rowValue : series.values) {
            const QJsonArray row = rowValue.toArray();
            names.append(row.at(nameColumn).toString());
            if (defaultColumn >= 0 && row.at(defaultColumn).toBool())
                defaultName = names.last();
        }
    }
    if (!requested.isEmpty()) {
        if (!names.contains(requested))
            throw Error(
                ErrorKind::NotFound,
                u"Retention policy \"%1\" does not exist in database \"%2\" (it has: %3)"_s.arg(
                    requested, database, names.join(u", "_s)));
        return requested;
    }
    if (defaultName.isEmpty())
        throw Error(ErrorKind::NotFound,
                    u"Database \"%1\" has no default retention policy; name one in the task"_s.arg(
                        database));
    return defaultName;
}

QList<TimeRange> InfluxSource::shardGroups(const QString &database, const QString &retentionPolicy,
                                           const TimeRange &range, const CancelToken &cancel)
{
    QList<TimeRange> groups;
    try {
        const auto result = m_api.query(u"SHOW SHARDS"_s, QString(), cancel);
        for (const QuerySeries &series : result) {
            const int dbColumn = series.column(u"database"_s);
            const int rpColumn = series.column(u"retention_policy"_s);
            const int startColumn = series.column(u"start_time"_s);
            const int endColumn = series.column(u"end_time"_s);
            if (dbColumn < 0 || rpColumn < 0 || startColumn < 0 || endColumn < 0)
                throw Error(ErrorKind::Protocol, u"SHOW SHARDS has unexpected columns"_s);
            for (const QJsonValue &rowValue : series.values) {
                const QJsonArray row = rowValue.toArray();
                if (row.at(dbColumn).toString() != database ||
                    row.at(rpColumn).toString() != retentionPolicy)
                    continue;
                const auto start = parseShardTime(row.at(startColumn));
                const auto end = parseShardTime(row.at(endColumn));
                if (!start || !end)
                    throw Error(ErrorKind::Protocol, u"SHOW SHARDS has unreadable times"_s);
                const TimeRange group = Planner::intersect(TimeRange{*start, *end}, range);
                if (!group.isEmpty() &&
                    std::none_of(groups.begin(), groups.end(), [&](const TimeRange &g) {
                        return g.start == group.start && g.end == group.end;
                    }))
                    groups.append(group);
            }
        }
        std::sort(groups.begin(), groups.end(),
                  [](const TimeRange &a, const TimeRange &b) { return a.start < b.start; });
        return groups;
    } catch (const Error &error) {
        if (error.kind() == ErrorKind::Cancelled)
            throw;
        qCInfo(lcEngine) << "SHOW SHARDS not available, aligning to the shard group duration:"
                               << error.message();
    }

    // Without SHOW SHARDS: InfluxDB starts each group at a multiple of the shard group duration.
    qint64 duration = 0;
    const auto result =
        m_api.query(u"SHOW RETENTION POLICIES ON %1"_s.arg(InfluxApi::quoteIdentifier(database)),
                    database, cancel);
    for (const QuerySeries &series : result) {
        const int nameColumn = std::max(0, series.column(u"name"_s));
        const int durationColumn = series.column(u"shardGroupDuration"_s);
        for (const QJsonValue &rowValue : series.values) {
            const QJsonArray row = rowValue.toArray();
            if (durationColumn >= 0 && row.at(nameColumn).toString() == retentionPolicy)
                duration = parseGoDuration(row.at(durationColumn).toString());
        }
    }
    if (duration <= 0)
        duration = 7LL * 24 * 3600 * 1000000000LL;
    return alignedShardGroups(range, duration);
}

QList<TimeRange> InfluxSource::alignedShardGroups(const TimeRange &range, qint64 duration)
{
    QList<TimeRange> groups;
    for (qint64 t = shardGroupStart(range.start, duration); t < range.end;) {
        const qint64 next = t > kMaxTime - duration ? kMaxTime : t + duration;
        groups.append(Planner::intersect(TimeRange{t, next}, range));
        if (next == kMaxTime)
            break;
        t = next;
    }
    return groups;
}

void InfluxSource::checkDatabase(const QString &database, const CancelToken &cancel)
{
    if (database.isEmpty())
        throw Error(ErrorKind::Config, u"The task names no bucket (database) to read"_s);
    const QStringList databases = listDatabases(cancel);
    if (!databases.contains(database))
        throw Error(ErrorKind::NotFound,
                    u"Database \"%1\" does not exist on %2 (it has: %3)"_s.arg(
                        database, m_api.endpoint().baseUrl,
                        databases.isEmpty() ? u"no databases"_s : databases.join(u", "_s)));
}

void InfluxSource::checkSeriesFilter(const PlanRequest &request, const QString &retentionPolicy,
                                     const QString &measurement, const CancelToken &cancel)
{
    if (request.seriesFilter.isEmpty())
        return;
    // The statement reads use, over a nanosecond: the server's parser judges the filter before
    // anything is read, and its message is the one a person can act on.
    const QString statement = u"SELECT * FROM %1 WHERE time >= 0 AND time < 1%2 LIMIT 1"_s.arg(
        fromClause(request.database, retentionPolicy, measurement), seriesCondition(request));
    try {
        queryIn(statement, request.database, retentionPolicy, cancel);
    } catch (const Error &error) {
        if (error.httpStatus() != 400 && error.kind() != ErrorKind::Config)
            throw;
        throw Error(ErrorKind::Config,
                    u"task.seriesFilter: the source (%1) refuses the series filter \"%2\": %3"_s
                        .arg(describe(), request.seriesFilter, error.message()));
    }
}

PlanRequest InfluxSource::resolved(const PlanRequest &request, const CancelToken &cancel)
{
    checkDatabase(request.database, cancel);
    PlanRequest r = request;
    r.retentionPolicy = resolveRetentionPolicy(request.database, request.retentionPolicy, cancel);
    return r;
}

QList<PlannedUnit> InfluxSource::plan(const PlanRequest &request, const CancelToken &cancel)
{
    const PlanRequest r = resolved(request, cancel);
    return planUnits(r, r.retentionPolicy, cancel);
}

void InfluxSource::checkRequest(const PlanRequest &request, const CancelToken &cancel)
{
    if (request.seriesFilter.isEmpty())
        return;
    const PlanRequest r = resolved(request, cancel);
    const QStringList measurements = r.measurements.isEmpty()
                                         ? listMeasurementsIn(r.database, r.retentionPolicy, cancel)
                                         : r.measurements;
    if (!measurements.isEmpty())
        checkSeriesFilter(r, r.retentionPolicy, measurements.first(), cancel);
}

QList<PlannedUnit> InfluxSource::planUnits(const PlanRequest &request, const QString &rp,
                                           const CancelToken &cancel)
{
    {
        // Field types are read again after each plan: a task that follows new data plans every
        // few seconds, and a field added meanwhile must not be read with no type (JSON).
        std::lock_guard<std::mutex> lock(m_cacheMutex);
        m_fieldTypeCache.clear();
    }
    QStringList measurements = request.measurements;
    if (measurements.isEmpty())
        measurements = listMeasurementsIn(request.database, rp, cancel);
    const QString condition = seriesCondition(request);
    const QList<TimeRange> groups = shardGroups(request.database, rp, request.range, cancel);

    QList<PlannedUnit> units;
    for (const QString &measurement : std::as_const(measurements)) {
        if (cancel.isCancelled())
            throw Error(ErrorKind::Cancelled, u"Planning cancelled"_s);
        const QString from = fromClause(request.database, rp, measurement);
        const auto bounds =
            boundsWithin(from, request.database, rp, request.range, cancel, condition);
        if (!bounds)
            continue; // no data in the task's range
        bool mixedTypes = false;
        if (m_namesRetentionPolicy) {
            const auto types = fieldTypes(request.database, rp, measurement, cancel);
            mixedTypes = std::any_of(types.begin(), types.end(),
                                     [](const QList<FieldType> &t) { return t.size() > 1; });
        }
        // Shard group by shard group, from one point to the next, so that units never span two
        // groups and empty stretches cost nothing: two queries per group with data, however
        // many empty groups lie between (computed groups cover every day of a century).
        qint64 cursor = bounds->start;
        while (cursor < bounds->end) {
            const auto first = cursor == bounds->start
                                   ? std::optional<qint64>(cursor)
                                   : edgeTime(from, request.database, rp,
                                              TimeRange{cursor, bounds->end}, false, cancel,
                                              condition);
            if (!first)
                break;
            const auto after = std::upper_bound(
                groups.begin(), groups.end(), *first,
                [](qint64 time, const TimeRange &group) { return time < group.start; });
            TimeRange group{*first, after != groups.end() ? after->start : bounds->end};
            if (after != groups.begin() && std::prev(after)->end > *first)
                group = *std::prev(after);
            const TimeRange within = Planner::intersect(group, TimeRange{*first, bounds->end});
            const auto last = within.end >= bounds->end
                                  ? std::optional<qint64>(bounds->end - 1)
                                  : edgeTime(from, request.database, rp, within, true, cancel,
                                             condition);
            const TimeRange span{*first, last.value_or(*first) + 1};
            if (mixedTypes) {
                // Shard groups of an earlier duration may start at any hour in this group.
                for (const TimeRange &hour : alignedShardGroups(span, kHour))
                    units.append(Planner::windows(measurement, hour, request.windowNs));
            } else {
                units.append(Planner::windows(measurement, span, request.windowNs));
            }
            cursor = within.end;
        }
    }
    return units;
}

std::optional<qint64> InfluxSource::estimatePoints(const PlanRequest &request,
                                                   const QString &measurement,
                                                   const CancelToken &cancel)
{
    // COUNT(*) counts each field; a point has at least one field, so the largest count is the
    // number of points when every point carries that field, and a close lower bound otherwise.
    const auto result =
        m_api.query(u"SELECT COUNT(*) FROM %1 WHERE time >= %2 AND time < %3%4"_s
                        .arg(fromClause(request.database, request.retentionPolicy, measurement))
                        .arg(request.range.start)
                        .arg(request.range.end)
                        .arg(seriesCondition(request)),
                    request.database, cancel);
    qint64 points = 0;
    for (const QuerySeries &series : result)
        for (const QJsonValue &row : series.values) {
            const QJsonArray values = row.toArray();
            for (qsizetype i = 1; i < values.size(); ++i)
                points = std::max(points, values.at(i).toInteger());
        }
    return points;
}

void InfluxSource::read(const ReadUnit &unit, const PlanRequest &request, const LpDialect &dialect,
                        BatchOutput &out, const CancelToken &cancel)
{
    const QString rp = request.retentionPolicy;
    const QString statement = u"SELECT * FROM %1 WHERE time >= %2 AND time < %3%4 GROUP BY *"_s
                                  .arg(fromClause(request.database, rp, unit.measurement))
                                  .arg(unit.start)
                                  .arg(unit.end)
                                  .arg(seriesCondition(request));
    const auto types = fieldTypes(request.database, rp, unit.measurement, cancel);

    HttpRequest http;
    http.method = "GET";
    QList<QPair<QByteArray, QString>> parameters{{"db", request.database},
                                                 {"q", statement},
                                                 {"epoch", u"ns"_s},
                                                 {"chunked", u"true"_s},
                                                 {"chunk_size", QString::number(m_chunkSize)}};
    if (m_namesRetentionPolicy && !rp.isEmpty())
        parameters.append({"rp", rp});
    http.url = m_api.url("/query", parameters);
    http.headers.append(qMakePair(QByteArray("Accept"), readFormat()));
    m_api.authorize(http);

    const RetryPolicy &policy = m_api.retryPolicy();
    for (int attempt = 1;; ++attempt) {
        InfluxResponseDecoder decoder(out, dialect, types);
        // Exceptions must not cross libcurl's C frames: keep the decoder's and rethrow it.
        std::exception_ptr decodeError;
        http.onData = [&decoder, &decodeError](const char *data, size_t size) {
            try {
                decoder.feed(data, size);
                return true;
            } catch (...) {
                decodeError = std::current_exception();
                return false;
            }
        };
        try {
            auto client = m_api.pool().acquire();
            HttpResponse response;
            try {
                response = client->perform(http, &cancel);
            } catch (const Error &) {
                if (decodeError)
                    std::rethrow_exception(decodeError);
                throw;
            }
            if (decodeError)
                std::rethrow_exception(decodeError);
            if (response.status < 200 || response.status > 299)
                throw InfluxApi::errorFromResponse(response,
                                                   u"Reading \"%1\""_s.arg(unit.measurement));
            decoder.finish();
            return;
        } catch (const Error &error) {
            // Once lines went out, this request cannot simply be sent again: the pipeline reads
            // the unit again from its start (and takes back what this read counted).
            const bool nothingSent = decoder.points() == 0 && decoder.rejected() == 0;
            if (!error.isRetryable() || !nothingSent || attempt >= policy.attempts)
                throw;
            const int delay = policy.delayMs(attempt, error);
            notifyRetry(u"Reading \"%1\""_s.arg(unit.measurement), error, attempt, delay);
            sleepCancellable(delay, cancel);
        }
    }
}

QList<TimeRange> InfluxSource::countGroups(const PlanRequest &request, const CancelToken &cancel)
{
    const QString key = u"%1\n%2\n%3\n%4"_s.arg(request.database, request.retentionPolicy)
                            .arg(request.range.start)
                            .arg(request.range.end);
    {
        std::lock_guard<std::mutex> lock(m_cacheMutex);
        const auto it = m_countGroups.constFind(key);
        if (it != m_countGroups.constEnd())
            return *it;
    }
    const QString rp = resolveRetentionPolicy(request.database, request.retentionPolicy, cancel);
    const QList<TimeRange> groups = shardGroups(request.database, rp, request.range, cancel);
    std::lock_guard<std::mutex> lock(m_cacheMutex);
    m_countGroups.insert(key, groups);
    return groups;
}

PointCount InfluxSource::count(const PlanRequest &request, const CountWindow &window,
                               const CancelToken &cancel)
{
    const TimeRange range{window.start, window.end};
    QList<TimeRange> spans;
    for (const TimeRange &group : countGroups(request, cancel)) {
        const TimeRange span = Planner::intersect(group, range);
        if (!span.isEmpty())
            spans.append(span);
    }
    if (spans.isEmpty())
        spans.append(range); // no group known there: the window as it is
    const QString rp = request.retentionPolicy;
    const QString from = fromClause(request.database, rp, window.measurement);
    const QString subtable =
        (window.subtable.isEmpty()
             ? QString()
             : u" AND \"tbname\" = %1"_s.arg(InfluxApi::quoteString(window.subtable))) +
        seriesCondition(request);
    PointCount total; // COUNT(*) counts field values: the points stay unknown
    for (const TimeRange &span : std::as_const(spans)) {
        const auto result = queryIn(u"SELECT COUNT(*) FROM %1 WHERE time >= %2 AND time < %3%4"_s
                                        .arg(from)
                                        .arg(span.start)
                                        .arg(span.end)
                                        .arg(subtable),
                                    request.database, rp, cancel);
        for (const QuerySeries &series : result) {
            for (const QJsonValue &row : series.values) {
                const QJsonArray values = row.toArray();
                for (qsizetype i = 0; i < values.size() && i < series.columns.size(); ++i) {
                    const QString &column = series.columns.at(i);
                    if (column.startsWith(u"count_"_s))
                        total.fields[column.mid(6)] += values.at(i).toInteger();
                }
            }
        }
    }
    return total;
}

QList<TimeRange> InfluxSource::typeStretches(const PlanRequest &request, const CancelToken &cancel)
{
    const QString rp = resolveRetentionPolicy(request.database, request.retentionPolicy, cancel);
    return shardGroups(request.database, rp, request.range, cancel);
}

namespace {

/// Keeps the lines a decoder writes.
class LineCollector : public BatchOutput
{
public:
    QByteArray &buffer() override { return m_buffer; }
    void lineAppended() override {}
    void reject(const QByteArray &, const QString &) override {}
    const QByteArray &lines() const { return m_buffer; }

private:
    QByteArray m_buffer;
};

} // namespace

std::optional<QPair<FieldType, qint64>>
InfluxSource::fieldTypeWithin(const PlanRequest &request, const QString &measurement,
                              const QString &field, const TimeRange &stretch,
                              const CancelToken &cancel)
{
    const QString quoted = InfluxApi::quoteIdentifier(field);
    const QString statement =
        u"SELECT COUNT(%1) AS \"n\", LAST(%1) AS \"v\" FROM %2 WHERE time >= %3 AND time < %4%5"_s
            .arg(quoted, fromClause(request.database, request.retentionPolicy, measurement))
            .arg(stretch.start)
            .arg(stretch.end)
            .arg(seriesCondition(request));
    HttpRequest http;
    QList<QPair<QByteArray, QString>> parameters{
        {"db", request.database}, {"q", statement}, {"epoch", u"ns"_s}};
    if (m_namesRetentionPolicy && !request.retentionPolicy.isEmpty())
        parameters.append({"rp", request.retentionPolicy});
    http.url = m_api.url("/query", parameters);
    http.headers.append(qMakePair(QByteArray("Accept"), readFormat()));
    const HttpResponse response = m_api.call(http, cancel, {}, u"Reading \"%1\""_s.arg(measurement));

    LineCollector lines;
    InfluxResponseDecoder decoder(lines, LpDialect{}, {});
    decoder.feed(response.body.constData(), size_t(response.body.size()));
    decoder.finish();
    const QByteArray first = lines.lines().left(lines.lines().indexOf('\n'));
    lp::Point point;
    if (first.isEmpty() ||
        !lp::parseLine(std::string_view(first.constData(), size_t(first.size())), point, nullptr))
        return std::nullopt;
    std::optional<FieldType> type;
    qint64 count = 0;
    for (const lp::Field &f : point.fields) {
        if (f.key == "v")
            type = f.type;
        else if (f.key == "n")
            count = f.type == FieldType::Float ? qint64(f.f) : f.i;
    }
    if (!type || count == 0)
        return std::nullopt;
    return qMakePair(*type, count);
}

} // namespace tsm
