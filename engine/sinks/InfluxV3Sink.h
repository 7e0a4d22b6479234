#pragma once

#include "sinks/InfluxLineSink.h"

#include <optional>

namespace tsm {

/**
 * Writes to a database of the InfluxDB 3 family (3 Core and Enterprise, Cloud Dedicated,
 * Clustered, Cloud Serverless) through /api/v2/write?bucket=<database> with a token.
 */
class InfluxV3Sink : public InfluxLineSink
{
public:
    /// `orgId` is sent as `org` when not empty (Serverless); the others ignore it.
    InfluxV3Sink(InfluxEndpoint endpoint, RetryPolicy retry, QString database, QString orgId,
                 bool createDatabase);

    QString describe() const override;
    /// InfluxDB 3 stores unsigned integers (`12u`).
    LpDialect dialect() const override { return LpDialect{}; }
    ConnectionInfo checkConnection(const CancelToken &cancel) override;
    /// With Create database, nothing: 3 Core and Enterprise create a database with its first
    /// write (Dedicated and Clustered need it created by an administrator; the first write then
    /// says it is missing). Without, SHOW DATABASES must list it.
    void prepare(const CancelToken &cancel) override;

protected:
    QByteArray writeUrl() const override;
    /// 404 names the database.
    Error writeError(const HttpResponse &response) const override;

private:
    /// The databases SHOW DATABASES lists, or nothing when the server does not answer it.
    std::optional<QStringList> databases(const CancelToken &cancel);

    QString m_database;
    QString m_orgId;
    bool m_createDatabase;
};

} // namespace tsm
