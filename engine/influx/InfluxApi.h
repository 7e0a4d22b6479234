#pragma once

#include "core/CancelToken.h"
#include "core/Source.h"
#include "http/HttpClientPool.h"
#include "http/Retry.h"

#include <QJsonArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

namespace tsm {

/** How to reach one InfluxDB server (any version) over HTTP. */
struct InfluxEndpoint
{
    QString baseUrl;  ///< "http://127.0.0.1:8086", no trailing slash
    HttpOptions http; ///< timeouts and TLS; auth fields unused (see below)
    QString user;     ///< 1.x: Basic auth when not empty
    QString password;
    QString token; ///< 2.x/3.x: "Authorization: Token <token>" when not empty
};

/** One series of an InfluxQL answer. `values` rows keep int64 exactly (QJsonValue::toInteger). */
struct QuerySeries
{
    QString name;
    QList<QPair<QString, QString>> tags;
    QStringList columns;
    QJsonArray values;

    int column(const QString &name) const { return columns.indexOf(name); }
};

/**
 * The InfluxQL and ping surface shared by the InfluxDB sources and sinks: authentication
 * headers, URLs, statement errors hidden in HTTP 200, retries of transient failures.
 * Thread-safe (clients come from the pool).
 */
class InfluxApi
{
public:
    InfluxApi(InfluxEndpoint endpoint, RetryPolicy retry);

    const InfluxEndpoint &endpoint() const { return m_endpoint; }
    const RetryPolicy &retryPolicy() const { return m_retry; }
    HttpClientPool &pool() { return m_pool; }

    using RetryCallback =
        std::function<void(const QString &what, const Error &error, int attempt, int delayMs)>;
    /// Told of each retry of query() and call() (set once, before the API is shared).
    void setRetryCallback(RetryCallback callback) { m_onRetry = std::move(callback); }
    /// The policy of statements (schema, planning, counts): as retryPolicy(), but with shorter
    /// waits, because they are many, quick, and run one after another.
    RetryPolicy statementRetryPolicy() const;

    /// GET /ping with the credentials (InfluxDB 3 authenticates it): product and version from
    /// X-Influxdb-Version / X-Influxdb-Build (1.x: 204, "1.8.10"; 2.x: 204, "v2.7.1" shown as
    /// "2.7.1") or the JSON body of InfluxDB 3 Core/Enterprise (200, product "InfluxDB 3 Core").
    /// Throws Error (Network, Timeout, Tls, Auth, Protocol).
    ConnectionInfo ping(const CancelToken &cancel);
    /// 1, 2 or 3 for what ping() found; 0 when the server did not say.
    static int majorVersion(const ConnectionInfo &info);

    /// Sends `request` with this endpoint's credentials, retrying transient failures. Returns a
    /// 2xx answer or one whose status is in `accepted`; throws errorFromResponse() otherwise.
    HttpResponse call(HttpRequest request, const CancelToken &cancel, const QList<int> &accepted,
                      const QString &what);

    /// Runs one InfluxQL statement (GET for SHOW/SELECT, POST when `write` is set) with
    /// epoch=ns against `database` (may be empty) and returns the series of its result.
    /// Throws Error: Query for a statement error in a 200 answer or a 400 parse error (the
    /// message quotes the server), Auth for 401/403, NotFound for 404, Server for 5xx after
    /// the retries.
    QList<QuerySeries> query(const QString &statement, const QString &database,
                             const CancelToken &cancel, bool write = false);
    /// query() with rp=`retentionPolicy` (when not empty): the policy the statement's names
    /// without one read (on 2.x, instead of the database's default mapping).
    QList<QuerySeries> query(const QString &statement, const QString &database,
                             const QString &retentionPolicy, const CancelToken &cancel);

    /// SHOW DATABASES: the names, in the server's order.
    QStringList databases(const CancelToken &cancel);
    /// The databases of the InfluxDB 3 family: GET /api/v3/configure/database where the server
    /// has it (3 Core and Enterprise; their 3.0–3.6 break SHOW DATABASES off on /query), else
    /// SHOW DATABASES (Cloud Dedicated, Clustered; 3.7+ answer both).
    QStringList influxDb3Databases(const CancelToken &cancel);

    /// Adds the authentication header of this endpoint.
    void authorize(HttpRequest &request) const;
    /// baseUrl + path + "?" + percent-encoded parameters.
    QByteArray url(const QByteArray &path,
                   const QList<QPair<QByteArray, QString>> &parameters = {}) const;

    /// InfluxQL identifier quoting: "..." with \\, \" and \n escaped.
    static QString quoteIdentifier(const QString &name);
    /// InfluxQL string literal quoting: '...' with \\, \' and \n escaped.
    static QString quoteString(const QString &text);
    /// Turns a non-2xx answer into the Error it means, quoting the server's message
    /// (JSON "error"/"message", else the body's first 300 bytes).
    static Error errorFromResponse(const HttpResponse &response, const QString &what);
    /// The server's own words in an error answer (JSON "error"/"message", else the start of
    /// the body).
    static QString messageOf(const HttpResponse &response);

private:
    QList<QuerySeries> runQuery(const QString &statement, const QString &database,
                                const QString &retentionPolicy, const CancelToken &cancel,
                                bool write);

    InfluxEndpoint m_endpoint;
    RetryPolicy m_retry;
    HttpClientPool m_pool;
    RetryCallback m_onRetry;
};

} // namespace tsm
