#pragma once

#include "lp/LineParser.h"
#include "support/TestHttpServer.h"

#include <QMap>
#include <QMutex>
#include <QString>
#include <QStringList>
#include <map>
#include <memory>
#include <optional>

namespace tsm::test {

namespace sqlread {
class Cursor;
}

/**
 * TDengine 3.x as taosAdapter presents it on port 6041, for tests: the schemaless InfluxDB
 * endpoint POST /influxdb/v1/write and SQL on POST /rest/sql, on a TestHttpServer. It keeps
 * databases, super tables, child tables and rows in memory, parses line protocol the way
 * TDengine does and refuses what TDengine refuses, with TDengine's error codes. What it follows
 * and what it does not cover is listed at the top of TDengine3Emulator.cpp.
 */
class TDengine3Emulator
{
public:
    /** One column or tag of a super table, as DESCRIBE shows it. */
    struct Column
    {
        QString name;
        QString type;   ///< TIMESTAMP, DOUBLE, BIGINT, BIGINT UNSIGNED, BOOL, VARCHAR, NCHAR
        int length = 0; ///< bytes for fixed types, characters for VARCHAR and NCHAR
        bool tag = false;
    };

    /** One stored row of a child table. */
    struct Row
    {
        QString childTable;
        QMap<QString, QString> tags;     ///< the child table's non-NULL tags, _tag_null left out
        qint64 ts = 0;                   ///< in the database's precision
        QMap<QString, lp::Field> values; ///< the non-NULL columns
    };

    /// Listens on 127.0.0.1:`port`; 0 picks a free port.
    explicit TDengine3Emulator(quint16 port = 0);
    ~TDengine3Emulator();
    TDengine3Emulator(const TDengine3Emulator &) = delete;
    TDengine3Emulator &operator=(const TDengine3Emulator &) = delete;

    QString url() const { return m_server.url(); }
    quint16 port() const { return m_server.port(); }
    TestHttpServer &server() { return m_server; }

    // ---- configuration and test hooks ----
    void setCredentials(const QString &user, const QString &password);
    /// What SELECT SERVER_VERSION() answers (3.3.6.0 by default). Before 3.3 KEEP and
    /// DURATION are shown in minutes ("5256000m"), as 3.0 and 3.1 do; the row limit follows
    /// the version (49151 bytes before 3.0.5.0, then 65531).
    void setVersion(const QString &version);
    /// Creates a database as CREATE DATABASE would (name taken as given, case kept).
    void createDatabase(const QString &name, const QString &precision = QStringLiteral("ns"),
                        int keepDays = 3650);
    /// The next `count` requests whose path starts with `pathPrefix` (every request when empty)
    /// are answered `status` with `Retry-After: retryAfterSeconds` (none when negative), as
    /// taosAdapter does under memory pressure (503) or from its rate limiter (429).
    void failNext(int count, int status = 503, int retryAfterSeconds = 1,
                  const QByteArray &pathPrefix = {});

    // ---- what the tests read ----
    QStringList databases() const;
    QStringList stables(const QString &database) const;
    QList<Column> columns(const QString &database, const QString &stable) const;
    QList<Row> rows(const QString &database, const QString &stable) const;
    /// Rows in all super tables of `database`.
    qint64 rowCount(const QString &database) const;
    /// Requests to /influxdb/v1/write so far, whatever their answer.
    int writeRequests() const;
    /// Requests to /influxdb/v1/write whose body came gzip-compressed.
    int gzipWriteRequests() const;
    /// Write requests that stored at least one row.
    int storingWriteRequests() const;
    /// Every SQL statement received on /rest/sql, in order.
    QStringList statements() const;
    /// Child tables of `stable` with their non-NULL tag values as text.
    QMap<QString, QMap<QString, QString>> childTables(const QString &database,
                                                      const QString &stable) const;

    /// "t_" + MD5 of "stable,k1=v1,k2=v2" with the tags sorted by key as TDengine sorts them
    /// (case-insensitively, shorter first on a tie); `stable` after '.' became '_'.
    static QString childTableName(const QString &stable,
                                  const QList<QPair<QByteArray, QByteArray>> &tags);

private:
    struct StableDef;
    struct ChildTable;
    struct Database;
    struct Failure
    {
        int count = 0;
        int status = 503;
        int retryAfter = 1;
        QByteArray pathPrefix;
    };

    TestHttpServer::Reply handle(const TestHttpServer::Request &request);
    TestHttpServer::Reply write(const TestHttpServer::Request &request);
    TestHttpServer::Reply sql(const TestHttpServer::Request &request);
    // CREATE STABLE, CREATE TABLE … USING … TAGS (several tables per statement) and INSERT INTO
    // (several tables per statement), with the cursor after their first keywords.
    TestHttpServer::Reply createStable(sqlread::Cursor &c, const QString &defaultDb);
    TestHttpServer::Reply createTables(sqlread::Cursor &c, const QString &defaultDb);
    TestHttpServer::Reply insert(sqlread::Cursor &c, const QString &defaultDb);
    /// The child table named at the cursor ([db.]tb), or the error TDengine answers.
    std::optional<TestHttpServer::Reply> childTableAt(sqlread::Cursor &c, const QString &defaultDb,
                                                      Database *&db, ChildTable *&child);
    /// DELETE FROM db.tb WHERE ts = N, with the cursor after DELETE FROM.
    TestHttpServer::Reply deleteRows(sqlread::Cursor &c, const QString &defaultDb);
    bool authorized(const TestHttpServer::Request &request, bool &sent) const;

    mutable QMutex m_mutex;
    QString m_user = QStringLiteral("root");
    QString m_password = QStringLiteral("taosdata");
    QString m_version = QStringLiteral("3.3.6.0");
    std::map<QString, std::unique_ptr<Database>> m_databases;
    QList<Failure> m_failures;
    QStringList m_statements;
    int m_writeRequests = 0;
    int m_storingWriteRequests = 0;
    int m_gzipWriteRequests = 0;
    /// Last, so that it stops answering before the state it answers from goes away.
    TestHttpServer m_server;
};

} // namespace tsm::test
