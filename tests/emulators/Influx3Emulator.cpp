// What this emulator follows, from influxdata/influxdb (tags v3.0.0 … v3.10.1) and
// influxdata/influxdb3_core (rev c7612d1a, which 3.7 and 3.8 build with):
//
// - Auth: every path but the admin-token one is authenticated (influxdb3_server/src/http.rs,
//   route_request → authenticate): /ping needs the token too unless the server runs without
//   auth or with --disable-authz ping. No or a wrong token: 401 with an empty body.
//   validate_auth_header accepts "Bearer", "Token" and "Basic"; /query also takes p=.
// - /ping (http.rs, HttpApi::ping): 200, JSON {version, revision, process_id}; from 3.1 the
//   headers X-Influxdb-Build (Core/Enterprise) and X-Influxdb-Version; from 3.9 product_name
//   ("InfluxDB 3 Core", influxdb3_server/src/lib.rs PRODUCT_NAME) first in the body.
// - /query on 3.0–3.6 (influxdb3_server/src/http/v1.rs): QueryFormat::from_request knows
//   application/csv, text/csv, application/json, */* and none; anything else (msgpack) is
//   Error::InvalidMimeType, which IntoResponse for Error answers 500 with a text body. Every
//   QueryResponse goes out as its own chunk ending in "\r\n" (extend_with_crlf); no "partial";
//   floats go through serde_json::Number::from_f64 (100.0 prints "100.0"). One statement per
//   request (query_influxql_inner). SHOW DATABASES and SHOW RETENTION POLICIES produce no
//   iox::measurement column, so ChunkBuffer::push_row fails ("tried to push row with no
//   measurements buffered") after the 200 head: the body breaks off.
// - /query on 3.7+ (iox_v1_query_api handler.rs, response/json.rs, response/msgpack.rs,
//   value.rs): application/x-msgpack is answered, serialised with rmp_serde's default, which
//   writes structs as ARRAYS of their values; JSON chunks are written back to back with no
//   separator; ValueSerializer writes a float without fraction (100.0) as an integer in both
//   formats; partial chunks carry "partial":true on the series and the result; statement errors
//   come in a 200 answer. SHOW DATABASES is a series "databases" with column "name".
// - /api/v3/write_lp (http.rs, write_lp / write_lp_inner; influxdb3_types write.rs Precision):
//   precision defaults to auto (influxdb3_write lib.rs guess_precision: a timestamp under 5e9
//   counts as seconds, ...); 3.0–3.5 know only auto|second|millisecond|microsecond|nanosecond,
//   3.6 adds s, ms, us, u, ns, n; accept_partial defaults to true. Invalid lines
//   (write_buffer/validator.rs, v1_parse_lines_and_catalog_updates) are listed in a 400
//   {"error":"partial write of line protocol occurred","data":[{original_line, line_number,
//   error_message}]} (422 when a limit was hit); line_number counts the lines parse_lines
//   yields (blank and comment lines are skipped), from 1. From 3.9 WriteLineError's serializer
//   writes error_message, line_number, original_line, the line cut to 20 bytes.
// - /api/v2/write (http.rs route_request; influxdb3_types http.rs From<WriteParams>):
//   accept_partial is forced to false, so the first invalid line fails the request and
//   nothing is written. 3.0–3.4: 400 {"error":"parsing failed for write_lp endpoint","data":
//   {one WriteLineError}}; 3.5–3.8 (V2WriteApiError): 400 {"code":"invalid","message":"write
//   buffer error: parsing for line protocol failed"}; 3.9+: "... line protocol parse failed:
//   <error_message>" (write_buffer/mod.rs Error::ParseError).
// - Column types (influxdb3_catalog update.rs column_or_create): one type per column and
//   table; another is "invalid column type for column 'c', expected <t>, got <t>" with the
//   iox::column_type names (schema/src/lib.rs).
// - GET /api/v3/configure/database?format=json (http.rs show_databases): [{"iox::database":…}].
//
// Left out: CSV answers, limits (422), the Rust parser's own parse-error wording (the 1.x
// parser's reasons are given instead), tokens with per-database permissions, retention.
#include "emulators/Influx3Emulator.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>
#include <QRegularExpression>
#include <QTimeZone>
#include <QUuid>
#include <algorithm>
#include <cmath>
#include <msgpack.h>
#include <optional>
#include <set>

using namespace Qt::StringLiterals;

namespace tsm::test {

namespace {

using Reply = TestHttpServer::Reply;

/** One value of an answer. */
struct Cell
{
    enum Kind
    {
        Null,
        String,
        Integer,
        Unsigned,
        Float,
        Boolean
    } kind = Null;
    QString s;
    qint64 i = 0;
    quint64 u = 0;
    double f = 0;
    bool b = false;

    /// A cell of `kind` whose `field` holds `value`.
    template<typename T, typename Value> static Cell with(Kind kind, T Cell::*field, Value value)
    {
        Cell cell;
        cell.kind = kind;
        cell.*field = T(value);
        return cell;
    }
    static Cell of(const lp::Field &field)
    {
        switch (field.type) {
        case FieldType::Float:
            return with(Float, &Cell::f, field.f);
        case FieldType::Integer:
            return integer(field.i);
        case FieldType::Unsigned:
            return with(Unsigned, &Cell::u, field.u);
        case FieldType::String:
            return text(QString::fromStdString(field.s));
        case FieldType::Boolean:
            return with(Boolean, &Cell::b, field.b);
        }
        return Cell();
    }
    static Cell text(const QString &value) { return with(String, &Cell::s, value); }
    static Cell integer(qint64 value) { return with(Integer, &Cell::i, value); }
};

/** One series of an answer, possibly a piece of it. */
struct Series
{
    QString name;
    QList<QPair<QString, QString>> tags;
    QStringList columns;
    QList<QList<Cell>> rows;
    bool partial = false;
};

QByteArray jsonString(const QString &text)
{
    // QJsonDocument escapes as serde_json does for what the tests send.
    const QByteArray array = QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

QByteArray shortest(double value)
{
    return QByteArray::number(value, 'g', QLocale::FloatingPointShortest);
}

/// A value as the version's JSON encoder prints it.
QByteArray jsonCell(const Cell &cell, bool v37)
{
    switch (cell.kind) {
    case Cell::Null:
        return "null";
    case Cell::String:
        return jsonString(cell.s);
    case Cell::Integer:
        return QByteArray::number(cell.i);
    case Cell::Unsigned:
        return QByteArray::number(cell.u);
    case Cell::Boolean:
        return cell.b ? "true" : "false";
    case Cell::Float:
        if (v37 && cell.f == std::trunc(cell.f) &&
            std::fabs(cell.f) < double(std::numeric_limits<qint64>::max()))
            return QByteArray::number(qint64(cell.f)); // value.rs: 100.0 becomes 100
        if (std::isnan(cell.f))
            return "null";
        {
            // serde_json (ryu) keeps the ".0" of a whole float.
            QByteArray text = shortest(cell.f);
            if (!text.contains('.') && !text.contains('e'))
                text += ".0";
            return text;
        }
    }
    return "null";
}

/// One QueryResponse: {"results":[{"statement_id":0,"series":[…]}]}, key order as the
/// version's serializer writes it.
QByteArray jsonResponse(const QList<Series> &series, bool resultPartial, bool v37)
{
    QByteArray out = R"({"results":[{"statement_id":0)";
    if (!series.isEmpty()) {
        out += R"(,"series":[)";
        for (qsizetype s = 0; s < series.size(); ++s) {
            const Series &one = series.at(s);
            if (s > 0)
                out += ',';
            out += R"({"name":)" + jsonString(one.name);
            if (!one.tags.isEmpty()) {
                out += R"(,"tags":{)";
                for (qsizetype t = 0; t < one.tags.size(); ++t)
                    out += (t > 0 ? "," : "") + jsonString(one.tags.at(t).first) + ':' +
                           jsonString(one.tags.at(t).second);
                out += '}';
            }
            out += R"(,"columns":[)";
            for (qsizetype c = 0; c < one.columns.size(); ++c)
                out += (c > 0 ? "," : "") + jsonString(one.columns.at(c));
            out += R"(],"values":[)";
            for (qsizetype r = 0; r < one.rows.size(); ++r) {
                out += r > 0 ? ",[" : "[";
                const QList<Cell> &row = one.rows.at(r);
                for (qsizetype c = 0; c < row.size(); ++c)
                    out += (c > 0 ? "," : "") + jsonCell(row.at(c), v37);
                out += ']';
            }
            out += ']';
            if (v37 && one.partial)
                out += R"(,"partial":true)";
            out += '}';
        }
        out += ']';
    }
    if (v37 && resultPartial)
        out += R"(,"partial":true)";
    return out + "}]}";
}

int packWrite(void *data, const char *buf, size_t len)
{
    static_cast<QByteArray *>(data)->append(buf, qsizetype(len));
    return 0;
}

void packString(msgpack_packer &pk, const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    msgpack_pack_str(&pk, size_t(utf8.size()));
    msgpack_pack_str_body(&pk, utf8.constData(), size_t(utf8.size()));
}

/// One QueryResponse in msgpack as 3.7+ write it: rmp_serde's default serialises every struct
/// as an array of the fields it writes (Response = [results], StatementResult = [statement_id,
/// series?, partial?], Series = [name, tags?, columns, values, partial?]).
QByteArray msgpackResponse(const QList<Series> &series, bool resultPartial)
{
    QByteArray out;
    msgpack_packer pk;
    msgpack_packer_init(&pk, &out, packWrite);
    msgpack_pack_array(&pk, 1); // Response
    msgpack_pack_array(&pk, 1); // results
    msgpack_pack_array(&pk, 1 + (series.isEmpty() ? 0 : 1) + (resultPartial ? 1 : 0));
    msgpack_pack_uint64(&pk, 0);
    if (!series.isEmpty()) {
        msgpack_pack_array(&pk, size_t(series.size()));
        for (const Series &one : series) {
            msgpack_pack_array(&pk, 3 + (one.tags.isEmpty() ? 0 : 1) + (one.partial ? 1 : 0));
            packString(pk, one.name);
            if (!one.tags.isEmpty()) {
                msgpack_pack_map(&pk, size_t(one.tags.size()));
                for (const auto &[key, value] : one.tags) {
                    packString(pk, key);
                    packString(pk, value);
                }
            }
            msgpack_pack_array(&pk, size_t(one.columns.size()));
            for (const QString &column : one.columns)
                packString(pk, column);
            msgpack_pack_array(&pk, size_t(one.rows.size()));
            for (const QList<Cell> &row : one.rows) {
                msgpack_pack_array(&pk, size_t(row.size()));
                for (const Cell &cell : row) {
                    switch (cell.kind) {
                    case Cell::Null:
                        msgpack_pack_nil(&pk);
                        break;
                    case Cell::String:
                        packString(pk, cell.s);
                        break;
                    case Cell::Integer:
                        msgpack_pack_int64(&pk, cell.i);
                        break;
                    case Cell::Unsigned:
                        msgpack_pack_uint64(&pk, cell.u);
                        break;
                    case Cell::Boolean:
                        cell.b ? msgpack_pack_true(&pk) : msgpack_pack_false(&pk);
                        break;
                    case Cell::Float:
                        if (cell.f == std::trunc(cell.f) &&
                            std::fabs(cell.f) < double(std::numeric_limits<qint64>::max()))
                            msgpack_pack_int64(&pk, qint64(cell.f));
                        else
                            msgpack_pack_double(&pk, cell.f);
                        break;
                    }
                }
            }
            if (one.partial)
                msgpack_pack_true(&pk);
        }
    }
    if (resultPartial)
        msgpack_pack_true(&pk);
    return out;
}

QString columnTypeName(bool tag, FieldType type)
{
    if (tag)
        return u"iox::column_type::tag"_s;
    switch (type) {
    case FieldType::Float:
        return u"iox::column_type::field::float"_s;
    case FieldType::Integer:
        return u"iox::column_type::field::integer"_s;
    case FieldType::Unsigned:
        return u"iox::column_type::field::uinteger"_s;
    case FieldType::String:
        return u"iox::column_type::field::string"_s;
    case FieldType::Boolean:
        return u"iox::column_type::field::boolean"_s;
    }
    return {};
}

/// "a"."b"."c" or a.b.c, quotes and escapes removed; nullopt when it is not such a list.
std::optional<QStringList> identifiers(const QString &text)
{
    QStringList parts{QString()};
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (quoted) {
            if (c == u'\\' && i + 1 < text.size())
                parts.last() += text.at(++i);
            else if (c == u'"')
                quoted = false;
            else
                parts.last() += c;
        } else if (c == u'"') {
            quoted = true;
        } else if (c == u'.') {
            parts.append(QString());
        } else if (c.isLetterOrNumber() || c == u'_') {
            parts.last() += c;
        } else {
            return std::nullopt;
        }
    }
    if (quoted)
        return std::nullopt;
    return parts;
}

} // namespace

/** The statements the emulator answers. */
struct Influx3Emulator::Statement
{
    enum Kind
    {
        ShowDatabases,
        ShowRetentionPolicies,
        ShowMeasurements,
        ShowTagKeys,
        ShowFieldKeys,
        Select,
        Count
    } kind = ShowDatabases;
    QString database; ///< named in the statement (ON or a qualified FROM)
    QString measurement;
    qint64 start = 0;
    qint64 end = 0;
    bool descending = false;
    int limit = -1;
    bool groupByAll = false;

    /// nullopt with `error` set when the statement is not one the emulator knows.
    static std::optional<Statement> parse(const QString &q, QString *error)
    {
        static const QRegularExpression showDatabases(u"^SHOW DATABASES$"_s);
        static const QRegularExpression showPolicies(u"^SHOW RETENTION POLICIES( ON (.+))?$"_s);
        static const QRegularExpression showMeasurements(u"^SHOW MEASUREMENTS( ON (.+))?$"_s);
        static const QRegularExpression showKeys(u"^SHOW (TAG|FIELD) KEYS FROM (.+)$"_s);
        static const QRegularExpression select(
            u"^SELECT (\\*|COUNT\\(\\*\\)) FROM (.+?) WHERE time >= (-?\\d+) AND time < (-?\\d+)"
            "( GROUP BY \\*)?( ORDER BY time DESC)?( LIMIT (\\d+))?$"_s);
        Statement s;
        auto bad = [&]() -> std::optional<Statement> {
            *error = u"error parsing query: "_s + q;
            return std::nullopt;
        };
        auto from = [&](const QString &text) {
            const auto parts = identifiers(text);
            if (!parts || parts->size() > 3 || parts->last().isEmpty())
                return false;
            s.measurement = parts->last();
            if (parts->size() == 3)
                s.database = parts->first();
            return true;
        };
        QRegularExpressionMatch m;
        if (showDatabases.match(q).hasMatch()) {
            s.kind = ShowDatabases;
            return s;
        }
        if ((m = showPolicies.match(q)).hasMatch()) {
            s.kind = ShowRetentionPolicies;
            return s;
        }
        if ((m = showMeasurements.match(q)).hasMatch()) {
            s.kind = ShowMeasurements;
            if (m.hasCaptured(2)) {
                const auto parts = identifiers(m.captured(2));
                if (!parts || parts->size() != 1)
                    return bad();
                s.database = parts->first();
            }
            return s;
        }
        if ((m = showKeys.match(q)).hasMatch()) {
            s.kind = m.captured(1) == u"TAG" ? ShowTagKeys : ShowFieldKeys;
            if (!from(m.captured(2)))
                return bad();
            return s;
        }
        if ((m = select.match(q)).hasMatch()) {
            s.kind = m.captured(1) == u"*" ? Select : Count;
            if (!from(m.captured(2)))
                return bad();
            s.start = m.captured(3).toLongLong();
            s.end = m.captured(4).toLongLong();
            s.groupByAll = m.hasCaptured(5);
            s.descending = m.hasCaptured(6);
            if (m.hasCaptured(8))
                s.limit = m.captured(8).toInt();
            return s;
        }
        return bad();
    }
};

Influx3Emulator::Influx3Emulator(const QString &version, const QString &token)
    : m_version(version), m_minor(version.section(u'.', 1, 1).toInt()), m_token(token)
{
    m_server.setHandler([this](const TestHttpServer::Request &request) { return handle(request); });
}

Influx3Emulator::~Influx3Emulator() = default;

void Influx3Emulator::setEnterprise(bool enterprise)
{
    QMutexLocker locker(&m_mutex);
    m_enterprise = enterprise;
}

QStringList Influx3Emulator::load(const QString &database, const QByteArray &lines)
{
    QMutexLocker locker(&m_mutex);
    qint64 stored = 0;
    QStringList messages;
    for (const LineError &error : write(database, lines, Precision::Nanosecond, true, &stored))
        messages.append(error.message);
    return messages;
}

QList<Influx3Emulator::Point> Influx3Emulator::points(const QString &database) const
{
    QMutexLocker locker(&m_mutex);
    QList<Point> result;
    const auto db = m_databases.find(database);
    if (db == m_databases.end())
        return result;
    for (const auto &[name, table] : db->second.tables)
        for (const auto &[key, point] : table.points)
            result.append(point);
    return result;
}

bool Influx3Emulator::authorized(const TestHttpServer::Request &request) const
{
    if (request.path == "/query" && request.queryItem(u"p"_s) == m_token)
        return true;
    const QByteArray header = request.header("authorization");
    const QList<QByteArray> parts = header.split(' ');
    if (parts.size() != 2)
        return false;
    if (parts.at(0) == "Token" || parts.at(0) == "Bearer")
        return parts.at(1) == m_token.toUtf8();
    if (parts.at(0) == "Basic") {
        const QByteArray decoded = QByteArray::fromBase64(parts.at(1));
        return decoded.mid(decoded.indexOf(':') + 1) == m_token.toUtf8();
    }
    return false;
}

TestHttpServer::Reply Influx3Emulator::handle(const TestHttpServer::Request &request)
{
    if (!authorized(request))
        return Reply::empty(401);
    if (request.path == "/ping" && (request.method == "GET" || request.method == "POST"))
        return ping();
    if (request.path == "/query" && (request.method == "GET" || request.method == "POST"))
        return query(request);
    if (request.path == "/api/v3/write_lp" && request.method == "POST")
        return writeLp(request);
    if (request.path == "/api/v2/write" && request.method == "POST")
        return writeV2(request);
    if (request.path == "/api/v3/configure/database" && request.method == "GET")
        return configureDatabase(request);
    return Reply::empty(404);
}

TestHttpServer::Reply Influx3Emulator::ping() const
{
    QMutexLocker locker(&m_mutex);
    const QString product = m_enterprise ? u"InfluxDB 3 Enterprise"_s : u"InfluxDB 3 Core"_s;
    QJsonObject body{{u"version"_s, m_version},
                     {u"revision"_s, u"1f0d5c4"_s},
                     {u"process_id"_s, QUuid::createUuid().toString(QUuid::WithoutBraces)}};
    QByteArray json = QJsonDocument(body).toJson(QJsonDocument::Compact);
    if (atLeast(9)) // PingResponse gained product_name, its first field
        json = R"({"product_name":)" + jsonString(product) + ',' + json.mid(1);
    Reply reply = Reply::json(200, json);
    if (atLeast(1))
        reply.header("X-Influxdb-Build", m_enterprise ? "Enterprise" : "Core")
            .header("X-Influxdb-Version", m_version.toUtf8());
    return reply;
}

TestHttpServer::Reply
Influx3Emulator::configureDatabase(const TestHttpServer::Request &request) const
{
    // ShowDatabasesRequest has a format without default: serde_urlencoded refuses its absence.
    if (request.queryItem(u"format"_s) != u"json")
        return Reply::text(400, "serde urlencoded decoding error: missing field `format`");
    QMutexLocker locker(&m_mutex);
    QJsonArray names;
    for (const auto &[name, db] : m_databases)
        names.append(QJsonObject{{u"iox::database"_s, name}});
    return Reply::json(200, QJsonDocument(names).toJson(QJsonDocument::Compact));
}

QList<Influx3Emulator::LineError> Influx3Emulator::write(const QString &database,
                                                         const QByteArray &body,
                                                         Precision precision, bool acceptPartial,
                                                         qint64 *stored)
{
    // A copy of the catalog plays the transaction; it is kept only when lines are stored.
    Database txn = m_databases[database];
    QList<LineError> errors;
    QList<std::pair<QString, Point>> accepted; // table, point
    const size_t size = size_t(body.size());
    qint64 number = 0;
    for (size_t from = 0; from < size;) {
        const size_t end = lp::lineEnd(body.constData(), size, from);
        const std::string_view line(body.constData() + from, end - from);
        from = end + 1;
        if (lp::isBlankLine(line) || lp::isCommentLine(line))
            continue; // parse_lines skips them: they get no line number
        ++number;
        const QByteArray raw(line.data(), qsizetype(line.size()));
        auto fail = [&](const QString &message) { errors.append(LineError{raw, number, message}); };
        lp::Point point;
        QString why;
        if (!lp::parseLine(line, point, &why)) {
            fail(why);
            if (!acceptPartial)
                return errors;
            continue;
        }
        Table &table = txn.tables[QString::fromStdString(point.measurement)];
        Table before = table;
        QString error;
        auto column = [&](const QString &name, bool tag, FieldType type) {
            const auto it = table.columns.find(name);
            if (it == table.columns.end()) {
                table.columns[name] = Column{tag, type};
                return true;
            }
            if (it->second.tag == tag && (tag || it->second.type == type))
                return true;
            error = u"invalid column type for column '%1', expected %2, got %3"_s.arg(
                name, columnTypeName(it->second.tag, it->second.type), columnTypeName(tag, type));
            return false;
        };
        Point stored;
        stored.measurement = QString::fromStdString(point.measurement);
        bool ok = true;
        for (const auto &[key, value] : point.tags) {
            ok = ok && column(QString::fromStdString(key), true, FieldType::String);
            stored.tags.insert(QString::fromStdString(key), QString::fromStdString(value));
        }
        std::set<std::string> seen;
        for (const lp::Field &field : point.fields) {
            if (!ok)
                break;
            if (!seen.insert(field.key).second) {
                error = u"invalid line protocol - multiple instances of '%1' field found"_s.arg(
                    QString::fromStdString(field.key));
                ok = false;
                break;
            }
            ok = column(QString::fromStdString(field.key), false, field.type);
            stored.fields.insert(QString::fromStdString(field.key), field);
        }
        if (!ok) {
            table = before;
            fail(error);
            if (!acceptPartial)
                return errors;
            continue;
        }
        qint64 time = point.hasTime ? point.time : QDateTime::currentMSecsSinceEpoch() * 1000000;
        if (point.hasTime) {
            Precision unit = precision;
            if (unit == Precision::Auto) {
                // influxdb3_write lib.rs guess_precision
                const qint64 seconds = std::abs(time) / 1000000000;
                unit = seconds < 5         ? Precision::Second
                       : seconds < 5000    ? Precision::Millisecond
                       : seconds < 5000000 ? Precision::Microsecond
                                           : Precision::Nanosecond;
            }
            const qint64 multiplier = unit == Precision::Second        ? 1000000000
                                      : unit == Precision::Millisecond ? 1000000
                                      : unit == Precision::Microsecond ? 1000
                                                                       : 1;
            time *= multiplier;
        }
        stored.time = time;
        accepted.append({stored.measurement, stored});
    }
    if (!acceptPartial && !errors.isEmpty())
        return errors;
    for (auto &[tableName, point] : accepted) {
        QString series = tableName;
        for (auto it = point.tags.constBegin(); it != point.tags.constEnd(); ++it)
            series += u',' + it.key() + u'=' + it.value();
        Point &slot = txn.tables[tableName].points[{series, point.time}];
        if (slot.measurement.isEmpty())
            slot = point;
        else
            for (auto it = point.fields.constBegin(); it != point.fields.constEnd(); ++it)
                slot.fields.insert(it.key(), it.value());
    }
    if (!accepted.isEmpty() || m_databases.count(database) == 0)
        m_databases[database] = std::move(txn);
    *stored = accepted.size();
    return errors;
}

TestHttpServer::Reply Influx3Emulator::writeLp(const TestHttpServer::Request &request)
{
    if (request.query.isEmpty())
        return Reply::text(400, "missing query parameters for write");
    const QString database = request.queryItem(u"db"_s);
    if (!request.hasQueryItem(u"db"_s))
        return Reply::text(400, "serde urlencoded decoding error: missing field `db`");
    static const QMap<QString, Precision> full{{u"auto"_s, Precision::Auto},
                                               {u"second"_s, Precision::Second},
                                               {u"millisecond"_s, Precision::Millisecond},
                                               {u"microsecond"_s, Precision::Microsecond},
                                               {u"nanosecond"_s, Precision::Nanosecond}};
    static const QMap<QString, Precision> aliases{
        {u"s"_s, Precision::Second},       {u"ms"_s, Precision::Millisecond},
        {u"us"_s, Precision::Microsecond}, {u"u"_s, Precision::Microsecond},
        {u"ns"_s, Precision::Nanosecond},  {u"n"_s, Precision::Nanosecond}};
    Precision precision = Precision::Auto;
    if (request.hasQueryItem(u"precision"_s)) {
        const QString text = request.queryItem(u"precision"_s);
        if (full.contains(text))
            precision = full.value(text);
        else if (atLeast(6) && aliases.contains(text))
            precision = aliases.value(text);
        else
            return Reply::text(
                400, "serde urlencoded decoding error: unknown variant `" + text.toUtf8() +
                         "`, expected one of `auto`, `second`, `millisecond`, `microsecond`, "
                         "`nanosecond`");
    }
    const bool acceptPartial = request.queryItem(u"accept_partial"_s) != u"false";

    QMutexLocker locker(&m_mutex);
    qint64 stored = 0;
    const QList<LineError> errors =
        write(database, request.body, precision, acceptPartial, &stored);
    if (errors.isEmpty() && stored == 0)
        return Reply::text(400, "write buffer error: incoming write was empty");
    if (errors.isEmpty())
        return Reply::empty(204);
    auto lineError = [this](const LineError &error) {
        if (atLeast(9)) {
            // 3.9+: error_message, line_number, original_line (cut to 20 bytes)
            qsizetype cut = std::min<qsizetype>(20, error.line.size());
            while (cut > 0 && cut < error.line.size() && (uchar(error.line.at(cut)) & 0xc0) == 0x80)
                --cut; // floor_char_boundary
            return R"({"error_message":)" + jsonString(error.message) + R"(,"line_number":)" +
                   QByteArray::number(error.number) + R"(,"original_line":)" +
                   jsonString(QString::fromUtf8(error.line.left(cut))) + '}';
        }
        return R"({"original_line":)" + jsonString(QString::fromUtf8(error.line)) +
               R"(,"line_number":)" + QByteArray::number(error.number) + R"(,"error_message":)" +
               jsonString(error.message) + '}';
    };
    if (!acceptPartial)
        return Reply::json(400, R"({"error":"parsing failed for write_lp endpoint","data":)" +
                                    lineError(errors.first()) + '}');
    QByteArray data;
    for (const LineError &error : errors)
        data += (data.isEmpty() ? "" : ",") + lineError(error);
    return Reply::json(400, R"({"error":"partial write of line protocol occurred","data":[)" +
                                data + "]}");
}

TestHttpServer::Reply Influx3Emulator::writeV2(const TestHttpServer::Request &request)
{
    // iox_http's v2 parameters: bucket (the database), precision ns|us|ms|s (default ns).
    const QString database = request.queryItem(u"bucket"_s);
    if (database.isEmpty())
        return Reply::json(400, R"({"code":"invalid","message":"missing bucket value"})");
    static const QMap<QString, Precision> precisions{{u"ns"_s, Precision::Nanosecond},
                                                     {u"us"_s, Precision::Microsecond},
                                                     {u"ms"_s, Precision::Millisecond},
                                                     {u"s"_s, Precision::Second}};
    const QString text = request.queryItem(u"precision"_s);
    if (!text.isEmpty() && !precisions.contains(text))
        return Reply::json(400, R"({"code":"invalid","message":"invalid precision value"})");
    const Precision precision = text.isEmpty() ? Precision::Nanosecond : precisions.value(text);

    QMutexLocker locker(&m_mutex);
    qint64 stored = 0;
    const QList<LineError> errors = write(database, request.body, precision, false, &stored);
    if (errors.isEmpty())
        return stored > 0 ? Reply::empty(204)
                          : Reply::json(400, R"({"code":"invalid","message":"write buffer error: )"
                                             R"(incoming write was empty"})");
    const LineError &first = errors.first();
    if (!atLeast(5))
        return Reply::json(400, R"({"error":"parsing failed for write_lp endpoint","data":)"
                                R"({"original_line":)" +
                                    jsonString(QString::fromUtf8(first.line)) +
                                    R"(,"line_number":)" + QByteArray::number(first.number) +
                                    R"(,"error_message":)" + jsonString(first.message) + "}}");
    const QString message =
        atLeast(9) ? u"write buffer error: line protocol parse failed: "_s + first.message
                   : u"write buffer error: parsing for line protocol failed"_s;
    return Reply::json(400, R"({"code":"invalid","message":)" + jsonString(message) + '}');
}

TestHttpServer::Reply Influx3Emulator::query(const TestHttpServer::Request &request) const
{
    const bool v37 = atLeast(7);
    auto param = [&request](const QString &name) {
        const QString fromForm = request.method == "POST" ? request.formItem(name) : QString();
        return fromForm.isEmpty() ? request.queryItem(name) : fromForm;
    };
    const QByteArray accept = request.header("accept");
    bool msgpack = false;
    if (accept == "application/x-msgpack" && v37)
        msgpack = true;
    else if (!accept.isEmpty() && accept != "application/json" && accept != "*/*")
        // 3.0–3.6: Error::InvalidMimeType falls to IntoResponse's 500; 3.7+: HttpError::Invalid
        return v37 ? Reply::text(400, "invalid mime type (" + accept + ")")
                   : Reply::text(500, "invalid mime type (" + accept + ")");

    const QString q = param(u"q"_s).trimmed();
    const QString paramDb = param(u"db"_s);
    const bool chunked = param(u"chunked"_s) == u"true";
    const int chunkSize = param(u"chunk_size"_s).isEmpty() ? 10000 : param(u"chunk_size"_s).toInt();
    const QString epoch = param(u"epoch"_s);

    auto statementError = [v37](int status, const QString &message) {
        if (v37)
            return Reply::json(200, R"({"results":[{"statement_id":0,"error":)" +
                                        jsonString(message) + "}]}");
        return Reply::json(status, R"({"error":)" + jsonString(message) + '}');
    };
    if (q.isEmpty())
        return Reply::text(400, "missing query parameters for v1 query");
    if (q.contains(u';'))
        return statementError(400, u"InfluxQL query contained multiple statements"_s);
    QString parseError;
    const auto statement = Statement::parse(q, &parseError);
    if (!statement)
        return statementError(400, parseError);

    QMutexLocker locker(&m_mutex);
    QList<Series> answer;
    if (statement->kind == Statement::ShowDatabases ||
        statement->kind == Statement::ShowRetentionPolicies) {
        if (!v37) {
            // No iox::measurement column: the stream fails after the head went out.
            Reply reply;
            reply.header("Content-Type", "application/json");
            reply.chunks.append(QByteArray());
            reply.abortBody = true;
            return reply;
        }
        Series series;
        if (statement->kind == Statement::ShowDatabases) {
            series.name = u"databases"_s;
            series.columns = QStringList{u"name"_s};
            for (const auto &[name, db] : m_databases)
                series.rows.append({Cell::text(name)});
        } else {
            series.columns = QStringList{u"name"_s, u"duration"_s, u"shardGroupDuration"_s,
                                         u"replicaN"_s, u"default"_s};
            series.rows.append({Cell::text(u"autogen"_s), Cell::text(u"0s"_s),
                                Cell::text(u"168h0m0s"_s), Cell::integer(1), Cell{}});
            series.rows.last()[4].kind = Cell::Boolean;
            series.rows.last()[4].b = true;
        }
        answer.append(series);
    } else {
        // query_influxql_inner: a database in the statement must match db=.
        QString database = statement->database.isEmpty() ? paramDb : statement->database;
        if (!v37 && !statement->database.isEmpty() && !paramDb.isEmpty() &&
            statement->database != paramDb)
            return statementError(
                400, u"provided database in the request parameter (%1) does not match the "
                     u"database in the query (%2)"_s.arg(paramDb, statement->database));
        if (database.isEmpty())
            return statementError(400, u"database name required"_s);
        const auto db = m_databases.find(database);
        if (db == m_databases.end())
            return statementError(404, u"database not found: %1"_s.arg(database));
        const auto table = db->second.tables.find(statement->measurement);
        const Table *t = table == db->second.tables.end() ? nullptr : &table->second;
        QStringList tagKeys, fieldKeys, allKeys;
        if (t)
            for (const auto &[name, column] : t->columns) {
                (column.tag ? tagKeys : fieldKeys).append(name);
                allKeys.append(name);
            }
        switch (statement->kind) {
        case Statement::ShowMeasurements: {
            Series series;
            series.name = u"measurements"_s;
            series.columns = QStringList{u"name"_s};
            for (const auto &[name, one] : db->second.tables)
                series.rows.append({Cell::text(name)});
            if (!series.rows.isEmpty())
                answer.append(series);
            break;
        }
        case Statement::ShowTagKeys:
        case Statement::ShowFieldKeys: {
            Series series;
            series.name = statement->measurement;
            const bool tags = statement->kind == Statement::ShowTagKeys;
            series.columns =
                tags ? QStringList{u"tagKey"_s} : QStringList{u"fieldKey"_s, u"fieldType"_s};
            if (t)
                for (const auto &[name, column] : t->columns) {
                    if (column.tag != tags)
                        continue;
                    QList<Cell> row{Cell::text(name)};
                    if (!tags)
                        row.append(Cell::text(tsm::fieldTypeName(column.type)));
                    series.rows.append(row);
                }
            if (!series.rows.isEmpty())
                answer.append(series);
            break;
        }
        case Statement::Count: {
            if (!t)
                break;
            Series series;
            series.name = statement->measurement;
            series.columns.append(u"time"_s);
            QList<Cell> row{Cell::integer(statement->start)};
            for (const QString &field : std::as_const(fieldKeys)) {
                series.columns.append(u"count_"_s + field);
                qint64 count = 0;
                for (const auto &[key, point] : t->points)
                    if (point.time >= statement->start && point.time < statement->end &&
                        point.fields.contains(field))
                        ++count;
                row.append(Cell::integer(count));
            }
            series.rows.append(row);
            answer.append(series);
            break;
        }
        case Statement::Select: {
            if (!t)
                break;
            auto timeCell = [&epoch](qint64 ns) {
                if (epoch.isEmpty())
                    return Cell::text(QDateTime::fromMSecsSinceEpoch(ns / 1000000, QTimeZone::utc())
                                          .toString(Qt::ISODateWithMs));
                return Cell::integer(ns);
            };
            std::vector<const Point *> selected;
            for (const auto &[key, point] : t->points)
                if (point.time >= statement->start && point.time < statement->end)
                    selected.push_back(&point);
            if (statement->groupByAll) {
                // One series per tag set (every tag key of the table, "" where absent), in
                // the order of the tag values; columns time and the fields.
                std::map<QList<QString>, std::vector<const Point *>> sets;
                for (const Point *point : selected) {
                    QList<QString> values;
                    for (const QString &key : std::as_const(tagKeys))
                        values.append(point->tags.value(key));
                    sets[values].push_back(point);
                }
                for (auto &[values, points] : sets) {
                    std::sort(points.begin(), points.end(),
                              [](const Point *a, const Point *b) { return a->time < b->time; });
                    Series series;
                    series.name = statement->measurement;
                    for (qsizetype i = 0; i < tagKeys.size(); ++i)
                        series.tags.append({tagKeys.at(i), values.at(i)});
                    series.columns = QStringList{u"time"_s} + fieldKeys;
                    for (const Point *point : points) {
                        QList<Cell> row{timeCell(point->time)};
                        for (const QString &field : std::as_const(fieldKeys))
                            row.append(point->fields.contains(field)
                                           ? Cell::of(point->fields.value(field))
                                           : Cell{});
                        series.rows.append(row);
                    }
                    answer.append(series);
                }
            } else {
                std::sort(selected.begin(), selected.end(), [&](const Point *a, const Point *b) {
                    return statement->descending ? a->time > b->time : a->time < b->time;
                });
                if (statement->limit >= 0 && qsizetype(selected.size()) > statement->limit)
                    selected.resize(size_t(statement->limit));
                if (selected.empty())
                    break;
                Series series;
                series.name = statement->measurement;
                series.columns = QStringList{u"time"_s} + allKeys;
                for (const Point *point : selected) {
                    QList<Cell> row{timeCell(point->time)};
                    for (const auto &[name, column] : t->columns)
                        row.append(column.tag ? (point->tags.contains(name)
                                                     ? Cell::text(point->tags.value(name))
                                                     : Cell{})
                                   : point->fields.contains(name)
                                       ? Cell::of(point->fields.value(name))
                                       : Cell{});
                    series.rows.append(row);
                }
                answer.append(series);
            }
            break;
        }
        default:
            break;
        }
    }

    // The answer: one response, or (chunked) one per piece of at most chunk_size rows of one
    // series.
    QList<QByteArray> pieces;
    auto encode = [&](const QList<Series> &series, bool partial) {
        QByteArray piece =
            msgpack ? msgpackResponse(series, partial) : jsonResponse(series, partial, v37);
        if (!msgpack && !v37)
            piece += "\r\n"; // extend_with_crlf
        pieces.append(piece);
    };
    if (!chunked || answer.isEmpty()) {
        encode(answer, false);
    } else {
        for (qsizetype s = 0; s < answer.size(); ++s) {
            const Series &whole = answer.at(s);
            for (qsizetype from = 0; from < whole.rows.size() || from == 0; from += chunkSize) {
                Series piece = whole;
                piece.rows = whole.rows.mid(from, chunkSize);
                piece.partial = from + chunkSize < whole.rows.size();
                const bool last = s + 1 == answer.size() && !piece.partial;
                encode({piece}, !last);
                if (whole.rows.isEmpty())
                    break;
            }
        }
    }
    Reply reply;
    reply.header("Content-Type", msgpack ? "application/x-msgpack" : "application/json");
    reply.chunks = pieces;
    return reply;
}

} // namespace tsm::test
