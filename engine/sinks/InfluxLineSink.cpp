#include "sinks/InfluxLineSink.h"

#include <QHash>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

/// The server's words about a write, with 2.x's wrapping taken off: "failure writing points to
/// database: partial write: X" reads as 1.x's "partial write: X".
QString writeMessage(const HttpResponse &response)
{
    static const QString wrapping = u"failure writing points to database: "_s;
    QString message = InfluxApi::messageOf(response);
    if (message.startsWith(wrapping))
        message.remove(0, wrapping.size());
    return message;
}

/// Answers that are about particular lines (the rest of the batch was written, or nothing could
/// be parsed), as opposed to a request the server refuses as a whole. InfluxDB 3's
/// /api/v2/write stops at the first invalid line and writes nothing: 3.0–3.4 "parsing failed
/// for write_lp endpoint", 3.5–3.8 "write buffer error: parsing for line protocol failed", 3.9+
/// "write buffer error: line protocol parse failed: <reason>" (influxdb3_server http.rs,
/// V2WriteApiError; influxdb3_write write_buffer Error::ParseError).
bool isLineLevel(const QString &message)
{
    static const QRegularExpression influxDb3(
        u"^(parsing failed for write_lp endpoint|write buffer error: (parsing for line protocol "
        u"failed|line protocol parse failed))"_s);
    // 1.x answers a bare "field type conflict" (400, nothing written) when two lines of one
    // request give a field new to its shard two types (tsdb Shard.createFieldsAndMeasurements).
    return message.startsWith(u"partial write"_s) || message.startsWith(u"unable to parse"_s) ||
           message.startsWith(u"field type conflict"_s) || influxDb3.match(message).hasMatch();
}

/// "partial write: X dropped=N" (1.12 and 2.x append " for database: D for retention
/// policy: R") without the wrapping and the count.
QString withoutDropCount(QString message)
{
    static const QRegularExpression dropped(u"\\s+dropped=\\d+( for database: .*)?$"_s,
                                            QRegularExpression::DotMatchesEverythingOption);
    return message.remove(dropped);
}

/// The reason one line was refused, without the batch-level wrapping: "partial write: X
/// dropped=1" becomes X, "unable to parse '<line>': X" becomes X (the line is recorded anyway).
QString lineReason(const QString &message)
{
    QString reason = message;
    if (reason.startsWith(u"partial write:"_s))
        reason = withoutDropCount(reason.mid(14).trimmed());
    if (reason.startsWith(u"unable to parse '"_s)) {
        const qsizetype end = reason.lastIndexOf(u"': "_s);
        if (end > 0)
            reason = reason.mid(end + 3);
    }
    return reason.trimmed();
}

} // namespace

InfluxLineSink::InfluxLineSink(InfluxEndpoint endpoint, RetryPolicy retry)
    : m_api(std::move(endpoint), retry), m_gzip(!HttpClient::isLoopback(m_api.endpoint().baseUrl))
{}

QString InfluxLineSink::where() const
{
    return u"InfluxDB at "_s + m_api.endpoint().baseUrl;
}

Error InfluxLineSink::missingDatabase(const QString &database) const
{
    return Error(ErrorKind::NotFound,
                 u"Target database \"%1\" does not exist on %2 (tick Create database or "
                 u"create it)"_s.arg(database, where()));
}

Error InfluxLineSink::missingDatabase(const QString &database, const HttpResponse &response) const
{
    return Error(ErrorKind::NotFound,
                 u"Database \"%1\" does not exist on %2 (404 %3)"_s.arg(
                     database, where(), InfluxApi::messageOf(response)),
                 404);
}

Error InfluxLineSink::writeError(const HttpResponse &response) const
{
    return InfluxApi::errorFromResponse(response, where());
}

HttpResponse InfluxLineSink::post(const QByteArray &lines, const CancelToken &cancel, bool retry500)
{
    HttpRequest request;
    request.method = "POST";
    request.url = writeUrl();
    request.headers.emplaceBack("Content-Type", "text/plain; charset=utf-8");
    // Compressed once here rather than by the client, so retries do not compress again. Not
    // to this machine: on loopback gzip made writes slower (bench_migration --only gzip).
    if (m_gzip) {
        request.headers.emplaceBack("Content-Encoding", "gzip");
        request.body = HttpClient::gzip(lines);
    } else {
        request.body = lines;
    }
    m_api.authorize(request);

    HttpResponse response;
    const int attempts = std::max(1, m_api.retryPolicy().attempts);
    int tries = 0;
    withRetries(
        m_api.retryPolicy(), cancel,
        [&] {
            ++tries;
            response = m_api.pool().acquire()->perform(request, &cancel);
            const int status = response.status;
            if ((status >= 200 && status < 300) || status == 400 || status == 413 || status == 422)
                return;
            const Error error = writeError(response);
            // A plain 500 may be transient (retried first) or about lines the storage engine
            // cannot keep: after the retries, the batch is bisected to find them.
            if (status == 500 && error.kind() == ErrorKind::Server &&
                (!retry500 || tries >= attempts))
                return;
            throw error;
        },
        [this](const Error &error, int attempt, int delayMs) {
            notifyRetry(u"write to "_s + where(), error, attempt, delayMs);
        });
    return response;
}

WriteResult InfluxLineSink::write(const Batch &batch, const CancelToken &cancel)
{
    WriteResult result;
    ServerRefusals refusals;
    BatchBisector::write(
        batch,
        [&](const Batch &part, WriteResult &partResult) {
            return send(part, partResult, cancel, refusals);
        },
        result);
    // Every line refused with a 500 on its own and none stored: the server fails, not the lines.
    if (refusals.lines > 0 && result.written == 0 && result.rejected == refusals.lines)
        throw *refusals.error;
    return result;
}

BatchBisector::Answer InfluxLineSink::send(const Batch &part, WriteResult &result,
                                           const CancelToken &cancel, ServerRefusals &refusals)
{
    // Past this many lines refused with a 500 and nothing stored, the server is taken for
    // failing rather than searched line by line.
    constexpr qint64 kRefusalsBeforeGivingUp = 8;
    const HttpResponse response = post(part.lines, cancel, !refusals.persisted);
    if (response.status >= 200 && response.status < 300)
        return {BatchBisector::Verdict::Written, {}};
    if (response.status == 413)
        return {BatchBisector::Verdict::TooLarge,
                u"the point alone is larger than the server accepts (413 %1)"_s.arg(
                    InfluxApi::messageOf(response))};
    if (response.status == 500) {
        refusals.persisted = true;
        refusals.error = writeError(response);
        if (part.points <= 1)
            ++refusals.lines;
        if (refusals.lines >= kRefusalsBeforeGivingUp && result.written == 0)
            throw *refusals.error;
        return {BatchBisector::Verdict::Refused,
                u"the server could not store it (500 %1)"_s.arg(InfluxApi::messageOf(response))};
    }
    // 400 (1.x; 2.x parse errors) or 422 (2.x): the valid points were written and some were
    // dropped, or lines could not be parsed.
    if (settleListedLines(part, response, result))
        return {BatchBisector::Verdict::Settled, {}};
    const QString message = writeMessage(response);
    if (!isLineLevel(message))
        throw Error(
            ErrorKind::Rejected,
            u"%1 rejected the write (%2 %3)"_s.arg(where()).arg(response.status).arg(message),
            response.status);
    if (part.points > 1 && resolveParseErrors(part, message, result))
        return {BatchBisector::Verdict::Settled, {}};
    if (part.points > 1 && rejectAllDropped(part, message, result))
        return {BatchBisector::Verdict::Settled, {}};
    // The answer does not say which lines were dropped (a type conflict only gives a count):
    // the halves are sent again.
    return {BatchBisector::Verdict::Refused, lineReason(message)};
}

bool InfluxLineSink::rejectAllDropped(const Batch &part, const QString &message,
                                      WriteResult &result)
{
    static const QRegularExpression dropped(u"^partial write:.*\\sdropped=(\\d+)"_s,
                                            QRegularExpression::DotMatchesEverythingOption);
    const QRegularExpressionMatch match = dropped.match(message);
    if (!match.hasMatch() || match.captured(1).toLongLong() != part.points)
        return false;
    const auto spans = BatchBisector::lineSpans(part.lines);
    if (qint64(spans.size()) != part.points)
        return false;
    const QString reason = lineReason(message);
    for (qint64 i = 0; i < qint64(spans.size()); ++i) {
        const auto &span = spans[size_t(i)];
        BatchBisector::reject(part, i, part.lines.mid(span.first, span.second - span.first), reason,
                              result);
    }
    return true;
}

bool InfluxLineSink::resolveParseErrors(const Batch &batch, const QString &message,
                                        WriteResult &result)
{
    // "unable to parse 'L1': r1\nunable to parse 'L2': r2", alone (1.x: nothing was written;
    // 2.x refuses the whole request) or wrapped as "partial write: ... dropped=0" (1.x: every
    // parsed point was written: the server reports parse errors only when the rest succeeded).
    static const QString marker = u"unable to parse '"_s;
    QString list = message;
    const bool partial = list.startsWith(u"partial write: "_s);
    if (partial)
        list = withoutDropCount(list.mid(15));
    if (!list.startsWith(marker))
        return false;

    QHash<QByteArray, QString> failed; // line -> reason
    qsizetype position = 0;
    while (position < list.size()) {
        qsizetype next = list.indexOf(u'\n' + marker, position + 1);
        if (next < 0)
            next = list.size();
        const QString entry = list.mid(position + marker.size(), next - position - marker.size());
        const qsizetype quoteEnd = entry.lastIndexOf(u"': "_s);
        if (quoteEnd < 0)
            return false;
        failed.insert(entry.left(quoteEnd).toUtf8(), entry.mid(quoteEnd + 3).trimmed());
        position = next + 1;
    }

    const auto spans = BatchBisector::lineSpans(batch.lines);
    if (qint64(spans.size()) != batch.points)
        return false;
    std::vector<qint64> rejectedLines;
    QHash<QByteArray, bool> seen;
    for (qint64 i = 0; i < qint64(spans.size()); ++i) {
        const QByteArray line = batch.lines.mid(spans[size_t(i)].first,
                                                spans[size_t(i)].second - spans[size_t(i)].first);
        if (failed.contains(line)) {
            rejectedLines.push_back(i);
            seen.insert(line, true);
        }
    }
    // Every listed line must be in the batch, and a failure without "partial write" means no
    // line at all was written; anything else and bisection decides.
    if (seen.size() != failed.size())
        return false;
    if (!partial && qint64(rejectedLines.size()) != batch.points)
        return false;

    for (const qint64 i : rejectedLines) {
        const auto &span = spans[size_t(i)];
        const QByteArray line = batch.lines.mid(span.first, span.second - span.first);
        BatchBisector::reject(batch, i, line, failed.value(line), result);
    }
    result.written += batch.points - qint64(rejectedLines.size());
    return true;
}

void InfluxLineSink::setCounter(std::unique_ptr<InfluxSource> counter, const QString &database,
                                const QString &retentionPolicy)
{
    m_counter = std::move(counter);
    m_countRequest.database = database;
    m_countRequest.retentionPolicy = retentionPolicy;
}

void InfluxLineSink::prepareCount(const QList<CountWindow> &windows, const CancelToken &)
{
    // The shard groups are read once for the range of every window.
    if (windows.isEmpty())
        return;
    TimeRange range{windows.first().start, windows.first().end};
    for (const CountWindow &w : windows)
        range = TimeRange{std::min(range.start, w.start), std::max(range.end, w.end)};
    m_countRequest.range = range;
}

PointCount InfluxLineSink::count(const CountWindow &window, const CancelToken &cancel)
{
    if (!m_counter)
        throw Error(ErrorKind::Config, u"%1 cannot be counted"_s.arg(describe()));
    return m_counter->count(m_countRequest, window, cancel);
}

QList<TargetProblem> InfluxLineSink::schemaProblems(const MeasurementSchema &schema) const
{
    QList<TargetProblem> problems;
    for (const FieldInfo &field : schema.fields) {
        if (schema.tagKeys.contains(field.name))
            problems.append(TargetProblem{
                u"tag and field \"%1\""_s.arg(field.name),
                u"InfluxDB stores both; a query of * shows the field as \"%1_1\""_s.arg(field.name),
                TargetProblem::Outcome::Kept});
        if (field.types.size() > 1)
            problems.append(TargetProblem{
                u"field \"%1\""_s.arg(field.name),
                u"has a different type in different shard groups; InfluxDB keeps a field's type "
                u"per shard group, so both are stored as long as the target's shard groups "
                u"divide time where the source's do (a database the task creates gets the "
                u"default 7-day groups; groups that hold both types refuse the later ones, which "
                u"then go to the rejects file)"_s,
                TargetProblem::Outcome::Kept});
    }
    return problems;
}

} // namespace tsm
