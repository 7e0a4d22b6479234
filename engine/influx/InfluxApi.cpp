#include "influx/InfluxApi.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

/// The server's own words: JSON "error" or "message", else the start of the body.
QString serverMessage(const HttpResponse &response)
{
    const QJsonDocument document = QJsonDocument::fromJson(response.body);
    if (document.isObject()) {
        const QJsonObject object = document.object();
        for (const auto &key : {u"error"_s, u"message"_s}) {
            if (!object.value(key).isString())
                continue;
            QString message = object.value(key).toString();
            // InfluxDB 3 lists what went wrong per line in "data" ([U]: not seen on a server).
            const QJsonArray lines = object.value(u"data"_s).toArray();
            for (const QJsonValue &line : lines) {
                const QString reason = line.toObject().value(u"error_message"_s).toString();
                if (!reason.isEmpty())
                    message += u"; "_s + reason;
            }
            return message;
        }
    }
    QString text = QString::fromUtf8(response.body.left(300)).simplified();
    if (text.isEmpty())
        text = QString::fromUtf8(response.header("x-influxdb-error")).simplified();
    return text;
}

QString statusText(const HttpResponse &response)
{
    const QString message = serverMessage(response);
    return message.isEmpty() ? QString::number(response.status)
                             : QString::number(response.status) + u' ' + message;
}

} // namespace

InfluxApi::InfluxApi(InfluxEndpoint endpoint, RetryPolicy retry)
    : m_endpoint(std::move(endpoint)), m_retry(retry), m_pool(m_endpoint.http.withoutCredentials())
{
    while (m_endpoint.baseUrl.endsWith(u'/'))
        m_endpoint.baseUrl.chop(1);
}

void InfluxApi::authorize(HttpRequest &request) const
{
    if (!m_endpoint.token.isEmpty()) {
        request.headers.emplaceBack("Authorization", "Token " + m_endpoint.token.toUtf8());
    } else if (!m_endpoint.user.isEmpty()) {
        request.headers.emplaceBack(
            "Authorization", HttpClient::basicAuthorization(m_endpoint.user, m_endpoint.password));
    }
}

QByteArray InfluxApi::url(const QByteArray &path,
                          const QList<QPair<QByteArray, QString>> &parameters) const
{
    return HttpClient::buildUrl(m_endpoint.baseUrl, path, parameters);
}

ConnectionInfo InfluxApi::ping(const CancelToken &cancel)
{
    // One try only: a connection check should answer within seconds, not after the backoff
    // schedule meant for a running migration.
    HttpRequest request;
    request.url = url("/ping");
    authorize(request);
    HttpResponse response = m_pool.acquire()->perform(request, &cancel);
    const QString what = u"InfluxDB at "_s + m_endpoint.baseUrl;

    ConnectionInfo info;
    info.product = u"InfluxDB"_s;
    const QByteArray build = response.header("x-influxdb-build");
    if (response.status == 204) {
        // 1.x and 2.x. 2.x sends its version with a "v" prefix ("v2.7.1", PROTOCOLS.md §1.1
        // [U]); shown without it.
        info.version = QString::fromUtf8(response.header("x-influxdb-version"));
        if (info.version.size() > 1 && info.version.at(0) == u'v' && info.version.at(1).isDigit())
            info.version.remove(0, 1);
        if (build == "ENT")
            info.detail = u"Enterprise"_s;
        else if (!build.isEmpty())
            info.detail = QString::fromUtf8(build);
        if (info.version.isEmpty() && build.isEmpty())
            info.detail = u"no version header: not InfluxDB, or behind a proxy that strips it"_s;
        return info;
    }
    if (response.status == 200) {
        // InfluxDB 3 answers with a JSON body instead of headers (PROTOCOLS.md §1.1).
        const QJsonDocument document = QJsonDocument::fromJson(response.body);
        const QJsonObject object = document.object();
        if (!object.value(u"version"_s).isString())
            throw Error(ErrorKind::Protocol,
                        u"%1 answered /ping with 200 but no version: is this InfluxDB?"_s.arg(what),
                        200);
        info.version = object.value(u"version"_s).toString();
        // The edition: product_name from 3.9 ("InfluxDB 3 Enterprise"), X-Influxdb-Build
        // ("Core"/"Enterprise") from 3.1 (influxdb3_server http.rs ping); 3.0 says neither.
        const bool enterprise = build.toLower().contains("enterprise") ||
                                object.value(u"product_name"_s)
                                    .toString()
                                    .contains(u"enterprise"_s, Qt::CaseInsensitive);
        info.product = enterprise ? u"InfluxDB 3 Enterprise"_s : u"InfluxDB 3 Core"_s;
        const QString revision = object.value(u"revision"_s).toString();
        if (!revision.isEmpty())
            info.detail = u"revision "_s + revision;
        return info;
    }
    if (response.status == 404)
        throw Error(ErrorKind::Protocol,
                    u"%1 has no /ping endpoint (404): is this InfluxDB?"_s.arg(what), 404);
    throw errorFromResponse(response, what);
}

RetryPolicy InfluxApi::statementRetryPolicy() const
{
    // Planning sends two statements per shard group and measurement, one after another: with
    // the data reads' waits (0.5 s doubling to 30 s) a few failing ones stretched a plan of a
    // tenth of a second to a minute.
    RetryPolicy policy = m_retry;
    policy.baseDelayMs = std::min(policy.baseDelayMs, 200);
    policy.maxDelayMs = std::min(policy.maxDelayMs, 5000);
    return policy;
}

int InfluxApi::majorVersion(const ConnectionInfo &info)
{
    if (info.product.startsWith(u"InfluxDB 3"_s))
        return 3;
    const QString digits = info.version.section(u'.', 0, 0);
    bool ok = false;
    const int major = digits.toInt(&ok);
    return ok ? major : 0;
}

HttpResponse InfluxApi::call(HttpRequest request, const CancelToken &cancel,
                             const QList<int> &accepted, const QString &what)
{
    authorize(request);
    HttpResponse response;
    withRetries(
        m_retry, cancel,
        [&] {
            response = m_pool.acquire()->perform(request, &cancel);
            if ((response.status >= 200 && response.status < 300) ||
                accepted.contains(response.status))
                return;
            throw errorFromResponse(response, what);
        },
        [&](const Error &error, int attempt, int delayMs) {
            if (m_onRetry)
                m_onRetry(what, error, attempt, delayMs);
        });
    return response;
}

QString InfluxApi::messageOf(const HttpResponse &response)
{
    return serverMessage(response);
}

QList<QuerySeries> InfluxApi::query(const QString &statement, const QString &database,
                                    const CancelToken &cancel, bool write)
{
    return runQuery(statement, database, QString(), cancel, write);
}

QList<QuerySeries> InfluxApi::query(const QString &statement, const QString &database,
                                    const QString &retentionPolicy, const CancelToken &cancel)
{
    return runQuery(statement, database, retentionPolicy, cancel, false);
}

QList<QuerySeries> InfluxApi::runQuery(const QString &statement, const QString &database,
                                       const QString &retentionPolicy, const CancelToken &cancel,
                                       bool write)
{
    QList<QPair<QByteArray, QString>> parameters;
    if (!database.isEmpty())
        parameters.append({"db", database});
    if (!retentionPolicy.isEmpty())
        parameters.append({"rp", retentionPolicy});
    parameters.append({"epoch", u"ns"_s});

    HttpRequest request;
    if (write) {
        // Statements that change something must be POSTed; the statement goes in the form body
        // so that long statements are not limited by URL length.
        request.method = "POST";
        request.url = url("/query", parameters);
        request.headers.emplaceBack("Content-Type", "application/x-www-form-urlencoded");
        request.body = "q=" + HttpClient::percentEncode(statement);
    } else {
        parameters.append({"q", statement});
        request.url = url("/query", parameters);
    }
    authorize(request);

    const QString what = u"InfluxDB at "_s + m_endpoint.baseUrl;
    HttpResponse response;
    withRetries(
        statementRetryPolicy(), cancel,
        [&] {
            response = m_pool.acquire()->perform(request, &cancel);
            if (response.status == 200)
                return;
            if (response.status == 400) {
                // A parse error of the statement; the client's fault, not the data's.
                throw Error(ErrorKind::Query, statement + u": "_s + serverMessage(response), 400);
            }
            throw errorFromResponse(response, what);
        },
        [&](const Error &error, int attempt, int delayMs) {
            if (m_onRetry)
                m_onRetry(u"\"%1\" on %2"_s.arg(statement.left(120), what), error, attempt,
                          delayMs);
        });

    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(response.body, &parseError);
    if (!document.isObject())
        throw Error(ErrorKind::Protocol,
                    u"%1 sent an answer to \"%2\" that is not JSON: %3"_s.arg(
                        what, statement, parseError.errorString()),
                    response.status);
    const QJsonObject root = document.object();
    if (root.value(u"error"_s).isString())
        throw Error(ErrorKind::Query, statement + u": "_s + root.value(u"error"_s).toString(),
                    response.status);

    QList<QuerySeries> result;
    const QJsonArray results = root.value(u"results"_s).toArray();
    for (const QJsonValue &resultValue : results) {
        const QJsonObject resultObject = resultValue.toObject();
        // A statement error still comes with HTTP 200.
        if (resultObject.value(u"error"_s).isString())
            throw Error(ErrorKind::Query,
                        statement + u": "_s + resultObject.value(u"error"_s).toString(),
                        response.status);
        const QJsonArray seriesArray = resultObject.value(u"series"_s).toArray();
        for (const QJsonValue &seriesValue : seriesArray) {
            const QJsonObject object = seriesValue.toObject();
            QuerySeries series;
            series.name = object.value(u"name"_s).toString();
            const QJsonObject tags = object.value(u"tags"_s).toObject();
            for (auto it = tags.begin(); it != tags.end(); ++it)
                series.tags.append({it.key(), it.value().toString()});
            const QJsonArray columns = object.value(u"columns"_s).toArray();
            for (const QJsonValue &column : columns)
                series.columns.append(column.toString());
            series.values = object.value(u"values"_s).toArray();
            result.append(std::move(series));
        }
    }
    return result;
}

QStringList InfluxApi::databases(const CancelToken &cancel)
{
    QStringList names;
    for (const QuerySeries &series : query(u"SHOW DATABASES"_s, QString(), cancel))
        for (const QJsonValue &row : series.values)
            names.append(row.toArray().at(0).toString());
    return names;
}

QStringList InfluxApi::influxDb3Databases(const CancelToken &cancel)
{
    HttpRequest request;
    request.url = url("/api/v3/configure/database", {{"format", u"json"_s}});
    // Not there (Cloud products) or not allowed for this token: SHOW DATABASES decides.
    const HttpResponse response =
        call(request, cancel, {401, 403, 404, 405}, u"InfluxDB at "_s + m_endpoint.baseUrl);
    if (response.status != 200)
        return databases(cancel);
    const QJsonDocument document = QJsonDocument::fromJson(response.body);
    if (!document.isArray())
        throw Error(
            ErrorKind::Protocol,
            u"InfluxDB at %1 listed its databases in an unknown shape"_s.arg(m_endpoint.baseUrl),
            response.status);
    QStringList names;
    for (const QJsonValue &row : document.array())
        names.append(row.toObject().value(u"iox::database"_s).toString());
    return names;
}

QString InfluxApi::quoteIdentifier(const QString &name)
{
    QString escaped = name;
    escaped.replace(u'\\', u"\\\\"_s).replace(u'"', u"\\\""_s).replace(u'\n', u"\\n"_s);
    return u'"' + escaped + u'"';
}

QString InfluxApi::quoteString(const QString &text)
{
    QString escaped = text;
    escaped.replace(u'\\', u"\\\\"_s).replace(u'\'', u"\\'"_s).replace(u'\n', u"\\n"_s);
    return u'\'' + escaped + u'\'';
}

Error InfluxApi::errorFromResponse(const HttpResponse &response, const QString &what)
{
    const int status = response.status;
    const QString detail = statusText(response);
    if (status == 401 || status == 403)
        return Error(ErrorKind::Auth, u"%1 refused the credentials (%2)"_s.arg(what, detail),
                     status);
    if (status == 404)
        return Error(ErrorKind::NotFound, u"%1: not found (%2)"_s.arg(what, detail), status);
    if (status == 413)
        return Error(ErrorKind::TooLarge, u"%1: request too large (%2)"_s.arg(what, detail),
                     status);
    if (status == 429 || status >= 500)
        return Error(ErrorKind::Server, u"%1 failed (%2)"_s.arg(what, detail), status,
                     response.retryAfterSeconds());
    if (status == 400 || status == 422)
        return Error(ErrorKind::Rejected, u"%1 rejected the request (%2)"_s.arg(what, detail),
                     status);
    return Error(ErrorKind::Protocol,
                 u"%1 answered with unexpected HTTP status %2"_s.arg(what, detail), status);
}

} // namespace tsm
