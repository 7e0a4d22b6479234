// TDengine 2.x's REST interface, emulated for tests (TDengine 2.x cannot be installed here).
//
// Follows /work/shared/PROTOCOLS.md §6:
//  - POST /rest/sql, /rest/sqlt, /rest/sqlutc, each also as /<endpoint>/<db>; Basic
//    authentication (root/taosdata unless set); any other method or path is 404.
//  - Answers {"status":"succ","head":[names],"column_meta":[[name, type code, bytes]],
//    "data":[[...]],"rows":N} with the numeric type codes 1 BOOL, 2 TINYINT, 3 SMALLINT, 4 INT,
//    5 BIGINT, 6 FLOAT, 7 DOUBLE, 8 BINARY, 9 TIMESTAMP, 10 NCHAR, 11–14 unsigned TINYINT…BIGINT,
//    15 JSON; statement errors as HTTP 200 {"status":"error","code":N,"desc":"..."};
//    credentials refused with 401 and the same body.
//  - Timestamps: /rest/sqlt integers in the database's precision, /rest/sql
//    "2018-10-03 14:38:05.000" in the server's local time (UTC here); more fraction digits for
//    us and ns databases.
//  - Names: plain identifiers folded to lower case, back-quoted ones as written.
//
// Two programs serve this interface, and they write values differently; the server version
// (what SELECT SERVER_VERSION() answers) picks one, as it does in a real installation, where
// taosAdapter is part of the server from 2.4.0.0 on:
//  - taosd's built-in httpd (2.0–2.3), src/plugins/http/src of TDengine 2.x:
//    · httpRestJson.c restBuildSqlJson: BOOL shares the TINYINT case and goes out through
//      httpJsonInt, as 0 or 1; NULL is httpJsonOriginString "null" (a bare null); FLOAT and
//      DOUBLE go through httpJson.c httpJsonFloat / httpJsonDouble: "%.5f" and "%.9f", or "%.5e"
//      and "%.9e" beyond ±1e10, infinities and NaN as null. 1e-300 arrives as 0.000000000,
//      π as 3.141592654, FLOAT's maximum as 3.40282e+38.
//    · /rest/sqlutc: httpJson.c httpJsonUtcTimestamp, strftime "%Y-%m-%dT%H:%M:%S" + fraction
//      + "%z": "2018-10-03T14:38:05.000+0000" here.
//    · every answer cut at restfulRowLimit rows (10240 by default), silently (restBuildSqlJson
//      stops at tsRestRowLimit).
//  - taosAdapter (2.4 and later), github.com/taosdata/taosadapter, branch develop (2.x):
//    · tools/ctools/json.go JsonWriteRowValue: BOOL as true/false; FLOAT and DOUBLE through
//      tools/jsonbuilder/stream_float.go WriteFloat32 / WriteFloat64, strconv.AppendFloat with
//      precision -1 (the shortest text that reads back as the same float32 or float64), 'f'
//      format unless |v| < 1e-6 or >= 1e21, then 'e': 1e-300, 3.141592653589793, -0,
//      3.4028235e+38.
//    · /rest/sqlutc: controller/rest/restful.go sqlutc, Go's time.RFC3339Nano (fraction without
//      trailing zeros, "Z" for UTC).
//    · no row cap: config/config.go restfulRowLimit defaults to -1.
// Statements answered (anything else is an "invalid SQL" error, code 0x0216):
//  SELECT SERVER_VERSION(); SHOW DATABASES (name … precision … status); SHOW [db.]STABLES
//  (name, created_time, columns, tags, tables); DESCRIBE [db.]table (Field, Type, Length, Note;
//  Note "TAG" on tags); SELECT TBNAME and tags FROM stb [LIMIT n [OFFSET m]] (one row per
//  subtable: a tag query); SELECT FIRST(ts), LAST(ts) FROM stb [WHERE ts <op> N [AND …]]
//  [GROUP BY TBNAME [SLIMIT n [SOFFSET m]]] (per subtable with data, tbname last);
//  SELECT COUNT(*) | COUNT(column), … FROM stb-or-subtable [WHERE ts <op> N [AND …]];
//  SELECT * | columns FROM subtable [WHERE ts <op> N [AND …]] [LIMIT n [OFFSET m]] (ascending
//  time); SELECT columns, TBNAME, tags FROM stb [WHERE ts <op> N [AND …]] [LIMIT n [OFFSET m]]
//  (subtable by subtable, each in ascending time). Unknown database: 0x0388 "Invalid database
//  name"; unknown table: 0x0362 "Table does not exist"; a tag named in a query of a subtable's
//  rows, or a column in a tag query, is refused. Not covered: writes over REST, quoted time
//  literals, ORDER BY, INTERVAL, JOIN, Taosd tokens, gzip, the built-in httpd's string escaping
//  (only " and \ there), 2.0's answers without column_meta.
#include "emulators/TDengine2Emulator.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>
#include <QRegularExpression>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

using namespace Qt::StringLiterals;

namespace tsm::test {

namespace {

constexpr int kInvalidSql = 0x0216;
constexpr int kInvalidDb = 0x0388;
constexpr int kTableNotExist = 0x0362;
constexpr int kAuthFailure = 0x0357;

TestHttpServer::Reply error(int code, const QString &desc, int status = 200)
{
    const QJsonObject body{{u"status"_s, u"error"_s}, {u"code"_s, code}, {u"desc"_s, desc}};
    return TestHttpServer::Reply::json(status, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

int typeCode(const QString &type)
{
    static const QStringList names{u"NULL"_s,
                                   u"BOOL"_s,
                                   u"TINYINT"_s,
                                   u"SMALLINT"_s,
                                   u"INT"_s,
                                   u"BIGINT"_s,
                                   u"FLOAT"_s,
                                   u"DOUBLE"_s,
                                   u"BINARY"_s,
                                   u"TIMESTAMP"_s,
                                   u"NCHAR"_s,
                                   u"TINYINT UNSIGNED"_s,
                                   u"SMALLINT UNSIGNED"_s,
                                   u"INT UNSIGNED"_s,
                                   u"BIGINT UNSIGNED"_s,
                                   u"JSON"_s};
    return int(names.indexOf(type));
}

int typeBytes(const QString &type, int length)
{
    if (type == u"BINARY"_s || type == u"NCHAR"_s || type == u"JSON"_s)
        return length;
    if (type == u"BOOL"_s || type.startsWith(u"TINYINT"_s))
        return 1;
    if (type.startsWith(u"SMALLINT"_s))
        return 2;
    if (type.startsWith(u"INT"_s) || type == u"FLOAT"_s)
        return 4;
    return 8;
}

qint64 unitsPerMs(const QString &precision)
{
    return precision == u"ns"_s ? 1000000 : precision == u"us"_s ? 1000 : 1;
}

/// A timestamp as the endpoint shows it: 0 /rest/sql, 1 /rest/sqlt, 2 /rest/sqlutc (taosd's
/// strftime "%z" offset, or taosAdapter's RFC3339Nano when `rfc3339`).
QJsonValue timeValue(qint64 ts, const QString &precision, int format, bool rfc3339 = false)
{
    if (format == 1)
        return ts;
    const qint64 per = unitsPerMs(precision);
    qint64 ms = ts / per;
    qint64 rest = ts % per;
    if (rest < 0) {
        rest += per;
        --ms;
    }
    const QDateTime time = QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
    QString text =
        time.toString(format == 0 ? u"yyyy-MM-dd HH:mm:ss.zzz"_s : u"yyyy-MM-ddTHH:mm:ss.zzz"_s);
    if (per > 1)
        text += u"%1"_s.arg(rest, per == 1000 ? 3 : 6, 10, QLatin1Char('0'));
    if (format == 2 && rfc3339) {
        // Go's RFC3339Nano drops the fraction's trailing zeros, and the dot with the last one.
        while (text.endsWith(u'0') && text.contains(u'.'))
            text.chop(1);
        if (text.endsWith(u'.'))
            text.chop(1);
        return text + u"Z"_s;
    }
    if (format == 2)
        text += u"+0000"_s;
    return text;
}

constexpr int kBool = 1;
constexpr int kFloat = 6;
constexpr int kDouble = 7;

/// httpJson.c httpJsonFloat (taosd's built-in httpd): 5 decimals, an exponent beyond ±1e10.
QByteArray builtInFloat(float num)
{
    if (std::isinf(num) || std::isnan(num))
        return "null";
    char text[25]; // MAX_NUM_STR_SZ
    std::snprintf(text, sizeof text, num > 1E10 || num < -1E10 ? "%.5e" : "%.5f", double(num));
    return text;
}

/// httpJson.c httpJsonDouble (taosd's built-in httpd): 9 decimals, an exponent beyond ±1e10.
QByteArray builtInDouble(double num)
{
    if (std::isinf(num) || std::isnan(num))
        return "null";
    char text[25]; // MAX_NUM_STR_SZ
    std::snprintf(text, sizeof text, num > 1E10 || num < -1E10 ? "%.9e" : "%.9f", num);
    return text;
}

/// jsonbuilder WriteFloat32 / WriteFloat64 (taosAdapter): the shortest text that reads back
/// as the same value, 'e' format below 1e-6 and from 1e21.
template<typename F> QByteArray adapterFloat(F num)
{
    if (std::isinf(num) || std::isnan(num))
        return "null"; // taosAdapter fails the stream; no such value is stored here
    const F abs = std::fabs(num);
    const bool exponent = abs != 0 && (abs < F(1e-6) || abs >= F(1e21));
    char text[64];
    const auto end =
        std::to_chars(text, text + sizeof text, num,
                      exponent ? std::chars_format::scientific : std::chars_format::fixed)
            .ptr;
    return QByteArray(text, end - text);
}

const QString kName = u"(\\w+|`[^`]+`)"_s;

QString unquote(const QString &name)
{
    if (name.startsWith(u'`'))
        return name.mid(1, name.size() - 2);
    return name.toLower();
}

struct Bounds
{
    qint64 from = std::numeric_limits<qint64>::min();
    qint64 to = std::numeric_limits<qint64>::max(); ///< exclusive
};

/// "ts >= 1 AND ts < 5" on the timestamp column `ts`; false with the reason otherwise.
bool parseWhere(const QString &where, const QString &ts, Bounds &bounds, QString &problem)
{
    if (where.isEmpty())
        return true;
    static const QRegularExpression condition(
        u"^\\s*(\\w+|`[^`]+`)\\s*(>=|<=|>|<|=)\\s*(-?\\d+)\\s*$"_s);
    for (const QString &part : where.split(
             QRegularExpression(u"\\s+AND\\s+"_s, QRegularExpression::CaseInsensitiveOption))) {
        const QRegularExpressionMatch m = condition.match(part);
        if (!m.hasMatch() || unquote(m.captured(1)) != ts) {
            problem = u"invalid SQL: the emulator filters on the timestamp column %1 with "
                      u"integers only: %2"_s.arg(ts, part);
            return false;
        }
        bool ok = false;
        const qint64 v = m.captured(3).toLongLong(&ok);
        if (!ok) {
            problem = u"invalid SQL: %1"_s.arg(part);
            return false;
        }
        const QString op = m.captured(2);
        if (op == u">="_s)
            bounds.from = std::max(bounds.from, v);
        else if (op == u">"_s)
            bounds.from = std::max(bounds.from, v + 1);
        else if (op == u"<"_s)
            bounds.to = std::min(bounds.to, v);
        else if (op == u"<="_s)
            bounds.to = std::min(bounds.to, v + 1);
        else {
            bounds.from = std::max(bounds.from, v);
            bounds.to = std::min(bounds.to, v + 1);
        }
    }
    return true;
}

} // namespace

TDengine2Emulator::TDengine2Emulator(const QString &serverVersion, quint16 port)
    : m_server(port)
{
    setServerVersion(serverVersion);
    m_server.setHandler([this](const TestHttpServer::Request &request) { return handle(request); });
}

TDengine2Emulator::~TDengine2Emulator()
{
    m_server.setHandler({});
}

void TDengine2Emulator::setCredentials(const QString &user, const QString &password)
{
    QMutexLocker lock(&m_mutex);
    m_user = user;
    m_password = password;
}

void TDengine2Emulator::setServerVersion(const QString &version)
{
    QMutexLocker lock(&m_mutex);
    m_version = version;
    const QStringList parts = version.split(u'.');
    const bool before24 =
        parts.value(0).toInt() < 2 || (parts.value(0).toInt() == 2 && parts.value(1).toInt() < 4);
    m_restServer = before24 ? RestServer::BuiltInHttpd : RestServer::TaosAdapter;
    m_rowLimit = before24 ? 10240 : -1;
}

TDengine2Emulator::RestServer TDengine2Emulator::restServer() const
{
    QMutexLocker lock(&m_mutex);
    return m_restServer;
}

QByteArray TDengine2Emulator::valueText(const QJsonValue &value, int typeCode) const
{
    const bool builtIn = m_restServer == RestServer::BuiltInHttpd;
    if (value.isNull() || value.isUndefined())
        return "null";
    if (typeCode == kBool) {
        const bool b = value.isBool() ? value.toBool() : value.toInteger() != 0;
        if (builtIn)
            return b ? "1" : "0"; // restBuildSqlJson: case TSDB_DATA_TYPE_BOOL → httpJsonInt
        return b ? "true" : "false";
    }
    // Text stands for a number a QJsonValue cannot hold: "-0".
    const double number = value.isString()
                              ? std::strtod(value.toString().toLatin1().constData(), nullptr)
                              : value.toDouble();
    if (typeCode == kFloat) {
        const float f = float(number); // what a FLOAT column keeps
        return builtIn ? builtInFloat(f) : adapterFloat(f);
    }
    if (typeCode == kDouble)
        return builtIn ? builtInDouble(number) : adapterFloat(number);
    const QByteArray array = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

void TDengine2Emulator::setRowLimit(int rows)
{
    QMutexLocker lock(&m_mutex);
    m_rowLimit = rows;
}

void TDengine2Emulator::createDatabase(const QString &name, const QString &precision)
{
    QMutexLocker lock(&m_mutex);
    m_databases[name].precision = precision;
}

void TDengine2Emulator::createStable(const QString &database, const QString &name,
                                     const QList<Column> &columns, const QList<Column> &tags)
{
    QMutexLocker lock(&m_mutex);
    Stable &stable = m_databases[database].stables[name];
    stable.columns = columns;
    stable.tags = tags;
    for (QList<Column> *list : {&stable.columns, &stable.tags})
        for (Column &c : *list)
            c.length = typeBytes(c.type, c.length);
}

void TDengine2Emulator::createSubtable(const QString &database, const QString &stable,
                                       const QString &name, const QJsonArray &tags)
{
    QMutexLocker lock(&m_mutex);
    Subtable &subtable = m_databases[database].subtables[name];
    subtable.stable = stable;
    subtable.tags = tags;
}

void TDengine2Emulator::insert(const QString &database, const QString &subtable, qint64 ts,
                               const QJsonArray &values)
{
    QMutexLocker lock(&m_mutex);
    m_databases[database].subtables[subtable].rows[ts] = values;
}

QStringList TDengine2Emulator::statements() const
{
    QMutexLocker lock(&m_mutex);
    return m_statements;
}

int TDengine2Emulator::truncatedAnswers() const
{
    QMutexLocker lock(&m_mutex);
    return m_truncated;
}

TestHttpServer::Reply TDengine2Emulator::handle(const TestHttpServer::Request &request)
{
    QMutexLocker lock(&m_mutex);
    static const QRegularExpression path(u"^/rest/(sql|sqlt|sqlutc)(?:/([^/]+))?$"_s);
    const QRegularExpressionMatch route = path.match(QString::fromUtf8(request.path));
    if (!route.hasMatch() || request.method != "POST")
        return TestHttpServer::Reply::text(404, "404 page not found");
    const QByteArray header = request.header("authorization");
    const QByteArray credentials = QByteArray::fromBase64(header.mid(6).trimmed());
    const qsizetype colon = credentials.indexOf(':');
    if (!header.startsWith("Basic ") || colon <= 0 ||
        QString::fromUtf8(credentials.left(colon)) != m_user ||
        QString::fromUtf8(credentials.mid(colon + 1)) != m_password)
        return error(kAuthFailure, u"Authentication failure"_s, 401);
    const int format = route.captured(1) == u"sql"_s ? 0 : route.captured(1) == u"sqlt"_s ? 1 : 2;
    QString sql = QString::fromUtf8(request.body).trimmed();
    while (sql.endsWith(u';'))
        sql.chop(1);
    m_statements.append(sql);
    if (sql.isEmpty())
        return error(kInvalidSql, u"invalid SQL: no sql input"_s);
    return select(sql, route.captured(2).toLower(), format);
}

TestHttpServer::Reply TDengine2Emulator::select(const QString &sql, const QString &defaultDb,
                                                int timeFormat)
{
    constexpr auto ci = QRegularExpression::CaseInsensitiveOption;
    QJsonArray head, meta, data;
    auto column = [&](const QString &name, const QString &type, int bytes) {
        head.append(name);
        meta.append(QJsonArray{name, typeCode(type), bytes});
    };
    auto answer = [&]() {
        if (m_rowLimit >= 0 && data.size() > m_rowLimit) {
            while (data.size() > m_rowLimit)
                data.removeLast();
            ++m_truncated;
        }
        // Written by hand: the numbers are the server's text, not Qt's.
        QByteArray body = R"({"status":"succ","head":)";
        body += QJsonDocument(head).toJson(QJsonDocument::Compact);
        body += R"(,"column_meta":)";
        body += QJsonDocument(meta).toJson(QJsonDocument::Compact);
        body += R"(,"data":[)";
        for (qsizetype r = 0; r < data.size(); ++r) {
            const QJsonArray row = data.at(r).toArray();
            body += r == 0 ? "[" : ",[";
            for (qsizetype c = 0; c < row.size(); ++c) {
                if (c > 0)
                    body += ',';
                body += valueText(row.at(c), meta.at(c).toArray().at(1).toInt());
            }
            body += ']';
        }
        body += R"(],"rows":)" + QByteArray::number(data.size()) + '}';
        return TestHttpServer::Reply::json(200, body);
    };
    const bool rfc3339 = m_restServer == RestServer::TaosAdapter;
    auto findDb = [&](const QString &name) -> Database * {
        const auto it = m_databases.find(name);
        return it == m_databases.end() ? nullptr : &it->second;
    };

    static const QRegularExpression version(u"^SELECT\\s+SERVER_VERSION\\(\\s*\\)$"_s, ci);
    if (version.match(sql).hasMatch()) {
        column(u"server_version()"_s, u"BINARY"_s, 64);
        data.append(QJsonArray{m_version});
        return answer();
    }
    static const QRegularExpression showDatabases(u"^SHOW\\s+DATABASES$"_s, ci);
    if (showDatabases.match(sql).hasMatch()) {
        for (const auto &[name, type] :
             QList<QPair<QString, QString>>{{u"name"_s, u"BINARY"_s},
                                            {u"created_time"_s, u"TIMESTAMP"_s},
                                            {u"ntables"_s, u"INT"_s},
                                            {u"vgroups"_s, u"INT"_s},
                                            {u"replica"_s, u"SMALLINT"_s},
                                            {u"quorum"_s, u"SMALLINT"_s},
                                            {u"days"_s, u"SMALLINT"_s},
                                            {u"keep"_s, u"BINARY"_s},
                                            {u"cache(MB)"_s, u"INT"_s},
                                            {u"blocks"_s, u"INT"_s},
                                            {u"minrows"_s, u"INT"_s},
                                            {u"maxrows"_s, u"INT"_s},
                                            {u"wallevel"_s, u"TINYINT"_s},
                                            {u"fsync"_s, u"INT"_s},
                                            {u"comp"_s, u"TINYINT"_s},
                                            {u"cachelast"_s, u"TINYINT"_s},
                                            {u"precision"_s, u"BINARY"_s},
                                            {u"update"_s, u"TINYINT"_s},
                                            {u"status"_s, u"BINARY"_s}})
            column(name, type, typeBytes(type, 16));
        for (const auto &[name, db] : m_databases)
            data.append(QJsonArray{name, timeValue(0, u"ms"_s, timeFormat, rfc3339),
                                   qint64(db.subtables.size()), 1, 1, 1, 10, u"3650,3650,3650"_s,
                                   16, 6, 100, 4096, 1, 3000, 2, 0, db.precision, 0, u"ready"_s});
        return answer();
    }
    static const QRegularExpression showStables(u"^SHOW\\s+(?:%1\\.)?STABLES$"_s.arg(kName), ci);
    if (const auto m = showStables.match(sql); m.hasMatch()) {
        const QString dbName = m.captured(1).isEmpty() ? defaultDb : unquote(m.captured(1));
        const Database *db = findDb(dbName);
        if (!db)
            return error(kInvalidDb, u"Invalid database name"_s);
        column(u"name"_s, u"BINARY"_s, 192);
        column(u"created_time"_s, u"TIMESTAMP"_s, 8);
        column(u"columns"_s, u"SMALLINT"_s, 2);
        column(u"tags"_s, u"SMALLINT"_s, 2);
        column(u"tables"_s, u"INT"_s, 4);
        for (const auto &[name, stable] : db->stables) {
            int tables = 0;
            for (const auto &entry : db->subtables)
                tables += entry.second.stable == name ? 1 : 0;
            data.append(QJsonArray{name, timeValue(0, u"ms"_s, timeFormat, rfc3339),
                                   int(stable.columns.size()), int(stable.tags.size()), tables});
        }
        return answer();
    }
    static const QRegularExpression describe(u"^DESC(?:RIBE)?\\s+(?:%1\\.)?%1$"_s.arg(kName), ci);
    if (const auto m = describe.match(sql); m.hasMatch()) {
        const QString dbName = m.captured(1).isEmpty() ? defaultDb : unquote(m.captured(1));
        const Database *db = findDb(dbName);
        if (!db)
            return error(kInvalidDb, u"Invalid database name"_s);
        const QString table = unquote(m.captured(2));
        QString stableName = table;
        if (const auto sub = db->subtables.find(table); sub != db->subtables.end())
            stableName = sub->second.stable;
        const auto stable = db->stables.find(stableName);
        if (stable == db->stables.end())
            return error(kTableNotExist, u"Table does not exist"_s);
        column(u"Field"_s, u"BINARY"_s, 64);
        column(u"Type"_s, u"BINARY"_s, 16);
        column(u"Length"_s, u"INT"_s, 4);
        column(u"Note"_s, u"BINARY"_s, 8);
        for (const Column &c : stable->second.columns)
            data.append(QJsonArray{c.name, c.type, c.length, QString()});
        for (const Column &c : stable->second.tags)
            data.append(QJsonArray{c.name, c.type, c.length, u"TAG"_s});
        return answer();
    }

    static const QRegularExpression query(
        u"^SELECT\\s+(.+?)\\s+FROM\\s+(?:%1\\.)?%1(?:\\s+WHERE\\s+(.+?))?(\\s+GROUP\\s+BY\\s+"
        u"TBNAME)?(?:\\s+SLIMIT\\s+(\\d+)(?:\\s+SOFFSET\\s+(\\d+))?)?(?:\\s+LIMIT\\s+(\\d+)"
        u"(?:\\s+OFFSET\\s+(\\d+))?)?$"_s.arg(kName),
        ci | QRegularExpression::DotMatchesEverythingOption);
    const QRegularExpressionMatch m = query.match(sql);
    if (!m.hasMatch())
        return error(kInvalidSql, u"invalid SQL: %1"_s.arg(sql.left(60)));
    const QString dbName = m.captured(2).isEmpty() ? defaultDb : unquote(m.captured(2));
    Database *db = findDb(dbName);
    if (!db)
        return error(kInvalidDb, u"Invalid database name"_s);
    const QString table = unquote(m.captured(3));
    const QString where = m.captured(4);
    const bool groupByTbname = !m.captured(5).isEmpty();
    const qint64 slimit = m.captured(6).isEmpty() ? -1 : m.captured(6).toLongLong();
    const qint64 soffset = m.captured(7).toLongLong();
    const qint64 limit = m.captured(8).isEmpty() ? -1 : m.captured(8).toLongLong();
    const qint64 offset = m.captured(9).toLongLong();
    QStringList items;
    for (const QString &item : m.captured(1).split(u','))
        items.append(item.trimmed());

    // COUNT(*) and COUNT(column) of a super table or a subtable (verification).
    static const QRegularExpression countItem(u"^COUNT\\((\\*|\\w+|`[^`]+`)\\)$"_s, ci);
    if (std::all_of(items.begin(), items.end(),
                    [&](const QString &item) { return countItem.match(item).hasMatch(); })) {
        const auto subIt = db->subtables.find(table);
        const QString stableName = subIt != db->subtables.end() ? subIt->second.stable : table;
        const auto stableIt = db->stables.find(stableName);
        if (stableIt == db->stables.end())
            return error(kTableNotExist, u"Table does not exist"_s);
        const Stable &stable = stableIt->second;
        QList<int> counted; // -1 for *, else the column
        for (const QString &item : items) {
            const QString name = unquote(countItem.match(item).captured(1));
            int at = -1;
            for (int i = 0; i < stable.columns.size(); ++i)
                if (stable.columns.at(i).name == name)
                    at = i;
            if (name != u"*"_s && at < 0)
                return error(kInvalidSql, u"invalid SQL: no column \"%1\""_s.arg(name));
            counted.append(name == u"*"_s ? -1 : at);
            column(item.toLower(), u"BIGINT"_s, 8);
        }
        Bounds bounds;
        QString problem;
        if (!parseWhere(where, stable.columns.front().name, bounds, problem))
            return error(kInvalidSql, problem);
        QList<qint64> counts(counted.size(), 0);
        for (const auto &[name, sub] : db->subtables) {
            if (sub.stable != stableName || (subIt != db->subtables.end() && name != table))
                continue;
            for (auto it = sub.rows.lower_bound(bounds.from);
                 it != sub.rows.end() && it->first < bounds.to; ++it)
                for (qsizetype i = 0; i < counted.size(); ++i)
                    counts[i] += counted.at(i) <= 0 || !it->second.at(counted.at(i) - 1).isNull()
                                     ? 1
                                     : 0;
        }
        QJsonArray r;
        for (const qint64 c : counts)
            r.append(c);
        data.append(r);
        return answer();
    }

    if (const auto stableIt = db->stables.find(table); stableIt != db->stables.end()) {
        const Stable &stable = stableIt->second;
        const QString ts = stable.columns.front().name;
        static const QRegularExpression aggregate(u"^(FIRST|LAST)\\((\\w+|`[^`]+`)\\)$"_s, ci);
        const bool aggregates = std::all_of(items.begin(), items.end(), [&](const QString &item) {
            const auto a = aggregate.match(item);
            return a.hasMatch() && unquote(a.captured(2)) == ts;
        });
        if (aggregates) {
            Bounds bounds;
            QString problem;
            if (!parseWhere(where, ts, bounds, problem))
                return error(kInvalidSql, problem);
            for (const QString &item : items)
                column(item.toLower(), u"TIMESTAMP"_s, 8);
            QList<QPair<QString, QPair<qint64, qint64>>> groups;
            for (const auto &[name, sub] : db->subtables) {
                if (sub.stable != table)
                    continue;
                const auto first = sub.rows.lower_bound(bounds.from);
                if (first == sub.rows.end() || first->first >= bounds.to)
                    continue;
                auto last = sub.rows.lower_bound(bounds.to);
                --last;
                groups.append({name, {first->first, last->first}});
            }
            auto row = [&](qint64 first, qint64 last) {
                QJsonArray r;
                for (const QString &item : items)
                    r.append(
                        timeValue(item.startsWith(u"FIRST"_s, Qt::CaseInsensitive) ? first : last,
                                  db->precision, timeFormat, rfc3339));
                return r;
            };
            if (groupByTbname) {
                column(u"tbname"_s, u"BINARY"_s, 192);
                for (qsizetype i = soffset; i < groups.size(); ++i) {
                    if (slimit >= 0 && i >= soffset + slimit)
                        break;
                    QJsonArray r = row(groups.at(i).second.first, groups.at(i).second.second);
                    r.append(groups.at(i).first);
                    data.append(r);
                }
            } else if (!groups.isEmpty()) {
                qint64 first = std::numeric_limits<qint64>::max();
                qint64 last = std::numeric_limits<qint64>::min();
                for (const auto &g : groups) {
                    first = std::min(first, g.second.first);
                    last = std::max(last, g.second.second);
                }
                data.append(row(first, last));
            }
            return answer();
        }
        // Rows of a super table: columns with TBNAME and tags, which a query of a super table
        // may name beside its columns (docs-en/12-taos-sql/06-select.md of 2.x: "Wildcard",
        // SELECT * FROM meters carries the tags; "Special Keywords", TBNAME a special tag).
        // The answer goes subtable by subtable, each in ascending time, not in time order
        // overall, as that page's SELECT * FROM meters shows; the subtables here come in
        // descending name order, as its SELECT TBNAME, location FROM meters lists them.
        static const QRegularExpression plainItem(u"^(\\w+|`[^`]+`)$"_s);
        const bool rowsQuery = std::any_of(items.begin(), items.end(), [&](const QString &item) {
            const QString name = unquote(item);
            return std::any_of(stable.columns.begin(), stable.columns.end(),
                               [&](const Column &c) { return c.name == name; });
        });
        if (rowsQuery) {
            // -1 TBNAME, 0..n-1 a column, 1000 + i tag i
            QList<int> picked;
            for (const QString &item : items) {
                if (!plainItem.match(item).hasMatch())
                    return error(kInvalidSql, u"invalid SQL: the emulator reads plain columns of "
                                              u"super table %1, not \"%2\""_s.arg(table, item));
                if (item.compare(u"TBNAME"_s, Qt::CaseInsensitive) == 0) {
                    picked.append(-1);
                    continue;
                }
                const QString name = unquote(item);
                int at = -1;
                for (int i = 0; i < stable.columns.size(); ++i)
                    if (stable.columns.at(i).name == name)
                        at = i;
                for (int i = 0; at < 0 && i < stable.tags.size(); ++i)
                    if (stable.tags.at(i).name == name)
                        at = 1000 + i;
                if (at < 0)
                    return error(kInvalidSql, u"invalid SQL: invalid column name %1"_s.arg(item));
                picked.append(at);
            }
            if (groupByTbname || slimit >= 0)
                return error(kInvalidSql,
                             u"invalid SQL: the emulator groups no rows of a super table"_s);
            Bounds bounds;
            QString problem;
            if (!parseWhere(where, ts, bounds, problem))
                return error(kInvalidSql, problem);
            for (int at : picked) {
                if (at == -1)
                    column(u"tbname"_s, u"BINARY"_s, 192);
                else if (at >= 1000)
                    column(stable.tags.at(at - 1000).name, stable.tags.at(at - 1000).type,
                           stable.tags.at(at - 1000).length);
                else
                    column(stable.columns.at(at).name, stable.columns.at(at).type,
                           stable.columns.at(at).length);
            }
            qint64 index = 0;
            for (auto sub = db->subtables.rbegin(); sub != db->subtables.rend(); ++sub) {
                if (sub->second.stable != table)
                    continue;
                const auto &rows = sub->second.rows;
                for (auto it = rows.lower_bound(bounds.from);
                     it != rows.end() && it->first < bounds.to; ++it) {
                    if (index++ < offset)
                        continue;
                    if (limit >= 0 && data.size() >= limit)
                        break;
                    QJsonArray r;
                    for (int at : picked) {
                        QJsonValue v;
                        QString type;
                        if (at == -1) {
                            r.append(sub->first);
                            continue;
                        }
                        if (at >= 1000) {
                            v = sub->second.tags.at(at - 1000);
                            type = stable.tags.at(at - 1000).type;
                        } else {
                            v = at == 0 ? QJsonValue(it->first) : it->second.at(at - 1);
                            type = stable.columns.at(at).type;
                        }
                        if (type == u"TIMESTAMP"_s && !v.isNull())
                            r.append(timeValue(v.toInteger(), db->precision, timeFormat, rfc3339));
                        else
                            r.append(v);
                    }
                    data.append(r);
                }
            }
            return answer();
        }
        // A tag query: TBNAME and tags only, one row per subtable.
        QList<int> tagIndex;
        for (const QString &item : items) {
            if (item.compare(u"TBNAME"_s, Qt::CaseInsensitive) == 0) {
                tagIndex.append(-1);
                continue;
            }
            const QString name = unquote(item);
            int at = -1;
            for (int i = 0; i < stable.tags.size(); ++i)
                if (stable.tags.at(i).name == name)
                    at = i;
            if (at < 0)
                return error(kInvalidSql,
                             u"invalid SQL: the emulator answers tag queries and FIRST/LAST on "
                             u"super table %1, not \"%2\""_s.arg(table, item));
            tagIndex.append(at);
        }
        if (!where.isEmpty() || groupByTbname)
            return error(kInvalidSql, u"invalid SQL: the emulator filters no tag query"_s);
        for (int at : tagIndex) {
            if (at < 0)
                column(u"tbname"_s, u"BINARY"_s, 192);
            else
                column(stable.tags.at(at).name, stable.tags.at(at).type, stable.tags.at(at).length);
        }
        qint64 index = 0;
        for (const auto &[name, sub] : db->subtables) {
            if (sub.stable != table)
                continue;
            if (index++ < offset)
                continue;
            if (limit >= 0 && data.size() >= limit)
                break;
            QJsonArray r;
            for (int at : tagIndex) {
                if (at < 0)
                    r.append(name);
                else if (stable.tags.at(at).type == u"TIMESTAMP"_s && !sub.tags.at(at).isNull())
                    r.append(
                        timeValue(sub.tags.at(at).toInteger(), db->precision, timeFormat, rfc3339));
                else
                    r.append(sub.tags.at(at));
            }
            data.append(r);
        }
        return answer();
    }

    const auto subIt = db->subtables.find(table);
    if (subIt == db->subtables.end())
        return error(kTableNotExist, u"Table does not exist"_s);
    if (groupByTbname || slimit >= 0)
        return error(kInvalidSql, u"invalid SQL: GROUP BY TBNAME on a subtable"_s);
    const Subtable &sub = subIt->second;
    const Stable &stable = db->stables.at(sub.stable);
    QList<int> columns;
    if (items == QStringList{u"*"_s}) {
        for (int i = 0; i < stable.columns.size(); ++i)
            columns.append(i);
    } else {
        for (const QString &item : items) {
            const QString name = unquote(item);
            int at = -1;
            for (int i = 0; i < stable.columns.size(); ++i)
                if (stable.columns.at(i).name == name)
                    at = i;
            if (at < 0)
                return error(kInvalidSql,
                             u"invalid SQL: the emulator reads columns of %1, not \"%2\""_s.arg(
                                 table, item));
            columns.append(at);
        }
    }
    Bounds bounds;
    QString problem;
    if (!parseWhere(where, stable.columns.front().name, bounds, problem))
        return error(kInvalidSql, problem);
    for (int at : columns)
        column(stable.columns.at(at).name, stable.columns.at(at).type,
               stable.columns.at(at).length);
    qint64 index = 0;
    for (auto it = sub.rows.lower_bound(bounds.from); it != sub.rows.end() && it->first < bounds.to;
         ++it) {
        if (index++ < offset)
            continue;
        if (limit >= 0 && data.size() >= limit)
            break;
        QJsonArray r;
        for (int at : columns) {
            if (at == 0) {
                r.append(timeValue(it->first, db->precision, timeFormat, rfc3339));
                continue;
            }
            const QJsonValue v = it->second.at(at - 1);
            if (stable.columns.at(at).type == u"TIMESTAMP"_s && !v.isNull())
                r.append(timeValue(v.toInteger(), db->precision, timeFormat, rfc3339));
            else
                r.append(v);
        }
        data.append(r);
    }
    return answer();
}

} // namespace tsm::test
