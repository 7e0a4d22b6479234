#pragma once

#include <CheckpointStore.h>
#include <QHostAddress>
#include <QObject>
#include <QString>
#include <optional>

class QTcpServer;
class QTcpSocket;

namespace tsm::cli {

/**
 * The endpoint of `tsmigrate-cli run --metrics HOST:PORT`: a minimal HTTP/1.1 responder that
 * answers GET (and HEAD) /metrics with the task's figures in the Prometheus text format, read
 * from the checkpoint store as tsmigrate-cli status reads them. Anything else is refused: 404
 * for another path, 405 for another method, 400 for what is not HTTP. One answer per
 * connection. Lives on the thread that creates it; the store is read there.
 */
class MetricsServer : public QObject
{
    Q_OBJECT

public:
    /** Where to listen, from "HOST:PORT" ("127.0.0.1:9101", "[::1]:9101"); port 0 = any free. */
    struct Address
    {
        QHostAddress host;
        quint16 port = 0;
    };
    /// The address in `text`, or nullopt with the reason in `error`.
    static std::optional<Address> parseAddress(const QString &text, QString *error);

    MetricsServer(QString statePath, QString taskName, QObject *parent = nullptr);
    ~MetricsServer() override;

    /// Listens on the address (only there); false with the reason in `error`.
    bool listen(const Address &address, QString *error);
    /// "http://127.0.0.1:9101/metrics", with the port actually bound.
    QString url() const;

    /** An answer: status line, headers and body. */
    struct Reply
    {
        int status = 200;
        QByteArray contentType;
        QByteArray body;
        QByteArray allow; ///< 405: the methods there are
    };
    /// The answer to a request whose head (request line and headers) is `head`: the one decision
    /// of the endpoint, apart from the socket.
    Reply answer(const QByteArray &head, bool *headOnly);

private:
    void onConnection(QTcpSocket *socket);
    void respond(QTcpSocket *socket);
    Reply metrics();

    QString m_statePath;
    QString m_taskName;
    QTcpServer *m_server = nullptr;
    CheckpointStore m_store; ///< opened read-only at the first request
};

} // namespace tsm::cli
