#include "tdengine/TDengineRest.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QRegularExpression>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <iterator>
#include <optional>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

/// TDengine 2.x's numeric column types (PROTOCOLS.md §6).
QString typeName(const QJsonValue &type)
{
    if (type.isString())
        return type.toString();
    static const char *const names[] = {"NULL",
                                        "BOOL",
                                        "TINYINT",
                                        "SMALLINT",
                                        "INT",
                                        "BIGINT",
                                        "FLOAT",
                                        "DOUBLE",
                                        "BINARY",
                                        "TIMESTAMP",
                                        "NCHAR",
                                        "TINYINT UNSIGNED",
                                        "SMALLINT UNSIGNED",
                                        "INT UNSIGNED",
                                        "BIGINT UNSIGNED",
                                        "JSON"};
    const int code = type.toInt(-1);
    if (code >= 0 && code < int(std::size(names)))
        return QString::fromLatin1(names[code]);
    return QString::number(code);
}

/// What a number of a row becomes before Qt's JSON reader sees it, or nothing to keep it:
///  - a negative zero ("-0", taosAdapter's FLOAT or DOUBLE -0.0) the string "-0", since a
///    QJsonValue keeps no sign on zero;
///  - a number beyond DOUBLE's range DOUBLE's largest, since the reader refuses the whole
///    answer for it: taosd's built-in httpd of 2.0–2.3 writes DOUBLE's maximum with 9 decimals,
///    as 1.797693135e+308, which is above it.
std::optional<QByteArray> replacedNumber(const QByteArray &token)
{
    bool zero = true;
    for (const char d : token) {
        if (d == 'e' || d == 'E')
            break;
        if (d != '-' && d != '0' && d != '.')
            zero = false;
    }
    if (zero && token.startsWith('-'))
        return QByteArray("\"-0\"");
    if (!token.contains('e') && !token.contains('E'))
        return std::nullopt;
    errno = 0;
    const double value = std::strtod(token.constData(), nullptr);
    if (errno == ERANGE && std::isinf(value))
        return QByteArray(value < 0 ? "-1.7976931348623157e+308" : "1.7976931348623157e+308");
    return std::nullopt;
}

/// The numbers among the values of the rows ("data": [[...]], depth 3) as replacedNumber()
/// says; strings and JSON tag objects are left as they are.
void prepareNumbers(QByteArray &body)
{
    if (!body.contains("-0") && !body.contains("e+3") && !body.contains("E+3"))
        return;
    QByteArray prepared;
    prepared.reserve(body.size() + 16);
    int depth = 0;
    bool inString = false;
    for (qsizetype i = 0; i < body.size(); ++i) {
        const char c = body.at(i);
        if (inString) {
            prepared += c;
            if (c == '\\' && i + 1 < body.size())
                prepared += body.at(++i);
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"')
            inString = true;
        else if (c == '[' || c == '{')
            ++depth;
        else if (c == ']' || c == '}')
            --depth;
        if (depth == 3 && (c == '-' || (c >= '0' && c <= '9'))) {
            qsizetype end = i;
            while (end < body.size() && (std::isdigit(uchar(body.at(end))) ||
                                         QByteArrayView("+-.eE").contains(body.at(end))))
                ++end;
            const QByteArray token = body.mid(i, end - i);
            prepared += replacedNumber(token).value_or(token);
            i = end - 1;
            continue;
        }
        prepared += c;
    }
    body = std::move(prepared);
}

QString codeText(int code, const QString &desc)
{
    return u"[0x%1] %2"_s.arg(QString::number(code, 16).rightJustified(4, u'0'), desc);
}

/// The start of a statement for messages: whole when short, else cut.
QString shown(const QString &sql)
{
    constexpr qsizetype limit = 200;
    return sql.size() <= limit ? sql : sql.left(limit) + u"…"_s;
}

} // namespace

int SqlResult::column(const QString &name) const
{
    for (int i = 0; i < columns.size(); ++i) {
        if (columns.at(i).first.compare(name, Qt::CaseInsensitive) == 0)
            return i;
    }
    return -1;
}

TDengineRest::TDengineRest(TDengineEndpoint endpoint, RetryPolicy retry)
    : m_endpoint(std::move(endpoint)), m_retry(retry), m_pool(m_endpoint.http.withoutCredentials())
{
    while (m_endpoint.baseUrl.endsWith(u'/'))
        m_endpoint.baseUrl.chop(1);
}

QString TDengineRest::where() const
{
    return u"TDengine at "_s + m_endpoint.baseUrl;
}

void TDengineRest::authorize(HttpRequest &request) const
{
    request.headers.emplaceBack(
        "Authorization", HttpClient::basicAuthorization(m_endpoint.user, m_endpoint.password));
}

QByteArray TDengineRest::url(const QByteArray &path,
                             const QList<QPair<QByteArray, QString>> &parameters) const
{
    return HttpClient::buildUrl(m_endpoint.baseUrl, path, parameters);
}

ErrorKind TDengineRest::kindOfCode(int code)
{
    switch (code) {
    case 0x0357: // Authentication failure
    case 0x0351: // User not exist
    case 0x0352: // Invalid user format
    case 0x0353: // Invalid password format
    case 0x0358: // User not available
    case 0x0214: // No write permission
    case 0x0303: // Insufficient privilege
        return ErrorKind::Auth;
    case 0x0388: // Database not exist
        return ErrorKind::NotFound;
    case 0x000B: // Unable to establish connection
    case 0x0013: // Client and server's time is not synchronized
    case 0x0018: // Conn is broken
    case 0x0019: // Conn read timeout
    case 0x0020: // some vnode/qnode/mnode(s) out of service
    case 0x0021:
    case 0x0022:
    case 0x0023:
    case 0x0024: // rpc network busy
    case 0x0102: // Out of memory
    case 0x0125: // Retry needed
    case 0x012C: // Operation timeout
    case 0x0213: // Disconnected from server
    case 0x0386: // Database in dropping status
    case 0x0396: // Database in creating status
    case 0x0408: // Dnode is offline
        return ErrorKind::Server;
    default:
        return ErrorKind::Query;
    }
}

double TDengineRest::doubleOf(const QJsonValue &value)
{
    if (value.isString() && value.toString() == u"-0"_s)
        return -0.0;
    return value.toDouble();
}

bool TDengineRest::readAnswer(QByteArray body, SqlResult &result)
{
    prepareNumbers(body);
    const QJsonDocument document = QJsonDocument::fromJson(body);
    if (!document.isObject())
        return false;
    const QJsonObject root = document.object();
    result.desc = root.value(u"desc"_s).toString();
    if (root.value(u"code"_s).isDouble()) {
        result.code = root.value(u"code"_s).toInt();
    } else {
        const QString status = root.value(u"status"_s).toString();
        if (status != u"succ"_s && status != u"error"_s)
            return false;
        result.code = status == u"succ"_s ? 0 : 0xffff;
    }
    for (const QJsonValue &meta : root.value(u"column_meta"_s).toArray()) {
        const QJsonArray triple = meta.toArray();
        result.columns.append({triple.at(0).toString(), typeName(triple.at(1))});
    }
    result.rows = root.value(u"data"_s).toArray();
    return true;
}

int TDengineRest::errorCodeIn(const QString &message)
{
    static const QRegularExpression pattern(u"\\[0x([0-9a-fA-F]{1,8})\\]"_s);
    const QRegularExpressionMatch match = pattern.match(message);
    if (!match.hasMatch())
        return -1;
    bool ok = false;
    const qint64 code = match.captured(1).toLongLong(&ok, 16);
    // Error codes carry the 0x8000xxxx marker in full form; only the low 16 bits name them.
    return ok ? int(code & 0xffff) : -1;
}

QString TDengineRest::quoteIdentifier(const QString &name)
{
    if (name.contains(u'`'))
        throw Error(
            ErrorKind::Config,
            u"The name \"%1\" contains a back-quote, which TDengine SQL cannot express"_s.arg(
                name));
    return u'`' + name + u'`';
}

QString TDengineRest::quoteString(const QString &text)
{
    QString escaped;
    escaped.reserve(text.size() + 2);
    escaped += u'\'';
    for (const QChar c : text) {
        if (c == u'\\' || c == u'\'' || c == u'"')
            escaped += u'\\';
        if (c == u'\n') {
            escaped += u"\\n"_s;
            continue;
        }
        if (c == u'\r') {
            escaped += u"\\r"_s;
            continue;
        }
        if (c == u'\t') {
            escaped += u"\\t"_s;
            continue;
        }
        escaped += c;
    }
    escaped += u'\'';
    return escaped;
}

SqlResult TDengineRest::query(const QString &sql, const CancelToken &cancel,
                              const QList<int> &acceptedCodes, const QByteArray &path)
{
    HttpRequest request;
    request.method = "POST";
    request.url = url(path);
    request.headers.emplaceBack("Content-Type", "text/plain; charset=utf-8");
    request.body = sql.toUtf8();
    authorize(request);

    const QString what = where();
    HttpResponse response;
    SqlResult result;
    withRetries(
        m_retry, cancel,
        [&] {
            response = m_pool.acquire()->perform(request, &cancel);
            const int status = response.status;
            result = SqlResult();
            const bool hasCode = readAnswer(response.body, result);
            const int code = result.code;
            const QString &desc = result.desc;
            if (status == 401 || status == 403)
                throw Error(ErrorKind::Auth,
                            u"%1 refused the credentials of user \"%2\" (%3 %4)"_s.arg(
                                what, m_endpoint.user, QString::number(status),
                                hasCode ? codeText(code, desc)
                                        : QString::fromUtf8(response.body.left(200)).simplified()),
                            status);
            if (status == 404)
                throw Error(ErrorKind::Protocol,
                            u"%1 has no %2 (404): is this taosAdapter?"_s.arg(
                                what, QString::fromUtf8(path)),
                            404);
            if (status == 429 || status >= 500) {
                // With httpCodeServerError=true statement errors come as 500 with their code:
                // those are final, not transient.
                if (hasCode && code != 0 && kindOfCode(code) != ErrorKind::Server && status == 500)
                    return;
                throw Error(ErrorKind::Server,
                            u"%1 failed (%2 %3)"_s.arg(
                                what, QString::number(status),
                                hasCode ? codeText(code, desc)
                                        : QString::fromUtf8(response.body.left(200)).simplified()),
                            status, response.retryAfterSeconds());
            }
            if (status == 400 && hasCode && code != 0)
                return; // httpCodeServerError=true: a parse error of the statement
            if (status != 200)
                throw Error(ErrorKind::Protocol,
                            u"%1 answered \"%2\" with unexpected HTTP status %3: %4"_s.arg(
                                what, shown(sql), QString::number(status),
                                QString::fromUtf8(response.body.left(200)).simplified()),
                            status);
            if (!hasCode)
                throw Error(
                    ErrorKind::Protocol,
                    u"%1 sent an answer to \"%2\" without a code: is this taosAdapter?"_s.arg(
                        what, shown(sql)),
                    status);
            // An error of the statement still comes with HTTP 200; only some are transient.
            if (code != 0 && kindOfCode(code) == ErrorKind::Server)
                throw Error(ErrorKind::Server,
                            u"%1 failed \"%2\": %3"_s.arg(what, shown(sql), codeText(code, desc)),
                            status);
        },
        [this, &what](const Error &error, int attempt, int delayMs) {
            notifyRetry(u"SQL on "_s + what, error, attempt, delayMs);
        });

    const int code = result.code;
    if (code != 0 && !acceptedCodes.contains(code)) {
        const ErrorKind kind = kindOfCode(code);
        if (kind == ErrorKind::Auth)
            throw Error(kind,
                        u"%1 refused the credentials of user \"%2\": %3"_s.arg(
                            what, m_endpoint.user, codeText(code, result.desc)),
                        response.status);
        throw Error(kind, u"%1: %2: %3"_s.arg(what, shown(sql), codeText(code, result.desc)),
                    response.status);
    }
    return result;
}

} // namespace tsm
