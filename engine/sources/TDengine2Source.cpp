#include "sources/TDengine2Source.h"

#include "core/Planner.h"
#include "lp/LineParser.h"
#include "lp/LineProtocol.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <limits>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

constexpr int kInvalidDb = 0x0388; // 2.x "Invalid database name": the database does not exist

/// value / step rounded up (step > 0).
qint64 ceilDiv(qint64 value, qint64 step)
{
    qint64 q = value / step;
    if (value % step != 0 && value > 0)
        ++q;
    return q;
}

/// `value` × `factor` in nanoseconds, or nothing when it is outside the int64 range.
std::optional<qint64> toNs(qint64 value, qint64 factor)
{
    qint64 ns = 0;
    if (__builtin_mul_overflow(value, factor, &ns))
        return std::nullopt;
    return ns;
}

bool isUnsigned(const QString &type)
{
    return type.endsWith(u" UNSIGNED"_s);
}

bool isText(const QString &type)
{
    return type == u"BINARY"_s || type == u"NCHAR"_s || type == u"JSON"_s;
}

FieldType fieldTypeOf(const QString &type)
{
    if (type == u"BOOL"_s)
        return FieldType::Boolean;
    if (isUnsigned(type))
        return FieldType::Unsigned;
    if (type == u"FLOAT"_s || type == u"DOUBLE"_s)
        return FieldType::Float;
    if (isText(type))
        return FieldType::String;
    return FieldType::Integer; // TINYINT…BIGINT, TIMESTAMP
}

qint64 integerOf(const QJsonValue &value)
{
    if (value.isBool())
        return value.toBool() ? 1 : 0;
    return value.toInteger(qint64(value.toDouble()));
}

/// An unsigned value, or nothing when the JSON reader could not keep it exact: above INT64_MAX
/// a number comes as a double, which has 53 bits.
std::optional<quint64> unsignedOf(const QJsonValue &value)
{
    const qint64 exact = value.toInteger(-1);
    if (exact >= 0)
        return quint64(exact);
    const double d = value.toDouble();
    if (d >= 0 && d < 9007199254740992.0 && d == double(quint64(d)))
        return quint64(d);
    return std::nullopt;
}

/// What the built-in httpd of 2.0–2.3 does to FLOAT and DOUBLE, for messages.
const char *const kRoundingText =
    "before 2.4 its REST interface is taosd's built-in HTTP server, which writes FLOAT with 5 "
    "decimals and DOUBLE with 9 (1e-300 arrives as 0, pi as 3.141592654)";

bool isFloat(const QString &type)
{
    return type == u"FLOAT"_s || type == u"DOUBLE"_s;
}

/// A BOOL value: true/false from taosAdapter, 1/0 from the built-in httpd of 2.0–2.3
/// (httpRestJson.c restBuildSqlJson writes BOOL as its TINYINT).
bool boolOf(const QJsonValue &value)
{
    return value.isBool() ? value.toBool() : integerOf(value) != 0;
}

std::string textOf(const QJsonValue &value)
{
    if (value.isString())
        return value.toString().toStdString();
    if (value.isObject())
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact).toStdString();
    if (value.isArray())
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact).toStdString();
    if (value.isBool())
        return value.toBool() ? "true" : "false";
    if (value.toInteger(std::numeric_limits<qint64>::min()) != std::numeric_limits<qint64>::min())
        return std::to_string(value.toInteger());
    QByteArray text;
    lp::appendFloat(text, value.toDouble());
    return text.toStdString();
}

} // namespace

TDengine2Source::TDengine2Source(TDengineEndpoint endpoint, RetryPolicy retry)
    : m_rest(std::move(endpoint), retry)
{
    m_rest.setRetryListener([this](const QString &what, const Error &error, int attempt,
                                   int delayMs) { notifyRetry(what, error, attempt, delayMs); });
}

QString TDengine2Source::describe() const
{
    return u"TDengine 2.x at "_s + m_rest.endpoint().baseUrl;
}

QString TDengine2Source::sqlName(const QString &name)
{
    static const QRegularExpression plain(u"^[A-Za-z_][A-Za-z0-9_]*$"_s);
    if (plain.match(name).hasMatch())
        return name;
    return TDengineRest::quoteIdentifier(name);
}

qint64 TDengine2Source::nsPer(const QString &precision)
{
    if (precision == u"ms"_s)
        return 1000000;
    if (precision == u"us"_s)
        return 1000;
    if (precision == u"ns"_s)
        return 1;
    return 0;
}

void TDengine2Source::checkDatabaseName(const QString &database)
{
    static const QRegularExpression plain(u"^[A-Za-z_][A-Za-z0-9_]*$"_s);
    if (!plain.match(database).hasMatch())
        throw Error(ErrorKind::Config,
                    u"Database \"%1\" is not a TDengine 2.x database name (letters, digits and "
                    u"underscores, not starting with a digit)"_s.arg(database));
}

bool TDengine2Source::servedByBuiltInHttpd(const QString &version)
{
    const QStringList parts = version.trimmed().split(u'.');
    bool ok = false;
    const int major = parts.value(0).toInt(&ok);
    if (!ok)
        return false;
    return major < 2 || (major == 2 && parts.value(1).toInt() < 4);
}

QString TDengine2Source::serverVersion(const CancelToken &cancel)
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (!m_serverVersion.isEmpty())
            return m_serverVersion;
    }
    const SqlResult version = query(u"SELECT SERVER_VERSION()"_s, cancel);
    const QString text =
        version.rows.isEmpty() ? QString() : version.rows.at(0).toArray().at(0).toString();
    if (text.isEmpty())
        throw Error(ErrorKind::Protocol,
                    u"%1 answered SELECT SERVER_VERSION() without a version"_s.arg(m_rest.where()));
    std::lock_guard<std::mutex> lock(m_mutex);
    m_serverVersion = text;
    return text;
}

QStringList TDengine2Source::notes(const CancelToken &cancel)
{
    const QString version = serverVersion(cancel);
    if (!servedByBuiltInHttpd(version))
        return {};
    const QString what = u"TDengine %1: %2"_s.arg(version, QLatin1String(kRoundingText));
    if (m_acceptRoundedFloats)
        return {what + u"; FLOAT and DOUBLE values are migrated rounded so, as "
                       u"source.acceptRoundedFloats accepts"_s};
    return {what + u"; super tables with FLOAT or DOUBLE columns or tags are refused unless "
                   u"source.acceptRoundedFloats is set (or read through taosAdapter, TDengine "
                   u"2.4 and later)"_s};
}

SuperTableDef TDengine2Source::readableDefinition(const QString &database, const QString &stable,
                                                  const CancelToken &cancel)
{
    SuperTableDef def = definition(database, stable, cancel);
    if (m_acceptRoundedFloats)
        return def;
    QStringList rounded;
    for (qsizetype i = 1; i < def.columns.size(); ++i)
        if (isFloat(def.columns.at(i).type))
            rounded.append(
                u"column \"%1\" (%2)"_s.arg(def.columns.at(i).name, def.columns.at(i).type));
    for (const TdColumn &tag : def.tags)
        if (isFloat(tag.type))
            rounded.append(u"tag \"%1\" (%2)"_s.arg(tag.name, tag.type));
    if (rounded.isEmpty())
        return def;
    const QString version = serverVersion(cancel);
    if (!servedByBuiltInHttpd(version))
        return def;
    throw Error(ErrorKind::Config,
                u"Source super table \"%1\" of database \"%2\": %3 cannot be read exactly from "
                u"TDengine %4 at %5: %6. Read it through taosAdapter (TDengine 2.4 or later), "
                u"or set source.acceptRoundedFloats to migrate the values rounded"_s.arg(
                    stable, database, rounded.join(u", "_s), version, m_rest.endpoint().baseUrl,
                    QLatin1String(kRoundingText)));
}

SqlResult TDengine2Source::query(const QString &sql, const CancelToken &cancel)
{
    constexpr int kRpcAuthFailure = 0x0003; // 2.x's "Authentication failure"
    const SqlResult result =
        m_rest.query(sql, cancel, {kRpcAuthFailure}, QByteArrayLiteral("/rest/sqlt"));
    if (result.code == kRpcAuthFailure)
        throw Error(ErrorKind::Auth, u"%1 refused the credentials of user \"%2\": %3"_s.arg(
                                         m_rest.where(), m_rest.endpoint().user, result.desc));
    return result;
}

bool TDengine2Source::lastPage(qsizetype rows)
{
    if (rows >= kPageRows) {
        m_fullPagesSeen.store(true);
        return false;
    }
    // A short page may have been cut by the server's row limit, unless the server has already
    // returned a full page: only an empty page is certain.
    return rows == 0 || m_fullPagesSeen.load();
}

ConnectionInfo TDengine2Source::checkConnection(const CancelToken &cancel)
{
    ConnectionInfo info;
    info.product = u"TDengine"_s;
    info.version = serverVersion(cancel);
    if (!info.version.startsWith(u"2."_s))
        throw Error(ErrorKind::Config,
                    u"%1 is TDengine %2, not 2.x: choose the source type that matches"_s.arg(
                        m_rest.where(), info.version));
    const QStringList databases = listDatabases(cancel);
    info.detail = u"%1 databases, REST by %2"_s.arg(databases.size())
                      .arg(servedByBuiltInHttpd(info.version) ? u"taosd's built-in HTTP server"_s
                                                              : u"taosAdapter"_s);
    return info;
}

QStringList TDengine2Source::listDatabases(const CancelToken &cancel)
{
    const SqlResult result = query(u"SHOW DATABASES"_s, cancel);
    const int name = result.column(u"name"_s);
    const int precision = result.column(u"precision"_s);
    if (name < 0 || precision < 0)
        throw Error(ErrorKind::Protocol,
                    u"%1 answered SHOW DATABASES without the columns name and precision"_s.arg(
                        m_rest.where()));
    QStringList names;
    std::lock_guard<std::mutex> lock(m_mutex);
    for (const QJsonValue &value : result.rows) {
        const QJsonArray row = value.toArray();
        names.append(row.at(name).toString());
        m_precision.insert(names.back(), row.at(precision).toString());
    }
    return names;
}

QString TDengine2Source::precisionOf(const QString &database, const CancelToken &cancel)
{
    checkDatabaseName(database);
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        const auto it = m_precision.constFind(database.toLower());
        if (it != m_precision.constEnd())
            return *it;
    }
    listDatabases(cancel);
    std::lock_guard<std::mutex> lock(m_mutex);
    const auto it = m_precision.constFind(database.toLower());
    if (it == m_precision.constEnd())
        throw Error(ErrorKind::NotFound,
                    u"Database \"%1\" does not exist on %2"_s.arg(database, m_rest.where()));
    if (nsPer(*it) == 0)
        throw Error(ErrorKind::Protocol,
                    u"Database \"%1\" on %2 has precision \"%3\", which is "
                    u"none of ms, us and ns"_s.arg(database, m_rest.where(), *it));
    return *it;
}

QStringList TDengine2Source::listMeasurements(const QString &database, const CancelToken &cancel)
{
    precisionOf(database, cancel);
    const SqlResult result = query(u"SHOW %1.STABLES"_s.arg(database.toLower()), cancel);
    const int name = result.column(u"name"_s);
    if (name < 0)
        throw Error(ErrorKind::Protocol,
                    u"%1 answered SHOW STABLES without a name column"_s.arg(m_rest.where()));
    if (result.rows.size() >= 10240)
        throw Error(ErrorKind::Protocol,
                    u"%1 listed %2 super tables in database \"%3\", as many as its REST row limit "
                    u"lets through: some may be missing. Raise restfulRowLimit in taos.cfg"_s
                        .arg(m_rest.where())
                        .arg(result.rows.size())
                        .arg(database));
    QStringList names;
    for (const QJsonValue &value : result.rows)
        names.append(value.toArray().at(name).toString());
    names.sort();
    return names;
}

SuperTableDef TDengine2Source::definition(const QString &database, const QString &stable,
                                          const CancelToken &cancel)
{
    const QString key = database.toLower() + u'\n' + stable;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        const auto it = m_definitions.constFind(key);
        if (it != m_definitions.constEnd())
            return *it;
    }
    const qint64 factor = nsPer(precisionOf(database, cancel));
    const QString sql = u"DESCRIBE %1.%2"_s.arg(database.toLower(), sqlName(stable));
    SqlResult result;
    try {
        result = query(sql, cancel);
    } catch (const Error &error) {
        if (error.kind() == ErrorKind::Query)
            throw Error(ErrorKind::NotFound,
                        u"Super table \"%1\" of database \"%2\" cannot be described: %3"_s.arg(
                            stable, database, error.message()));
        throw;
    }
    SuperTableDef def = superTableFromDescribe(result, stable, m_rest.where());
    def.nsPerUnit = factor;
    for (const QList<TdColumn> *list : {&def.columns, &def.tags})
        for (const TdColumn &column : *list)
            if (column.name.compare(subtableTagKey(), Qt::CaseInsensitive) == 0)
                throw Error(ErrorKind::Config,
                            u"Super table \"%1\" has a column or tag called \"%2\", the tag "
                            u"that carries the subtable's name"_s.arg(stable, column.name));
    if (def.columns.isEmpty() || def.columns.front().type != u"TIMESTAMP"_s)
        throw Error(ErrorKind::NotFound,
                    u"\"%1\" of database \"%2\" is not a super table with a timestamp column "
                    u"first (DESCRIBE answered %3 columns)"_s.arg(stable, database)
                        .arg(def.columns.size()));
    if (def.tags.isEmpty())
        throw Error(
            ErrorKind::NotFound,
            u"\"%1\" of database \"%2\" has no tags: it is a table, not a super table"_s.arg(
                stable, database));
    std::lock_guard<std::mutex> lock(m_mutex);
    m_definitions.insert(key, def);
    return def;
}

QList<TdSubtable> TDengine2Source::subtables(const QString &database, const SuperTableDef &def,
                                             const CancelToken &cancel)
{
    const QString key = database.toLower() + u'\n' + def.name;
    QString columns = u"TBNAME"_s;
    for (const TdColumn &tag : def.tags)
        columns += u", "_s + sqlName(tag.name);
    QList<TdSubtable> list;
    QHash<QString, QJsonArray> tagsOf;
    for (qint64 offset = 0;;) {
        const SqlResult page = query(u"SELECT %1 FROM %2.%3 LIMIT %4 OFFSET %5"_s
                                         .arg(columns, database.toLower(), sqlName(def.name))
                                         .arg(kPageRows)
                                         .arg(offset),
                                     cancel);
        for (const QJsonValue &value : page.rows) {
            const QJsonArray row = value.toArray();
            TdSubtable subtable;
            subtable.name = row.at(0).toString();
            for (qsizetype i = 1; i < row.size(); ++i)
                subtable.tagValues.append(row.at(i));
            if (tagsOf.contains(subtable.name))
                continue;
            tagsOf.insert(subtable.name, subtable.tagValues);
            list.append(subtable);
        }
        offset += page.rows.size();
        if (lastPage(page.rows.size()))
            break;
    }
    std::lock_guard<std::mutex> lock(m_mutex);
    m_tagsOf.insert(key, tagsOf);
    return list;
}

MeasurementSchema TDengine2Source::schema(const QString &database, const QString &measurement,
                                          const CancelToken &cancel)
{
    const SuperTableDef def = definition(database, measurement, cancel);
    MeasurementSchema schema;
    schema.name = measurement;
    schema.tagKeys.append(subtableTagKey());
    for (const TdColumn &tag : def.tags)
        schema.tagKeys.append(tag.name);
    for (qsizetype i = 1; i < def.columns.size(); ++i)
        schema.fields.append({def.columns.at(i).name, {fieldTypeOf(def.columns.at(i).type)}});
    return schema;
}

std::optional<TimeRange> TDengine2Source::timeBounds(const QString &database,
                                                     const QString &measurement,
                                                     const CancelToken &cancel)
{
    const qint64 factor = nsPer(precisionOf(database, cancel));
    const SuperTableDef def = definition(database, measurement, cancel);
    const QString ts = sqlName(def.columns.front().name);
    const SqlResult result = query(u"SELECT FIRST(%1), LAST(%1) FROM %2.%3"_s.arg(
                                       ts, database.toLower(), sqlName(measurement)),
                                   cancel);
    if (result.rows.isEmpty())
        return std::nullopt;
    const QJsonArray row = result.rows.at(0).toArray();
    if (row.at(0).isNull() || row.at(1).isNull())
        return std::nullopt;
    const auto first = toNs(integerOf(row.at(0)), factor);
    const auto last = toNs(integerOf(row.at(1)), factor);
    return TimeRange{first.value_or(std::numeric_limits<qint64>::min()),
                     last ? *last + 1 : std::numeric_limits<qint64>::max()};
}

QList<QPair<QString, TimeRange>> TDengine2Source::dataSpans(const QString &database,
                                                            const SuperTableDef &def,
                                                            const TimeRange &range,
                                                            const CancelToken &cancel)
{
    const qint64 factor = def.nsPerUnit;
    const QString ts = sqlName(def.columns.front().name);
    QList<QPair<QString, TimeRange>> spans;
    // One statement per page of subtables, not one per subtable.
    for (qint64 offset = 0;;) {
        const SqlResult page =
            query(u"SELECT FIRST(%1), LAST(%1) FROM %2.%3 WHERE %1 >= %4 AND %1 < %5 GROUP BY "
                  u"TBNAME SLIMIT %6 SOFFSET %7"_s.arg(ts, database.toLower(), sqlName(def.name))
                      .arg(ceilDiv(range.start, factor))
                      .arg(ceilDiv(range.end, factor))
                      .arg(kPageRows)
                      .arg(offset),
                  cancel);
        const int name = page.column(u"tbname"_s);
        if (name < 0 && !page.rows.isEmpty())
            throw Error(
                ErrorKind::Protocol,
                u"%1 answered GROUP BY TBNAME without a tbname column"_s.arg(m_rest.where()));
        for (const QJsonValue &value : page.rows) {
            const QJsonArray row = value.toArray();
            if (row.at(0).isNull() || row.at(1).isNull())
                continue;
            const auto first = toNs(integerOf(row.at(0)), factor);
            const auto last = toNs(integerOf(row.at(1)), factor);
            const TimeRange span{first.value_or(std::numeric_limits<qint64>::min()),
                                 last ? *last + 1 : std::numeric_limits<qint64>::max()};
            spans.append({row.at(name).toString(), Planner::intersect(span, range)});
        }
        offset += page.rows.size();
        if (lastPage(page.rows.size()))
            break;
    }
    return spans;
}

TDengine2Source::Selection TDengine2Source::selection(const QString &database,
                                                      const QStringList &measurements,
                                                      const CancelToken &cancel)
{
    const QStringList stables = listMeasurements(database, cancel);
    Selection selected;
    if (measurements.isEmpty() && m_tables.isEmpty()) {
        selected.whole = stables;
        return selected;
    }
    QStringList missing;
    for (const QString &m : measurements)
        if (!stables.contains(m))
            missing.append(m);
    if (!missing.isEmpty())
        throw Error(ErrorKind::NotFound, u"Database \"%1\" on %2 has no super table %3"_s.arg(
                                             database, m_rest.where(), missing.join(u", "_s)));
    selected.whole = measurements;
    for (const QString &table : m_tables) {
        const qsizetype dot = table.indexOf(u'.');
        const QString stable = table.left(dot);
        const QString subtable = table.mid(dot + 1);
        if (dot <= 0 || subtable.isEmpty())
            throw Error(ErrorKind::Config,
                        u"Source table \"%1\" (task.tables) is not super_table.table"_s.arg(table));
        if (!stables.contains(stable))
            throw Error(ErrorKind::NotFound,
                        u"Source table \"%1\" (task.tables): database \"%2\" on %3 has no super "
                        u"table \"%4\""_s.arg(table, database, m_rest.where(), stable));
        if (selected.whole.contains(stable))
            continue; // read whole already
        QStringList &listed = selected.only[stable];
        if (!listed.contains(subtable))
            listed.append(subtable);
    }
    return selected;
}

void TDengine2Source::checkRequest(const PlanRequest &request, const CancelToken &cancel)
{
    if (m_tables.isEmpty())
        return;
    const Selection selected = selection(request.database, request.measurements, cancel);
    for (auto it = selected.only.cbegin(); it != selected.only.cend(); ++it) {
        const SuperTableDef def = definition(request.database, it.key(), cancel);
        QSet<QString> known;
        for (const TdSubtable &subtable : subtables(request.database, def, cancel))
            known.insert(subtable.name);
        QStringList missing;
        for (const QString &subtable : it.value())
            if (!known.contains(subtable))
                missing.append(u"\"%1.%2\""_s.arg(it.key(), subtable));
        if (!missing.isEmpty())
            throw Error(
                ErrorKind::NotFound,
                u"Source table %1 (task.tables): super table \"%2\" of database \"%3\" "
                u"on %4 has no such subtable (SELECT TBNAME FROM %3.%2 does not list "
                u"it)"_s.arg(missing.join(u", "_s), it.key(), request.database, m_rest.where()));
    }
}

void TDengine2Source::planWhole(const QString &database, const SuperTableDef &def,
                                const PlanRequest &request, QList<PlannedUnit> &units,
                                const CancelToken &cancel)
{
    if (!m_sparse) {
        for (const auto &[subtable, span] : dataSpans(database, def, request.range, cancel)) {
            for (PlannedUnit unit : Planner::windows(def.name, span, request.windowNs)) {
                unit.context = subtable;
                units.append(unit);
            }
        }
        return;
    }
    // Sparse: the super table's own first and last time, one statement.
    const qint64 factor = def.nsPerUnit;
    const QString ts = sqlName(def.columns.front().name);
    const SqlResult result =
        query(u"SELECT FIRST(%1), LAST(%1) FROM %2.%3 WHERE %1 >= %4 AND %1 < %5"_s
                  .arg(ts, database.toLower(), sqlName(def.name))
                  .arg(ceilDiv(request.range.start, factor))
                  .arg(ceilDiv(request.range.end, factor)),
              cancel);
    if (result.rows.isEmpty())
        return;
    const QJsonArray row = result.rows.at(0).toArray();
    if (row.at(0).isNull() || row.at(1).isNull())
        return;
    const auto first = toNs(integerOf(row.at(0)), factor);
    const auto last = toNs(integerOf(row.at(1)), factor);
    const TimeRange span{first.value_or(std::numeric_limits<qint64>::min()),
                         last ? *last + 1 : std::numeric_limits<qint64>::max()};
    units += Planner::windows(def.name, Planner::intersect(span, request.range), request.windowNs);
}

QList<PlannedUnit> TDengine2Source::plan(const PlanRequest &request, const CancelToken &cancel)
{
    const Selection selected = selection(request.database, request.measurements, cancel);
    QList<PlannedUnit> units;
    for (const QString &stable : selected.whole)
        planWhole(request.database, readableDefinition(request.database, stable, cancel), request,
                  units, cancel);
    // Listed subtables: each its own units, whatever source.sparse says.
    for (auto it = selected.only.cbegin(); it != selected.only.cend(); ++it) {
        const SuperTableDef def = readableDefinition(request.database, it.key(), cancel);
        for (const auto &[subtable, span] :
             dataSpans(request.database, def, request.range, cancel)) {
            if (!it.value().contains(subtable))
                continue;
            for (PlannedUnit unit : Planner::windows(def.name, span, request.windowNs)) {
                unit.context = subtable;
                units.append(unit);
            }
        }
    }
    return units;
}

QList<SuperTableDef> TDengine2Source::superTables(const QString &database,
                                                  const QStringList &measurements,
                                                  bool withSubtables, const CancelToken &cancel)
{
    const Selection selected = selection(database, measurements, cancel);
    QList<SuperTableDef> defs;
    for (const QString &stable : selected.whole) {
        SuperTableDef def = readableDefinition(database, stable, cancel);
        if (withSubtables)
            def.subtables = subtables(database, def, cancel);
        defs.append(def);
    }
    // Of a super table only some subtables are listed: those are created, not the others.
    for (auto it = selected.only.cbegin(); it != selected.only.cend(); ++it) {
        SuperTableDef def = readableDefinition(database, it.key(), cancel);
        if (withSubtables)
            for (const TdSubtable &subtable : subtables(database, def, cancel))
                if (it.value().contains(subtable.name))
                    def.subtables.append(subtable);
        defs.append(def);
    }
    return defs;
}

void TDengine2Source::read(const ReadUnit &unit, const PlanRequest &request,
                           const LpDialect &dialect, BatchOutput &out, const CancelToken &cancel)
{
    const SuperTableDef def = readableDefinition(request.database, unit.measurement, cancel);
    const TimeRange range{unit.start, unit.end};
    if (!unit.context.isEmpty()) {
        readSubtable(request.database, def, unit.context, range, dialect, out, cancel);
        return;
    }
    if (m_sparse) {
        readSparse(request.database, def, range, dialect, out, cancel);
        return;
    }
    // The whole super table over the window (a realtime poll): the subtables with data in it,
    // one after the other.
    for (const auto &[subtable, span] : dataSpans(request.database, def, range, cancel))
        readSubtable(request.database, def, subtable, span, dialect, out, cancel);
}

QJsonArray TDengine2Source::tagsOf(const QString &database, const SuperTableDef &def,
                                   const QString &subtable, const CancelToken &cancel)
{
    const QString key = database.toLower() + u'\n' + def.name;
    for (int attempt = 0; attempt < 2; ++attempt) {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            const auto known = m_tagsOf.constFind(key);
            if (known != m_tagsOf.constEnd()) {
                const auto it = known->constFind(subtable);
                if (it != known->constEnd())
                    return *it;
                if (attempt > 0)
                    break;
            }
        }
        // Read once, by one reader, while the others wait for it; again for subtables new since.
        std::lock_guard<std::mutex> listing(m_listMutex);
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            const auto known = m_tagsOf.constFind(key);
            if (attempt == 0 && known != m_tagsOf.constEnd() && known->contains(subtable))
                continue;
        }
        subtables(database, def, cancel);
    }
    throw Error(ErrorKind::NotFound,
                u"Subtable \"%1\" of super table \"%2\" is not in database \"%3\" any more"_s.arg(
                    subtable, def.name, database));
}

lp::Point TDengine2Source::pointOf(const QString &database, const SuperTableDef &def,
                                   const QString &subtable, const CancelToken &cancel)
{
    const qint64 factor = def.nsPerUnit;
    const QJsonArray tags = tagsOf(database, def, subtable, cancel);
    lp::Point point;
    point.measurement = def.name.toStdString();
    point.tags.emplace_back(subtableTagKey().toStdString(), subtable.toStdString());
    for (qsizetype i = 0; i < def.tags.size() && i < tags.size(); ++i) {
        const QJsonValue value = tags.at(i);
        if (value.isNull() || value.isUndefined())
            continue;
        std::string text;
        if (def.tags.at(i).type == u"TIMESTAMP"_s) {
            const auto ns = toNs(integerOf(value), factor);
            text = ns ? std::to_string(*ns) : textOf(value);
        } else if (def.tags.at(i).type == u"BOOL"_s) {
            text = boolOf(value) ? "true" : "false"; // a TDengine 3 BOOL tag takes these only
        } else {
            text = textOf(value);
        }
        point.tags.emplace_back(def.tags.at(i).name.toStdString(), std::move(text));
    }
    point.hasTime = true;
    return point;
}

void TDengine2Source::emitRow(const SuperTableDef &def, lp::Point &point, const QString &subtable,
                              const QJsonArray &row, const LpDialect &dialect, BatchOutput &out)
{
    const qint64 factor = def.nsPerUnit;
    const qint64 last = integerOf(row.at(0));
    point.fields.clear();
    QString why;
    const auto time = toNs(last, factor);
    if (!time)
        why = u"timestamp %1 (%2) is outside the nanosecond range 1677..2262"_s.arg(last).arg(
            QString::fromLatin1(QByteArray::number(factor)));
    for (qsizetype c = 1; time && c < def.columns.size(); ++c) {
        const QJsonValue v = row.at(c);
        if (v.isNull() || v.isUndefined())
            continue;
        const TdColumn &column = def.columns.at(c);
        lp::Field field;
        field.key = column.name.toStdString();
        field.type = fieldTypeOf(column.type);
        switch (field.type) {
        case FieldType::Boolean:
            field.b = boolOf(v);
            break;
        case FieldType::Unsigned:
            if (const auto u = unsignedOf(v)) {
                field.u = *u;
            } else {
                why = u"column \"%1\" holds %2, above what the REST answer can carry "
                      u"exactly (2^63)"_s.arg(column.name, QString::number(v.toDouble(), 'g', 17));
            }
            break;
        case FieldType::Float:
            field.f = TDengineRest::doubleOf(v);
            break;
        case FieldType::String:
            field.s = textOf(v);
            break;
        case FieldType::Integer:
            field.i = integerOf(v);
            if (column.type == u"TIMESTAMP"_s) {
                const auto ns = toNs(field.i, factor);
                if (!ns) {
                    why = u"column \"%1\" holds a time outside the nanosecond range"_s.arg(
                        column.name);
                    break;
                }
                field.i = *ns;
            }
            break;
        }
        point.fields.push_back(std::move(field));
    }
    if (why.isEmpty() && point.fields.empty())
        why = u"every column of the row is NULL: a point needs at least one field"_s;
    if (why.isEmpty()) {
        point.time = *time;
        QByteArray &buffer = out.buffer();
        if (lp::encodePoint(point, dialect, buffer, &why)) {
            buffer.append('\n');
            out.lineAppended();
            return;
        }
    }
    out.reject(u"%1 subtable %2 %3=%4"_s.arg(def.name, subtable, def.columns.front().name)
                   .arg(last)
                   .toUtf8(),
               why);
}

QString TDengine2Source::columnList(const SuperTableDef &def)
{
    QString columns;
    for (const TdColumn &column : def.columns)
        columns += (columns.isEmpty() ? QString() : u", "_s) + sqlName(column.name);
    return columns;
}

void TDengine2Source::readSubtable(const QString &database, const SuperTableDef &def,
                                   const QString &subtable, const TimeRange &range,
                                   const LpDialect &dialect, BatchOutput &out,
                                   const CancelToken &cancel)
{
    if (range.isEmpty())
        return;
    const qint64 factor = def.nsPerUnit;
    const QString columns = columnList(def);
    const QString ts = sqlName(def.columns.front().name);
    const QString from = u"%1.%2"_s.arg(database.toLower(), sqlName(subtable));
    const qint64 upper = ceilDiv(range.end, factor);
    // The part of every point that is the same for the whole unit.
    lp::Point point = pointOf(database, def, subtable, cancel);

    QString condition = u"%1 >= %2"_s.arg(ts).arg(ceilDiv(range.start, factor));
    for (;;) {
        if (cancel.isCancelled())
            throw Error(ErrorKind::Cancelled, u"Cancelled"_s);
        const SqlResult page = query(
            u"SELECT %1 FROM %2 WHERE %3 AND %4 < %5 LIMIT %6"_s.arg(columns, from, condition, ts)
                .arg(upper)
                .arg(kPageRows),
            cancel);
        qint64 last = 0;
        for (const QJsonValue &value : page.rows) {
            const QJsonArray row = value.toArray();
            last = integerOf(row.at(0));
            emitRow(def, point, subtable, row, dialect, out);
        }
        if (lastPage(page.rows.size()))
            break;
        condition = u"%1 > %2"_s.arg(ts).arg(last);
    }
}

qint64 TDengine2Source::rowsIn(const QString &database, const SuperTableDef &def, qint64 from,
                               qint64 to, const CancelToken &cancel)
{
    const QString ts = sqlName(def.columns.front().name);
    const SqlResult result = query(u"SELECT COUNT(*) FROM %1.%2 WHERE %3 >= %4 AND %3 < %5"_s
                                       .arg(database.toLower(), sqlName(def.name), ts)
                                       .arg(from)
                                       .arg(to),
                                   cancel);
    // No row at all for an empty window (as 2.x answers an aggregate over no data) is zero.
    return result.rows.isEmpty() ? 0 : integerOf(result.rows.at(0).toArray().at(0));
}

void TDengine2Source::readSparse(const QString &database, const SuperTableDef &def,
                                 const TimeRange &range, const LpDialect &dialect, BatchOutput &out,
                                 const CancelToken &cancel)
{
    const qint64 factor = def.nsPerUnit;
    const QString columns = columnList(def);
    const QString ts = sqlName(def.columns.front().name);
    QHash<QString, lp::Point> points; // per subtable: its tags
    // Parts of the window in the database's precision, [from, to), read in time order.
    QList<QPair<qint64, qint64>> parts{{ceilDiv(range.start, factor), ceilDiv(range.end, factor)}};
    while (!parts.isEmpty()) {
        if (cancel.isCancelled())
            throw Error(ErrorKind::Cancelled, u"Cancelled"_s);
        const auto [from, to] = parts.takeFirst();
        if (to <= from)
            continue;
        const qint64 expected = rowsIn(database, def, from, to, cancel);
        if (expected == 0)
            continue;
        if (expected <= kPageRows) {
            const SqlResult answer =
                query(u"SELECT %1, TBNAME FROM %2.%3 WHERE %4 >= %5 AND %4 < %6 LIMIT %7"_s
                          .arg(columns, database.toLower(), sqlName(def.name), ts)
                          .arg(from)
                          .arg(to)
                          .arg(kPageRows),
                      cancel);
            // Exactly the rows counted: the answer is whole. Fewer were cut by the server's row
            // limit, more arrived since the count: the part is halved and counted again.
            if (answer.rows.size() == expected) {
                const int name = answer.column(u"tbname"_s);
                if (name < 0)
                    throw Error(ErrorKind::Protocol,
                                u"%1 answered a query of super table \"%2\" with TBNAME without "
                                u"a tbname column"_s.arg(m_rest.where(), def.name));
                for (const QJsonValue &value : answer.rows) {
                    const QJsonArray row = value.toArray();
                    const QString subtable = row.at(name).toString();
                    auto it = points.find(subtable);
                    if (it == points.end())
                        it = points.insert(subtable, pointOf(database, def, subtable, cancel));
                    emitRow(def, *it, subtable, row, dialect, out);
                }
                continue;
            }
        }
        if (to - from <= 1) {
            // One instant holds more rows than a page: its subtables one by one.
            for (const auto &[subtable, span] :
                 dataSpans(database, def, TimeRange{from * factor, to * factor}, cancel))
                readSubtable(database, def, subtable, span, dialect, out, cancel);
            continue;
        }
        const qint64 middle = from + (to - from) / 2;
        parts.prepend({middle, to});
        parts.prepend({from, middle});
    }
}

QList<CountWindow> TDengine2Source::countWindows(const PlanRequest &request,
                                                 const QList<ReadUnit> &done,
                                                 const CancelToken &cancel)
{
    QList<CountWindow> windows = Source::countWindows(request, done, cancel);
    for (CountWindow &window : windows)
        window.subtable = window.context;
    return windows;
}

PointCount TDengine2Source::count(const PlanRequest &request, const CountWindow &window,
                                  const CancelToken &cancel)
{
    const SuperTableDef def = readableDefinition(request.database, window.measurement, cancel);
    const qint64 factor = def.nsPerUnit;
    QStringList selected{u"COUNT(*)"_s};
    for (qsizetype i = 1; i < def.columns.size(); ++i)
        selected.append(u"COUNT(%1)"_s.arg(sqlName(def.columns.at(i).name)));
    const QString ts = sqlName(def.columns.front().name);
    const SqlResult result =
        query(u"SELECT %1 FROM %2.%3 WHERE %4 >= %5 AND %4 < %6"_s
                  .arg(selected.join(u", "_s), request.database.toLower(),
                       sqlName(window.subtable.isEmpty() ? def.name : window.subtable), ts)
                  .arg(ceilDiv(window.start, factor))
                  .arg(ceilDiv(window.end, factor)),
              cancel);
    PointCount counted;
    counted.points = 0;
    if (result.rows.isEmpty())
        return counted;
    const QJsonArray row = result.rows.at(0).toArray();
    counted.points = integerOf(row.at(0));
    for (qsizetype i = 1; i < def.columns.size() && i < row.size(); ++i)
        if (const qint64 values = integerOf(row.at(i)); values > 0)
            counted.fields.insert(def.columns.at(i).name, values);
    return counted;
}

} // namespace tsm
