#include "support/TestHttpServer.h"

#include <QHostAddress>
#include <QMutexLocker>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <exception>
#include <zlib.h>

using namespace Qt::StringLiterals;

namespace tsm::test {

namespace {

constexpr qsizetype MaxHeaderBytes = 64 * 1024;

/// Reads "a=b&c=d" the way Go's url.ParseQuery does: '+' is a space, then percent-decoding.
QList<QPair<QString, QString>> parseUrlEncoded(const QByteArray &text)
{
    QList<QPair<QString, QString>> items;
    const QList<QByteArray> pairs = text.split('&');
    for (const QByteArray &pair : pairs) {
        if (pair.isEmpty())
            continue;
        const qsizetype equals = pair.indexOf('=');
        QByteArray key = equals < 0 ? pair : pair.left(equals);
        QByteArray value = equals < 0 ? QByteArray() : pair.mid(equals + 1);
        key.replace('+', ' ');
        value.replace('+', ' ');
        items.append({QString::fromUtf8(QByteArray::fromPercentEncoding(key)),
                      QString::fromUtf8(QByteArray::fromPercentEncoding(value))});
    }
    return items;
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 413:
        return "Request Entity Too Large";
    case 422:
        return "Unprocessable Entity";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "Status";
    }
}

bool hasHeader(const QList<QPair<QByteArray, QByteArray>> &headers, const QByteArray &name)
{
    for (const auto &header : headers) {
        if (header.first.toLower() == name)
            return true;
    }
    return false;
}

enum class Parse
{
    Incomplete,
    Complete,
    Bad
};

/// Parses one request from the front of `buffer`. `headersDone` tells the caller that the
/// header block is complete (for 100 Continue) even when the body is not.
Parse parseRequest(const QByteArray &buffer, TestHttpServer::Request &request, qsizetype &consumed,
                   bool &headersDone, QByteArray &problem)
{
    headersDone = false;
    const qsizetype headerEnd = buffer.indexOf("\r\n\r\n");
    if (headerEnd < 0) {
        if (buffer.size() > MaxHeaderBytes) {
            problem = "header block too large";
            return Parse::Bad;
        }
        // A request line that cannot be HTTP (a TLS hello, say) is refused at once.
        const qsizetype firstLineEnd = buffer.indexOf("\r\n");
        const QByteArray firstLine = firstLineEnd < 0 ? buffer : buffer.left(firstLineEnd);
        for (const char c : firstLine) {
            if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) {
                problem = "not an HTTP request";
                return Parse::Bad;
            }
        }
        return Parse::Incomplete;
    }

    const QList<QByteArray> lines = buffer.left(headerEnd).split('\n');
    const QList<QByteArray> requestLine = lines.first().trimmed().split(' ');
    if (requestLine.size() != 3 || !requestLine.at(2).startsWith("HTTP/1.")) {
        problem = "bad request line";
        return Parse::Bad;
    }
    request = TestHttpServer::Request{};
    request.method = requestLine.at(0);
    request.target = requestLine.at(1);
    const qsizetype question = request.target.indexOf('?');
    request.path = question < 0 ? request.target : request.target.left(question);
    if (question >= 0)
        request.query = parseUrlEncoded(request.target.mid(question + 1));
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0) {
            problem = "bad header line";
            return Parse::Bad;
        }
        request.headers.emplaceBack(line.left(colon).trimmed().toLower(),
                                    line.mid(colon + 1).trimmed());
    }
    headersDone = true;

    qsizetype position = headerEnd + 4;
    QByteArray body;
    if (request.header("transfer-encoding").toLower().contains("chunked")) {
        for (;;) {
            const qsizetype sizeEnd = buffer.indexOf("\r\n", position);
            if (sizeEnd < 0)
                return Parse::Incomplete;
            QByteArray sizeText = buffer.mid(position, sizeEnd - position);
            const qsizetype extension = sizeText.indexOf(';');
            if (extension >= 0)
                sizeText.truncate(extension);
            bool ok = false;
            const qlonglong size = sizeText.trimmed().toLongLong(&ok, 16);
            if (!ok || size < 0) {
                problem = "bad chunk size";
                return Parse::Bad;
            }
            position = sizeEnd + 2;
            if (size == 0) {
                // Optional trailers, then an empty line.
                if (buffer.mid(position, 2) == "\r\n") {
                    position += 2;
                } else {
                    const qsizetype trailerEnd = buffer.indexOf("\r\n\r\n", position);
                    if (trailerEnd < 0)
                        return Parse::Incomplete;
                    position = trailerEnd + 4;
                }
                break;
            }
            if (buffer.size() < position + size + 2)
                return Parse::Incomplete;
            body.append(buffer.constData() + position, qsizetype(size));
            position += size + 2;
        }
    } else {
        const QByteArray lengthText = request.header("content-length");
        if (!lengthText.isEmpty()) {
            bool ok = false;
            const qlonglong length = lengthText.toLongLong(&ok);
            if (!ok || length < 0) {
                problem = "bad Content-Length";
                return Parse::Bad;
            }
            if (buffer.size() < position + length)
                return Parse::Incomplete;
            body = buffer.mid(position, qsizetype(length));
            position += length;
        }
    }

    if (request.header("content-encoding").toLower() == "gzip") {
        bool ok = false;
        request.body = TestHttpServer::gunzip(body, &ok);
        request.bodyWasGzip = true;
        if (!ok) {
            problem = "body is not valid gzip";
            return Parse::Bad;
        }
    } else {
        request.body = body;
    }
    consumed = position;
    return Parse::Complete;
}

} // namespace

/** The state of one accepted TCP connection, shared by the callbacks that serve it. */
struct TestHttpServer::Connection
{
    QPointer<QTcpSocket> socket;
    QByteArray buffer;
    int id = 0;
    bool busy = false;         // an answer is being sent; later requests wait in `buffer`
    bool continueSent = false; // "100 Continue" already sent for the request being read
};

QByteArray TestHttpServer::Request::header(const QByteArray &lowerCaseName) const
{
    for (const auto &header : headers) {
        if (header.first == lowerCaseName)
            return header.second;
    }
    return {};
}

bool TestHttpServer::Request::hasQueryItem(const QString &name) const
{
    for (const auto &item : query) {
        if (item.first == name)
            return true;
    }
    return false;
}

QString TestHttpServer::Request::queryItem(const QString &name) const
{
    for (const auto &item : query) {
        if (item.first == name)
            return item.second;
    }
    return {};
}

QList<QPair<QString, QString>> TestHttpServer::Request::formItems() const
{
    return parseUrlEncoded(body);
}

QString TestHttpServer::Request::formItem(const QString &name) const
{
    const auto items = formItems();
    for (const auto &item : items) {
        if (item.first == name)
            return item.second;
    }
    return {};
}

TestHttpServer::Reply TestHttpServer::Reply::json(int status, const QByteArray &body)
{
    Reply reply = empty(status).header("Content-Type", "application/json");
    reply.body = body;
    return reply;
}

TestHttpServer::Reply TestHttpServer::Reply::text(int status, const QByteArray &body)
{
    Reply reply = empty(status).header("Content-Type", "text/plain; charset=utf-8");
    reply.body = body;
    return reply;
}

TestHttpServer::Reply TestHttpServer::Reply::empty(int status)
{
    Reply reply;
    reply.status = status;
    return reply;
}

TestHttpServer::Reply &TestHttpServer::Reply::header(const QByteArray &name,
                                                     const QByteArray &value)
{
    headers.emplaceBack(name, value);
    return *this;
}

TestHttpServer::TestHttpServer(quint16 port) : m_port(port)
{
    m_thread.setObjectName(u"TestHttpServer"_s);
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    m_thread.start();
    QMetaObject::invokeMethod(
        m_context, [this] { setUp(); }, Qt::BlockingQueuedConnection);
}

TestHttpServer::~TestHttpServer()
{
    QMetaObject::invokeMethod(
        m_context, [this] { tearDown(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
    // The thread is gone, so nothing can be delivered to the context any more.
    delete m_context;
}

void TestHttpServer::setUp()
{
    m_server = new QTcpServer(m_context);
    QObject::connect(m_server, &QTcpServer::newConnection, m_context, [this] { accept(); });
    if (!m_server->listen(QHostAddress::LocalHost, m_port)) {
        m_port = 0;
        qWarning("TestHttpServer: cannot listen: %s", qPrintable(m_server->errorString()));
        return;
    }
    m_port = m_server->serverPort();
}

void TestHttpServer::tearDown()
{
    m_server->close();
    const auto sockets = m_context->findChildren<QTcpSocket *>();
    for (QTcpSocket *socket : sockets) {
        // Detach the callbacks first: aborting emits disconnected().
        QObject::disconnect(socket, nullptr, nullptr, nullptr);
        socket->abort();
        delete socket;
    }
    delete m_server;
    m_server = nullptr;
}

void TestHttpServer::setHandler(Handler handler)
{
    QMutexLocker locker(&m_mutex);
    m_handler = std::move(handler);
}

QString TestHttpServer::url() const
{
    return u"http://127.0.0.1:%1"_s.arg(m_port);
}

QList<TestHttpServer::Request> TestHttpServer::requests() const
{
    QMutexLocker locker(&m_mutex);
    return m_requests;
}

int TestHttpServer::requestCount() const
{
    QMutexLocker locker(&m_mutex);
    return int(m_requests.size());
}

void TestHttpServer::clearRecords()
{
    QMutexLocker locker(&m_mutex);
    m_requests.clear();
    m_connections.store(0);
}

void TestHttpServer::accept()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        auto connection = std::make_shared<Connection>();
        connection->socket = socket;
        connection->id = ++m_connections;
        QObject::connect(socket, &QTcpSocket::readyRead, socket,
                         [this, connection] { readFrom(connection); });
        QObject::connect(socket, &QTcpSocket::disconnected, socket,
                         [socket] { socket->deleteLater(); });
        if (socket->bytesAvailable() > 0)
            readFrom(connection);
    }
}

void TestHttpServer::readFrom(const std::shared_ptr<Connection> &connection)
{
    QTcpSocket *socket = connection->socket;
    if (!socket)
        return;
    connection->buffer.append(socket->readAll());
    if (connection->busy)
        return;

    Request request;
    qsizetype consumed = 0;
    bool headersDone = false;
    QByteArray problem;
    const Parse result = parseRequest(connection->buffer, request, consumed, headersDone, problem);
    if (result == Parse::Incomplete) {
        if (headersDone && !connection->continueSent &&
            request.header("expect").toLower() == "100-continue") {
            connection->continueSent = true;
            socket->write("HTTP/1.1 100 Continue\r\n\r\n");
        }
        return;
    }
    if (result == Parse::Bad) {
        connection->buffer.clear();
        connection->busy = true;
        sendReply(connection, Reply::text(400, problem + '\n'), false, true);
        return;
    }
    connection->buffer.remove(0, consumed);
    connection->continueSent = false;
    request.connection = connection->id;
    answer(connection, std::move(request));
}

void TestHttpServer::answer(const std::shared_ptr<Connection> &connection, Request request)
{
    connection->busy = true;
    Handler handler;
    {
        QMutexLocker locker(&m_mutex);
        m_requests.append(request);
        handler = m_handler;
    }
    Reply reply;
    if (!handler) {
        reply = Reply::text(404, "no handler\n");
    } else {
        try {
            reply = handler(request);
        } catch (const std::exception &error) {
            reply = Reply::text(500, QByteArray("handler threw: ") + error.what() + '\n');
        } catch (...) {
            reply = Reply::text(500, "handler threw\n");
        }
    }
    const bool head = request.method == "HEAD";
    const bool close = reply.closeAfter || request.header("connection").toLower() == "close";
    if (reply.delayMs > 0) {
        QTimer::singleShot(reply.delayMs, m_context, [this, connection, reply, head, close] {
            sendReply(connection, reply, head, close);
        });
    } else {
        sendReply(connection, reply, head, close);
    }
}

void TestHttpServer::sendReply(const std::shared_ptr<Connection> &connection, const Reply &reply,
                               bool head, bool close)
{
    QTcpSocket *socket = connection->socket;
    if (!socket)
        return;
    if (reply.closeWithoutAnswer) {
        socket->disconnectFromHost();
        return;
    }
    const bool chunked = !reply.chunks.isEmpty() || reply.stream;
    const bool bodyless = reply.status == 204 || reply.status == 304 || reply.status < 200;
    QByteArray headBlock =
        "HTTP/1.1 " + QByteArray::number(reply.status) + ' ' + reasonPhrase(reply.status) + "\r\n";
    for (const auto &header : reply.headers)
        headBlock += header.first + ": " + header.second + "\r\n";
    if (chunked && !bodyless)
        headBlock += "Transfer-Encoding: chunked\r\n";
    else if (!bodyless && !hasHeader(reply.headers, "content-length"))
        headBlock += "Content-Length: " + QByteArray::number(reply.body.size()) + "\r\n";
    if (close)
        headBlock += "Connection: close\r\n";
    headBlock += "\r\n";
    socket->write(headBlock);
    if (head || bodyless) {
        finishReply(connection, close);
        return;
    }
    if (reply.stream) {
        const std::shared_ptr<ReplyStream> stream = reply.stream;
        {
            QMutexLocker locker(&stream->m_mutex);
            stream->m_wake = [this, connection, stream, close] {
                QMetaObject::invokeMethod(
                    m_context,
                    [this, connection, stream, close] { drainStream(connection, stream, close); },
                    Qt::QueuedConnection);
            };
        }
        drainStream(connection, stream, close);
        return;
    }
    if (chunked) {
        sendChunk(connection, reply.chunks, reply.chunkDelayMs, close, reply.abortBody,
                  reply.cutLastChunkAt);
        return;
    }
    socket->write(reply.body);
    finishReply(connection, close);
}

void TestHttpServer::sendChunk(const std::shared_ptr<Connection> &connection,
                               QList<QByteArray> chunks, int delayMs, bool close, bool abort,
                               qsizetype cutLastAt)
{
    QTcpSocket *socket = connection->socket;
    if (!socket)
        return;
    const QByteArray chunk = chunks.takeFirst();
    if (chunks.isEmpty() && abort && cutLastAt >= 0) {
        // The size line promises the whole chunk; the connection breaks inside it.
        socket->write(QByteArray::number(chunk.size(), 16) + "\r\n" + chunk.left(cutLastAt));
        socket->disconnectFromHost();
        return;
    }
    if (!chunk.isEmpty()) // an empty chunk would end the body early
        socket->write(QByteArray::number(chunk.size(), 16) + "\r\n" + chunk + "\r\n");
    if (chunks.isEmpty() && abort) {
        socket->disconnectFromHost(); // what was written goes out, the last chunk never does
        return;
    }
    if (chunks.isEmpty()) {
        socket->write("0\r\n\r\n");
        finishReply(connection, close);
        return;
    }
    socket->flush();
    QTimer::singleShot(delayMs, m_context,
                       [this, connection, chunks, delayMs, close, abort, cutLastAt] {
                           sendChunk(connection, chunks, delayMs, close, abort, cutLastAt);
                       });
}

void TestHttpServer::drainStream(const std::shared_ptr<Connection> &connection,
                                 const std::shared_ptr<ReplyStream> &stream, bool close)
{
    QList<QByteArray> pieces;
    bool finished = false;
    QTcpSocket *socket = connection->socket;
    {
        QMutexLocker locker(&stream->m_mutex);
        // Wake-ups queued before the end arrive after it: the body is complete already.
        if (stream->m_sent)
            return;
        if (!socket)
            stream->m_cancelled = true;
        pieces.swap(stream->m_pending);
        finished = stream->m_finished;
        stream->m_sent = finished || !socket;
        if (stream->m_sent)
            stream->m_wake = nullptr; // it holds the stream: break the cycle
    }
    if (!socket)
        return;
    for (const QByteArray &piece : std::as_const(pieces)) {
        if (!piece.isEmpty()) // an empty chunk would end the body early
            socket->write(QByteArray::number(piece.size(), 16) + "\r\n" + piece + "\r\n");
    }
    if (finished) {
        socket->write("0\r\n\r\n");
        finishReply(connection, close);
    }
}

void TestHttpServer::ReplyStream::push(const QByteArray &piece)
{
    {
        QMutexLocker locker(&m_mutex);
        if (m_finished)
            return;
        m_pending.append(piece);
    }
    wake();
}

void TestHttpServer::ReplyStream::finish()
{
    {
        QMutexLocker locker(&m_mutex);
        m_finished = true;
    }
    wake();
}

bool TestHttpServer::ReplyStream::cancelled() const
{
    QMutexLocker locker(&m_mutex);
    return m_cancelled;
}

void TestHttpServer::ReplyStream::wake()
{
    std::function<void()> wake;
    {
        QMutexLocker locker(&m_mutex);
        wake = m_wake;
    }
    if (wake)
        wake();
}

void TestHttpServer::finishReply(const std::shared_ptr<Connection> &connection, bool close)
{
    QTcpSocket *socket = connection->socket;
    if (!socket)
        return;
    if (close) {
        socket->disconnectFromHost();
        return;
    }
    connection->busy = false;
    // A request that arrived while this one was being answered is already in the buffer.
    if (!connection->buffer.isEmpty())
        QTimer::singleShot(0, m_context, [this, connection] { readFrom(connection); });
}

QByteArray TestHttpServer::gunzip(const QByteArray &data, bool *ok)
{
    if (ok)
        *ok = false;
    z_stream stream{};
    // 15 + 32: accept a gzip or zlib header.
    if (inflateInit2(&stream, 15 + 32) != Z_OK)
        return {};
    QByteArray out;
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    stream.avail_in = uInt(data.size());
    char buffer[64 * 1024];
    int result = Z_OK;
    while (result == Z_OK) {
        stream.next_out = reinterpret_cast<Bytef *>(buffer);
        stream.avail_out = sizeof buffer;
        result = inflate(&stream, Z_NO_FLUSH);
        if (result != Z_OK && result != Z_STREAM_END)
            break;
        out.append(buffer, qsizetype(sizeof buffer - stream.avail_out));
        if (result == Z_OK && stream.avail_in == 0 && stream.avail_out != 0)
            break; // truncated input
    }
    inflateEnd(&stream);
    if (ok)
        *ok = result == Z_STREAM_END;
    return out;
}

} // namespace tsm::test
