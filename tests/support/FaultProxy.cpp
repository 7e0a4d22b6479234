#include "support/FaultProxy.h"

#include "http/HttpClient.h"

#include <QDeadlineTimer>
#include <msgpack.h>

using namespace Qt::StringLiterals;

namespace tsm::test {

namespace {

/// Where each document of a chunked InfluxDB answer ends: one JSON document a line, or
/// msgpack documents one after another.
QList<qsizetype> documentEnds(const QByteArray &body, const QByteArray &contentType)
{
    QList<qsizetype> ends;
    if (contentType.contains("msgpack")) {
        size_t offset = 0;
        msgpack_unpacked unpacked;
        msgpack_unpacked_init(&unpacked);
        while (offset < size_t(body.size()) &&
               msgpack_unpack_next(&unpacked, body.constData(), size_t(body.size()), &offset) ==
                   MSGPACK_UNPACK_SUCCESS)
            ends.append(qsizetype(offset));
        msgpack_unpacked_destroy(&unpacked);
    } else {
        for (qsizetype at = body.indexOf('\n'); at >= 0; at = body.indexOf('\n', at + 1))
            ends.append(at + 1);
    }
    if (ends.isEmpty() || ends.last() < body.size())
        ends.append(body.size());
    return ends;
}

/// The documents of `body` as chunks.
QList<QByteArray> documents(const QByteArray &body, const QByteArray &contentType)
{
    QList<QByteArray> pieces;
    qsizetype start = 0;
    for (const qsizetype end : documentEnds(body, contentType)) {
        pieces.append(body.mid(start, end - start));
        start = end;
    }
    return pieces;
}

QByteArray defaultBody(const FaultProxy::Rule &rule)
{
    return "{\"error\":\"fault injected by the test proxy: status " +
           QByteArray::number(rule.status) + "\"}";
}

} // namespace

FaultProxy::FaultProxy(const QString &upstream) : m_upstream(upstream)
{
    m_server.setHandler([this](const TestHttpServer::Request &request) { return handle(request); });
}

FaultProxy::~FaultProxy()
{
    release();
}

QString FaultProxy::actionName(Action action)
{
    switch (action) {
    case Action::Answer:
        return u"answer"_s;
    case Action::ResetBefore:
        return u"reset before forwarding"_s;
    case Action::ResetAfter:
        return u"reset after forwarding"_s;
    case Action::CutMidChunk:
        return u"cut mid-chunk"_s;
    case Action::CutAtChunkBoundary:
        return u"cut at a chunk boundary"_s;
    case Action::Stall:
        return u"stall past the timeout"_s;
    case Action::RefuseLarger:
        return u"413 over N bytes"_s;
    case Action::LoseAnswer:
        return u"write applied, answer lost"_s;
    case Action::Hold:
        return u"hold from here on"_s;
    }
    return {};
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
    m_rules.clear();
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

int FaultProxy::addRule(const Rule &rule)
{
    QMutexLocker lock(&m_mutex);
    RuleState state;
    state.rule = rule;
    m_rules.append(state);
    return int(m_rules.size()) - 1;
}

int FaultProxy::applied(int index) const
{
    QMutexLocker lock(&m_mutex);
    return index >= 0 && index < m_rules.size() ? m_rules.at(index).applied : 0;
}

void FaultProxy::setJsonAnswers(bool json)
{
    QMutexLocker lock(&m_mutex);
    m_jsonAnswers = json;
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

void FaultProxy::count(const QByteArray &path)
{
    QMutexLocker lock(&m_mutex);
    bool counted = false;
    for (auto &[p, n] : m_forwarded)
        if (p == path) {
            ++n;
            counted = true;
        }
    if (!counted)
        m_forwarded.append({path, 1});
    if (m_tripCount >= 0 && countOf(m_tripPath) >= m_tripCount)
        m_tripped = true;
}

int FaultProxy::pick(const TestHttpServer::Request &request)
{
    for (qsizetype i = 0; i < m_rules.size(); ++i) {
        RuleState &state = m_rules[i];
        const Rule &rule = state.rule;
        if (!rule.path.isEmpty() && rule.path != request.path)
            continue;
        if (!rule.statement.isEmpty() && !request.queryItem(u"q"_s).contains(rule.statement) &&
            !request.formItem(u"q"_s).contains(rule.statement))
            continue;
        if (!rule.bodyContains.isEmpty() && !request.body.contains(rule.bodyContains))
            continue;
        if (rule.action == Action::RefuseLarger && request.body.size() <= rule.maxBodyBytes)
            continue;
        const int seen = ++state.matched;
        bool due = seen > rule.skip;
        if (due && rule.probability > 0) {
            due = std::uniform_real_distribution<double>(0, 1)(state.draws) < rule.probability;
        } else if (due) {
            due = (seen - rule.skip - 1) % std::max(1, rule.every) == 0;
        }
        if (!due || (rule.times >= 0 && state.applied >= rule.times))
            return -1; // matched, let through
        ++state.applied;
        return int(i);
    }
    return -1;
}

bool FaultProxy::forward(const TestHttpServer::Request &request, TestHttpServer::Reply &reply,
                         QByteArray &contentType)
{
    HttpRequest forward;
    forward.method = request.method;
    forward.url = m_upstream.toUtf8() + request.target;
    forward.body = request.body; // the server gunzipped it; it goes on plain
    bool json = false;
    {
        QMutexLocker lock(&m_mutex);
        json = m_jsonAnswers;
    }
    for (const auto &[name, value] : request.headers)
        if (name == "authorization" || name == "content-type" || (name == "accept" && !json))
            forward.headers.append({name, value});
    try {
        HttpClient client;
        const HttpResponse response = client.perform(forward);
        reply.status = response.status;
        reply.body = response.body;
        for (const auto &[name, value] : response.headers) {
            if (name == "content-type")
                contentType = value;
            if (name == "content-type" || name == "x-influxdb-version" ||
                name == "x-influxdb-build" || name == "x-influxdb-error" || name == "retry-after")
                reply.headers.append({name, value});
        }
    } catch (const std::exception &) {
        return false;
    }
    count(request.path);
    return true;
}

TestHttpServer::Reply FaultProxy::handle(const TestHttpServer::Request &request)
{
    TestHttpServer::Reply reply;
    Rule rule;
    int picked = -1;
    {
        QMutexLocker lock(&m_mutex);
        if (m_tripped) {
            m_applied = true;
            m_changed.wakeAll();
            if (m_fault == Fault::Drop) {
                reply.closeWithoutAnswer = true;
                return reply;
            }
            while (m_tripped && !m_released)
                m_changed.wait(&m_mutex);
        }
        picked = pick(request);
        if (picked >= 0)
            rule = m_rules.at(picked).rule;
        if (picked >= 0 && rule.action == Action::Hold) {
            // From this request on, as a trip: it waits, and the later ones queue behind it.
            m_tripped = true;
            m_fault = Fault::Hold;
            m_applied = true;
            m_changed.wakeAll();
            while (m_tripped && !m_released)
                m_changed.wait(&m_mutex);
            picked = -1; // then forwarded as any other
        }
    }

    if (picked >= 0) {
        switch (rule.action) {
        case Action::Answer:
            reply = TestHttpServer::Reply::json(rule.status, rule.body.isEmpty() ? defaultBody(rule)
                                                                                 : rule.body);
            if (rule.retryAfterSeconds >= 0)
                reply.header("Retry-After", QByteArray::number(rule.retryAfterSeconds));
            return reply;
        case Action::ResetBefore:
            reply.closeWithoutAnswer = true;
            return reply;
        case Action::Stall:
            reply.delayMs = rule.stallMs;
            reply.closeWithoutAnswer = true;
            return reply;
        case Action::RefuseLarger:
            return TestHttpServer::Reply::text(413, "Request Entity Too Large\n");
        case Action::ResetAfter:
        case Action::LoseAnswer:
        case Action::CutMidChunk:
        case Action::CutAtChunkBoundary:
        case Action::Hold:
            break;
        }
    }

    QByteArray contentType;
    if (!forward(request, reply, contentType)) {
        TestHttpServer::Reply down;
        down.closeWithoutAnswer = true; // the upstream is down: so is the proxy
        return down;
    }
    if (picked < 0)
        return reply;

    switch (rule.action) {
    case Action::ResetAfter:
        reply = TestHttpServer::Reply();
        reply.closeWithoutAnswer = true;
        return reply;
    case Action::LoseAnswer:
        reply = TestHttpServer::Reply();
        reply.delayMs = rule.stallMs;
        reply.closeWithoutAnswer = true;
        return reply;
    case Action::CutMidChunk:
    case Action::CutAtChunkBoundary: {
        const QList<QByteArray> pieces = documents(reply.body, contentType);
        if (reply.body.isEmpty() || reply.status != 200) {
            reply = TestHttpServer::Reply();
            reply.closeWithoutAnswer = true;
            return reply;
        }
        if (rule.action == Action::CutMidChunk) {
            // Complete documents before the middle one, then half of it.
            reply.chunks = pieces.mid(0, pieces.size() / 2 + 1);
            reply.cutLastChunkAt = reply.chunks.last().size() / 2;
        } else {
            reply.chunks = pieces.mid(0, std::max<qsizetype>(1, pieces.size() / 2));
        }
        reply.abortBody = true;
        reply.body.clear();
        return reply;
    }
    default:
        return reply;
    }
}

} // namespace tsm::test
