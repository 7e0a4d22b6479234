#pragma once

#include "support/TestHttpServer.h"

#include <QByteArray>
#include <QList>
#include <QMutex>
#include <QString>
#include <QWaitCondition>
#include <random>

namespace tsm::test {

/**
 * An HTTP proxy in front of a real server (the source or the target), for tests that need "the
 * server fails in the middle of a run" as a state they control rather than a moment they hope
 * to hit.
 *
 * Two ways to fail it:
 * - tripAfter(): after `count` forwarded requests to a path, drop every later connection
 *   unanswered (a dead server, until up()) or hold every later request until release() (so a
 *   run is surely mid-way, however fast the machine is).
 * - addRule(): a fault applied to chosen requests (by path, statement and body; the n-th, every
 *   n-th, up to a number of times) while the others are forwarded: an error status with or
 *   without Retry-After, a reset before or after forwarding, an answer cut inside a chunk or
 *   between chunks, a stall past the client's timeout, 413 for large bodies, a write applied
 *   whose answer is lost, or a hold from that request on (the run stops at a chosen
 *   statement, whatever came before it).
 *
 * Requests are handled one at a time, on the proxy's own thread.
 */
class FaultProxy
{
public:
    enum class Fault
    {
        Drop,
        Hold
    };

    /** What the proxy does to a request a rule picks. */
    enum class Action
    {
        Answer,             ///< answer `status` (Retry-After when set) instead of forwarding
        ResetBefore,        ///< close the connection without forwarding or answering
        ResetAfter,         ///< forward, then close the connection without answering
        CutMidChunk,        ///< forward; the chunked answer breaks off inside its middle chunk
        CutAtChunkBoundary, ///< forward; the chunked answer breaks off after its first half
        Stall,              ///< answer nothing for `stallMs`, then close (nothing forwarded)
        RefuseLarger,       ///< 413 for a body over `maxBodyBytes` (others are forwarded)
        LoseAnswer,         ///< forward (a write is applied), then answer nothing for `stallMs`
        Hold, ///< hold it and every later request, as tripAfter() with Fault::Hold, until
              ///< release() or up()
    };

    /** A fault and the requests it applies to. */
    struct Rule
    {
        QByteArray path;         ///< "/query", "/write"; empty: any
        QString statement;       ///< only requests whose q parameter contains this
        QByteArray bodyContains; ///< only requests whose body contains this
        Action action = Action::Answer;
        int status = 503;
        int retryAfterSeconds = -1; ///< sent with an Answer when >= 0
        QByteArray body;            ///< of an Answer; a JSON error naming the fault when empty
        int skip = 0;               ///< matching requests let through before the first fault
        int every = 1;              ///< then every n-th matching request
        int times = -1;             ///< at most this many faults (-1: no limit)
        /// Instead of `every`: each matching request with this probability (a seeded, so
        /// repeatable, sequence of draws; 0: use `every`).
        double probability = 0;
        qsizetype maxBodyBytes = 0; ///< RefuseLarger
        int stallMs = 0;            ///< Stall, LoseAnswer
    };

    explicit FaultProxy(const QString &upstream);
    ~FaultProxy();

    /// After `count` forwarded requests to `path` (e.g. "/write"), apply `fault`.
    void tripAfter(const QByteArray &path, int count, Fault fault);
    /// Forward everything again, from now on (a restarted server); rules are dropped too.
    void up();
    /// Let held requests (and later ones) through.
    void release();
    /// Blocks until the fault has applied to at least one request, or `timeoutMs` passes.
    bool waitTripped(int timeoutMs = 60000);

    /// Adds a rule; a request meets the first rule that matches it. Returns its index.
    int addRule(const Rule &rule);
    /// How often rule `index` applied its fault.
    int applied(int index) const;
    /// Leave out the Accept header, so that InfluxDB answers in JSON as a server without
    /// msgpack does.
    void setJsonAnswers(bool json);

    QString url() const { return m_server.url(); }
    int forwarded(const QByteArray &path) const;

    static QString actionName(Action action);

private:
    struct RuleState
    {
        Rule rule;
        int matched = 0;
        int applied = 0;
        std::mt19937 draws{7}; ///< of `probability`: the same sequence every run
    };

    TestHttpServer::Reply handle(const TestHttpServer::Request &request);
    /// The rule that picks `request` (counting it), or -1. With m_mutex held.
    int pick(const TestHttpServer::Request &request);
    /// Forwards the request; false when the upstream did not answer.
    bool forward(const TestHttpServer::Request &request, TestHttpServer::Reply &reply,
                 QByteArray &contentType);
    void count(const QByteArray &path);
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
    QList<RuleState> m_rules;
    bool m_jsonAnswers = false;
};

} // namespace tsm::test
