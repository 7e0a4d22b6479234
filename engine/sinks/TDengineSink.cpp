#include "sinks/TDengineSink.h"

#include "http/HttpClient.h"
#include "lp/LineParser.h"
#include "lp/LineProtocol.h"
#include "sinks/BatchBisector.h"
#include "tdengine/TDengineLimits.h"

#include <QCryptographicHash>
#include <QHash>
#include <QSet>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QVersionNumber>
#include <TimeText.h>
#include <algorithm>
#include <set>
#include <unordered_set>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

constexpr int kKeepDefaultDays = 3650;
constexpr qint64 kNsPerMinute = 60LL * 1000000000LL;
constexpr qint64 kNsPerDay = 1440LL * kNsPerMinute;

/// The oldest nanosecond time a database with this KEEP accepts now, worked out as TDengine's
/// vnode does (vnodePreProcessSubmitTbData: now − tsTickPerMin × KEEP in int64, which wraps for
/// a KEEP past keepOverflows()), so that what the sink refuses is what TDengine refuses.
qint64 oldestKept(qint64 keepMinutes)
{
    if (keepMinutes <= 0)
        return std::numeric_limits<qint64>::min();
    const quint64 span = quint64(kNsPerMinute) * quint64(keepMinutes);
    return qint64(quint64(TimeText::nowNs()) - span);
}

/// Whether TDengine's now − KEEP overflows int64 nanoseconds (a KEEP over 106751 days).
bool keepOverflows(qint64 keepMinutes)
{
    return keepMinutes > std::numeric_limits<qint64>::max() / kNsPerMinute;
}

bool refuse(QString *why, const QString &reason)
{
    if (why)
        *why = reason;
    return false;
}

/// Appends a name escaped for TDengine's schemaless tokenizer: its separators are ',' and ' '
/// (and '=' outside the measurement) unless a backslash precedes them, and it drops the
/// backslash of exactly those pairs, as InfluxDB does. The point was parsed by InfluxDB's rules,
/// which cannot yield a name holding a newline, or a backslash right before a separator or at
/// its end, so every name read that way can be written.
void appendName(lp::LineWriter &out, std::string_view name, bool measurement)
{
    out.escaped(name, !measurement);
}

/// The names of one point's tags and columns, which share one namespace in a super table:
/// looked through in place for the usual handful, hashed for wide points.
class NameSet
{
public:
    void clear()
    {
        m_names.clear();
        if (!m_hashed.empty()) // clear() zeroes every bucket, however many a wide point made
            m_hashed.clear();
    }
    /// False when `name` is already in.
    bool insert(std::string_view name)
    {
        if (m_names.size() < kLinear) {
            if (std::find(m_names.begin(), m_names.end(), name) != m_names.end())
                return false;
            m_names.push_back(name);
            return true;
        }
        if (m_hashed.empty())
            m_hashed.insert(m_names.begin(), m_names.end());
        return m_hashed.insert(name).second;
    }

private:
    static constexpr size_t kLinear = 32;
    std::vector<std::string_view> m_names;
    std::unordered_set<std::string_view> m_hashed;
};

/// Bytes a column of this field takes in a TDengine row (the smallest width schemaless writing
/// could give it; it rounds string widths up, so TDengine may refuse a row this passes).
qint64 columnBytes(const lp::Field &field)
{
    switch (field.type) {
    case FieldType::Boolean:
        return TDengineLimits::kBooleanBytes;
    case FieldType::String:
        return qint64(field.s.size()) + TDengineLimits::kVarHeader;
    case FieldType::Float:
    case FieldType::Integer:
    case FieldType::Unsigned:
        return TDengineLimits::kNumberBytes;
    }
    return TDengineLimits::kNumberBytes;
}

/// The text of an error answer: JSON "message" (schemaless endpoint), "desc" (REST), else body.
QString messageOf(const HttpResponse &response)
{
    const QJsonDocument document = QJsonDocument::fromJson(response.body);
    if (document.isObject()) {
        const QJsonObject object = document.object();
        for (const auto &key : {u"message"_s, u"desc"_s, u"err"_s}) {
            if (object.value(key).isString() && !object.value(key).toString().isEmpty())
                return object.value(key).toString();
        }
    }
    QString text = QString::fromUtf8(response.body.left(300)).simplified();
    if (text.size() > 1 && text.startsWith(u'"') && text.endsWith(u'"'))
        text = text.mid(1, text.size() - 2);
    return text;
}

/// A field's value as a TDengine SQL literal.
QString sqlLiteral(const lp::Field &field)
{
    switch (field.type) {
    case FieldType::Float:
        return QString::number(field.f, 'g', 17);
    case FieldType::Integer:
        return QString::number(field.i);
    case FieldType::Unsigned:
        return QString::number(field.u);
    case FieldType::Boolean:
        return field.b ? u"true"_s : u"false"_s;
    case FieldType::String:
        return TDengineRest::quoteString(QString::fromStdString(field.s));
    }
    return QString();
}

/// Appends the fields as TDengine's schemaless parser reads them. A string with a line break
/// goes with spaces in their place (the same length, so the column is made wide enough) and
/// its value into `sql`; with `wholeRow`, every field's value goes into `sql`.
void appendFields(lp::LineWriter &out, const std::vector<lp::Field> &fields, bool wholeRow,
                  TDengineSink::SqlStrings *sql)
{
    bool first = true;
    for (const lp::Field &field : fields) {
        if (!first)
            out.put(',');
        first = false;
        appendName(out, field.key, false);
        out.put('=');
        const bool breaks = field.type == FieldType::String && TDengineLimits::needsSql(field.s);
        if (sql && (wholeRow || breaks))
            sql->values.emplace_back(field.key, sqlLiteral(field));
        switch (field.type) {
        case FieldType::Float:
            out.floating(field.f);
            break;
        case FieldType::Integer:
            out.integer(field.i);
            break;
        case FieldType::Unsigned:
            out.unsignedInteger(field.u);
            break;
        case FieldType::Boolean:
            out.boolean(field.b);
            break;
        case FieldType::String:
            // TDengine unescapes \" and \\ inside a string, as InfluxDB does.
            if (!breaks) {
                out.string(field.s);
                break;
            }
            std::string spaced = field.s;
            std::replace_if(spaced.begin(), spaced.end(),
                            [](char c) { return c == '\n' || c == '\r'; }, ' ');
            out.string(spaced);
            break;
        }
    }
}

} // namespace

TDengineSink::TDengineSink(TDengineEndpoint endpoint, RetryPolicy retry, QString database,
                           bool createDatabase)
    : m_rest(std::move(endpoint), retry), m_database(database.toLower()),
      m_databaseAsGiven(std::move(database)), m_createDatabase(createDatabase)
{
    m_gzip = !HttpClient::isLoopback(m_rest.endpoint().baseUrl);
    m_rest.setRetryListener([this](const QString &what, const Error &error, int attempt,
                                   int delayMs) { notifyRetry(what, error, attempt, delayMs); });
}

QString TDengineSink::describe() const
{
    return u"TDengine 3 at %1, database %2"_s.arg(m_rest.endpoint().baseUrl, m_database);
}

LpDialect TDengineSink::dialect() const
{
    LpDialect dialect;
    dialect.unsignedSupported = true; // `12u` becomes BIGINT UNSIGNED
    return dialect;
}

QString TDengineSink::superTableName(const QString &measurement)
{
    QString name = measurement;
    name.replace(u'.', u'_');
    return name;
}

qint64 TDengineSink::parseKeepMinutes(const QString &keep)
{
    static const QRegularExpression part(u"^\\s*(\\d+)\\s*([dhm]?)\\s*$"_s);
    qint64 longest = -1;
    for (const QString &piece : keep.split(u',')) {
        const QRegularExpressionMatch match = part.match(piece);
        if (!match.hasMatch())
            return -1;
        const qint64 value = match.captured(1).toLongLong();
        const QString unit = match.captured(2);
        const qint64 minutes = unit == u"m"_s   ? value
                               : unit == u"h"_s ? value * 60
                                                : value * 1440; // "d", or a bare number of days
        longest = std::max(longest, minutes);
    }
    return longest;
}

QString TDengineSink::databaseNameProblem(const QString &database)
{
    static const QRegularExpression plain(u"^[A-Za-z_][A-Za-z0-9_]*$"_s);
    if (database.isEmpty())
        return u"Target database is required: TDengine needs the name of a database to write "
               u"into"_s;
    if (!plain.match(database).hasMatch() || database.toUtf8().size() > 64)
        return u"Target database \"%1\" cannot be used with TDengine: its schemaless endpoint "
               u"puts the name unquoted into \"use <name>\", so only plain names work (letters, "
               u"digits and underscores, not starting with a digit, at most 64 bytes)"_s.arg(
                   database);
    return QString();
}

int TDengineSink::maxRowBytes(const QString &version)
{
    // TSDB_MAX_BYTES_PER_ROW went from 49151 to 65531 in 3.0.5.0; an unreadable version gets
    // the smaller limit.
    const QVersionNumber number = QVersionNumber::fromString(version);
    if (number.isNull() || number < QVersionNumber({3, 0, 5, 0}))
        return 49151;
    return 65531;
}

bool TDengineSink::convertLine(std::string_view line, const Limits &limits, QByteArray &out,
                               QString *why, std::string *measurement, SqlStrings *sql)
{
    // Reused line after line: parseLine() sets every member, and the strings keep their room.
    thread_local lp::Point point;
    QString parseError;
    if (!lp::parseLine(line, point, &parseError))
        return refuse(why, u"unreadable line protocol: "_s + parseError);

    namespace td = TDengineLimits;
    if (QString problem = td::measurementProblem(point.measurement); !problem.isEmpty())
        return refuse(why, problem);
    if (point.fields.empty())
        return refuse(why, u"the point has no field"_s);

    // Tags and columns share one namespace in a super table, beside the time column _ts (and
    // the tag _tag_null that tag-less points get).
    thread_local NameSet names;
    names.clear();
    names.insert("_ts");
    if (point.tags.empty())
        names.insert("_tag_null");
    auto checkName = [&](const std::string &name, const QString &kind) {
        if (QString problem = td::columnNameProblem(name, kind); !problem.isEmpty())
            return refuse(why, problem);
        if (!names.insert(name))
            return refuse(why, td::sharedNameProblem(name, kind));
        return true;
    };

    if (QString problem = td::tagCountProblem(point.tags.size()); !problem.isEmpty())
        return refuse(why, problem);
    if (QString problem = td::columnCountProblem(point.fields.size(), point.tags.size());
        !problem.isEmpty())
        return refuse(why, problem);

    qint64 tagValueBytes = 0;
    for (const auto &[key, value] : point.tags) {
        if (!checkName(key, u"tag key"_s))
            return false;
        tagValueBytes += qint64(value.size());
    }
    if (QString problem =
            td::tagBytesProblem(td::tagBytes(tagValueBytes, point.tags.size()));
        !problem.isEmpty())
        return refuse(why, problem);

    qint64 rowBytes = td::kNumberBytes; // _ts
    for (const lp::Field &field : point.fields) {
        if (!checkName(field.key, u"field key"_s))
            return false;
        if (field.type == FieldType::String) {
            if (QString problem = td::stringProblem(field.key, field.s); !problem.isEmpty())
                return refuse(why, problem);
            if (td::needsSql(field.s) && !point.hasTime)
                return refuse(why, u"field \"%1\" holds a line break, which goes in with SQL, "
                                   u"and the point has no time to find its row by"_s.arg(
                                       td::shown(field.key)));
        }
        rowBytes += columnBytes(field);
    }
    if (QString problem = td::rowBytesProblem(rowBytes, limits.maxRowBytes);
        !problem.isEmpty())
        return refuse(why, problem);

    // Up to 1970 only KEEP limits a time (SQL takes it; see appendFields()).
    if (point.hasTime) {
        if (QString problem = point.time <= 0 ? td::keepProblem(point.time, limits.oldestNs)
                                              : td::timeProblem(point.time, limits.oldestNs);
            !problem.isEmpty())
            return refuse(why, problem);
    }

    if (measurement)
        *measurement = point.measurement;
    lp::LineWriter writer(out);
    appendName(writer, point.measurement, true);
    for (const auto &[key, value] : point.tags) {
        writer.put(',');
        appendName(writer, key, false);
        writer.put('=');
        appendName(writer, value, false);
    }
    writer.put(' ');
    // A time TDengine's schemaless parser refuses (0 is "now" there, anything before 1970 fails
    // the whole request) but SQL takes: the line makes the tables and columns at a placeholder
    // time, and SQL writes the row at its own time, then deletes the placeholder's.
    const bool bySql = point.hasTime && point.time <= 0;
    appendFields(writer, point.fields, bySql, sql);
    if (point.hasTime) {
        writer.put(' ');
        writer.timestamp(bySql ? limits.placeholderNs : point.time);
    }
    writer.finish();
    if (sql && !sql->values.empty()) {
        sql->time = point.time;
        if (bySql)
            sql->placeholder = limits.placeholderNs;
        sql->childTable = childTableName(
            superTableName(QString::fromStdString(point.measurement)), point.tags,
            limits.childTableTag);
    }
    return true;
}

QString TDengineSink::childTableName(const QString &stable,
                                     std::vector<std::pair<std::string, std::string>> tags,
                                     const std::string &tagKey)
{
    if (!tagKey.empty()) {
        for (auto it = tags.begin(); it != tags.end(); ++it) {
            if (it->first != tagKey)
                continue;
            // smlParseTableName: the value, cut to TSDB_TABLE_NAME_LEN - 1 bytes, '.' → '_'
            // (smlDot2Underline); the tag is taken out of the tags either way.
            std::string name = it->second.substr(0, TDengineLimits::kMaxTableNameBytes);
            std::replace(name.begin(), name.end(), '.', '_');
            tags.erase(it);
            if (!name.empty())
                return QString::fromStdString(name);
            break;
        }
    }
    // compareKv (tname.c): strncasecmp over the shorter key, then the shorter first.
    std::stable_sort(tags.begin(), tags.end(), [](const auto &a, const auto &b) {
        const size_t common = std::min(a.first.size(), b.first.size());
        const int order = qstrnicmp(a.first.data(), b.first.data(), common);
        return order != 0 ? order < 0 : a.first.size() < b.first.size();
    });
    QCryptographicHash md5(QCryptographicHash::Md5);
    md5.addData(stable.toUtf8());
    for (const auto &[key, value] : tags) {
        md5.addData(QByteArrayView(","));
        md5.addData(QByteArrayView(key.data(), qsizetype(key.size())));
        md5.addData(QByteArrayView("="));
        md5.addData(QByteArrayView(value.data(), qsizetype(value.size())));
    }
    return u"t_"_s + QString::fromLatin1(md5.result().toHex());
}

void TDengineSink::setChildTableTag(const QString &tag)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_childTableTag = tag;
    m_limits.childTableTag = tag.toStdString();
}

QString TDengineSink::tableNaming() const
{
    return u"TDengine's schemaless writing turns '.' into '_' in a super table's name"_s;
}

QStringList TDengineSink::namingNotes() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_childTableTag.isEmpty())
        return {u"Each measurement is a super table of its own name; its child tables are named "
                u"as TDengine names them, t_ + the MD5 of the measurement and tags"_s};
    return {u"Each measurement is a super table of its own name; its child tables are named by "
            u"the value of tag \"%1\" ('.' → '_', at most 192 bytes), which is then not stored "
            u"as a tag; points without the tag get TDengine's own name, t_ + the MD5 of the "
            u"measurement and tags"_s.arg(m_childTableTag)};
}

QString TDengineSink::serverVersion(const CancelToken &cancel)
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (!m_version.isEmpty())
            return m_version;
    }
    const SqlResult result = m_rest.query(u"SELECT SERVER_VERSION()"_s, cancel);
    if (result.rows.isEmpty() || !result.rows.at(0).toArray().at(0).isString())
        throw Error(ErrorKind::Protocol,
                    u"%1 answered SELECT SERVER_VERSION() without a version"_s.arg(where()));
    const QString version = result.rows.at(0).toArray().at(0).toString();
    std::lock_guard<std::mutex> lock(m_mutex);
    m_version = version;
    m_limits.maxRowBytes = maxRowBytes(version);
    return version;
}

std::optional<TDengineDatabaseInfo> TDengineSink::databaseInfo(const CancelToken &cancel)
{
    // SHOW DATABASES reads information_schema.ins_databases on every 3.x; its columns are
    // matched by name because releases add some.
    const SqlResult result = m_rest.query(u"SHOW DATABASES"_s, cancel);
    const int name = result.column(u"name"_s);
    const int precision = result.column(u"precision"_s);
    const int keep = result.column(u"keep"_s);
    if (name < 0 || precision < 0 || keep < 0)
        throw Error(
            ErrorKind::Protocol,
            u"%1 answered SHOW DATABASES without the columns name, precision and keep"_s.arg(
                where()));
    for (const QJsonValue &value : result.rows) {
        const QJsonArray row = value.toArray();
        if (row.at(name).toString() != m_database)
            continue;
        TDengineDatabaseInfo info;
        info.name = m_database;
        info.precision = row.at(precision).toString();
        info.keepText = row.at(keep).isString() ? row.at(keep).toString()
                                                : QString::number(row.at(keep).toInteger());
        info.keepMinutes = parseKeepMinutes(info.keepText);
        return info;
    }
    return std::nullopt;
}

QString TDengineSink::databaseSummary(const std::optional<TDengineDatabaseInfo> &info) const
{
    if (!info)
        return m_createDatabase
                   ? u"database \"%1\" will be created with precision ns"_s.arg(m_database)
                   : u"database \"%1\" does not exist"_s.arg(m_database);
    QString keep = info->keepText;
    if (info->keepMinutes > 0 && info->keepMinutes % 1440 == 0)
        keep = u"%1 days"_s.arg(info->keepMinutes / 1440);
    return u"database \"%1\" exists (precision %2, KEEP %3)"_s.arg(m_database, info->precision,
                                                                   keep);
}

ConnectionInfo TDengineSink::checkConnection(const CancelToken &cancel)
{
    ConnectionInfo info;
    info.product = u"TDengine"_s;
    info.version = serverVersion(cancel);
    info.detail = databaseNameProblem(m_databaseAsGiven);
    if (!info.detail.isEmpty())
        return info;
    const std::optional<TDengineDatabaseInfo> database = databaseInfo(cancel);
    info.detail = databaseSummary(database);
    if (database) {
        // What would stop the run, told now.
        try {
            checkPrecision(*database);
            checkKeep(*database);
        } catch (const Error &error) {
            info.detail += u"; the task cannot start: "_s + error.message();
        }
    }
    return info;
}

int TDengineSink::keepDaysToCreate() const
{
    if (!m_taskRange)
        return 0;
    const qint64 age = TimeText::nowNs() - m_taskRange->start;
    if (age < qint64(kKeepDefaultDays - 1) * kNsPerDay)
        return 0;
    // Older data needs a longer KEEP, or TDengine would refuse it now and delete it later: the
    // longest a nanosecond database can compute (TDengine accepts up to 365000 days, but then
    // now − KEEP overflows and every point is refused).
    return kMaxKeepDaysNs;
}

void TDengineSink::checkPrecision(const TDengineDatabaseInfo &info) const
{
    if (info.precision != u"ns"_s)
        throw Error(ErrorKind::Config,
                    u"Database \"%1\" on %2 has precision '%3'; InfluxDB data needs 'ns': "
                    u"writing nanosecond timestamps into it would lose sub-%4 digits and merge "
                    u"points that fall in the same %4 (the later overwrites the earlier). Use a "
                    u"database created with PRECISION 'ns' (a new name lets the task create "
                    u"one)"_s.arg(m_database, where(), info.precision,
                                  info.precision == u"us"_s ? u"microsecond"_s : u"millisecond"_s));
}

void TDengineSink::checkKeep(const TDengineDatabaseInfo &info) const
{
    if (!m_taskRange || info.keepMinutes <= 0)
        return;
    const qint64 oldest = oldestKept(info.keepMinutes);
    if (m_taskRange->start >= oldest)
        return;
    const QString keep = info.keepMinutes % 1440 == 0 ? u"%1 days"_s.arg(info.keepMinutes / 1440)
                                                      : u"%1 minutes"_s.arg(info.keepMinutes);
    if (keepOverflows(info.keepMinutes))
        throw Error(ErrorKind::Config,
                    u"Database \"%1\" on %2 has KEEP %3 with precision ns: TDengine works out "
                    u"the oldest time it accepts as now − KEEP in int64 nanoseconds, which "
                    u"overflows for a KEEP over 106751 days and then refuses points older than "
                    u"%4, and the task starts at %5. Lower the KEEP to the longest a nanosecond "
                    u"database can compute: ALTER DATABASE `%1` KEEP %6"_s
                        .arg(m_database, where(), keep, TimeText::format(oldest),
                             TimeText::format(m_taskRange->start))
                        .arg(kMaxKeepDaysNs));
    // A day of margin, so that the advice still holds when the run starts a little later.
    const qint64 advice = (oldest / kNsPerDay + 1) * kNsPerDay;
    throw Error(ErrorKind::Config,
                u"Database \"%1\" on %2 keeps data for %3 (KEEP %4): TDengine refuses points "
                u"older than %5, and the task starts at %6. Start the task at %7 or later, or "
                u"raise the database's KEEP (ALTER DATABASE `%1` KEEP %8)"_s
                    .arg(m_database, where(), keep, info.keepText, TimeText::format(oldest),
                         TimeText::format(m_taskRange->start), TimeText::format(advice))
                    .arg(kMaxKeepDaysNs));
}

void TDengineSink::prepare(const CancelToken &cancel)
{
    const QString problem = databaseNameProblem(m_databaseAsGiven);
    if (!problem.isEmpty())
        throw Error(ErrorKind::Config, problem);
    serverVersion(cancel);

    std::optional<TDengineDatabaseInfo> info = databaseInfo(cancel);
    if (!info) {
        if (!m_createDatabase)
            throw Error(
                ErrorKind::NotFound,
                u"Target database \"%1\" does not exist on %2 (tick Create database, or "
                u"create it with CREATE DATABASE %1 PRECISION 'ns')"_s.arg(m_database, where()));
        QString sql = u"CREATE DATABASE IF NOT EXISTS %1 PRECISION 'ns'"_s.arg(
            TDengineRest::quoteIdentifier(m_database));
        if (const int keep = keepDaysToCreate(); keep > 0)
            sql += u" KEEP %1"_s.arg(keep);
        m_rest.query(sql, cancel);
        info = databaseInfo(cancel);
        if (!info)
            throw Error(ErrorKind::Protocol,
                        u"%1 accepted \"%2\" but does not list the database"_s.arg(where(), sql));
    }
    checkPrecision(*info);
    checkKeep(*info);

    std::lock_guard<std::mutex> lock(m_mutex);
    m_keepMinutes = info->keepMinutes;
}

HttpResponse TDengineSink::post(const QByteArray &lines, const CancelToken &cancel)
{
    HttpRequest request;
    request.method = "POST";
    // Nanoseconds stated explicitly: an empty or unknown precision also means ns on the server,
    // but only by accident of its parser (PROTOCOLS.md §5.2). Plain body: taosAdapter hands it
    // to the schemaless parser as it is.
    QList<QPair<QByteArray, QString>> query{{"db", m_database}, {"precision", u"ns"_s}};
    {
        // taosAdapter 3.3.3.0+ (plugin/influxdb): the tag whose value names the child table.
        std::lock_guard<std::mutex> lock(m_mutex);
        if (!m_childTableTag.isEmpty())
            query.append({"table_name_key", m_childTableTag});
    }
    request.url = m_rest.url("/influxdb/v1/write", query);
    request.headers.emplaceBack("Content-Type", "text/plain; charset=utf-8");
    // taosAdapter decompresses Content-Encoding: gzip bodies; compressed once here, so that
    // retries do not compress again, and not to this machine (see InfluxLineSink).
    if (m_gzip) {
        request.headers.emplaceBack("Content-Encoding", "gzip");
        request.body = HttpClient::gzip(lines);
    } else {
        request.body = lines;
    }
    m_rest.authorize(request);

    const QString what = where();
    HttpResponse response;
    withRetries(
        m_rest.retryPolicy(), cancel,
        [&] {
            response = m_rest.pool().acquire()->perform(request, &cancel);
            const int status = response.status;
            if ((status >= 200 && status < 300) || status == 413)
                return;
            const QString message = messageOf(response);
            const int code = TDengineRest::errorCodeIn(message);
            if (status == 401 || status == 403)
                throw Error(ErrorKind::Auth,
                            u"%1 refused the credentials of user \"%2\" (%3 %4)"_s.arg(
                                what, m_rest.endpoint().user, QString::number(status), message),
                            status);
            if (status == 404)
                throw Error(ErrorKind::Protocol,
                            u"%1 has no /influxdb/v1/write (404): is this taosAdapter with its "
                            u"InfluxDB plugin enabled?"_s.arg(what),
                            404);
            if ((status == 400 || status == 500) && code >= 0) {
                switch (TDengineRest::kindOfCode(code)) {
                case ErrorKind::Auth:
                    throw Error(ErrorKind::Auth,
                                u"%1 refused the write of user \"%2\": %3"_s.arg(
                                    what, m_rest.endpoint().user, message),
                                status);
                case ErrorKind::NotFound:
                    throw Error(ErrorKind::NotFound,
                                u"Database \"%1\" does not exist on %2 (%3)"_s.arg(m_database, what,
                                                                                   message),
                                status);
                case ErrorKind::Server:
                    throw Error(ErrorKind::Server,
                                u"%1 failed (%2 %3)"_s.arg(what, QString::number(status), message),
                                status, response.retryAfterSeconds());
                default:
                    return; // about some of the lines: the caller bisects
                }
            }
            if (status == 400)
                throw Error(ErrorKind::Rejected,
                            u"%1 refused the write request (400 %2)"_s.arg(what, message), 400);
            if (status == 429 || status >= 500)
                throw Error(ErrorKind::Server,
                            u"%1 failed (%2 %3)"_s.arg(what, QString::number(status), message),
                            status, response.retryAfterSeconds());
            throw Error(ErrorKind::Protocol,
                        u"%1 answered a write with unexpected HTTP status %2 %3"_s.arg(
                            what, QString::number(status), message),
                        status);
        },
        [this, &what](const Error &error, int attempt, int delayMs) {
            notifyRetry(u"write to "_s + what, error, attempt, delayMs);
        });
    return response;
}

WriteResult TDengineSink::write(const Batch &batch, const CancelToken &cancel)
{
    WriteResult result;
    if (batch.isEmpty())
        return result;
    Limits limits;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        limits = m_limits;
        limits.oldestNs = oldestKept(m_keepMinutes);
    }

    // Every point re-encoded the way TDengine reads it, or rejected with the reason; the
    // rejects keep the line as it came, so the rejects file holds the source's points.
    Batch converted;
    converted.lines.reserve(batch.lines.size() + batch.lines.size() / 16);
    QHash<QByteArray, QByteArray> originalOf; // converted line -> line as it came, when they differ
    std::set<std::string> measurements;       // of the points to send
    std::vector<SqlPoint> sqlPoints;          // points of which some goes by SQL
    const auto spans = BatchBisector::lineSpans(batch.lines);
    const qint64 lineCount = std::min<qint64>(qint64(spans.size()), batch.points);
    for (qint64 i = 0; i < lineCount; ++i) {
        const qsizetype begin = spans[size_t(i)].first;
        // The last point takes whatever is left, should the batch hold more lines than points.
        qsizetype end = i + 1 == batch.points ? batch.lines.size() : spans[size_t(i)].second;
        while (end > begin && batch.lines.at(end - 1) == '\n')
            --end;
        const QByteArray original = batch.lines.mid(begin, end - begin);
        const qsizetype at = converted.lines.size();
        QString why;
        std::string measurement;
        SqlStrings strings;
        limits.placeholderNs = i + 1; // one a line: rejects map back to the right one
        if (!convertLine(std::string_view(original.constData(), size_t(original.size())), limits,
                         converted.lines, &why, &measurement, &strings)) {
            BatchBisector::reject(batch, i, original, why, result);
            continue;
        }
        measurements.insert(std::move(measurement));
        const QByteArray encoded = converted.lines.mid(at);
        if (!strings.values.empty())
            sqlPoints.push_back(SqlPoint{i, encoded, original, std::move(strings)});
        if (encoded != original)
            originalOf.insert(encoded, original);
        converted.lines.append('\n');
        converted.countLine(BatchBisector::unitOfLine(batch, i));
    }
    for (qint64 i = lineCount; i < batch.points; ++i)
        BatchBisector::reject(batch, i, {}, u"the batch holds fewer lines than its point count"_s,
                              result);

    {
        // A measurement first met now (following new data) must not share a super table.
        std::lock_guard<std::mutex> lock(m_mutex);
        for (const std::string &name : measurements)
            claimSuperTable(QString::fromStdString(name));
    }

    const size_t checkedRejects = result.rejects.size();
    BatchBisector::write(
        converted,
        [&](const Batch &part, WriteResult &) -> BatchBisector::Answer {
            const HttpResponse response = post(part.lines, cancel);
            if (response.status >= 200 && response.status < 300)
                return {BatchBisector::Verdict::Written, {}};
            if (response.status == 413)
                return {BatchBisector::Verdict::TooLarge,
                        u"the point alone is larger than taosAdapter accepts (413 %1)"_s.arg(
                            messageOf(response))};
            return {BatchBisector::Verdict::Refused, messageOf(response)};
        },
        result);
    if (!sqlPoints.empty())
        writeSqlStrings(batch, sqlPoints, checkedRejects, result, cancel);
    for (size_t i = checkedRejects; i < result.rejects.size(); ++i) {
        WriteResult::Reject &reject = result.rejects[i];
        reject.line = originalOf.value(reject.line, reject.line);
    }
    return result;
}

void TDengineSink::writeSqlStrings(const Batch &batch, const std::vector<SqlPoint> &sql,
                                   size_t firstReject, WriteResult &result,
                                   const CancelToken &cancel)
{
    QSet<QByteArray> refused;
    for (size_t i = firstReject; i < result.rejects.size(); ++i)
        refused.insert(result.rejects[i].line);
    for (const SqlPoint &point : sql) {
        if (refused.contains(point.sent))
            continue;
        const SqlStrings &strings = point.strings;
        QStringList columns{u"`_ts`"_s};
        QStringList values{QString::number(strings.time)};
        for (const auto &[key, literal] : strings.values) {
            columns.append(TDengineRest::quoteIdentifier(QString::fromStdString(key)));
            values.append(literal);
        }
        // The row the schemaless line just made, in the child table it made: the other columns
        // keep their values (rows of one table and time merge column by column).
        const QString table = TDengineRest::quoteIdentifier(m_database) + u'.' +
                              TDengineRest::quoteIdentifier(strings.childTable);
        try {
            m_rest.query(u"INSERT INTO %1 (%2) VALUES (%3)"_s.arg(table, columns.join(u", "_s),
                                                                  values.join(u", "_s)),
                         cancel);
            if (strings.placeholder)
                m_rest.query(u"DELETE FROM %1 WHERE `_ts` = %2"_s.arg(table).arg(
                                 *strings.placeholder),
                             cancel);
        } catch (const Error &error) {
            if (error.kind() != ErrorKind::Query && error.kind() != ErrorKind::Rejected &&
                error.kind() != ErrorKind::Config)
                throw;
            if (strings.placeholder)
                deletePlaceholder(table, *strings.placeholder, cancel);
            --result.written;
            BatchBisector::reject(
                batch, point.line, point.original,
                (strings.placeholder
                     ? u"the point's tables were made at a placeholder time, and TDengine refused "
                       u"the SQL that writes it at its own: "_s
                     : u"the point was stored with its line breaks as spaces, and TDengine "
                       u"refused the SQL that writes them as they are: "_s) +
                    error.message(),
                result);
        }
    }
}

void TDengineSink::deletePlaceholder(const QString &table, qint64 time, const CancelToken &cancel)
{
    try {
        m_rest.query(u"DELETE FROM %1 WHERE `_ts` = %2"_s.arg(table).arg(time), cancel);
    } catch (const Error &error) {
        // The point is a reject already, with the reason that counts; a refused delete leaves
        // the placeholder's row, which the reject's reason names.
        if (error.kind() != ErrorKind::Query && error.kind() != ErrorKind::Rejected)
            throw;
    }
}

void TDengineSink::claimSuperTable(const QString &measurement)
{
    const QString stable = superTableName(measurement);
    const auto found = m_measurementOf.constFind(stable);
    if (found == m_measurementOf.constEnd()) {
        m_measurementOf.insert(stable, measurement);
        return;
    }
    if (found.value() == measurement)
        return;
    const QString first = std::min(found.value(), measurement);
    const QString second = std::max(found.value(), measurement);
    throw Error(ErrorKind::Config,
                u"Measurements \"%1\" and \"%2\" would both be written to the TDengine super "
                u"table \"%3\" (TDengine's schemaless writing turns '.' into '_'), where their "
                u"fields would mix and points with the same tags and time would merge into one "
                u"row. Migrate one of them in a task of its own into another database, or leave "
                u"one out of the task's measurements"_s.arg(first, second, stable));
}

void TDengineSink::syncSchema(Source &source, const QString &database,
                              const QStringList &measurements, bool, const CancelToken &cancel)
{
    const QStringList names =
        measurements.isEmpty() ? source.listMeasurements(database, cancel) : measurements;
    std::lock_guard<std::mutex> lock(m_mutex);
    // Sorted, so that the same pair is named whatever order the source lists them in.
    QStringList sorted = names;
    sorted.sort();
    for (const QString &name : std::as_const(sorted))
        claimSuperTable(name);
}

qint64 TDengineSink::count(const QString &stable, const TimeRange &range, const CancelToken &cancel)
{
    constexpr int kTableNotExist = 0x2603;
    const QString sql =
        u"SELECT COUNT(*) FROM %1.%2 WHERE _ts >= %3 AND _ts < %4"_s
            .arg(TDengineRest::quoteIdentifier(m_database), TDengineRest::quoteIdentifier(stable))
            .arg(range.start)
            .arg(range.end);
    const SqlResult result = m_rest.query(sql, cancel, {kTableNotExist});
    if (result.code != 0 || result.rows.isEmpty())
        return 0; // no such super table, or (some releases) no row for an empty range
    return result.rows.at(0).toArray().at(0).toInteger();
}

std::optional<SuperTableDef> TDengineSink::describeTable(const QString &table,
                                                       const CancelToken &cancel)
{
    constexpr int kTableNotExist = 0x2603;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        const auto it = m_described.constFind(table);
        if (it != m_described.constEnd())
            return *it;
    }
    const SqlResult result = m_rest.query(u"DESCRIBE %1.%2"_s.arg(
                                              TDengineRest::quoteIdentifier(m_database),
                                              TDengineRest::quoteIdentifier(table)),
                                          cancel, {kTableNotExist});
    std::optional<SuperTableDef> def;
    if (result.code != kTableNotExist)
        def = superTableFromDescribe(result, table, m_rest.where());
    std::lock_guard<std::mutex> lock(m_mutex);
    m_described.insert(table, def);
    return def;
}

PointCount TDengineSink::countRows(const SuperTableDef &def, const QString &table, qint64 start,
                                   qint64 end, const CancelToken &cancel)
{
    constexpr int kTableNotExist = 0x2603;
    PointCount counted;
    counted.points = 0;
    if (def.columns.isEmpty())
        return counted;
    QStringList selected{u"COUNT(*)"_s};
    for (qsizetype i = 1; i < def.columns.size(); ++i)
        selected.append(
            u"COUNT(%1)"_s.arg(TDengineRest::quoteIdentifier(def.columns.at(i).name)));
    const QString ts = TDengineRest::quoteIdentifier(def.columns.front().name);
    const SqlResult result =
        m_rest.query(u"SELECT %1 FROM %2.%3 WHERE %4 >= %5 AND %4 < %6"_s
                         .arg(selected.join(u", "_s), TDengineRest::quoteIdentifier(m_database),
                              TDengineRest::quoteIdentifier(table), ts)
                         .arg(start)
                         .arg(end),
                     cancel, {kTableNotExist});
    if (result.code != 0 || result.rows.isEmpty())
        return counted; // no such table, or (some releases) no row for an empty range
    const QJsonArray row = result.rows.at(0).toArray();
    counted.points = row.at(0).toInteger();
    for (qsizetype i = 1; i < def.columns.size() && i < row.size(); ++i)
        if (const qint64 values = row.at(i).toInteger(); values > 0)
            counted.fields.insert(def.columns.at(i).name, values);
    return counted;
}

PointCount TDengineSink::count(const CountWindow &window, const CancelToken &cancel)
{
    const QString stable = superTableName(window.measurement);
    const std::optional<SuperTableDef> def = describeTable(stable, cancel);
    if (!def) {
        PointCount none;
        none.points = 0;
        return none;
    }
    return countRows(*def, stable, window.start, window.end, cancel);
}

TargetFacts TDengineSink::inspect(const CancelToken &cancel)
{
    TargetFacts facts;
    const QString version = serverVersion(cancel);
    facts.summary = u"TDengine %1"_s.arg(version);
    if (const QString problem = databaseNameProblem(m_databaseAsGiven); !problem.isEmpty()) {
        facts.stops.append(problem);
        return facts;
    }
    const std::optional<TDengineDatabaseInfo> info = databaseInfo(cancel);
    facts.summary += u", "_s + databaseSummary(info);
    qint64 keepMinutes = 0;
    if (info) {
        for (const auto &check : {&TDengineSink::checkPrecision, &TDengineSink::checkKeep}) {
            try {
                (this->*check)(*info);
            } catch (const Error &error) {
                facts.stops.append(error.message());
            }
        }
        keepMinutes = info->keepMinutes;
    } else if (!m_createDatabase) {
        facts.stops.append(u"Target database \"%1\" does not exist on %2 (tick Create database, or "
                           u"create it with CREATE DATABASE %1 PRECISION 'ns')"_s.arg(m_database,
                                                                                      where()));
    } else {
        const int days = keepDaysToCreate();
        keepMinutes = qint64(days > 0 ? days : kKeepDefaultDays) * 1440;
        facts.summary += u" and KEEP %1 days"_s.arg(days > 0 ? days : kKeepDefaultDays);
    }
    std::lock_guard<std::mutex> lock(m_mutex);
    m_keepMinutes = keepMinutes;
    facts.oldestNs = oldestKept(keepMinutes);
    return facts;
}

QList<TargetProblem> TDengineSink::schemaProblems(const MeasurementSchema &schema) const
{
    namespace td = TDengineLimits;
    using Outcome = TargetProblem::Outcome;
    QList<TargetProblem> problems;
    auto add = [&problems](const QString &subject, const QString &reason) {
        problems.append(TargetProblem{subject, reason, Outcome::Rejected});
    };
    const QByteArray measurement = schema.name.toUtf8();
    if (QString problem = td::measurementProblem(measurement.toStdString()); !problem.isEmpty())
        add(u"measurement"_s, problem + u"; every point of it is refused"_s);

    QSet<QString> tags(schema.tagKeys.begin(), schema.tagKeys.end());
    for (const QString &tag : schema.tagKeys) {
        const std::string key = tag.toStdString();
        if (QString problem = td::columnNameProblem(key, u"tag key"_s); !problem.isEmpty())
            add(u"tag \"%1\""_s.arg(tag), problem);
        if (tag == u"_ts"_s)
            add(u"tag \"_ts\""_s, td::sharedNameProblem(key, u"tag key"_s));
    }
    qint64 numberBytes = td::kNumberBytes; // _ts
    for (const FieldInfo &field : schema.fields) {
        const std::string key = field.name.toStdString();
        if (QString problem = td::columnNameProblem(key, u"field key"_s); !problem.isEmpty())
            add(u"field \"%1\""_s.arg(field.name), problem);
        if (field.name == u"_ts"_s || tags.contains(field.name))
            add(u"tag and field \"%1\""_s.arg(field.name),
                td::sharedNameProblem(key, u"field key"_s) +
                    u"; points that carry both are refused, and a point with the field where "
                    u"the super table has the tag (or the other way round) is refused by "
                    u"TDengine"_s);
        if (field.types.size() > 1) {
            QStringList names;
            for (FieldType type : field.types)
                names.append(fieldTypeName(type));
            add(u"field \"%1\""_s.arg(field.name),
                u"has the types %1 in different shard groups; a TDengine column has one type, "
                u"set by the first value written, and TDengine refuses the points of the other "
                u"type ([0x3002] point type and db type mismatch); nothing is converted"_s.arg(
                    names.join(u", "_s)));
        }
        // A string's width needs its values (the plan's sample); numbers take 8, booleans 1.
        if (!field.types.contains(FieldType::String))
            numberBytes += field.types == QList<FieldType>{FieldType::Boolean} ? td::kBooleanBytes
                                                                              : td::kNumberBytes;
    }
    if (QString problem = td::tagCountProblem(size_t(schema.tagKeys.size())); !problem.isEmpty())
        add(u"tags"_s, u"the measurement has %1 tag keys: a point with more than %2 is refused, "
                       u"and so is one that would take the super table past them"_s.arg(
                           schema.tagKeys.size())
                           .arg(td::kMaxTags));
    if (QString problem = td::columnCountProblem(size_t(schema.fields.size()),
                                                 size_t(schema.tagKeys.size()));
        !problem.isEmpty())
        add(u"columns"_s, u"the measurement has %1 fields and %2 tags; TDengine allows %3 "
                          u"columns in a super table, counting _ts and the tags: the points that "
                          u"would add columns past them are refused"_s.arg(schema.fields.size())
                              .arg(schema.tagKeys.size())
                              .arg(td::kMaxColumns));
    Limits limits;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        limits = m_limits;
    }
    if (QString problem = td::rowBytesProblem(numberBytes, limits.maxRowBytes); !problem.isEmpty())
        add(u"row"_s, u"all fields together need a row of %1 bytes without the strings; this "
                      u"TDengine allows %2, so points that carry most of them are refused"_s
                          .arg(numberBytes)
                          .arg(limits.maxRowBytes));
    return problems;
}

QString TDengineSink::refusal(std::string_view line) const
{
    Limits limits;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        limits = m_limits;
        limits.oldestNs = oldestKept(m_keepMinutes);
    }
    thread_local QByteArray scratch;
    scratch.clear();
    QString why;
    if (convertLine(line, limits, scratch, &why))
        return QString();
    return why;
}

} // namespace tsm
