// TDengine 3.x behind taosAdapter, emulated for tests (TDengine cannot be installed here).
//
// Follows /work/shared/PROTOCOLS.md and the real sources (taosdata/TDengine, taosdata/taosadapter;
// the file and function are named beside each rule below):
//  §5.1 REST: POST /rest/sql and /rest/sql/<db>, Basic authentication, one statement per
//       request, statement errors as HTTP 200 {"code": err & 0xffff, "desc": "..."}; missing
//       credentials 401 with code 0x1105 (checkAuth), wrong ones HTTP 200 with code 855 = 0x357
//       (the connection fails and TaosErrorResponse answers it as a statement error,
//       controller/rest); column_meta/data/rows answers, DML as affected_rows, CREATE DATABASE
//       with PRECISION and KEEP (1..365000 days whatever the precision, mndCheckDbCfg; at least
//       3 × DURATION), names: plain identifiers folded to lower case, back-quoted ones kept.
//  §5.2 schemaless: POST /influxdb/v1/write?db=&precision=, 204 on success, 400 "db required",
//       401 "no auth info found" without credentials, 500 {"code":"internal error","message":
//       "[0x<code>] <text>"} for every TDengine error, wrong credentials ([0x357]) and 0x388
//       Database not exist included (plugin/influxdb/plugin.go); gzip bodies decompressed
//       (system/main.go, on every route); precision values as the client maps them (anything
//       unknown is nanoseconds), super table per measurement with '.' replaced by '_', tags
//       always NCHAR, time column _ts, columns typed by the value (no suffix DOUBLE, i BIGINT,
//       u BIGINT UNSIGNED, "..." VARCHAR, true/false BOOL), tag-less lines get the tag
//       _tag_null, columns and tags added and widened as needed, child tables named "t_" + MD5
//       of "stable,k=v,..." with the tags sorted by key, timestamps converted to the database
//       precision (a ms database truncates nanoseconds, so points in one millisecond collide),
//       not atomic across lines.
//  Child tables: "t_" + MD5 of "stable,k1=v1,…" over the unescaped tags sorted by compareKv
//       (strncasecmp over the shorter key, then the shorter first), the stable name after
//       '.' → '_' (buildChildTableName and compareKv in source/common/src/tname.c,
//       smlSetCTableName in clientSmlLine.c); with table_name_key (taosAdapter 3.3.3.0+, the
//       client's tbnameKey) the value of that tag, cut to 192 bytes, '.' → '_', names the child
//       table and the tag is taken out of the point's tags, and a point without it gets the MD5
//       name (smlParseTableName, clientSmlLine.c). An INSERT must name an existing child table
//       exactly, so a client that computes a schemaless table's name wrongly is refused (0x2603).
//  DELETE FROM db.tb WHERE ts = N (the "Delete Data" page of the 3.x SQL reference) removes a
//       child table's rows at that time, whole.
//  SQL string escapes (90-escape.md): \' \" \\ \n \r \t are one character; \% and \_ stay two.
//  Rows of one child table and time are merged column by column, the newest value of each
//       column winning and a column the newer row lacks keeping the older value (tRowMergeImpl,
//       tdataformat.c), for schemaless and SQL rows alike; so two measurements that '.' -> '_'
//       makes one super table share its child tables and rows.
//  §5.1 Names and limits, as the client checks them (clientSmlLine.c, clientSml.c of 3.3):
//       measurement 1..192 bytes (0x20A), keys 1..64 bytes (0x21F), tag values up to 16379
//       bytes and strings up to 65517 (0x2642), tags and columns in one namespace with _ts
//       (0x263C), a field changing type within a request (0x3004 "the type is not the same like
//       before") or against the super table (0x3002 "point type and db type mismatch"), at most
//       128 tags (0x2643) and 4096 columns counting the fields, _ts and the tags, per line and
//       per super table (0x2640, smlParseLine), tag widths at most 16384 bytes (0x263D) and
//       rows at most 65531 bytes, 49151 before 3.0.5.0 (0x263E), string widths rounded up to a
//       power of two below 1024 bytes as the client sizes them. A timestamp of "0" means now;
//       any other that is <= 0 once converted to the database precision (every time up to
//       1970-01-01T00:00:00Z) refuses the whole request with 0x127 "Invalid timestamp format"
//       (smlParseInfluxTime, smlParseInfluxString).
//  KEEP: a row older than now − tsTickPerMin × KEEP is refused with 0x60B "Timestamp data out
//       of range", the product computed in int64 ticks and wrapping as it does in
//       vnodePreProcessSubmitTbData (vnodeSvr.c), so that a nanosecond database with a KEEP over
//       106751 days (365000 among them) refuses what the wrapped value says, every recent point
//       for 365000; the rows of the request before it stay written.
//  Typed tables (TDengine 2.x migrations, S22): CREATE STABLE [IF NOT EXISTS] db.stb (ts
//       TIMESTAMP, col type, …) TAGS (tag type, …) with TIMESTAMP first, BOOL, TINYINT…BIGINT
//       [UNSIGNED], FLOAT, DOUBLE, BINARY(n)/VARCHAR(n) (kept as VARCHAR), NCHAR(n), JSON (one
//       tag only), 1..128 tags of at most 16384 bytes, unique names; CREATE TABLE [IF NOT EXISTS]
//       db.tb USING db.stb TAGS (…) [ [IF NOT EXISTS] db.tb2 USING … ]… (an existing table is
//       kept with its tags); INSERT INTO db.tb [(cols)] VALUES (…)(…) [db.tb2 …]… with the
//       timestamp column required, and DESCRIBE of a child table. Values must fit their type:
//       a string for a number, a number for a string, a fraction or an out-of-range number for
//       an integer type are a syntax error (0x2600, buildSyntaxErrMsg of parseValueTokenImpl,
//       parInsertSql.c), as is a string longer than its column (0x2653), a wrong number of tag
//       values (0x2643), an unknown table (0x2603 "Table does not exist") or column (0x2602);
//       one refused value refuses the whole statement here (TDengine may keep the rows of other
//       vgroups: not covered). A timestamp before 1970 is accepted by SQL (parseTime has no
//       lower bound; only KEEP limits it).
//
// Not covered ([U] or out of scope): the i8/i16/i32/u8/u16/u32/f32 suffixes and L"", G"", B""
// values (never sent by tsmigrate; refused here as unreadable); ttl, req_id and the u/p
// parameters; whether a super table keeps a column for the table_name_key tag once a point
// without it arrives (not confirmed against a running server: here it does not, as the tag is
// never added); smlAutoChildTableNameDelimiter; Taosd token and Bearer authentication; httpCodeServerError=true; the
// future-time limit of a vnode; a parser that refuses a KEEP over 106580 days for a nanosecond
// database at CREATE (tdef.h defines TSDB_MAX_KEEP_NS; where and since when it is checked was
// not found, so CREATE follows mndCheckDbCfg); whether a submit refused for KEEP keeps the rows
// of its other tables or vgroups; the exact texts of errors TDengine words differently between
// releases; SQL beyond what tsmigrate sends: SELECT SERVER_VERSION(), SHOW DATABASES, SELECT *
// FROM information_schema.ins_databases [WHERE name = '...'], CREATE/DROP DATABASE, DESCRIBE
// db.stb and SELECT COUNT(*) [, COUNT(col)]… FROM db.stb-or-child [WHERE ts <op> N AND ...], and
// the typed tables above.
#include "emulators/TDengine3Emulator.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>
#include <QRegularExpression>
#include <QVersionNumber>
#include <algorithm>
#include <optional>
#include <set>

using namespace Qt::StringLiterals;

namespace tsm::test {

// ---- TDengine's codes and limits ----
namespace {

constexpr int kDbAlreadyExist = 0x0381;
constexpr int kInvalidDbOption = 0x0382;
constexpr int kDbNotExist = 0x0388;
constexpr int kAuthFailure = 0x0357;
constexpr int kTableIdLength = 0x020A;
constexpr int kColumnLength = 0x021F;
constexpr int kSyntaxError = 0x2600;
constexpr int kTableNotExist = 0x2603;
constexpr int kDbNotSpecified = 0x2616;
constexpr int kDuplicatedColumn = 0x263C;
constexpr int kTagsLength = 0x263D;
constexpr int kRowLength = 0x263E;
constexpr int kTooManyColumns = 0x2640;
constexpr int kVarColumnLength = 0x2642;
constexpr int kTimestampOutOfRange = 0x060B;
constexpr int kInvalidTimestamp = 0x0127;
constexpr int kSmlInvalidData = 0x3002;
constexpr int kSmlNotSameType = 0x3004;
constexpr int kStableAlreadyExist = 0x0360;
constexpr int kTableAlreadyExist = 0x2601;
constexpr int kInvalidColumn = 0x2602;
constexpr int kValueTooLong = 0x2653;
constexpr int kInvalidTagsNum = 0x2643; // TSDB_CODE_PAR_INVALID_TAGS_NUM (taoserror.h)
constexpr int kNoAuthInfo = 0x1105;     // taosAdapter's HTTP_NO_AUTH_INFO (httperror/errors.go)

constexpr qsizetype kMaxTableName = 192;
constexpr qsizetype kMaxColumnName = 64;
constexpr qsizetype kMaxTagValue = (65519 - 2) / 4;
constexpr qsizetype kMaxVarchar = 65519 - 2;
constexpr int kMaxTags = 128;
constexpr int kMaxColumns = 4096;
constexpr int kMaxTagsBytes = 16384;

/** A TDengine error: code (low 16 bits) and text. */
struct TdError
{
    int code = 0;
    QString text;
};

QByteArray adapterMessage(const TdError &error)
{
    // taosAdapter's TaosError: "[0x%x] %s".
    return "[0x" + QByteArray::number(error.code, 16) + "] " + error.text.toUtf8();
}

TestHttpServer::Reply restError(const TdError &error, int status = 200)
{
    QJsonObject body{{u"code"_s, error.code}, {u"desc"_s, error.text}};
    return TestHttpServer::Reply::json(status, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

TestHttpServer::Reply writeError(const TdError &error)
{
    QJsonObject body{{u"code"_s, u"internal error"_s},
                     {u"message"_s, QString::fromUtf8(adapterMessage(error))}};
    return TestHttpServer::Reply::json(500, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

/// smlFindNearestPowerOf2 of 3.3: the width schemaless writing gives a string of `length`.
int varWidth(qsizetype length, bool nchar)
{
    qsizetype result = 1;
    if (length >= 1024) {
        result = length;
    } else {
        while (result <= length)
            result <<= 1;
    }
    const qsizetype cap = nchar ? kMaxTagValue : kMaxVarchar;
    return int(std::min(result, cap));
}

QString typeName(FieldType type)
{
    switch (type) {
    case FieldType::Float:
        return u"DOUBLE"_s;
    case FieldType::Integer:
        return u"BIGINT"_s;
    case FieldType::Unsigned:
        return u"BIGINT UNSIGNED"_s;
    case FieldType::String:
        return u"VARCHAR"_s;
    case FieldType::Boolean:
        return u"BOOL"_s;
    }
    return QString();
}

int rowBytes(const TDengine3Emulator::Column &column)
{
    if (column.type == u"VARCHAR"_s)
        return column.length + 2;
    if (column.type == u"NCHAR"_s)
        return column.length * 4 + 2;
    if (column.type == u"BOOL"_s)
        return 1;
    return 8;
}

qint64 precisionFactor(const QString &precision)
{
    return precision == u"ms"_s ? 1000000 : precision == u"us"_s ? 1000 : 1;
}

QString formatTimestamp(qint64 value, const QString &precision)
{
    const qint64 factor = precisionFactor(precision);
    const qint64 ns = value * factor;
    qint64 ms = ns / 1000000;
    qint64 rest = ns % 1000000;
    if (rest < 0) {
        rest += 1000000;
        --ms;
    }
    const QDateTime time = QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
    const QString base = time.toString(u"yyyy-MM-ddTHH:mm:ss.zzz"_s);
    if (precision == u"ms"_s)
        return base + u'Z';
    if (precision == u"us"_s)
        return base + u"%1Z"_s.arg(rest / 1000, 3, 10, QLatin1Char('0'));
    return base + u"%1Z"_s.arg(rest, 6, 10, QLatin1Char('0'));
}

/// The oldest timestamp (in the database's precision) a write may carry, as
/// vnodePreProcessSubmitTbData (source/dnode/vnode/src/vnd/vnodeSvr.c) computes it:
/// now − tsTickPerMin[precision] × keep2, in int64 ticks. For nanoseconds the product overflows
/// past 153,722,867 minutes (106,751 days); TDengine's arithmetic wraps and so does this one, so
/// that `PRECISION 'ns' KEEP 365000` puts the oldest time in the 22nd century (cf. TDengine
/// issue #8301, the same overflow in 2.x's tsdbScanAndConvertSubmitMsg).
qint64 oldestKeptTick(const QString &precision, qint64 keepMinutes, qint64 nowMs)
{
    const qint64 ticksPerMs = precision == u"ms"_s ? 1 : precision == u"us"_s ? 1000 : 1000000;
    const quint64 span = quint64(ticksPerMs) * 60000u * quint64(keepMinutes);
    return qint64(quint64(nowMs) * quint64(ticksPerMs) - span);
}

QString duration(int minutes, bool inMinutes)
{
    if (inMinutes || minutes % 1440 != 0)
        return u"%1m"_s.arg(minutes);
    return u"%1d"_s.arg(minutes / 1440);
}

} // namespace

// ---- a small SQL reader: just what tsmigrate sends ----
namespace sqlread {

struct Token
{
    enum Kind
    {
        Word,
        Quoted, ///< `back-quoted`
        String, ///< 'single-quoted', unescaped
        Number, ///< digits, an optional sign and an optional unit ("3650d")
        Symbol,
    } kind = Word;
    QString text;
};

bool tokenize(const QString &sql, QList<Token> &tokens, QString &problem)
{
    qsizetype i = 0;
    const qsizetype n = sql.size();
    while (i < n) {
        const QChar c = sql.at(i);
        if (c.isSpace()) {
            ++i;
            continue;
        }
        if (c == u'`') {
            const qsizetype end = sql.indexOf(u'`', i + 1);
            if (end < 0) {
                problem = sql.mid(i);
                return false;
            }
            tokens.append({Token::Quoted, sql.mid(i + 1, end - i - 1)});
            i = end + 1;
            continue;
        }
        if (c == u'\'' || c == u'"') {
            QString text;
            qsizetype j = i + 1;
            for (; j < n && sql.at(j) != c; ++j) {
                if (sql.at(j) == u'\\' && j + 1 < n) {
                    ++j;
                    const QChar e = sql.at(j);
                    // 90-escape.md (S22): \% and \_ are LIKE wildcards escaped, and stay two
                    // characters anywhere else.
                    if (e == u'%' || e == u'_')
                        text += u'\\';
                    text += e == u'n' ? u'\n' : e == u't' ? u'\t' : e == u'r' ? u'\r' : e;
                    continue;
                }
                text += sql.at(j);
            }
            if (j >= n) {
                problem = sql.mid(i);
                return false;
            }
            tokens.append({Token::String, text});
            i = j + 1;
            continue;
        }
        const bool sign = (c == u'-' || c == u'+') && i + 1 < n && sql.at(i + 1).isDigit();
        if (c.isDigit() || sign) {
            qsizetype j = i + 1;
            // Digits, a unit ("3650d"), a fraction and an exponent ("-1.5e+20").
            while (j < n && (sql.at(j).isDigit() || sql.at(j).isLetter() || sql.at(j) == u'.' ||
                             ((sql.at(j) == u'+' || sql.at(j) == u'-') &&
                              (sql.at(j - 1) == u'e' || sql.at(j - 1) == u'E'))))
                ++j;
            tokens.append({Token::Number, sql.mid(i, j - i)});
            i = j;
            continue;
        }
        if (c.isLetter() || c == u'_') {
            qsizetype j = i + 1;
            while (j < n && (sql.at(j).isLetterOrNumber() || sql.at(j) == u'_'))
                ++j;
            tokens.append({Token::Word, sql.mid(i, j - i)});
            i = j;
            continue;
        }
        for (const auto &symbol : {u">="_s, u"<="_s, u"!="_s, u"<>"_s}) {
            if (sql.mid(i, 2) == symbol) {
                tokens.append({Token::Symbol, symbol});
                i += 2;
                goto next;
            }
        }
        if (QStringLiteral(".,()*=<>;").contains(c)) {
            tokens.append({Token::Symbol, QString(c)});
            ++i;
            continue;
        }
        problem = sql.mid(i);
        return false;
    next:;
    }
    return true;
}

/** Reads tokens front to back; every match advances, a failed one does not. */
class Cursor
{
public:
    explicit Cursor(const QList<Token> &tokens) : m_tokens(tokens) {}

    bool word(const QString &keyword)
    {
        if (m_at < m_tokens.size() && m_tokens.at(m_at).kind == Token::Word &&
            m_tokens.at(m_at).text.compare(keyword, Qt::CaseInsensitive) == 0) {
            ++m_at;
            return true;
        }
        return false;
    }
    bool symbol(const QString &text)
    {
        if (m_at < m_tokens.size() && m_tokens.at(m_at).kind == Token::Symbol &&
            m_tokens.at(m_at).text == text) {
            ++m_at;
            return true;
        }
        return false;
    }
    /// A name: plain ones folded to lower case, back-quoted ones as written.
    std::optional<QString> name()
    {
        if (m_at >= m_tokens.size())
            return std::nullopt;
        const Token &t = m_tokens.at(m_at);
        if (t.kind == Token::Quoted) {
            ++m_at;
            return t.text;
        }
        if (t.kind == Token::Word) {
            ++m_at;
            return t.text.toLower();
        }
        return std::nullopt;
    }
    std::optional<QString> string()
    {
        if (m_at < m_tokens.size() && m_tokens.at(m_at).kind == Token::String)
            return m_tokens.at(m_at++).text;
        return std::nullopt;
    }
    std::optional<QString> number()
    {
        if (m_at < m_tokens.size() && m_tokens.at(m_at).kind == Token::Number)
            return m_tokens.at(m_at++).text;
        return std::nullopt;
    }
    bool atEnd()
    {
        symbol(u";"_s);
        return m_at >= m_tokens.size();
    }
    QString here() const { return m_at < m_tokens.size() ? m_tokens.at(m_at).text : QString(); }
    void skip() { ++m_at; }

private:
    const QList<Token> &m_tokens;
    qsizetype m_at = 0;
};

} // namespace sqlread
using namespace sqlread;

namespace {

/// "3650", "3650d", "87600h", "5256000m" in minutes; -1 when not a duration.
qint64 durationMinutes(const QString &text)
{
    static const QRegularExpression pattern(u"^(\\d+)([dhm]?)$"_s);
    const QRegularExpressionMatch match = pattern.match(text);
    if (!match.hasMatch())
        return -1;
    const qint64 value = match.captured(1).toLongLong();
    const QString unit = match.captured(2);
    return unit == u"m"_s ? value : unit == u"h"_s ? value * 60 : value * 1440;
}

} // namespace

// ---- state ----

struct TDengine3Emulator::StableDef
{
    QList<Column> columns; ///< _ts first
    QList<Column> tags;

    int columnIndex(const QString &name) const
    {
        for (int i = 0; i < columns.size(); ++i)
            if (columns.at(i).name == name)
                return i;
        return -1;
    }
    int tagIndex(const QString &name) const
    {
        for (int i = 0; i < tags.size(); ++i)
            if (tags.at(i).name == name)
                return i;
        return -1;
    }
};

struct TDengine3Emulator::ChildTable
{
    QString stable;
    QMap<QString, QString> tags;
    std::map<qint64, QMap<QString, lp::Field>> rows;
};

struct TDengine3Emulator::Database
{
    QString name;
    QString precision = u"ns"_s;
    int keepMinutes = 3650 * 1440;
    int durationMinutes = 10 * 1440;
    qint64 createdMs = 0;
    std::map<QString, StableDef> stables;
    std::map<QString, ChildTable> children;
};

TDengine3Emulator::TDengine3Emulator(quint16 port) : m_server(port)
{
    m_server.setHandler([this](const TestHttpServer::Request &request) { return handle(request); });
}

TDengine3Emulator::~TDengine3Emulator()
{
    m_server.setHandler({});
}

void TDengine3Emulator::setCredentials(const QString &user, const QString &password)
{
    QMutexLocker lock(&m_mutex);
    m_user = user;
    m_password = password;
}

void TDengine3Emulator::setVersion(const QString &version)
{
    QMutexLocker lock(&m_mutex);
    m_version = version;
}

void TDengine3Emulator::createDatabase(const QString &name, const QString &precision, int keepDays)
{
    QMutexLocker lock(&m_mutex);
    auto database = std::make_unique<Database>();
    database->name = name;
    database->precision = precision;
    database->keepMinutes = keepDays * 1440;
    database->durationMinutes = std::min(10 * 1440, std::max(1440, database->keepMinutes / 3));
    database->createdMs = QDateTime::currentMSecsSinceEpoch();
    m_databases[name] = std::move(database);
}

void TDengine3Emulator::failNext(int count, int status, int retryAfterSeconds,
                                 const QByteArray &pathPrefix)
{
    QMutexLocker lock(&m_mutex);
    m_failures.append({count, status, retryAfterSeconds, pathPrefix});
}

QStringList TDengine3Emulator::databases() const
{
    QMutexLocker lock(&m_mutex);
    QStringList names;
    for (const auto &entry : m_databases)
        names.append(entry.first);
    return names;
}

QStringList TDengine3Emulator::stables(const QString &database) const
{
    QMutexLocker lock(&m_mutex);
    QStringList names;
    const auto it = m_databases.find(database);
    if (it != m_databases.end())
        for (const auto &entry : it->second->stables)
            names.append(entry.first);
    return names;
}

QList<TDengine3Emulator::Column> TDengine3Emulator::columns(const QString &database,
                                                            const QString &stable) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_databases.find(database);
    if (it == m_databases.end())
        return {};
    const auto st = it->second->stables.find(stable);
    if (st == it->second->stables.end())
        return {};
    return st->second.columns + st->second.tags;
}

QList<TDengine3Emulator::Row> TDengine3Emulator::rows(const QString &database,
                                                      const QString &stable) const
{
    QMutexLocker lock(&m_mutex);
    QList<Row> result;
    const auto it = m_databases.find(database);
    if (it == m_databases.end())
        return result;
    for (const auto &[name, child] : it->second->children) {
        if (child.stable != stable)
            continue;
        for (const auto &[ts, values] : child.rows) {
            Row row;
            row.childTable = name;
            row.tags = child.tags;
            row.tags.remove(u"_tag_null"_s);
            row.ts = ts;
            row.values = values;
            result.append(row);
        }
    }
    return result;
}

qint64 TDengine3Emulator::rowCount(const QString &database) const
{
    QMutexLocker lock(&m_mutex);
    qint64 count = 0;
    const auto it = m_databases.find(database);
    if (it != m_databases.end())
        for (const auto &entry : it->second->children)
            count += qint64(entry.second.rows.size());
    return count;
}

int TDengine3Emulator::writeRequests() const
{
    QMutexLocker lock(&m_mutex);
    return m_writeRequests;
}

int TDengine3Emulator::gzipWriteRequests() const
{
    QMutexLocker lock(&m_mutex);
    return m_gzipWriteRequests;
}

int TDengine3Emulator::storingWriteRequests() const
{
    QMutexLocker lock(&m_mutex);
    return m_storingWriteRequests;
}

QStringList TDengine3Emulator::statements() const
{
    QMutexLocker lock(&m_mutex);
    return m_statements;
}

QString TDengine3Emulator::childTableName(const QString &stable,
                                          const QList<QPair<QByteArray, QByteArray>> &tags)
{
    QList<QPair<QByteArray, QByteArray>> sorted = tags;
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto &a, const auto &b) {
        // compareKv: strncasecmp over the shorter length, then the shorter first.
        const qsizetype common = std::min(a.first.size(), b.first.size());
        const int order = qstrnicmp(a.first.constData(), b.first.constData(), size_t(common));
        return order != 0 ? order < 0 : a.first.size() < b.first.size();
    });
    QCryptographicHash md5(QCryptographicHash::Md5);
    md5.addData(stable.toUtf8());
    for (const auto &[key, value] : sorted) {
        md5.addData(QByteArrayView(","));
        md5.addData(key);
        md5.addData(QByteArrayView("="));
        md5.addData(value);
    }
    return u"t_"_s + QString::fromLatin1(md5.result().toHex());
}

// ---- HTTP ----

bool TDengine3Emulator::authorized(const TestHttpServer::Request &request, bool &sent) const
{
    const QByteArray header = request.header("authorization");
    sent = header.startsWith("Basic ");
    if (!sent)
        return false;
    const QByteArray credentials = QByteArray::fromBase64(header.mid(6).trimmed());
    const qsizetype colon = credentials.indexOf(':');
    return colon > 0 && QString::fromUtf8(credentials.left(colon)) == m_user &&
           QString::fromUtf8(credentials.mid(colon + 1)) == m_password;
}

TestHttpServer::Reply TDengine3Emulator::handle(const TestHttpServer::Request &request)
{
    QMutexLocker lock(&m_mutex);
    for (Failure &failure : m_failures) {
        if (failure.count > 0 && request.path.startsWith(failure.pathPrefix)) {
            --failure.count;
            if (request.path.startsWith("/influxdb/"))
                ++m_writeRequests;
            TestHttpServer::Reply reply = TestHttpServer::Reply::text(
                failure.status,
                failure.status == 503 ? "\"memory exceeds threshold\"" : "\"too many requests\"");
            if (failure.retryAfter >= 0)
                reply.header("Retry-After", QByteArray::number(failure.retryAfter));
            return reply;
        }
    }
    if (request.path == "/influxdb/v1/write")
        return write(request);
    if (request.path == "/rest/sql" || request.path.startsWith("/rest/sql/"))
        return sql(request);
    return TestHttpServer::Reply::text(404, "404 page not found");
}

TestHttpServer::Reply TDengine3Emulator::write(const TestHttpServer::Request &request)
{
    ++m_writeRequests;
    // taosAdapter's router decompresses Content-Encoding: gzip bodies of every request
    // (system/main.go, gin-contrib/gzip's DefaultDecompressHandle); TestHttpServer does the same.
    if (request.bodyWasGzip)
        ++m_gzipWriteRequests;
    if (request.method != "POST")
        return TestHttpServer::Reply::text(404, "404 page not found");
    // plugin/influxdb/plugin.go of taosAdapter: no credentials at all is 401; wrong ones are
    // found only when the connection is made (commonpool.GetConnection), and that error is
    // answered 500 "internal error" with TDengine's code, like any other.
    bool sent = false;
    if (!authorized(request, sent)) {
        if (!sent)
            return TestHttpServer::Reply::json(
                401, R"({"code":"forbidden","message":"no auth info found"})");
        return writeError({kAuthFailure, u"Authentication failure"_s});
    }
    const QString dbName = request.queryItem(u"db"_s);
    if (dbName.isEmpty())
        return TestHttpServer::Reply::json(
            400,
            R"({"code":"not found","message":"db required","op":"get db query","err":"db required","line":0})");
    // taosAdapter concatenates db raw into "use <db>": a plain name is folded to lower case.
    static const QRegularExpression plain(u"^[A-Za-z_][A-Za-z0-9_]*$"_s);
    if (!plain.match(dbName).hasMatch())
        return writeError({kSyntaxError, u"syntax error near \"%1\""_s.arg(dbName)});
    const auto found = m_databases.find(dbName.toLower());
    if (found == m_databases.end())
        return writeError({kDbNotExist, u"Database not exist"_s});
    Database &db = *found->second;

    // smlPrecisionConvert: u/μ, ms, s, m, h; anything else (ns, us, n, empty) is nanoseconds.
    const QString precision = request.queryItem(u"precision"_s);
    qint64 toNs = 1;
    if (precision == u"u"_s || precision == u"μ"_s)
        toNs = 1000;
    else if (precision == u"ms"_s)
        toNs = 1000000;
    else if (precision == u"s"_s)
        toNs = 1000000000;
    else if (precision == u"m"_s)
        toNs = 60LL * 1000000000;
    else if (precision == u"h"_s)
        toNs = 3600LL * 1000000000;
    const qint64 dbFactor = precisionFactor(db.precision);
    const qint64 nowNs = QDateTime::currentMSecsSinceEpoch() * 1000000;

    // 1. Parse every line first: one bad line fails the whole request, nothing is written.
    struct Line
    {
        lp::Point point;
        QString stable;
        QString childName; ///< from table_name_key; empty: the MD5 name
        qint64 ts = 0;     ///< database precision
    };
    // taosAdapter 3.3.3.0+ hands table_name_key to the client as tbnameKey
    // (plugin/influxdb/plugin.go); smlParseTableName (clientSmlLine.c) takes that tag's value,
    // cut to 192 bytes and '.' → '_', as the child table's name and removes the tag from the
    // point's tags; an empty value leaves the MD5 name.
    const std::string tbnameKey = request.queryItem(u"table_name_key"_s).toStdString();
    std::vector<Line> lines;
    const QList<QByteArray> rawLines = request.body.split('\n');
    int lineNumber = 0;
    for (const QByteArray &raw : rawLines) {
        ++lineNumber;
        // The raw body is cut at every newline, inside quotes too; '#' starts a comment.
        if (raw.isEmpty() || raw.startsWith('#'))
            continue;
        if (raw.endsWith('\r'))
            return writeError(
                {kSmlInvalidData,
                 u"invalid data: line %1 ends in a carriage return"_s.arg(lineNumber)});
        Line line;
        QString why;
        if (!lp::parseLine(std::string_view(raw.constData(), size_t(raw.size())), line.point, &why))
            return writeError(
                {kSmlInvalidData, u"invalid data: line %1: %2"_s.arg(lineNumber).arg(why)});
        const lp::Point &p = line.point;
        if (p.measurement.empty() || qsizetype(p.measurement.size()) > kMaxTableName)
            return writeError({kTableIdLength, u"measure is empty or too large than 192"_s});
        std::set<std::string> names{"_ts"};
        for (const auto &[key, value] : p.tags) {
            if (key.empty() || qsizetype(key.size()) > kMaxColumnName)
                return writeError({kColumnLength, u"invalid key or key is too long than 64"_s});
            if (qsizetype(value.size()) > kMaxTagValue)
                return writeError(
                    {kVarColumnLength, u"Invalid varbinary/binary/nchar column/tag length"_s});
            if (!names.insert(key).second)
                return writeError({kDuplicatedColumn, u"Duplicated column names"_s});
        }
        for (const lp::Field &field : p.fields) {
            if (field.key.empty() || qsizetype(field.key.size()) > kMaxColumnName)
                return writeError({kColumnLength, u"invalid key or key is too long than 64"_s});
            if (field.type == FieldType::String && qsizetype(field.s.size()) > kMaxVarchar)
                return writeError(
                    {kVarColumnLength, u"Invalid varbinary/binary/nchar column/tag length"_s});
            if (!names.insert(field.key).second)
                return writeError({kDuplicatedColumn, u"Duplicated column names"_s});
        }
        // smlParseLine (clientSml.c): at most 128 tags, and at most 4096 columns counting the
        // fields, the time column and the tags.
        if (qsizetype(p.tags.size()) > kMaxTags)
            return writeError({kInvalidTagsNum, u"too many tags than 128"_s});
        if (qsizetype(p.fields.size() + 1 + p.tags.size()) > kMaxColumns)
            return writeError({kTooManyColumns, u"too many columns than 4096"_s});
        QString stable = QString::fromUtf8(p.measurement.data(), qsizetype(p.measurement.size()));
        stable.replace(u'.', u'_'); // smlDot2Underline, on by default
        if (!tbnameKey.empty()) {
            auto &tags = line.point.tags;
            const auto named = std::find_if(tags.begin(), tags.end(),
                                            [&](const auto &tag) { return tag.first == tbnameKey; });
            if (named != tags.end()) {
                line.childName = QString::fromUtf8(
                    QByteArray::fromStdString(named->second.substr(0, size_t(kMaxTableName))));
                line.childName.replace(u'.', u'_');
                tags.erase(named);
            }
        }
        line.stable = stable;
        // smlParseInfluxTime (clientSmlLine.c): a missing timestamp, or "0", is the current
        // time; any other is converted to the database precision, and smlParseInfluxString
        // refuses a result <= 0 (every time up to 1970-01-01T00:00:00Z, and -1, which the
        // conversion uses for "invalid") with TSDB_CODE_INVALID_TIMESTAMP for the whole request.
        const qint64 ns = p.hasTime && p.time != 0 ? p.time * toNs : nowNs;
        line.ts = ns / dbFactor;
        if (line.ts <= 0)
            return writeError({kInvalidTimestamp, u"Invalid timestamp format"_s});
        lines.push_back(std::move(line));
    }

    // 2. The schema every super table needs; a field whose type changes within the request is
    // refused before anything is changed.
    struct Needed
    {
        std::map<std::string, std::pair<FieldType, qsizetype>> fields; // type, longest string
        std::map<std::string, qsizetype> tags;                         // longest value
        QList<QString> fieldOrder, tagOrder;
    };
    std::map<QString, Needed> needed;
    QStringList stableOrder;
    for (const Line &line : lines) {
        if (!needed.count(line.stable))
            stableOrder.append(line.stable);
        Needed &need = needed[line.stable];
        for (const auto &[key, value] : line.point.tags) {
            auto [it, added] = need.tags.emplace(key, qsizetype(value.size()));
            if (added)
                need.tagOrder.append(QString::fromStdString(key));
            else
                it->second = std::max(it->second, qsizetype(value.size()));
        }
        for (const lp::Field &field : line.point.fields) {
            const qsizetype length =
                field.type == FieldType::String ? qsizetype(field.s.size()) : 0;
            auto [it, added] = need.fields.emplace(field.key, std::make_pair(field.type, length));
            if (added) {
                need.fieldOrder.append(QString::fromStdString(field.key));
                continue;
            }
            if (it->second.first != field.type)
                return writeError(
                    {kSmlNotSameType, u"the type is not the same like before:%1"_s.arg(
                                          QString::fromStdString(field.key))});
            it->second.second = std::max(it->second.second, length);
        }
    }

    // 3. Create or alter the super tables (each change is made as it is checked: a later error
    // does not undo it).
    const int maxRow =
        QVersionNumber::fromString(m_version) < QVersionNumber({3, 0, 5, 0}) ? 49151 : 65531;
    for (const QString &name : stableOrder) {
        const Needed &need = needed[name];
        StableDef def;
        const auto existing = db.stables.find(name);
        if (existing != db.stables.end()) {
            def = existing->second;
        } else {
            def.columns.append({u"_ts"_s, u"TIMESTAMP"_s, 8, false});
        }
        for (const QString &key : need.tagOrder) {
            const qsizetype length = need.tags.at(key.toStdString());
            if (def.columnIndex(key) >= 0)
                return writeError({kDuplicatedColumn, u"Duplicated column names"_s});
            const int index = def.tagIndex(key);
            if (index < 0)
                def.tags.append({key, u"NCHAR"_s, varWidth(length, true), true});
            else if (def.tags[index].length < length)
                def.tags[index].length = varWidth(length, true);
        }
        if (def.tags.isEmpty())
            def.tags.append({u"_tag_null"_s, u"NCHAR"_s, 1, true});
        for (const QString &key : need.fieldOrder) {
            const auto &[type, length] = need.fields.at(key.toStdString());
            if (def.tagIndex(key) >= 0)
                return writeError({kDuplicatedColumn, u"Duplicated column names"_s});
            const int index = def.columnIndex(key);
            if (index < 0) {
                def.columns.append({key, typeName(type),
                                    type == FieldType::String    ? varWidth(length, false)
                                    : type == FieldType::Boolean ? 1
                                                                 : 8,
                                    false});
                continue;
            }
            Column &column = def.columns[index];
            if (column.type != typeName(type))
                return writeError(
                    {kSmlInvalidData,
                     u"point type and db type mismatch. db type: %1, point type: %2, key: %3"_s.arg(
                         column.type, typeName(type), key)});
            if (column.type == u"VARCHAR"_s && column.length < length)
                column.length = varWidth(length, false);
        }
        if (def.tags.size() > kMaxTags)
            return writeError({kInvalidTagsNum, u"too many tags than 128"_s});
        if (def.columns.size() + def.tags.size() > kMaxColumns)
            return writeError({kTooManyColumns, u"too many columns than 4096"_s});
        int tagBytes = 0;
        for (const Column &tag : def.tags)
            tagBytes += rowBytes(tag);
        if (tagBytes > kMaxTagsBytes)
            return writeError(
                {kTagsLength, u"Tags length exceeds max length %1"_s.arg(kMaxTagsBytes)});
        int bytes = 0;
        for (const Column &column : def.columns)
            bytes += rowBytes(column);
        if (bytes > maxRow)
            return writeError({kRowLength, u"Row length exceeds max length %1"_s.arg(maxRow)});
        db.stables[name] = def;
    }

    // 4. The rows, in order; the first one older than KEEP stops the request (those before it
    // stay written).
    const qint64 oldestTick = oldestKeptTick(db.precision, db.keepMinutes, nowNs / 1000000);
    bool stored = false;
    for (const Line &line : lines) {
        if (line.ts < oldestTick) {
            if (stored)
                ++m_storingWriteRequests;
            return writeError({kTimestampOutOfRange, u"Timestamp data out of range"_s});
        }
        QList<QPair<QByteArray, QByteArray>> tags;
        for (const auto &[key, value] : line.point.tags)
            tags.append({QByteArray::fromStdString(key), QByteArray::fromStdString(value)});
        const QString childName =
            line.childName.isEmpty() ? childTableName(line.stable, tags) : line.childName;
        ChildTable &child = db.children[childName];
        if (child.stable.isEmpty()) {
            child.stable = line.stable;
            for (const auto &[key, value] : tags)
                child.tags.insert(QString::fromUtf8(key), QString::fromUtf8(value));
        }
        QMap<QString, lp::Field> values;
        for (const lp::Field &field : line.point.fields)
            values.insert(QString::fromStdString(field.key), field);
        // tRowMergeImpl (source/common/src/tdataformat.c): rows of one table and time are merged
        // column by column, the newest value of each column winning; a column the newer row
        // does not carry (NONE, or NULL) keeps the older value.
        QMap<QString, lp::Field> &row = child.rows[line.ts];
        for (auto it = values.cbegin(); it != values.cend(); ++it)
            row.insert(it.key(), it.value());
        stored = true;
    }
    if (stored)
        ++m_storingWriteRequests;
    return TestHttpServer::Reply::empty(204);
}

TestHttpServer::Reply TDengine3Emulator::sql(const TestHttpServer::Request &request)
{
    if (request.method != "POST")
        return TestHttpServer::Reply::text(405, "405 method not allowed");
    bool sent = false;
    if (!authorized(request, sent))
        // controller/rest of taosAdapter: no credentials is 401 from its checkAuth middleware;
        // wrong ones fail the connection, answered by TaosErrorResponse as a statement error:
        // HTTP 200 (httpCodeServerError=false) with code 855 (0x357).
        return sent ? restError({kAuthFailure, u"Authentication failure"_s})
                    : restError({kNoAuthInfo, u"no auth info input"_s}, 401);
    const QString statement = QString::fromUtf8(request.body).trimmed();
    if (statement.isEmpty())
        return restError({0xffff, u"no sql input"_s}, 400);
    m_statements.append(statement);
    QString defaultDb;
    if (request.path.startsWith("/rest/sql/"))
        defaultDb = QString::fromUtf8(QByteArray::fromPercentEncoding(request.path.mid(10)));

    QList<Token> tokens;
    QString problem;
    if (!tokenize(statement, tokens, problem))
        return restError({kSyntaxError, u"syntax error near \"%1\""_s.arg(problem.left(30))});

    auto result = [](const QList<QPair<QString, QString>> &columns, const QJsonArray &data) {
        QJsonArray meta;
        for (const auto &[name, type] : columns) {
            const int length = type == u"VARCHAR"_s    ? 64
                               : type == u"TINYINT"_s  ? 1
                               : type == u"SMALLINT"_s ? 2
                               : type == u"INT"_s      ? 4
                               : type == u"BOOL"_s     ? 1
                                                       : 8;
            meta.append(QJsonArray{name, type, length});
        }
        const QJsonObject body{
            {u"code"_s, 0}, {u"column_meta"_s, meta}, {u"data"_s, data}, {u"rows"_s, data.size()}};
        return TestHttpServer::Reply::json(200, QJsonDocument(body).toJson(QJsonDocument::Compact));
    };
    auto affected = [&](int rows) {
        return result({{u"affected_rows"_s, u"INT"_s}}, QJsonArray{QJsonArray{rows}});
    };
    auto syntaxError = [](Cursor &c) {
        return restError({kSyntaxError, u"syntax error near \"%1\""_s.arg(c.here())});
    };
    auto tableRef = [&](Cursor &c, QString &db, QString &table) {
        const auto first = c.name();
        if (!first)
            return false;
        if (c.symbol(u"."_s)) {
            const auto second = c.name();
            if (!second)
                return false;
            db = *first;
            table = *second;
        } else {
            db = defaultDb;
            table = *first;
        }
        return true;
    };
    auto databasesListing = [&](const QString &only) {
        const bool minutes = QVersionNumber::fromString(m_version) < QVersionNumber({3, 3});
        const QList<QPair<QString, QString>> columns{{u"name"_s, u"VARCHAR"_s},
                                                     {u"create_time"_s, u"TIMESTAMP"_s},
                                                     {u"vgroups"_s, u"INT"_s},
                                                     {u"ntables"_s, u"BIGINT"_s},
                                                     {u"replica"_s, u"TINYINT"_s},
                                                     {u"strict"_s, u"VARCHAR"_s},
                                                     {u"duration"_s, u"VARCHAR"_s},
                                                     {u"keep"_s, u"VARCHAR"_s},
                                                     {u"buffer"_s, u"INT"_s},
                                                     {u"pagesize"_s, u"INT"_s},
                                                     {u"pages"_s, u"INT"_s},
                                                     {u"minrows"_s, u"INT"_s},
                                                     {u"maxrows"_s, u"INT"_s},
                                                     {u"comp"_s, u"TINYINT"_s},
                                                     {u"precision"_s, u"VARCHAR"_s},
                                                     {u"status"_s, u"VARCHAR"_s},
                                                     {u"retentions"_s, u"VARCHAR"_s},
                                                     {u"single_stable"_s, u"BOOL"_s},
                                                     {u"cachemodel"_s, u"VARCHAR"_s},
                                                     {u"cachesize"_s, u"INT"_s},
                                                     {u"wal_level"_s, u"TINYINT"_s},
                                                     {u"wal_fsync_period"_s, u"INT"_s},
                                                     {u"wal_retention_period"_s, u"INT"_s},
                                                     {u"wal_retention_size"_s, u"BIGINT"_s},
                                                     {u"stt_trigger"_s, u"SMALLINT"_s},
                                                     {u"table_prefix"_s, u"SMALLINT"_s},
                                                     {u"table_suffix"_s, u"SMALLINT"_s},
                                                     {u"tsdb_pagesize"_s, u"INT"_s},
                                                     {u"keep_time_offset"_s, u"INT"_s}};
        QJsonArray data;
        auto systemRow = [&](const QString &name) {
            QJsonArray row{name, formatTimestamp(0, u"ms"_s)};
            for (int i = 2; i < columns.size(); ++i)
                row.append(columns.at(i).first == u"precision"_s ? QJsonValue(u"ms"_s)
                           : columns.at(i).first == u"status"_s  ? QJsonValue(u"ready"_s)
                                                                 : QJsonValue());
            return row;
        };
        if (only.isEmpty() || only == u"information_schema"_s)
            data.append(systemRow(u"information_schema"_s));
        if (only.isEmpty() || only == u"performance_schema"_s)
            data.append(systemRow(u"performance_schema"_s));
        for (const auto &[name, db] : m_databases) {
            if (!only.isEmpty() && name != only)
                continue;
            const QString keep = duration(db->keepMinutes, minutes);
            data.append(QJsonArray{name,
                                   formatTimestamp(db->createdMs, u"ms"_s),
                                   2,
                                   qint64(db->children.size()),
                                   1,
                                   u"on"_s,
                                   duration(db->durationMinutes, minutes),
                                   keep + u',' + keep + u',' + keep,
                                   256,
                                   4,
                                   256,
                                   100,
                                   4096,
                                   2,
                                   db->precision,
                                   u"ready"_s,
                                   QJsonValue(),
                                   false,
                                   u"none"_s,
                                   1,
                                   1,
                                   3000,
                                   3600,
                                   0,
                                   2,
                                   0,
                                   0,
                                   4,
                                   0});
        }
        return result(columns, data);
    };

    // SELECT ...
    {
        Cursor c(tokens);
        if (c.word(u"SELECT"_s)) {
            Cursor v(tokens);
            v.skip();
            if (v.word(u"SERVER_VERSION"_s) && v.symbol(u"("_s) && v.symbol(u")"_s) && v.atEnd())
                return result({{u"server_version()"_s, u"VARCHAR"_s}},
                              QJsonArray{QJsonArray{m_version}});
            Cursor n(tokens);
            n.skip();
            // COUNT(*) [, COUNT(column)]… of a super table or a child table (verification).
            QStringList counted; // "" for COUNT(*)
            bool isCount = false;
            for (;;) {
                if (!(n.word(u"COUNT"_s) && n.symbol(u"("_s)))
                    break;
                if (n.symbol(u"*"_s)) {
                    counted.append(QString());
                } else if (const auto column = n.name()) {
                    counted.append(*column);
                } else {
                    return syntaxError(n);
                }
                if (!n.symbol(u")"_s))
                    return syntaxError(n);
                isCount = true;
                if (!n.symbol(u","_s))
                    break;
            }
            if (isCount && n.word(u"FROM"_s)) {
                QString dbName, table;
                if (!tableRef(n, dbName, table))
                    return syntaxError(n);
                if (dbName.isEmpty())
                    return restError({kDbNotSpecified, u"Database not specified"_s});
                const auto found = m_databases.find(dbName);
                if (found == m_databases.end())
                    return restError({kDbNotExist, u"Database not exist"_s});
                const Database &db = *found->second;
                const auto child = db.children.find(table);
                const QString stableName = child != db.children.end() ? child->second.stable : table;
                const auto stable = db.stables.find(stableName);
                if (stable == db.stables.end())
                    return restError({kTableNotExist, u"Table does not exist"_s});
                const QString tsColumn = stable->second.columns.isEmpty()
                                             ? u"_ts"_s
                                             : stable->second.columns.first().name;
                for (const QString &column : std::as_const(counted))
                    if (!column.isEmpty() && stable->second.columnIndex(column) < 0)
                        return restError({0x2602, u"Invalid column name: %1"_s.arg(column)});
                qint64 from = std::numeric_limits<qint64>::min();
                qint64 to = std::numeric_limits<qint64>::max();
                if (n.word(u"WHERE"_s)) {
                    do {
                        const auto column = n.name();
                        if (!column || *column != tsColumn)
                            return restError({kSyntaxError,
                                              u"the emulator filters on the timestamp only"_s});
                        QString op;
                        for (const auto &candidate : {u">="_s, u"<="_s, u">"_s, u"<"_s, u"="_s}) {
                            if (n.symbol(candidate)) {
                                op = candidate;
                                break;
                            }
                        }
                        const auto value = n.number();
                        bool ok = false;
                        const qint64 v = value ? value->toLongLong(&ok) : 0;
                        if (op.isEmpty() || !ok)
                            return syntaxError(n);
                        if (op == u">="_s)
                            from = std::max(from, v);
                        else if (op == u">"_s)
                            from = std::max(from, v + 1);
                        else if (op == u"<"_s)
                            to = std::min(to, v);
                        else if (op == u"<="_s)
                            to = std::min(to, v + 1);
                        else {
                            from = std::max(from, v);
                            to = std::min(to, v + 1);
                        }
                    } while (n.word(u"AND"_s));
                }
                if (!n.atEnd())
                    return syntaxError(n);
                QList<qint64> counts(counted.size(), 0);
                for (const auto &[name, entry] : db.children) {
                    if (entry.stable != stableName ||
                        (child != db.children.end() && name != table))
                        continue;
                    for (const auto &[time, fields] : entry.rows) {
                        if (time < from || time >= to)
                            continue;
                        for (qsizetype i = 0; i < counted.size(); ++i)
                            counts[i] += counted.at(i).isEmpty() || counted.at(i) == tsColumn ||
                                                 fields.contains(counted.at(i))
                                             ? 1
                                             : 0;
                    }
                }
                QList<QPair<QString, QString>> columns;
                QJsonArray row;
                for (qsizetype i = 0; i < counted.size(); ++i) {
                    columns.append({counted.at(i).isEmpty() ? u"count(*)"_s
                                                            : u"count(%1)"_s.arg(counted.at(i)),
                                    u"BIGINT"_s});
                    row.append(counts.at(i));
                }
                return result(columns, QJsonArray{row});
            }
            Cursor s(tokens);
            s.skip();
            if (s.symbol(u"*"_s) && s.word(u"FROM"_s)) {
                QString dbName, table;
                if (!tableRef(s, dbName, table))
                    return syntaxError(s);
                if (dbName == u"information_schema"_s && table == u"ins_databases"_s) {
                    QString only;
                    if (s.word(u"WHERE"_s)) {
                        const auto column = s.name();
                        const bool eq = s.symbol(u"="_s);
                        const auto value = s.string();
                        if (!column || *column != u"name"_s || !eq || !value)
                            return restError(
                                {kSyntaxError,
                                 u"the emulator filters ins_databases on name only"_s});
                        only = *value;
                        if (only.isEmpty())
                            return result({}, {});
                    }
                    if (!s.atEnd())
                        return syntaxError(s);
                    return databasesListing(only);
                }
                return restError(
                    {kSyntaxError,
                     u"the emulator does not answer SELECT * FROM %1.%2"_s.arg(dbName, table)});
            }
            return syntaxError(c);
        }
    }
    {
        Cursor c(tokens);
        if (c.word(u"SHOW"_s)) {
            if (c.word(u"DATABASES"_s) && c.atEnd())
                return databasesListing(QString());
            return syntaxError(c);
        }
    }
    {
        Cursor c(tokens);
        if (c.word(u"CREATE"_s) && c.word(u"DATABASE"_s)) {
            bool ifNotExists = false;
            if (c.word(u"IF"_s)) {
                if (!c.word(u"NOT"_s) || !c.word(u"EXISTS"_s))
                    return syntaxError(c);
                ifNotExists = true;
            }
            const auto name = c.name();
            if (!name || name->isEmpty() || name->toUtf8().size() > 64)
                return syntaxError(c);
            auto db = std::make_unique<Database>();
            db->name = *name;
            qint64 keep = -1;
            while (!c.atEnd()) {
                if (c.word(u"PRECISION"_s)) {
                    const auto value = c.string();
                    if (!value || (*value != u"ms"_s && *value != u"us"_s && *value != u"ns"_s))
                        return restError({kInvalidDbOption, u"Invalid option precision: %1"_s.arg(
                                                                value.value_or(c.here()))});
                    db->precision = *value;
                } else if (c.word(u"KEEP"_s)) {
                    do {
                        const auto value = c.number();
                        const qint64 minutes = value ? durationMinutes(*value) : -1;
                        if (minutes < 0)
                            return syntaxError(c);
                        keep = std::max(keep, minutes);
                    } while (c.symbol(u","_s));
                } else if (c.word(u"DURATION"_s)) {
                    const auto value = c.number();
                    const qint64 minutes = value ? durationMinutes(*value) : -1;
                    if (minutes <= 0)
                        return syntaxError(c);
                    db->durationMinutes = int(minutes);
                } else {
                    static const QStringList others{u"VGROUPS"_s,
                                                    u"REPLICA"_s,
                                                    u"BUFFER"_s,
                                                    u"PAGES"_s,
                                                    u"PAGESIZE"_s,
                                                    u"CACHEMODEL"_s,
                                                    u"CACHESIZE"_s,
                                                    u"COMP"_s,
                                                    u"MAXROWS"_s,
                                                    u"MINROWS"_s,
                                                    u"WAL_LEVEL"_s,
                                                    u"WAL_FSYNC_PERIOD"_s,
                                                    u"SINGLE_STABLE"_s,
                                                    u"STT_TRIGGER"_s,
                                                    u"TABLE_PREFIX"_s,
                                                    u"TABLE_SUFFIX"_s,
                                                    u"TSDB_PAGESIZE"_s,
                                                    u"WAL_RETENTION_PERIOD"_s,
                                                    u"WAL_RETENTION_SIZE"_s,
                                                    u"KEEP_TIME_OFFSET"_s,
                                                    u"SCHEMALESS"_s};
                    bool known = false;
                    for (const QString &option : others)
                        known = known || c.word(option);
                    if (!known || (!c.number() && !c.string()))
                        return syntaxError(c);
                }
            }
            if (keep >= 0) {
                // mndCheckDbCfg (source/dnode/mnode/impl/src/mndDb.c): TSDB_MIN_KEEP ..
                // TSDB_MAX_KEEP, 1 to 365000 days whatever the precision.
                if (keep < 1440 || keep > 365000LL * 1440)
                    return restError(
                        {kInvalidDbOption,
                         u"Invalid option keep: %1 valid range: [1, 365000]"_s.arg(keep / 1440)});
                if (keep < 3LL * db->durationMinutes)
                    return restError({kInvalidDbOption,
                                      u"Invalid option keep: should be at least three times "
                                      u"duration"_s});
                db->keepMinutes = int(keep);
            }
            if (m_databases.count(db->name)) {
                if (ifNotExists)
                    return affected(0);
                return restError({kDbAlreadyExist, u"Database already exists"_s});
            }
            db->createdMs = QDateTime::currentMSecsSinceEpoch();
            m_databases[db->name] = std::move(db);
            return affected(0);
        }
    }
    {
        Cursor c(tokens);
        if (c.word(u"DROP"_s) && c.word(u"DATABASE"_s)) {
            bool ifExists = false;
            if (c.word(u"IF"_s)) {
                if (!c.word(u"EXISTS"_s))
                    return syntaxError(c);
                ifExists = true;
            }
            const auto name = c.name();
            if (!name || !c.atEnd())
                return syntaxError(c);
            if (!m_databases.erase(*name) && !ifExists)
                return restError({kDbNotExist, u"Database not exist"_s});
            return affected(0);
        }
    }
    {
        Cursor c(tokens);
        if (c.word(u"DESCRIBE"_s) || c.word(u"DESC"_s)) {
            QString dbName, table;
            if (!tableRef(c, dbName, table) || !c.atEnd())
                return syntaxError(c);
            if (dbName.isEmpty())
                return restError({kDbNotSpecified, u"Database not specified"_s});
            const auto found = m_databases.find(dbName);
            if (found == m_databases.end())
                return restError({kDbNotExist, u"Database not exist"_s});
            auto st = found->second->stables.find(table);
            if (st == found->second->stables.end()) {
                // A child table is described with its super table's columns and tags.
                const auto child = found->second->children.find(table);
                if (child != found->second->children.end())
                    st = found->second->stables.find(child->second.stable);
            }
            if (st == found->second->stables.end())
                return restError({kTableNotExist, u"Table does not exist"_s});
            QJsonArray data;
            for (const Column &column : st->second.columns + st->second.tags)
                data.append(QJsonArray{column.name, column.type, column.length,
                                       column.tag ? u"TAG"_s : QString()});
            return result({{u"field"_s, u"VARCHAR"_s},
                           {u"type"_s, u"VARCHAR"_s},
                           {u"length"_s, u"INT"_s},
                           {u"note"_s, u"VARCHAR"_s}},
                          data);
        }
    }
    {
        Cursor c(tokens);
        if (c.word(u"CREATE"_s) && (c.word(u"STABLE"_s) || c.word(u"STABLES"_s)))
            return createStable(c, defaultDb);
    }
    {
        Cursor c(tokens);
        if (c.word(u"CREATE"_s) && c.word(u"TABLE"_s))
            return createTables(c, defaultDb);
    }
    {
        Cursor c(tokens);
        if (c.word(u"INSERT"_s) && c.word(u"INTO"_s))
            return insert(c, defaultDb);
    }
    {
        Cursor c(tokens);
        if (c.word(u"DELETE"_s) && c.word(u"FROM"_s))
            return deleteRows(c, defaultDb);
    }
    Cursor c(tokens);
    return syntaxError(c);
}

} // namespace tsm::test

// ---- typed tables: CREATE STABLE, CREATE TABLE … USING, INSERT INTO ----

namespace tsm::test {

namespace {

bool tableName(Cursor &c, const QString &defaultDb, QString &db, QString &table)
{
    const auto first = c.name();
    if (!first)
        return false;
    if (c.symbol(u"."_s)) {
        const auto second = c.name();
        if (!second)
            return false;
        db = *first;
        table = *second;
    } else {
        db = defaultDb;
        table = *first;
    }
    return true;
}

/// A column type as CREATE STABLE declares it; length 0 and an error text when unknown.
TDengine3Emulator::Column columnType(Cursor &c, QString &problem)
{
    TDengine3Emulator::Column column;
    static const QList<QPair<QString, int>> fixed{
        {u"TIMESTAMP"_s, 8}, {u"BOOL"_s, 1},  {u"TINYINT"_s, 1}, {u"SMALLINT"_s, 2}, {u"INT"_s, 4},
        {u"BIGINT"_s, 8},    {u"FLOAT"_s, 4}, {u"DOUBLE"_s, 8},  {u"JSON"_s, 4095}};
    for (const auto &[name, size] : fixed) {
        if (c.word(name)) {
            column.type = name;
            column.length = size;
            if (name.endsWith(u"INT"_s) && c.word(u"UNSIGNED"_s))
                column.type += u" UNSIGNED"_s;
            return column;
        }
    }
    for (const QString &name : {u"BINARY"_s, u"VARCHAR"_s, u"NCHAR"_s}) {
        if (c.word(name)) {
            column.type = name == u"NCHAR"_s ? u"NCHAR"_s : u"VARCHAR"_s;
            const auto size = c.symbol(u"("_s) ? c.number() : std::nullopt;
            bool ok = false;
            column.length = size ? size->toInt(&ok) : 0;
            if (!ok || !c.symbol(u")"_s) || column.length < 1 || column.length > 65517) {
                problem = u"Invalid binary/nchar column length"_s;
                column.length = 0;
            }
            return column;
        }
    }
    problem = u"syntax error near \"%1\" (invalid data type)"_s.arg(c.here());
    return column;
}

/// Reads one value for `column`: nothing for NULL, or the typed value; false with the error.
bool typedValue(Cursor &c, const TDengine3Emulator::Column &column, std::optional<lp::Field> &out,
                QString &text, TdError &error)
{
    out.reset();
    if (c.word(u"NULL"_s))
        return true;
    const QString &type = column.type;
    lp::Field field;
    auto wrongType = [&](const QString &near) {
        // parseValueTokenImpl (parInsertSql.c) answers a value that does not fit its column
        // with buildSyntaxErrMsg: TSDB_CODE_PAR_SYNTAX_ERROR.
        error = {kSyntaxError,
                 u"syntax error near \"%1\" (invalid data for column %2 of type %3)"_s.arg(
                     near, column.name, type)};
        return false;
    };
    if (type == u"BOOL"_s) {
        if (c.word(u"true"_s))
            field.b = true;
        else if (c.word(u"false"_s))
            field.b = false;
        else
            return wrongType(c.here());
        field.type = FieldType::Boolean;
        text = field.b ? u"true"_s : u"false"_s;
    } else if (type == u"VARCHAR"_s || type == u"NCHAR"_s || type == u"JSON"_s) {
        const auto value = c.string();
        if (!value)
            return wrongType(c.here());
        const qsizetype size = type == u"NCHAR"_s ? value->toUcs4().size() : value->toUtf8().size();
        if (type != u"JSON"_s && size > column.length) {
            error = {kValueTooLong, u"Value too long for column/tag: %1"_s.arg(column.name)};
            return false;
        }
        field.type = FieldType::String;
        field.s = value->toStdString();
        text = *value;
    } else {
        const auto value = c.number();
        if (!value)
            return wrongType(c.here());
        bool ok = false;
        if (type == u"FLOAT"_s || type == u"DOUBLE"_s) {
            field.type = FieldType::Float;
            field.f = value->toDouble(&ok);
            if (!ok || (type == u"FLOAT"_s && std::abs(field.f) > 3.4028234663852886e38))
                return wrongType(*value);
            text = *value;
        } else if (type.endsWith(u" UNSIGNED"_s)) {
            field.type = FieldType::Unsigned;
            field.u = value->toULongLong(&ok);
            const int bytes = column.length;
            if (!ok || (bytes < 8 && field.u >= (quint64(1) << (8 * bytes))))
                return wrongType(*value);
            text = QString::number(field.u);
        } else {
            field.type = FieldType::Integer;
            field.i = value->toLongLong(&ok);
            const int bytes = column.length;
            if (!ok || (bytes < 8 && (field.i >= (qint64(1) << (8 * bytes - 1)) ||
                                      field.i < -(qint64(1) << (8 * bytes - 1)))))
                return wrongType(*value);
            text = QString::number(field.i);
        }
    }
    out = field;
    return true;
}

} // namespace

TestHttpServer::Reply TDengine3Emulator::createStable(Cursor &c, const QString &defaultDb)
{
    auto syntax = [&] {
        return restError({kSyntaxError, u"syntax error near \"%1\""_s.arg(c.here())});
    };
    bool ifNotExists = false;
    if (c.word(u"IF"_s)) {
        if (!c.word(u"NOT"_s) || !c.word(u"EXISTS"_s))
            return syntax();
        ifNotExists = true;
    }
    QString dbName, table;
    if (!tableName(c, defaultDb, dbName, table) || !c.symbol(u"("_s))
        return syntax();
    StableDef def;
    std::set<QString> names;
    auto readList = [&](bool tags) -> std::optional<TestHttpServer::Reply> {
        do {
            const auto name = c.name();
            if (!name)
                return syntax();
            QString problem;
            Column column = columnType(c, problem);
            if (!problem.isEmpty())
                return restError({kSyntaxError, problem});
            column.name = *name;
            column.tag = tags;
            if (name->isEmpty() || name->toUtf8().size() > kMaxColumnName)
                return restError({kColumnLength, u"Invalid column name: %1"_s.arg(*name)});
            if (!names.insert(name->toLower()).second)
                return restError({kDuplicatedColumn, u"Duplicated column names"_s});
            if (column.type == u"JSON"_s && !tags)
                return restError({kSyntaxError, u"Only tag can be json type"_s});
            (tags ? def.tags : def.columns).append(column);
        } while (c.symbol(u","_s));
        if (!c.symbol(u")"_s))
            return syntax();
        return std::nullopt;
    };
    if (auto error = readList(false))
        return *error;
    if (!c.word(u"TAGS"_s) || !c.symbol(u"("_s))
        return syntax();
    if (auto error = readList(true))
        return *error;
    if (!c.atEnd())
        return syntax();
    if (def.columns.isEmpty() || def.columns.front().type != u"TIMESTAMP"_s)
        return restError({kSyntaxError, u"The first column should be primary timestamp column"_s});
    if (def.columns.size() < 2)
        return restError({kSyntaxError, u"Invalid number of columns"_s});
    if (def.tags.isEmpty() || def.tags.size() > kMaxTags)
        return restError({kInvalidTagsNum, u"Invalid number of tag columns"_s});
    for (const Column &tag : def.tags)
        if (tag.type == u"JSON"_s && def.tags.size() > 1)
            return restError({kSyntaxError, u"Only one tag if there is a json tag"_s});
    int tagBytes = 0;
    for (const Column &tag : def.tags)
        tagBytes += rowBytes(tag);
    if (tagBytes > kMaxTagsBytes)
        return restError({kTagsLength, u"Invalid tag length"_s});
    if (dbName.isEmpty())
        return restError({kDbNotSpecified, u"Database not specified"_s});
    const auto found = m_databases.find(dbName);
    if (found == m_databases.end())
        return restError({kDbNotExist, u"Database not exist"_s});
    Database &db = *found->second;
    if (db.stables.count(table) || db.children.count(table)) {
        if (ifNotExists)
            return TestHttpServer::Reply::json(
                200,
                R"({"code":0,"column_meta":[["affected_rows","INT",4]],"data":[[0]],"rows":1})");
        return restError({kStableAlreadyExist, u"STable already exists"_s});
    }
    db.stables[table] = def;
    return TestHttpServer::Reply::json(
        200, R"({"code":0,"column_meta":[["affected_rows","INT",4]],"data":[[0]],"rows":1})");
}

TestHttpServer::Reply TDengine3Emulator::createTables(Cursor &c, const QString &defaultDb)
{
    auto syntax = [&] {
        return restError({kSyntaxError, u"syntax error near \"%1\""_s.arg(c.here())});
    };
    struct Pending
    {
        Database *db = nullptr;
        QString name;
        ChildTable child;
    };
    QList<Pending> pending;
    do {
        bool ifNotExists = false;
        if (c.word(u"IF"_s)) {
            if (!c.word(u"NOT"_s) || !c.word(u"EXISTS"_s))
                return syntax();
            ifNotExists = true;
        }
        QString dbName, table, stableDb, stable;
        if (!tableName(c, defaultDb, dbName, table) || !c.word(u"USING"_s) ||
            !tableName(c, defaultDb, stableDb, stable) || !c.word(u"TAGS"_s) || !c.symbol(u"("_s))
            return syntax();
        if (dbName.isEmpty() || stableDb.isEmpty())
            return restError({kDbNotSpecified, u"Database not specified"_s});
        const auto found = m_databases.find(dbName);
        if (found == m_databases.end() || stableDb != dbName)
            return restError({kDbNotExist, u"Database not exist"_s});
        Database &db = *found->second;
        const auto st = db.stables.find(stable);
        if (st == db.stables.end())
            return restError({kTableNotExist, u"Table does not exist"_s});
        if (table.isEmpty() || table.toUtf8().size() > kMaxTableName)
            return restError({kTableIdLength, u"Invalid table name: %1"_s.arg(table)});
        Pending p;
        p.db = &db;
        p.name = table;
        p.child.stable = stable;
        for (qsizetype i = 0; i < st->second.tags.size(); ++i) {
            if (i > 0 && !c.symbol(u","_s))
                return restError({kInvalidTagsNum, u"Invalid number of tag columns"_s});
            std::optional<lp::Field> value;
            QString text;
            TdError error;
            if (!typedValue(c, st->second.tags.at(i), value, text, error))
                return restError(error);
            if (value)
                p.child.tags.insert(st->second.tags.at(i).name, text);
        }
        if (!c.symbol(u")"_s))
            return restError({kInvalidTagsNum, u"Invalid number of tag columns"_s});
        if (db.stables.count(table))
            return restError({kStableAlreadyExist, u"Table already exists"_s});
        const auto existing = db.children.find(table);
        if (existing != db.children.end()) {
            if (!ifNotExists || existing->second.stable != stable)
                return restError({kTableAlreadyExist, u"Table already exists"_s});
            continue; // kept as it is, tags too
        }
        pending.append(p);
    } while (!c.atEnd());
    for (Pending &p : pending)
        p.db->children.emplace(p.name, std::move(p.child));
    return TestHttpServer::Reply::json(
        200, R"({"code":0,"column_meta":[["affected_rows","INT",4]],"data":[[0]],"rows":1})");
}

std::optional<TestHttpServer::Reply> TDengine3Emulator::childTableAt(Cursor &c,
                                                                    const QString &defaultDb,
                                                                    Database *&db,
                                                                    ChildTable *&child)
{
    QString dbName, table;
    if (!tableName(c, defaultDb, dbName, table))
        return restError({kSyntaxError, u"syntax error near \"%1\""_s.arg(c.here())});
    if (dbName.isEmpty())
        return restError({kDbNotSpecified, u"Database not specified"_s});
    const auto found = m_databases.find(dbName);
    if (found == m_databases.end())
        return restError({kDbNotExist, u"Database not exist"_s});
    db = found->second.get();
    const auto named = db->children.find(table);
    if (named == db->children.end())
        return restError({kTableNotExist, u"Table does not exist"_s});
    child = &named->second;
    return std::nullopt;
}

TestHttpServer::Reply TDengine3Emulator::insert(Cursor &c, const QString &defaultDb)
{
    auto syntax = [&] {
        return restError({kSyntaxError, u"syntax error near \"%1\""_s.arg(c.here())});
    };
    struct Pending
    {
        ChildTable *child = nullptr;
        qint64 ts = 0;
        QMap<QString, lp::Field> values;
    };
    QList<Pending> pending;
    const qint64 nowNs = QDateTime::currentMSecsSinceEpoch() * 1000000;
    do {
        Database *dbFound = nullptr;
        ChildTable *childFound = nullptr;
        if (std::optional<TestHttpServer::Reply> error =
                childTableAt(c, defaultDb, dbFound, childFound))
            return *error;
        Database &db = *dbFound;
        const StableDef &def = db.stables.at(childFound->stable);
        QList<int> order;
        if (c.symbol(u"("_s)) {
            do {
                const auto name = c.name();
                const int at = name ? def.columnIndex(*name) : -1;
                if (at < 0)
                    return restError({kInvalidColumn,
                                      u"Invalid column name: %1"_s.arg(name.value_or(c.here()))});
                if (order.contains(at))
                    return restError({kDuplicatedColumn, u"Duplicated column names"_s});
                order.append(at);
            } while (c.symbol(u","_s));
            if (!c.symbol(u")"_s))
                return syntax();
        } else {
            for (int i = 0; i < def.columns.size(); ++i)
                order.append(i);
        }
        if (!order.contains(0))
            return restError({kSyntaxError, u"Primary timestamp column should not be null"_s});
        if (!c.word(u"VALUES"_s))
            return syntax();
        int tuples = 0;
        while (c.symbol(u"("_s)) {
            Pending row;
            row.child = childFound;
            bool hasTs = false;
            for (int k = 0; k < order.size(); ++k) {
                if (k > 0 && !c.symbol(u","_s))
                    return restError({kSyntaxError, u"Illegal number of columns"_s});
                const Column &column = def.columns.at(order.at(k));
                std::optional<lp::Field> value;
                QString text;
                TdError error;
                if (!typedValue(c, column, value, text, error))
                    return restError(error);
                if (order.at(k) == 0) {
                    if (!value)
                        return restError(
                            {kSyntaxError, u"Primary timestamp column should not be null"_s});
                    row.ts = value->i;
                    hasTs = true;
                } else if (value) {
                    row.values.insert(column.name, *value);
                }
            }
            if (!c.symbol(u")"_s))
                return restError({kSyntaxError, u"Illegal number of columns"_s});
            if (!hasTs)
                return syntax();
            if (row.ts < oldestKeptTick(db.precision, db.keepMinutes, nowNs / 1000000))
                return restError({kTimestampOutOfRange, u"Timestamp data out of range"_s});
            pending.append(row);
            ++tuples;
        }
        if (tuples == 0)
            return syntax();
    } while (!c.atEnd());
    for (const Pending &row : pending) {
        // Merged column by column, as schemaless rows are (tRowMergeImpl); NULL is no value.
        QMap<QString, lp::Field> &stored = row.child->rows[row.ts];
        for (auto it = row.values.cbegin(); it != row.values.cend(); ++it)
            stored.insert(it.key(), it.value());
    }
    const QByteArray body = R"({"code":0,"column_meta":[["affected_rows","INT",4]],"data":[[)" +
                            QByteArray::number(pending.size()) + "]],\"rows\":1}";
    return TestHttpServer::Reply::json(200, body);
}

TestHttpServer::Reply TDengine3Emulator::deleteRows(Cursor &c, const QString &defaultDb)
{
    // DELETE FROM [db.]tb WHERE ts = N (docs/en/14-reference/03-taos-sql/ "Delete Data"): the
    // rows of a child table at one time, whole; the emulator takes only that condition.
    Database *db = nullptr;
    ChildTable *child = nullptr;
    if (std::optional<TestHttpServer::Reply> error = childTableAt(c, defaultDb, db, child))
        return *error;
    const QString tsColumn = db->stables.at(child->stable).columns.first().name;
    const auto column = c.word(u"WHERE"_s) ? c.name() : std::nullopt;
    if (!column || *column != tsColumn || !c.symbol(u"="_s))
        return restError({kSyntaxError, u"the emulator deletes by the timestamp only"_s});
    const auto value = c.number();
    bool ok = false;
    const qint64 ts = value ? value->toLongLong(&ok) : 0;
    if (!ok || !c.atEnd())
        return restError({kSyntaxError, u"syntax error near \"%1\""_s.arg(c.here())});
    const qsizetype removed = qsizetype(child->rows.erase(ts));
    return TestHttpServer::Reply::json(
        200, R"({"code":0,"column_meta":[["affected_rows","INT",4]],"data":[[)" +
                 QByteArray::number(removed) + "]],\"rows\":1}");
}

QMap<QString, QMap<QString, QString>> TDengine3Emulator::childTables(const QString &database,
                                                                     const QString &stable) const
{
    QMutexLocker lock(&m_mutex);
    QMap<QString, QMap<QString, QString>> tables;
    const auto it = m_databases.find(database);
    if (it == m_databases.end())
        return tables;
    for (const auto &[name, child] : it->second->children)
        if (child.stable == stable)
            tables.insert(name, child.tags);
    return tables;
}

} // namespace tsm::test
