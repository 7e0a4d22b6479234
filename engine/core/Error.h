#pragma once

#include <QString>
#include <stdexcept>

namespace tsm {

/** What went wrong, in the categories that decide what the engine does next. */
enum class ErrorKind
{
    Config,    ///< the task or a file is wrong: fix the input, retrying won't help
    Network,   ///< connection refused, DNS, reset: retried
    Timeout,   ///< connect or read timed out: retried
    Tls,       ///< certificate or handshake problem: not retried
    Auth,      ///< 401/403: stops the task
    NotFound,  ///< database, bucket or measurement missing
    Server,    ///< 5xx, 429: retried
    Protocol,  ///< the server's answer could not be understood
    Query,     ///< a statement error reported by the server (HTTP 200 with an error body)
    Rejected,  ///< the target refused data (400/422): not retried
    TooLarge,  ///< 413: the batch is split
    Cancelled, ///< the task was paused or stopped
    Io,        ///< local file error
    Busy,      ///< another run holds the task (its lease in the state file is live)
};

/** The exception every engine layer throws; carries what the caller needs to decide. */
class Error : public std::runtime_error
{
public:
    Error(ErrorKind kind, const QString &message, int httpStatus = 0, int retryAfterSeconds = -1)
        : std::runtime_error(message.toStdString()), m_kind(kind), m_message(message),
          m_httpStatus(httpStatus), m_retryAfterSeconds(retryAfterSeconds)
    {}

    ErrorKind kind() const { return m_kind; }
    QString message() const { return m_message; }
    int httpStatus() const { return m_httpStatus; }
    /// Seconds from a Retry-After header, or -1 when the server sent none.
    int retryAfterSeconds() const { return m_retryAfterSeconds; }
    /// Transient failures: the same request may succeed later.
    bool isRetryable() const
    {
        return m_kind == ErrorKind::Network || m_kind == ErrorKind::Timeout ||
               m_kind == ErrorKind::Server;
    }

private:
    ErrorKind m_kind;
    QString m_message;
    int m_httpStatus;
    int m_retryAfterSeconds;
};

} // namespace tsm
