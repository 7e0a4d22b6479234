#include "sinks/InfluxV3Sink.h"

using namespace Qt::StringLiterals;

namespace tsm {

InfluxV3Sink::InfluxV3Sink(InfluxEndpoint endpoint, RetryPolicy retry, QString database,
                           QString orgId, bool createDatabase)
    : InfluxLineSink(std::move(endpoint), retry), m_database(std::move(database)),
      m_orgId(orgId.trimmed()), m_createDatabase(createDatabase)
{}

QString InfluxV3Sink::describe() const
{
    return u"InfluxDB 3 at %1, database %2"_s.arg(m_api.endpoint().baseUrl, m_database);
}

std::optional<QStringList> InfluxV3Sink::databases(const CancelToken &cancel)
{
    try {
        return m_api.databases(cancel);
    } catch (const Error &error) {
        if (error.kind() == ErrorKind::Query)
            return std::nullopt; // a product without it (Serverless lists mappings instead)
        throw;
    }
}

ConnectionInfo InfluxV3Sink::checkConnection(const CancelToken &cancel)
{
    ConnectionInfo info = m_api.ping(cancel);
    const int major = InfluxApi::majorVersion(info);
    if (major == 1 || major == 2)
        throw Error(ErrorKind::Config,
                    u"%1 is InfluxDB %2, not InfluxDB 3: choose target type InfluxDB %3"_s.arg(
                        where(), info.version, major == 1 ? u"1.x"_s : u"2.x"_s));
    // /ping needs no token; SHOW DATABASES proves it.
    const auto names = databases(cancel);
    const QString database =
        !names                        ? u"database \"%1\" not checked"_s.arg(m_database)
        : names->contains(m_database) ? u"database \"%1\" exists"_s.arg(m_database)
        : m_createDatabase ? u"database \"%1\" is created by the first write"_s.arg(m_database)
                           : u"database \"%1\" does not exist"_s.arg(m_database);
    info.detail = info.detail.isEmpty() ? database : info.detail + u", "_s + database;
    return info;
}

void InfluxV3Sink::prepare(const CancelToken &cancel)
{
    if (m_database.isEmpty())
        throw Error(ErrorKind::Config, u"The task names no target database"_s);
    if (m_createDatabase)
        return;
    const auto names = databases(cancel);
    if (names && !names->contains(m_database))
        throw Error(ErrorKind::NotFound,
                    u"Target database \"%1\" does not exist on %2 (tick Create database or "
                    u"create it)"_s.arg(m_database, where()));
}

QByteArray InfluxV3Sink::writeUrl() const
{
    QList<QPair<QByteArray, QString>> parameters{{"bucket", m_database}, {"precision", u"ns"_s}};
    if (!m_orgId.isEmpty())
        parameters.append({"org", m_orgId});
    return m_api.url("/api/v2/write", parameters);
}

Error InfluxV3Sink::writeError(const HttpResponse &response) const
{
    if (response.status == 404)
        return Error(ErrorKind::NotFound,
                     u"Database \"%1\" does not exist on %2 (404 %3)"_s.arg(
                         m_database, where(), InfluxApi::messageOf(response)),
                     404);
    return InfluxLineSink::writeError(response);
}

} // namespace tsm
