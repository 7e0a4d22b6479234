#pragma once

#include "lp/LineParser.h"
#include "support/TestHttpServer.h"

#include <QMap>
#include <QMutex>
#include <QString>
#include <QStringList>
#include <map>

namespace tsm::test {

/**
 * InfluxDB 3 Core (or Enterprise) as its HTTP API behaves, version by version, on a
 * TestHttpServer: token auth on every path (/ping too), /ping's JSON, the v1 /query of 3.0–3.6
 * (influxdb3_server http/v1.rs) and of 3.7 and later (iox_v1_query_api), /api/v3/write_lp with
 * partial writes, the all-or-nothing /api/v2/write and GET /api/v3/configure/database. Data is
 * kept in memory, one type per column and table, and read back through InfluxQL. Strict: what
 * the server refuses it refuses, with that version's bodies. Each behaviour names the file and
 * function of influxdata/influxdb it follows; the list is at the top of Influx3Emulator.cpp.
 */
class Influx3Emulator
{
public:
    /** One stored point. */
    struct Point
    {
        QString measurement;
        QMap<QString, QString> tags;
        QMap<QString, lp::Field> fields;
        qint64 time = 0;
    };

    /// `version` as /ping reports it ("3.0.1", "3.7.0", "3.9.0", ...).
    explicit Influx3Emulator(const QString &version = QStringLiteral("3.7.0"),
                             const QString &token = QStringLiteral("t3"));
    ~Influx3Emulator();
    Influx3Emulator(const Influx3Emulator &) = delete;
    Influx3Emulator &operator=(const Influx3Emulator &) = delete;

    QString url() const { return m_server.url(); }
    TestHttpServer &server() { return m_server; }
    /// Enterprise instead of Core (X-Influxdb-Build, and product_name from 3.9).
    void setEnterprise(bool enterprise);

    /// Writes line protocol in nanoseconds as write_lp would, creating the database; returns
    /// the error messages of the refused lines.
    QStringList load(const QString &database, const QByteArray &lines);
    /// The points of `database`, by measurement, series and time.
    QList<Point> points(const QString &database) const;

private:
    struct Column
    {
        bool tag = false;
        FieldType type = FieldType::Float;
    };
    struct Table
    {
        std::map<QString, Column> columns;
        /// series key ("m,tag=v,...") + time -> point
        std::map<std::pair<QString, qint64>, Point> points;
    };
    struct Database
    {
        std::map<QString, Table> tables;
    };
    struct LineError
    {
        QByteArray line;
        qint64 number = 0;
        QString message;
    };
    enum class Precision
    {
        Auto,
        Second,
        Millisecond,
        Microsecond,
        Nanosecond
    };
    struct Statement;

    TestHttpServer::Reply handle(const TestHttpServer::Request &request);
    bool authorized(const TestHttpServer::Request &request) const;
    TestHttpServer::Reply ping() const;
    TestHttpServer::Reply configureDatabase(const TestHttpServer::Request &request) const;
    TestHttpServer::Reply writeLp(const TestHttpServer::Request &request);
    TestHttpServer::Reply writeV2(const TestHttpServer::Request &request);
    TestHttpServer::Reply query(const TestHttpServer::Request &request) const;
    /// Validates and stores `body`; accept_partial=false stops at the first error and stores
    /// nothing. Caller holds m_mutex.
    QList<LineError> write(const QString &database, const QByteArray &body, Precision precision,
                           bool acceptPartial, qint64 *stored);

    bool atLeast(int minor) const { return m_minor >= minor; }

    TestHttpServer m_server;
    QString m_version;
    int m_minor = 0; ///< 3.<minor>
    QString m_token;
    bool m_enterprise = false;
    mutable QMutex m_mutex;
    std::map<QString, Database> m_databases;
};

} // namespace tsm::test
