#include "http/HttpClient.h"

#include "core/Error.h"
#include "http/HttpLog.h"

#include <QElapsedTimer>
#include <QUrl>
#include <algorithm>
#include <ctime>
#include <curl/curl.h>
#include <exception>
#include <limits>
#include <mutex>
#include <system_error>
#include <zlib.h>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

void initCurlOnce()
{
    // curl_global_init is not thread-safe on every platform; clients are created from worker
    // threads, so the first one to arrive does it for everybody.
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

/** What the libcurl callbacks of one transfer share with perform(). */
struct Transfer
{
    CURL *curl = nullptr;
    const HttpRequest *request = nullptr;
    HttpResponse *response = nullptr;
    const CancelToken *cancel = nullptr;
    bool readerStopped = false;     // onData returned false
    std::exception_ptr readerError; // onData threw: rethrown after curl_easy_perform
};

size_t onHeader(char *data, size_t size, size_t count, void *userData)
{
    auto *transfer = static_cast<Transfer *>(userData);
    const size_t total = size * count;
    const QByteArray line = QByteArray(data, qsizetype(total)).trimmed();
    if (line.startsWith("HTTP/")) {
        // A new status line (after a 100 Continue, say): the headers of the previous one are
        // not those of the answer.
        transfer->response->headers.clear();
        const QList<QByteArray> parts = line.split(' ');
        if (parts.size() >= 2)
            transfer->response->status = parts.at(1).toInt();
        return total;
    }
    const qsizetype colon = line.indexOf(':');
    if (colon > 0)
        transfer->response->headers.append(
            {line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed()});
    return total;
}

size_t onBody(char *data, size_t size, size_t count, void *userData)
{
    auto *transfer = static_cast<Transfer *>(userData);
    const size_t total = size * count;
    long status = 0;
    curl_easy_getinfo(transfer->curl, CURLINFO_RESPONSE_CODE, &status);
    const bool success = status >= 200 && status < 300;
    if (!success || !transfer->request->onData) {
        // Error answers are always collected so the caller can quote the server's message.
        transfer->response->body.append(data, qsizetype(total));
        return total;
    }
    try {
        if (!transfer->request->onData(data, total)) {
            transfer->readerStopped = true;
            return 0; // any value other than `total` makes curl fail with CURLE_WRITE_ERROR
        }
    } catch (...) {
        // Exceptions must not unwind through libcurl's C frames.
        transfer->readerError = std::current_exception();
        return 0;
    }
    return total;
}

int onProgress(void *userData, curl_off_t, curl_off_t, curl_off_t, curl_off_t)
{
    const auto *transfer = static_cast<Transfer *>(userData);
    return transfer->cancel && transfer->cancel->isCancelled() ? 1 : 0;
}

QString hostPort(const QByteArray &url)
{
    const QUrl parsed = QUrl::fromEncoded(url);
    const int defaultPort = parsed.scheme() == u"https"_s ? 443 : 80;
    return parsed.host() + u':' + QString::number(parsed.port(defaultPort));
}

bool isTlsError(CURLcode code)
{
    switch (code) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED:
        return true;
    default:
        return false;
    }
}

/// The answer a TLS server gives to a plain HTTP request on its port: Go's net/http ("Client
/// sent an HTTP request to an HTTPS server.", InfluxDB, taosAdapter) and nginx ("The plain HTTP
/// request was sent to HTTPS port").
bool isPlainHttpToTlsPort(const QByteArray &url, const QByteArray &body)
{
    return url.startsWith("http:") && (body.contains("HTTP request to an HTTPS server") ||
                                       body.contains("plain HTTP request was sent to HTTPS port"));
}

/// Owns the header list of one request.
struct HeaderList
{
    curl_slist *list = nullptr;
    ~HeaderList() { curl_slist_free_all(list); }
    void add(const QByteArray &line) { list = curl_slist_append(list, line.constData()); }
};

} // namespace

QByteArray HttpResponse::header(const QByteArray &lowerCaseName) const
{
    for (const auto &header : headers) {
        if (header.first == lowerCaseName)
            return header.second;
    }
    return {};
}

int HttpResponse::retryAfterSeconds() const
{
    const QByteArray value = header("retry-after").trimmed();
    if (value.isEmpty())
        return -1;
    bool isNumber = false;
    const qlonglong seconds = value.toLongLong(&isNumber);
    if (isNumber)
        return seconds < 0 ? -1
                           : int(std::min<qlonglong>(seconds, std::numeric_limits<int>::max()));
    // An HTTP-date; curl_getdate understands the three formats RFC 9110 allows.
    const time_t when = curl_getdate(value.constData(), nullptr);
    if (when == -1)
        return -1;
    const qint64 delta = qint64(when) - qint64(std::time(nullptr));
    return int(std::clamp<qint64>(delta, 0, std::numeric_limits<int>::max()));
}

HttpClient::HttpClient(HttpOptions options) : m_options(std::move(options))
{
    initCurlOnce();
    m_curl = curl_easy_init();
}

HttpClient::~HttpClient()
{
    if (m_curl)
        curl_easy_cleanup(m_curl);
}

/// The engine's error for a transfer that failed: the kind decides what is retried.
[[noreturn]] static void throwFailure(CURL *curl, CURLcode code, const HttpRequest &request,
                                      const QString &where, const QString &detail,
                                      bool readerStopped,
                                      const CancelToken *cancel)
{
    if (code == CURLE_ABORTED_BY_CALLBACK || (cancel && cancel->isCancelled()))
        throw Error(ErrorKind::Cancelled, u"Cancelled"_s);
    if (code == CURLE_WRITE_ERROR && readerStopped)
        throw Error(ErrorKind::Protocol,
                    u"The reader of the answer from %1 stopped the transfer"_s.arg(where));
    if (code == CURLE_OPERATION_TIMEDOUT)
        throw Error(ErrorKind::Timeout, u"Timed out talking to %1: %2"_s.arg(where, detail));
    if (code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE)
        throw Error(ErrorKind::Tls,
                    u"TLS certificate verification failed for %1: %2 (set a CA file or turn "
                    u"verification off)"_s.arg(where, detail));
    if (isTlsError(code))
        throw Error(ErrorKind::Tls,
                    u"TLS handshake with %1 failed: %2 (does the server speak https on this "
                    u"port?)"_s.arg(where, detail));
    switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: {
        // curl's own text ("Couldn't connect to server") hides the reason a person can act on.
        long osError = 0;
        curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &osError);
        const QString reason =
            osError != 0 ? QString::fromStdString(std::generic_category().message(int(osError)))
                         : detail;
        throw Error(ErrorKind::Network, u"Cannot connect to %1: %2"_s.arg(where, reason));
    }
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        throw Error(ErrorKind::Config,
                    u"Invalid URL %1: %2"_s.arg(QString::fromUtf8(request.url), detail));
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_WEIRD_SERVER_REPLY:
        throw Error(ErrorKind::Protocol,
                    u"Cannot understand the answer of %1: %2"_s.arg(where, detail));
    default:
        // SEND_ERROR, RECV_ERROR, GOT_NOTHING, PARTIAL_FILE and the rest: the connection broke.
        throw Error(ErrorKind::Network, u"Connection to %1 failed: %2"_s.arg(where, detail));
    }
}

HttpResponse HttpClient::perform(const HttpRequest &request, const CancelToken *cancel)
{
    if (!m_curl)
        throw Error(ErrorKind::Network, u"Cannot initialise libcurl"_s);
    if (cancel && cancel->isCancelled())
        throw Error(ErrorKind::Cancelled, u"Cancelled"_s);

    // Reset forgets the previous request's options but keeps the open connection (keep-alive).
    curl_easy_reset(m_curl);

    HttpResponse response;
    Transfer transfer;
    transfer.curl = m_curl;
    transfer.request = &request;
    transfer.response = &response;
    transfer.cancel = cancel;

    char errorBuffer[CURL_ERROR_SIZE] = {};
    CURL *curl = m_curl;
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errorBuffer);
    curl_easy_setopt(curl, CURLOPT_URL, request.url.constData());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     long(std::max(1, m_options.connectTimeoutMs)));
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME,
                     long(std::max(1, (m_options.idleTimeoutMs + 999) / 1000)));
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPIDLE, 60L);
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPINTVL, 30L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, m_options.verifyTls ? 1L : 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, m_options.verifyTls ? 2L : 0L);
    const QByteArray caFile = m_options.caFile.toLocal8Bit();
    if (!caFile.isEmpty())
        curl_easy_setopt(curl, CURLOPT_CAINFO, caFile.constData());
    const QByteArray user = m_options.basicUser.toUtf8();
    const QByteArray password = m_options.basicPassword.toUtf8();
    if (!user.isEmpty()) {
        curl_easy_setopt(curl, CURLOPT_HTTPAUTH, long(CURLAUTH_BASIC));
        curl_easy_setopt(curl, CURLOPT_USERNAME, user.constData());
        curl_easy_setopt(curl, CURLOPT_PASSWORD, password.constData());
    }

    HeaderList headers;
    for (const auto &header : request.headers)
        headers.add(header.first + ": " + header.second);

    const QByteArray method = request.method.toUpper();
    const QByteArray body = request.gzipBody ? gzip(request.body) : request.body;
    if (request.gzipBody)
        headers.add("Content-Encoding: gzip");
    if (method == "GET") {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    } else if (method == "HEAD") {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else {
        if (method != "POST")
            curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.constData());
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.constData());
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.size()));
        // Waiting for "100 Continue" costs a round trip (or a full second with servers that
        // never send it) on every batch.
        headers.add("Expect:");
    }
    if (headers.list)
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);

    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &onHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &onBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &onProgress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);

    QElapsedTimer took;
    took.start();
    const CURLcode code = curl_easy_perform(curl);
    long status = 0;
    if (code == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    // At trace level, each request; without its query string, which holds statements.
    qCDebug(lcHttp).noquote()
        << method
        << QUrl(QString::fromUtf8(request.url))
               .adjusted(QUrl::RemoveQuery | QUrl::RemoveUserInfo)
               .toString()
        << body.size() << "bytes:"
        << (code == CURLE_OK ? QString::number(status) : QString::fromUtf8(curl_easy_strerror(code)))
        << "in" << took.elapsed() << "ms";

    // The header list and the strings it points to die with this frame: make sure the handle
    // does not keep dangling pointers until the next reset.
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);

    if (transfer.readerError)
        std::rethrow_exception(transfer.readerError);
    if (code == CURLE_OK) {
        response.status = int(status);
        if (response.status == 400 && isPlainHttpToTlsPort(request.url, response.body))
            throw Error(
                ErrorKind::Tls,
                u"%1 speaks https on this port, not http: set the protocol to https "
                u"(the server answered \"%2\")"_s.arg(
                    hostPort(request.url), QString::fromUtf8(response.body.left(200)).simplified()),
                400);
        return response;
    }

    const QString where = hostPort(request.url);
    const QString detail =
        QString::fromUtf8(errorBuffer[0] ? errorBuffer : curl_easy_strerror(code));
    throwFailure(curl, code, request, where, detail, transfer.readerStopped, cancel);
}

QByteArray HttpClient::percentEncode(const QString &text)
{
    return QUrl::toPercentEncoding(text);
}

bool HttpClient::isLoopback(const QString &baseUrl)
{
    const QString host = QUrl(baseUrl).host().toLower();
    return host == u"localhost" || host.endsWith(u".localhost") || host.startsWith(u"127.") ||
           host == u"::1";
}

QByteArray HttpClient::gzip(const QByteArray &data)
{
    z_stream stream{};
    // windowBits 31 = 15 plus the gzip wrapper. Speed over ratio: line protocol compresses well
    // at level 1 already and the writers must not become CPU-bound.
    if (deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw Error(ErrorKind::Protocol, u"Cannot initialise gzip compression"_s);
    // Line protocol shrinks several times even at level 1: start at a quarter of the input and
    // grow when needed, rather than holding the worst-case bound for every write in flight.
    QByteArray out;
    out.resize(data.size() / 4 + 1024);
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    stream.avail_in = uInt(data.size());
    stream.next_out = reinterpret_cast<Bytef *>(out.data());
    stream.avail_out = uInt(out.size());
    int result = Z_OK;
    while (result == Z_OK) {
        if (stream.avail_out == 0) {
            const qsizetype used = out.size();
            out.resize(used * 2);
            stream.next_out = reinterpret_cast<Bytef *>(out.data() + used);
            stream.avail_out = uInt(out.size() - used);
        }
        result = deflate(&stream, Z_FINISH);
    }
    const qsizetype produced = qsizetype(stream.total_out);
    deflateEnd(&stream);
    if (result != Z_STREAM_END)
        throw Error(ErrorKind::Protocol, u"gzip compression failed"_s);
    out.resize(produced);
    return out;
}

QByteArray HttpClient::buildUrl(const QString &baseUrl, const QByteArray &path,
                                const QList<QPair<QByteArray, QString>> &parameters)
{
    QByteArray result = baseUrl.toUtf8() + path;
    char separator = '?';
    for (const auto &parameter : parameters) {
        result += separator + parameter.first + '=' + percentEncode(parameter.second);
        separator = '&';
    }
    return result;
}

QByteArray HttpClient::basicAuthorization(const QString &user, const QString &password)
{
    return "Basic " + (user.toUtf8() + ':' + password.toUtf8()).toBase64();
}

} // namespace tsm
