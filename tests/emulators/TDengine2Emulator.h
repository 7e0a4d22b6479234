#pragma once

#include "support/TestHttpServer.h"

#include <QJsonArray>
#include <QMutex>
#include <QString>
#include <QStringList>
#include <map>

namespace tsm::test {

/**
 * TDengine 2.x's REST interface on port 6041 for tests, as either program serves it: taosd's
 * built-in httpd (2.0–2.3) or taosAdapter (2.4 and later), picked by the server version. POST
 * /rest/sql, /rest/sqlt and /rest/sqlutc (optionally /<db>), Basic authentication, answers
 * {"status":"succ","head":[...],"column_meta":[[name,typeCode,bytes]],"data":[...],"rows":N},
 * errors as HTTP 200 {"status":"error","code":N,"desc":"..."}, and the httpd's silent row cap
 * (restfulRowLimit, 10240 by default). Databases, super tables, subtables and rows live in
 * memory. What it answers and what not is listed at the top of TDengine2Emulator.cpp.
 */
class TDengine2Emulator
{
public:
    struct Column
    {
        QString name;
        QString type; ///< TIMESTAMP, BOOL, TINYINT … BIGINT, … UNSIGNED, FLOAT, DOUBLE, BINARY,
                      ///< NCHAR, JSON
        int length = 0; ///< BINARY/NCHAR width; fixed types get their size
    };

    /// Which program answers: 2.0–2.3 have only taosd's built-in httpd, taosAdapter is part of
    /// the server from 2.4.0.0.
    enum class RestServer
    {
        BuiltInHttpd,
        TaosAdapter
    };

    /// `serverVersion` is what SELECT SERVER_VERSION() answers; it picks the REST server.
    /// Listens on 127.0.0.1:`port`; 0 picks a free port.
    explicit TDengine2Emulator(const QString &serverVersion = QStringLiteral("2.4.0.16"),
                               quint16 port = 0);
    ~TDengine2Emulator();
    TDengine2Emulator(const TDengine2Emulator &) = delete;
    TDengine2Emulator &operator=(const TDengine2Emulator &) = delete;

    QString url() const { return m_server.url(); }
    quint16 port() const { return m_server.port(); }
    TestHttpServer &server() { return m_server; }

    void setCredentials(const QString &user, const QString &password);
    /// The version SELECT SERVER_VERSION() answers, and with it the REST server (before 2.4 the
    /// built-in httpd, with its row cap of 10240; from 2.4 taosAdapter, without one).
    void setServerVersion(const QString &version);
    RestServer restServer() const;
    /// Rows an answer is cut to, silently (restfulRowLimit; the built-in httpd's default is
    /// 10240, taosAdapter's -1, no limit); -1 for none.
    void setRowLimit(int rows);
    void createDatabase(const QString &name, const QString &precision = QStringLiteral("ms"));
    void createStable(const QString &database, const QString &name, const QList<Column> &columns,
                      const QList<Column> &tags);
    /// Tag values in the order of the super table's tags (JSON null = NULL).
    void createSubtable(const QString &database, const QString &stable, const QString &name,
                        const QJsonArray &tags);
    /// One row: the timestamp in the database's precision and the other columns in order. A
    /// FLOAT or DOUBLE value may be given as text, for what a QJsonValue cannot hold ("-0").
    void insert(const QString &database, const QString &subtable, qint64 ts,
                const QJsonArray &values);

    /// Every statement received, in order.
    QStringList statements() const;
    /// Answers that the row cap cut short.
    int truncatedAnswers() const;

private:
    struct Stable
    {
        QList<Column> columns;
        QList<Column> tags;
    };
    struct Subtable
    {
        QString stable;
        QJsonArray tags;
        std::map<qint64, QJsonArray> rows;
    };
    struct Database
    {
        QString precision;
        std::map<QString, Stable> stables;
        std::map<QString, Subtable> subtables;
    };

    TestHttpServer::Reply handle(const TestHttpServer::Request &request);
    TestHttpServer::Reply select(const QString &sql, const QString &defaultDb, int timeFormat);
    /// One value of a result as the REST server writes it (FLOAT, DOUBLE and BOOL differ).
    QByteArray valueText(const QJsonValue &value, int typeCode) const;

    mutable QMutex m_mutex;
    QString m_user = QStringLiteral("root");
    QString m_password = QStringLiteral("taosdata");
    QString m_version;
    RestServer m_restServer = RestServer::TaosAdapter;
    int m_rowLimit = -1;
    int m_truncated = 0;
    std::map<QString, Database> m_databases;
    QStringList m_statements;
    TestHttpServer m_server; ///< last: stops answering before the state goes away
};

} // namespace tsm::test
