#include "commands/MetricsServer.h"

#include "commands/MetricsText.h"

#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <TaskCounts.h>
#include <TimeText.h>

using namespace Qt::StringLiterals;

namespace tsm::cli {

namespace {

/// A request head larger than this is refused (431): /metrics needs a few hundred bytes.
constexpr qsizetype kMaxHeadBytes = 16 * 1024;
/// A client that has not sent its request head by then is let go.
constexpr int kRequestTimeoutMs = 10000;

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK"_ba;
    case 400:
        return "Bad Request"_ba;
    case 404:
        return "Not Found"_ba;
    case 405:
        return "Method Not Allowed"_ba;
    case 431:
        return "Request Header Fields Too Large"_ba;
    case 503:
        return "Service Unavailable"_ba;
    default:
        return "Error"_ba;
    }
}

MetricsServer::Reply plain(int status, const QString &text)
{
    return {status, "text/plain; charset=utf-8"_ba, text.toUtf8() + '\n', {}};
}

QByteArray serialize(const MetricsServer::Reply &reply, bool headOnly)
{
    QByteArray out = "HTTP/1.1 " + QByteArray::number(reply.status) + ' ' +
                     reasonPhrase(reply.status) + "\r\nContent-Type: " + reply.contentType +
                     "\r\nContent-Length: " + QByteArray::number(reply.body.size()) + "\r\n";
    if (!reply.allow.isEmpty())
        out += "Allow: " + reply.allow + "\r\n";
    out += "Connection: close\r\n\r\n";
    if (!headOnly)
        out += reply.body;
    return out;
}

} // namespace

std::optional<MetricsServer::Address> MetricsServer::parseAddress(const QString &text,
                                                                  QString *error)
{
    static const QRegularExpression form(u"^(?:\\[([^\\]]+)\\]|([^:\\[\\]]+)):([0-9]{1,5})$"_s);
    const QRegularExpressionMatch m = form.match(text);
    if (!m.hasMatch()) {
        *error =
            u"--metrics: \"%1\" is not HOST:PORT (e.g. 127.0.0.1:9101, [::1]:9101)"_s.arg(text);
        return std::nullopt;
    }
    const QString hostText = m.captured(1).isEmpty() ? m.captured(2) : m.captured(1);
    Address address;
    if (hostText == u"localhost"_s)
        address.host = QHostAddress(QHostAddress::LocalHost);
    else if (!address.host.setAddress(hostText)) {
        *error = u"--metrics: \"%1\" is not an IP address to listen on (use e.g. 127.0.0.1, "
                 "0.0.0.0 or ::1)"_s.arg(hostText);
        return std::nullopt;
    }
    const int port = m.captured(3).toInt();
    if (port > 65535) {
        *error = u"--metrics: port %1 is out of range (0 to 65535; 0 picks a free one)"_s.arg(port);
        return std::nullopt;
    }
    address.port = quint16(port);
    return address;
}

MetricsServer::MetricsServer(QString statePath, QString taskName, QObject *parent)
    : QObject(parent), m_statePath(std::move(statePath)), m_taskName(std::move(taskName)),
      m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *socket = m_server->nextPendingConnection())
            onConnection(socket);
    });
}

MetricsServer::~MetricsServer() = default;

bool MetricsServer::listen(const Address &address, QString *error)
{
    if (m_server->listen(address.host, address.port))
        return true;
    *error = u"--metrics: cannot listen on %1:%2: %3"_s.arg(address.host.toString())
                 .arg(address.port)
                 .arg(m_server->errorString());
    return false;
}

QString MetricsServer::url() const
{
    const QHostAddress host = m_server->serverAddress();
    const QString name = host.protocol() == QAbstractSocket::IPv6Protocol
                             ? u"[%1]"_s.arg(host.toString())
                             : host.toString();
    return u"http://%1:%2/metrics"_s.arg(name).arg(m_server->serverPort());
}

void MetricsServer::onConnection(QTcpSocket *socket)
{
    socket->setParent(this);
    auto *timeout = new QTimer(socket);
    timeout->setSingleShot(true);
    connect(timeout, &QTimer::timeout, socket, [socket] { socket->abort(); });
    timeout->start(kRequestTimeoutMs);
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { respond(socket); });
}

void MetricsServer::respond(QTcpSocket *socket)
{
    if (socket->property("answered").toBool()) {
        socket->readAll(); // one answer per connection; the rest is ignored
        return;
    }
    const QByteArray seen = socket->peek(kMaxHeadBytes + 1);
    const qsizetype end = seen.indexOf("\r\n\r\n");
    bool headOnly = false;
    Reply reply;
    if (end < 0 && seen.size() <= kMaxHeadBytes)
        return; // the head is not complete yet
    if (end < 0)
        reply = plain(431, u"The request head is larger than %1 bytes"_s.arg(kMaxHeadBytes));
    else
        reply = answer(seen.left(end), &headOnly);
    socket->readAll();
    socket->setProperty("answered", true);
    socket->write(serialize(reply, headOnly));
    socket->disconnectFromHost();
}

MetricsServer::Reply MetricsServer::answer(const QByteArray &head, bool *headOnly)
{
    const qsizetype lineEnd = head.indexOf("\r\n");
    const QByteArray requestLine = lineEnd < 0 ? head : head.first(lineEnd);
    const QList<QByteArray> parts = requestLine.split(' ');
    if (parts.size() != 3 || !parts[2].startsWith("HTTP/1.") || !parts[1].startsWith('/'))
        return plain(400, u"Not an HTTP/1.x request line"_s);
    const QByteArray &method = parts[0];
    const qsizetype query = parts[1].indexOf('?');
    const QByteArray path = query < 0 ? parts[1] : parts[1].first(query);
    if (path != "/metrics")
        return plain(404, u"Not found: this server answers only /metrics"_s);
    if (method != "GET" && method != "HEAD") {
        Reply refused = plain(405, u"Method not allowed: /metrics answers GET and HEAD"_s);
        refused.allow = "GET, HEAD"_ba;
        return refused;
    }
    *headOnly = method == "HEAD";
    return metrics();
}

MetricsServer::Reply MetricsServer::metrics()
{
    // The run creates the store and the task as it starts: until then there is nothing to say.
    if (!m_store.isOpen() && !m_store.open(m_statePath, CheckpointStore::Mode::ReadOnly))
        return plain(503, u"The state file %1 cannot be read yet: %2"_s.arg(m_statePath,
                                                                            m_store.lastError()));
    const std::optional<TaskRecord> task = m_store.task(m_taskName);
    if (!task)
        return plain(503, u"Task \"%1\" is not in %2 yet: %3"_s.arg(m_taskName, m_statePath,
                                                                    m_store.lastError()));
    const TaskCounts counts = TaskCounts::read(m_store, *task, TimeText::nowNs());
    return {200, MetricsText::contentType(), MetricsText::format(counts), {}};
}

} // namespace tsm::cli
