#pragma once

#include <QByteArray>
#include <QList>
#include <QMutex>
#include <QPair>
#include <QString>
#include <QThread>
#include <atomic>
#include <functional>
#include <memory>

class QObject;
class QTcpServer;

namespace tsm::test {

/**
 * A scripted HTTP/1.1 server on 127.0.0.1 for tests and protocol emulators. It runs in its own
 * thread, so code under test may block in libcurl on the test thread while it answers.
 * Keep-alive, Content-Length and chunked request bodies, gzip request bodies; answers may be
 * delayed, streamed in chunks, or replaced by a dropped connection.
 */
class TestHttpServer
{
public:
    struct Request
    {
        QByteArray method;
        QByteArray path;   ///< without the query string, still percent-encoded
        QByteArray target; ///< path and query as sent
        /// Decoded query items ('+' read as a space, as Go's and most servers' parsers do).
        QList<QPair<QString, QString>> query;
        QList<QPair<QByteArray, QByteArray>> headers; ///< names lower-cased
        QByteArray body; ///< gunzipped when it came with Content-Encoding: gzip
        bool bodyWasGzip = false;
        int connection = 0; ///< which accepted connection (1, 2, ...) carried it

        QByteArray header(const QByteArray &lowerCaseName) const;
        bool hasQueryItem(const QString &name) const;
        QString queryItem(const QString &name) const;
        /// The body read as an application/x-www-form-urlencoded form.
        QList<QPair<QString, QString>> formItems() const;
        QString formItem(const QString &name) const;
    };

    /**
     * A body another thread produces while the server sends it: each push() goes out at once
     * as one chunk (Transfer-Encoding: chunked), finish() ends the body. cancelled() tells the
     * producer that the client went away. The producer must be done before the server is
     * destroyed.
     */
    class ReplyStream
    {
    public:
        void push(const QByteArray &piece);
        void finish();
        bool cancelled() const;

    private:
        friend class TestHttpServer;
        void wake();

        mutable QMutex m_mutex;
        QList<QByteArray> m_pending;
        bool m_finished = false;
        bool m_cancelled = false;
        bool m_sent = false;          ///< the server wrote the end of the body (or gave up)
        std::function<void()> m_wake; ///< set by the server once the head is sent
    };

    struct Reply
    {
        int status = 200;
        QList<QPair<QByteArray, QByteArray>> headers;
        QByteArray body;
        /// When not empty, the body is sent with Transfer-Encoding: chunked, one chunk per
        /// piece, `chunkDelayMs` apart (`body` is then ignored).
        QList<QByteArray> chunks;
        int chunkDelayMs = 0;
        int delayMs = 0;                 ///< wait this long before the status line
        bool closeWithoutAnswer = false; ///< read the request, then drop the connection
        bool closeAfter = false;         ///< answer with Connection: close and close
        /// With `chunks`: after the last one, drop the connection without ending the body, as
        /// a server does whose answer failed after its head went out.
        bool abortBody = false;
        /// With `abortBody`: send only this many bytes of the last chunk (its size line still
        /// announces all of it), so the connection breaks inside the chunk. -1: all of it.
        qsizetype cutLastChunkAt = -1;
        /// When set, the body comes from this stream as it is produced (`body` and `chunks`
        /// are then ignored).
        std::shared_ptr<ReplyStream> stream;

        static Reply json(int status, const QByteArray &body);
        static Reply text(int status, const QByteArray &body);
        static Reply empty(int status);
        Reply &header(const QByteArray &name, const QByteArray &value);
    };

    using Handler = std::function<Reply(const Request &)>;

    /// Listens on 127.0.0.1:`port`; 0 picks a free port.
    explicit TestHttpServer(quint16 port = 0);
    ~TestHttpServer();
    TestHttpServer(const TestHttpServer &) = delete;
    TestHttpServer &operator=(const TestHttpServer &) = delete;

    /// Called on the server thread for every complete request; without one, every request is
    /// answered 404.
    void setHandler(Handler handler);

    quint16 port() const { return m_port; }
    /// "http://127.0.0.1:<port>"
    QString url() const;

    QList<Request> requests() const;
    int requestCount() const;
    /// TCP connections accepted so far (keep-alive reuse keeps this low).
    int connectionCount() const { return m_connections.load(); }
    void clearRecords();

    static QByteArray gunzip(const QByteArray &data, bool *ok = nullptr);

private:
    struct Connection;
    void setUp();
    void tearDown();
    void accept();
    void readFrom(const std::shared_ptr<Connection> &connection);
    void answer(const std::shared_ptr<Connection> &connection, Request request);
    void sendReply(const std::shared_ptr<Connection> &connection, const Reply &reply, bool head,
                   bool close);
    void sendChunk(const std::shared_ptr<Connection> &connection, QList<QByteArray> chunks,
                   int delayMs, bool close, bool abort, qsizetype cutLastAt);
    void finishReply(const std::shared_ptr<Connection> &connection, bool close);
    void drainStream(const std::shared_ptr<Connection> &connection,
                     const std::shared_ptr<ReplyStream> &stream, bool close);

    QThread m_thread;
    QObject *m_context = nullptr; ///< lives in m_thread; parent of everything there
    QTcpServer *m_server = nullptr;
    quint16 m_port = 0;
    std::atomic<int> m_connections{0};

    mutable QMutex m_mutex;
    Handler m_handler;
    QList<Request> m_requests;
};

} // namespace tsm::test
