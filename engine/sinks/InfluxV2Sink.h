#pragma once

#include "influx/InfluxV2Api.h"
#include "sinks/InfluxLineSink.h"

namespace tsm {

/**
 * Writes to a bucket of InfluxDB 2.x through /api/v2/write with a token and the organization
 * ID, creating the bucket (infinite retention) when the task asks for it.
 */
class InfluxV2Sink : public InfluxLineSink
{
public:
    InfluxV2Sink(InfluxEndpoint endpoint, RetryPolicy retry, QString orgId, QString bucket,
                 bool createBucket);

    QString describe() const override;
    /// 2.x stores unsigned integers (`12u`).
    LpDialect dialect() const override { return LpDialect{}; }
    ConnectionInfo checkConnection(const CancelToken &cancel) override;
    void prepare(const CancelToken &cancel) override;

protected:
    QByteArray writeUrl() const override;
    /// 404 names the bucket (or the organization the server could not find).
    Error writeError(const HttpResponse &response) const override;

private:
    /// Throws the helpful Config error when the organization ID field holds a name.
    void checkOrganizationId(const CancelToken &cancel);

    InfluxV2Api m_v2;
    QString m_orgId;
    QString m_bucket;
    bool m_createBucket;
};

} // namespace tsm
