#pragma once

#include "sinks/InfluxLineSink.h"

namespace tsm {

/**
 * Writes line protocol to InfluxDB 1.x through POST /write (gzip bodies, nanosecond
 * timestamps), splitting batches the server finds too large and pinning down, line by line,
 * which points a partial write dropped and why.
 */
class InfluxV1Sink : public InfluxLineSink
{
public:
    InfluxV1Sink(InfluxEndpoint endpoint, RetryPolicy retry, QString database,
                 QString retentionPolicy, bool createDatabase);

    QString describe() const override;
    LpDialect dialect() const override;
    ConnectionInfo checkConnection(const CancelToken &cancel) override;
    void prepare(const CancelToken &cancel) override;

protected:
    QByteArray writeUrl() const override;
    /// 404 names the database; a 500 about the retention policy names it.
    Error writeError(const HttpResponse &response) const override;

private:
    QString m_database;
    QString m_retentionPolicy;
    bool m_createDatabase;
};

} // namespace tsm
