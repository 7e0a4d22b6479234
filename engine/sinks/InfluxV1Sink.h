#pragma once

#include "core/Sink.h"
#include "influx/InfluxApi.h"

#include <utility>

namespace tsm {

/**
 * Writes line protocol to InfluxDB 1.x through POST /write (gzip bodies, nanosecond
 * timestamps), splitting batches the server finds too large and pinning down, line by line,
 * which points a partial write dropped and why.
 */
class InfluxV1Sink : public Sink
{
public:
    InfluxV1Sink(InfluxEndpoint endpoint, RetryPolicy retry, QString database,
                 QString retentionPolicy, bool createDatabase);

    QString describe() const override;
    LpDialect dialect() const override;
    ConnectionInfo checkConnection(const CancelToken &cancel) override;
    void prepare(const CancelToken &cancel) override;
    WriteResult write(const Batch &batch, const CancelToken &cancel) override;

    /// Splits a batch at the line boundary nearest its middle (by points), quote-aware, with
    /// each half's shares rebased to its own first line. A batch of fewer than two points comes
    /// back whole as the first half.
    static std::pair<Batch, Batch> splitBatch(const Batch &batch);

private:
    /// POST /write with retries; returns the answers the caller must interpret (2xx, 400, 413),
    /// throws for everything else.
    HttpResponse post(const QByteArray &lines, const CancelToken &cancel);
    void writePart(const Batch &batch, const CancelToken &cancel, WriteResult &result);
    /// A 400 that lists only unparsable lines names them all: reject those, count the rest as
    /// written. False when the message cannot be matched to the batch exactly.
    bool resolveParseErrors(const Batch &batch, const QString &message, WriteResult &result);
    QString where() const;

    InfluxApi m_api;
    QString m_database;
    QString m_retentionPolicy;
    bool m_createDatabase;
};

} // namespace tsm
