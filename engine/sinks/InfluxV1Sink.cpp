#include "sinks/InfluxV1Sink.h"

#include "sources/InfluxSource.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace tsm {

InfluxV1Sink::InfluxV1Sink(InfluxEndpoint endpoint, RetryPolicy retry, QString database,
                           QString retentionPolicy, bool createDatabase)
    : InfluxLineSink(std::move(endpoint), retry), m_database(std::move(database)),
      m_retentionPolicy(std::move(retentionPolicy)), m_createDatabase(createDatabase)
{
    setCounter(std::make_unique<InfluxSource>(m_api.endpoint(), m_api.retryPolicy()), m_database,
               m_retentionPolicy);
}

QString InfluxV1Sink::describe() const
{
    return u"InfluxDB 1.x at %1, database %2"_s.arg(m_api.endpoint().baseUrl, m_database);
}

LpDialect InfluxV1Sink::dialect() const
{
    LpDialect dialect;
    // OSS builds answer "invalid number" to 12u (PROTOCOLS.md §9).
    dialect.unsignedSupported = false;
    return dialect;
}

ConnectionInfo InfluxV1Sink::checkConnection(const CancelToken &cancel)
{
    ConnectionInfo info = m_api.ping(cancel);
    // /ping does not check credentials; this does, and cheaply.
    const bool exists = m_api.databases(cancel).contains(m_database);
    const QString database = exists ? u"database \"%1\" exists"_s.arg(m_database)
                             : m_createDatabase
                                 ? u"database \"%1\" will be created"_s.arg(m_database)
                                 : u"database \"%1\" does not exist"_s.arg(m_database);
    info.detail = info.detail.isEmpty() ? database : info.detail + u", "_s + database;
    return info;
}

void InfluxV1Sink::prepare(const CancelToken &cancel)
{
    if (m_createDatabase) {
        // Idempotent on 1.x: creating an existing database is not an error.
        m_api.query(u"CREATE DATABASE "_s + InfluxApi::quoteIdentifier(m_database), {}, cancel,
                    true);
    } else if (!m_api.databases(cancel).contains(m_database)) {
        throw missingDatabase(m_database);
    }
    if (!m_retentionPolicy.isEmpty()) {
        // Otherwise every write would fail with a 500 that looks like a server problem.
        const QList<QuerySeries> series = m_api.query(
            u"SHOW RETENTION POLICIES ON "_s + InfluxApi::quoteIdentifier(m_database), {}, cancel);
        bool exists = false;
        for (const QuerySeries &one : series) {
            const int nameColumn = one.column(u"name"_s);
            for (const QJsonValue &row : one.values)
                exists = exists || row.toArray().at(nameColumn).toString() == m_retentionPolicy;
        }
        if (!exists)
            throw Error(ErrorKind::NotFound,
                        u"Retention policy \"%1\" does not exist in database \"%2\" on %3"_s.arg(
                            m_retentionPolicy, m_database, where()));
    }
}

QByteArray InfluxV1Sink::writeUrl() const
{
    QList<QPair<QByteArray, QString>> parameters{{"db", m_database}};
    if (!m_retentionPolicy.isEmpty())
        parameters.append({"rp", m_retentionPolicy});
    // No precision parameter: timestamps are nanoseconds, the default everywhere.
    return m_api.url("/write", parameters);
}

Error InfluxV1Sink::writeError(const HttpResponse &response) const
{
    if (response.status == 404)
        return missingDatabase(m_database, response);
    if (response.status == 500 &&
        InfluxApi::messageOf(response).startsWith(u"retention policy not found"_s))
        return Error(ErrorKind::NotFound,
                     u"Retention policy \"%1\" does not exist in database \"%2\" on %3"_s.arg(
                         m_retentionPolicy, m_database, where()),
                     500);
    return InfluxLineSink::writeError(response);
}

} // namespace tsm
