#pragma once

#include "support/TestHttpServer.h"

#include <QByteArray>
#include <QMutex>
#include <QString>
#include <QWaitCondition>

namespace tsm::test {

/**
 * An HTTP proxy in front of a real server, for tests that need "the server fails in the middle
 * of a run" as a state they control rather than a moment they hope to hit: it forwards every
 * request to `upstream` until `trip` requests whose path is `tripPath` have been forwarded,
 * then either drops every later connection unanswered (as a dead server does, until up() is
 * called) or holds every later request until release() (so a run is surely mid-way, however
 * fast the machine is).
 */
class FaultProxy
{
public:
    enum class Fault
    {
        Drop,
        Hold
    };

    explicit FaultProxy(const QString &upstream);
    ~FaultProxy();

    /// After `count` forwarded requests to `path` (e.g. "/write"), apply `fault`.
    void tripAfter(const QByteArray &path, int count, Fault fault);
    /// Forward everything again, from now on (a restarted server).
    void up();
    /// Let held requests (and later ones) through.
    void release();
    /// Blocks until the fault has applied to at least one request, or `timeoutMs` passes.
    bool waitTripped(int timeoutMs = 60000);

    QString url() const { return m_server.url(); }
    int forwarded(const QByteArray &path) const;

private:
    TestHttpServer::Reply handle(const TestHttpServer::Request &request);
    int countOf(const QByteArray &path) const; ///< with m_mutex held

    QString m_upstream;
    TestHttpServer m_server;
    mutable QMutex m_mutex;
    QWaitCondition m_changed;
    QByteArray m_tripPath;
    int m_tripCount = -1; ///< -1: never trips
    Fault m_fault = Fault::Drop;
    bool m_tripped = false;
    bool m_applied = false; ///< a request met the fault
    bool m_released = false;
    QList<QPair<QByteArray, int>> m_forwarded;
};

} // namespace tsm::test
