#include "sinks/InfluxV2Sink.h"

#include "sources/InfluxV2Source.h"

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

QString orgLabel()
{
    return u"Target Organization ID"_s;
}

} // namespace

InfluxV2Sink::InfluxV2Sink(InfluxEndpoint endpoint, RetryPolicy retry, QString orgId,
                           QString bucket, bool createBucket)
    : InfluxLineSink(std::move(endpoint), retry), m_v2(m_api), m_orgId(orgId.trimmed()),
      m_bucket(std::move(bucket)), m_createBucket(createBucket)
{
    // Counted through the bucket's mapping; one is never added here (2.4+ has one per bucket).
    setCounter(std::make_unique<InfluxV2Source>(m_api.endpoint(), m_api.retryPolicy(), m_orgId,
                                                false),
               m_bucket, QString());
}

QString InfluxV2Sink::describe() const
{
    return u"InfluxDB 2.x at %1, organization %2, bucket %3"_s.arg(m_api.endpoint().baseUrl,
                                                                   m_orgId, m_bucket);
}

void InfluxV2Sink::checkOrganizationId(const CancelToken &cancel)
{
    if (!InfluxV2Api::isId(m_orgId))
        m_v2.organizationBuckets(m_orgId, orgLabel(), cancel); // throws, naming the ID
}

ConnectionInfo InfluxV2Sink::checkConnection(const CancelToken &cancel)
{
    ConnectionInfo info = m_v2.identify(cancel, u"choose target type InfluxDB 1.x"_s,
                                        u"choose target type InfluxDB 3"_s);
    checkOrganizationId(cancel);
    // /ping needs no token; looking the bucket up proves it.
    const bool exists = m_v2.findBucket(m_orgId, m_bucket, cancel).has_value();
    const QString bucket = exists           ? u"bucket \"%1\" exists"_s.arg(m_bucket)
                           : m_createBucket ? u"bucket \"%1\" will be created"_s.arg(m_bucket)
                                            : u"bucket \"%1\" does not exist"_s.arg(m_bucket);
    const QString found = u"organization %1, %2"_s.arg(m_orgId, bucket);
    info.detail = info.detail.isEmpty() ? found : info.detail + u", "_s + found;
    return info;
}

void InfluxV2Sink::prepare(const CancelToken &cancel)
{
    if (m_bucket.isEmpty())
        throw Error(ErrorKind::Config, u"The task names no target bucket"_s);
    checkOrganizationId(cancel);
    if (m_v2.findBucket(m_orgId, m_bucket, cancel))
        return;
    if (!m_createBucket)
        throw Error(ErrorKind::NotFound,
                    u"Target bucket \"%1\" does not exist in organization %2 on %3, or the token "
                    u"may not read it (tick Create database or create the bucket)"_s.arg(
                        m_bucket, m_orgId, m_api.endpoint().baseUrl));
    m_v2.createBucket(m_orgId, m_bucket, cancel);
}

QByteArray InfluxV2Sink::writeUrl() const
{
    return m_api.url("/api/v2/write",
                     {{"orgID", m_orgId}, {"bucket", m_bucket}, {"precision", u"ns"_s}});
}

Error InfluxV2Sink::writeError(const HttpResponse &response) const
{
    if (response.status == 404)
        return Error(
            ErrorKind::NotFound,
            u"Bucket \"%1\" of organization %2 does not exist on %3 (404 %4)"_s.arg(
                m_bucket, m_orgId, m_api.endpoint().baseUrl, InfluxApi::messageOf(response)),
            404);
    return InfluxLineSink::writeError(response);
}

} // namespace tsm
