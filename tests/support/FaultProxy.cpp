#include "support/FaultProxy.h"

#include "http/HttpClient.h"

#include <QDeadlineTimer>

namespace tsm::test {

FaultProxy::FaultProxy(const QString &upstream) : m_upstream(upstream)
{
    m_server.setHandler([this](const TestHttpServer::Request &request) { return handle(request); });
}

FaultProxy::~FaultProxy()
{
    release();
}

void FaultProxy::tripAfter(const QByteArray &path, int count, Fault fault)
{
    QMutexLocker lock(&m_mutex);
    m_tripPath = path;
    m_tripCount = count;
    m_fault = fault;
    m_tripped = countOf(path) >= count;
}

void FaultProxy::up()
{
    QMutexLocker lock(&m_mutex);
    m_tripCount = -1;
    m_tripped = false;
    m_changed.wakeAll();
}

void FaultProxy::release()
{
    QMutexLocker lock(&m_mutex);
    m_released = true;
    m_changed.wakeAll();
}

bool FaultProxy::waitTripped(int timeoutMs)
{
    QMutexLocker lock(&m_mutex);
    QDeadlineTimer deadline(timeoutMs);
    while (!m_applied)
        if (!m_changed.wait(&m_mutex, deadline))
            return m_applied;
    return true;
}

int FaultProxy::forwarded(const QByteArray &path) const
{
    QMutexLocker lock(&m_mutex);
    return countOf(path);
}

int FaultProxy::countOf(const QByteArray &path) const
{
    for (const auto &[p, n] : m_forwarded)
        if (p == path)
            return n;
    return 0;
}

TestHttpServer::Reply FaultProxy::handle(const TestHttpServer::Request &request)
{
    {
        QMutexLocker lock(&m_mutex);
        if (m_tripped) {
            m_applied = true;
            m_changed.wakeAll();
            if (m_fault == Fault::Drop) {
                TestHttpServer::Reply dropped;
                dropped.closeWithoutAnswer = true;
                return dropped;
            }
            while (m_tripped && !m_released)
                m_changed.wait(&m_mutex);
        }
    }

    HttpRequest forward;
    forward.method = request.method;
    forward.url = m_upstream.toUtf8() + request.target;
    forward.body = request.body; // the server gunzipped it; it goes on plain
    for (const auto &[name, value] : request.headers)
        if (name == "authorization" || name == "content-type" || name == "accept")
            forward.headers.append({name, value});
    TestHttpServer::Reply reply;
    try {
        HttpClient client;
        const HttpResponse response = client.perform(forward);
        reply.status = response.status;
        reply.body = response.body;
        for (const auto &[name, value] : response.headers)
            if (name == "content-type" || name == "x-influxdb-version" ||
                name == "x-influxdb-build" || name == "x-influxdb-error" || name == "retry-after")
                reply.headers.append({name, value});
    } catch (const std::exception &) {
        reply.closeWithoutAnswer = true; // the upstream is down: so is the proxy
        return reply;
    }

    QMutexLocker lock(&m_mutex);
    bool counted = false;
    for (auto &[p, n] : m_forwarded)
        if (p == request.path) {
            ++n;
            counted = true;
        }
    if (!counted)
        m_forwarded.append({request.path, 1});
    if (m_tripCount >= 0 && countOf(m_tripPath) >= m_tripCount)
        m_tripped = true;
    return reply;
}

} // namespace tsm::test
