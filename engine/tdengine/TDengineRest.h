#pragma once

#include "core/CancelToken.h"
#include "core/Error.h"
#include "core/Source.h"
#include "http/HttpClientPool.h"
#include "http/Retry.h"

#include <QJsonArray>
#include <QList>
#include <QPair>
#include <QString>

namespace tsm {

/** How to reach one taosAdapter (TDengine's HTTP interface, port 6041 by default). */
struct TDengineEndpoint
{
    QString baseUrl;  ///< "http://127.0.0.1:6041", no trailing slash
    HttpOptions http; ///< timeouts and TLS; its Basic-auth fields are not used
    QString user = QStringLiteral("root");
    QString password;
};

/** The answer to one SQL statement. `code` is 0 unless the caller accepted an error code. */
struct SqlResult
{
    int code = 0;
    QString desc;
    /// name, TDengine type ("BIGINT", "VARCHAR", ...; 2.x type codes are given their names)
    QList<QPair<QString, QString>> columns;
    /// One array per row, int64 kept exact. A FLOAT or DOUBLE -0.0 comes as the string "-0"
    /// (a QJsonValue keeps no sign on zero): read them with TDengineRest::doubleOf(). A number
    /// beyond DOUBLE's range (the built-in httpd's 1.797693135e+308) comes as DOUBLE's largest.
    QJsonArray rows;

    /// Index of the column called `name` (case-insensitive, as TDengine names are), or -1.
    int column(const QString &name) const;
};

/**
 * SQL over taosAdapter's REST interface (POST /rest/sql): Basic authentication, retries of
 * transient failures (network, 429, 5xx, honouring Retry-After), and TDengine's statement
 * errors, which arrive as HTTP 200 with {"code": N, "desc": "..."}, turned into an Error that
 * quotes the server. Thread-safe (HTTP clients come from a pool). Shared by everything that
 * talks SQL to TDengine.
 */
class TDengineRest : public RetryNotifier
{
public:
    TDengineRest(TDengineEndpoint endpoint, RetryPolicy retry);

    const TDengineEndpoint &endpoint() const { return m_endpoint; }
    const RetryPolicy &retryPolicy() const { return m_retry; }
    HttpClientPool &pool() { return m_pool; }
    /// "TDengine at http://host:6041", for messages.
    QString where() const;

    /// Runs one statement on `path` (TDengine 2.x also serves /rest/sqlt and /rest/sqlutc, and
    /// answers {"status": "succ"|"error", ...} with numeric column types, which are read too).
    /// Throws Error: Auth (401/403, or an authentication error code), NotFound (database does
    /// not exist), Query (any other statement error, quoting TDengine's code and text),
    /// Server/Network/Timeout after the retries, Protocol for an answer that is not
    /// taosAdapter's. A statement error whose code is in `acceptedCodes` comes back in
    /// SqlResult::code instead.
    SqlResult query(const QString &sql, const CancelToken &cancel,
                    const QList<int> &acceptedCodes = {},
                    const QByteArray &path = QByteArrayLiteral("/rest/sql"));

    /// Adds the Basic authentication header of this endpoint.
    void authorize(HttpRequest &request) const;
    /// baseUrl + path + "?" + percent-encoded parameters.
    QByteArray url(const QByteArray &path,
                   const QList<QPair<QByteArray, QString>> &parameters = {}) const;

    /// `name` back-quoted for SQL (names keep their case that way). TDengine has no escape for
    /// a back-quote inside one: such a name throws Error(Config).
    static QString quoteIdentifier(const QString &name);
    /// 'text' with TDengine's string escapes (\' \" \\ and friends).
    static QString quoteString(const QString &text);
    /// A FLOAT or DOUBLE value of SqlResult::rows, -0.0 included.
    static double doubleOf(const QJsonValue &value);
    /// Reads the body of a /rest/sql answer: its code and text (taosAdapter's {"code": N, ...}
    /// or 2.x's {"status": "succ"|"error", ...}), columns and rows, numbers prepared as SqlResult
    /// says. False when the body is no such answer.
    static bool readAnswer(QByteArray body, SqlResult &result);
    /// "[0x388] Database not exist" from taosAdapter's error texts, or -1 when there is none.
    static int errorCodeIn(const QString &message);
    /// What an error code means for the engine: Auth, NotFound, Server (transient), or Query.
    static ErrorKind kindOfCode(int code);

private:
    TDengineEndpoint m_endpoint;
    RetryPolicy m_retry;
    HttpClientPool m_pool;
};

} // namespace tsm
