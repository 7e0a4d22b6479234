#pragma once

#include "core/CancelToken.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <functional>

typedef void CURL;

namespace tsm {

/** Connection settings shared by every request of one client. */
struct HttpOptions
{
    int connectTimeoutMs = 10000;
    /// A request fails with ErrorKind::Timeout when no byte arrives for this long.
    int idleTimeoutMs = 120000;
    bool verifyTls = true;
    QString caFile;
    QString basicUser; ///< Basic auth when not empty
    QString basicPassword;

    /// These options without the Basic auth: for the transport of an API that sets the
    /// credentials on each request itself, in one place, so that the transport adds none.
    HttpOptions withoutCredentials() const
    {
        HttpOptions options = *this;
        options.basicUser.clear();
        options.basicPassword.clear();
        return options;
    }
};

struct HttpRequest
{
    QByteArray method = "GET";
    QByteArray url;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    /// Send the body gzip-compressed with Content-Encoding: gzip.
    bool gzipBody = false;
    /// Streaming: called with each piece of the response body as it arrives (only for 2xx
    /// answers; an error answer is collected in HttpResponse::body). Return false to abort.
    std::function<bool(const char *data, size_t size)> onData;
};

struct HttpResponse
{
    int status = 0;
    QByteArray body;                              ///< empty when streamed through onData
    QList<QPair<QByteArray, QByteArray>> headers; ///< names lower-cased
    QByteArray header(const QByteArray &lowerCaseName) const;
    /// Retry-After in seconds, or -1.
    int retryAfterSeconds() const;
};

/**
 * One libcurl easy handle: keep-alive across requests, timeouts, TLS verification (on by
 * default, optional CA file), gzip request bodies, streamed responses. Not thread-safe: one
 * client per thread (HttpClientPool hands them out).
 */
class HttpClient
{
public:
    explicit HttpClient(HttpOptions options = {});
    ~HttpClient();
    HttpClient(const HttpClient &) = delete;
    HttpClient &operator=(const HttpClient &) = delete;

    const HttpOptions &options() const { return m_options; }
    /// Performs the request. Returns the answer whatever its HTTP status; throws tsm::Error
    /// (Network, Timeout, Tls, Cancelled) when there is no answer.
    HttpResponse perform(const HttpRequest &request, const CancelToken *cancel = nullptr);

    static QByteArray percentEncode(const QString &text);
    /// baseUrl + path + "?" + percent-encoded parameters.
    static QByteArray buildUrl(const QString &baseUrl, const QByteArray &path,
                               const QList<QPair<QByteArray, QString>> &parameters);
    /// The value of an "Authorization: Basic ..." header.
    static QByteArray basicAuthorization(const QString &user, const QString &password);
    static QByteArray gzip(const QByteArray &data);
    /// Whether a base URL ("http://127.0.0.1:8086") names this machine (localhost, 127.0.0.0/8,
    /// ::1): there, compressing request bodies costs more CPU than the bytes it saves.
    static bool isLoopback(const QString &baseUrl);

private:
    HttpOptions m_options;
    CURL *m_curl = nullptr;
};

} // namespace tsm
