#pragma once

#include "core/Sink.h"
#include "influx/InfluxApi.h"
#include "sinks/BatchBisector.h"
#include "sources/InfluxSource.h"

#include <memory>

#include <optional>
#include <utility>

namespace tsm {

/**
 * What every InfluxDB write endpoint shares: gzip bodies of nanosecond line protocol, retries
 * of transient failures, batches the server finds too large split in half, and partial writes
 * (1.x: 400, 2.x: 422 "failure writing points to database: partial write: ...") pinned down to
 * the exact lines that were dropped, with the server's reason. A batch refused as a whole
 * for some of its lines (1.x: 400 "field type conflict" inside the batch; a 500 that stays
 * after the retries) is bisected the same way. Subclasses say where to POST,
 * what their other error answers mean, and may read a list of refused lines themselves.
 */
class InfluxLineSink : public Sink
{
public:
    /// Compress request bodies with gzip; on by default except towards this machine.
    void setCompressRequests(bool compress) { m_gzip = compress; }
    WriteResult write(const Batch &batch, const CancelToken &cancel) override;
    void prepareCount(const QList<CountWindow> &windows, const CancelToken &cancel) override;
    /// Read back as a source of the same server reads: COUNT(*) per field, per shard group.
    PointCount count(const CountWindow &window, const CancelToken &cancel) override;
    /// InfluxDB 1.x and 2.x store a tag and a field of one name, and a field's type per shard
    /// group: both kept, and said.
    QList<TargetProblem> schemaProblems(const MeasurementSchema &schema) const override;

    /// BatchBisector::split(), where the InfluxDB sinks' callers look for it.
    static std::pair<Batch, Batch> splitBatch(const Batch &batch)
    {
        return BatchBisector::split(batch);
    }

protected:
    InfluxLineSink(InfluxEndpoint endpoint, RetryPolicy retry);

    /// The URL to POST line protocol to, with its parameters.
    virtual QByteArray writeUrl() const = 0;
    /// The Error an answer other than 2xx, 413 or a 400/422 about lines means: by default
    /// InfluxApi::errorFromResponse(); subclasses name their database or bucket on 404.
    virtual Error writeError(const HttpResponse &response) const;
    /// A 400 or 422 that names the refused lines one by one: the subclass records them and the
    /// rest as written and returns true. False (the default) leaves the answer to send().
    virtual bool settleListedLines(const Batch &part, const HttpResponse &response,
                                   WriteResult &result)
    {
        (void)part, (void)response, (void)result;
        return false;
    }
    /// "InfluxDB at <url>", for messages.
    QString where() const;
    /// The target database is not on the server: found missing before writing (the task does
    /// not create it), or named by the 404 `response` to a write.
    Error missingDatabase(const QString &database) const;
    Error missingDatabase(const QString &database, const HttpResponse &response) const;
    /// How count() reads the target back: a source on the same server, and where it writes.
    void setCounter(std::unique_ptr<InfluxSource> counter, const QString &database,
                    const QString &retentionPolicy);

    InfluxApi m_api;
    bool m_gzip; ///< compress request bodies (not to a server on this machine)

private:
    std::unique_ptr<InfluxSource> m_counter;
    PlanRequest m_countRequest;

    /// Lines one write() found refused with a 500 on their own, and the server's answer.
    struct ServerRefusals
    {
        bool persisted = false; ///< a 500 stayed after the retries: parts get one try each
        qint64 lines = 0;
        std::optional<Error> error;
    };

    /// POST with retries; returns the answers send() interprets (2xx, 400, 413, 422, and a 500
    /// that is about the lines: after the retries, or at once when `retry500` is false).
    HttpResponse post(const QByteArray &lines, const CancelToken &cancel, bool retry500);
    BatchBisector::Answer send(const Batch &part, WriteResult &result, const CancelToken &cancel,
                               ServerRefusals &refusals);
    /// A 400 or 422 saying that every line of the part was dropped ("dropped=N" with N its
    /// point count): all of them are rejected with the reason. False otherwise.
    bool rejectAllDropped(const Batch &part, const QString &message, WriteResult &result);
    /// A 400 that lists only unparsable lines names them all: reject those, count the rest as
    /// written. False when the message cannot be matched to the batch exactly.
    bool resolveParseErrors(const Batch &batch, const QString &message, WriteResult &result);
};

} // namespace tsm
