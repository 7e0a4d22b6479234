#include "sinks/InfluxV1Sink.h"

#include "lp/LineParser.h"

#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <algorithm>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

/// The "error" of an InfluxDB JSON error body, else the body itself.
QString serverMessage(const HttpResponse &response)
{
    const QJsonDocument document = QJsonDocument::fromJson(response.body);
    if (document.isObject() && document.object().value(u"error"_s).isString())
        return document.object().value(u"error"_s).toString();
    return QString::fromUtf8(response.body).trimmed();
}

/// 400 answers that are about particular lines (the rest of the batch was written), as opposed
/// to a request the server refuses as a whole.
bool isLineLevel(const QString &message)
{
    return message.startsWith(u"partial write"_s) || message.startsWith(u"unable to parse"_s);
}

/// The reason one line was refused, without the batch-level wrapping: "partial write: X
/// dropped=1" becomes X, "unable to parse '<line>': X" becomes X (the line is recorded anyway).
QString lineReason(const QString &message)
{
    QString reason = message;
    if (reason.startsWith(u"partial write:"_s)) {
        reason = reason.mid(14).trimmed();
        // 1.12 appends " for database: X for retention policy: Y" after the count.
        static const QRegularExpression dropped(u"\\s+dropped=\\d+( for database: .*)?$"_s,
                                                QRegularExpression::DotMatchesEverythingOption);
        reason.remove(dropped);
    }
    if (reason.startsWith(u"unable to parse '"_s)) {
        const qsizetype end = reason.lastIndexOf(u"': "_s);
        if (end > 0)
            reason = reason.mid(end + 3);
    }
    return reason.trimmed();
}

/// Byte range [begin, end) of every line, without the terminating '\n'.
std::vector<std::pair<qsizetype, qsizetype>> lineSpans(const QByteArray &lines)
{
    std::vector<std::pair<qsizetype, qsizetype>> spans;
    const size_t size = size_t(lines.size());
    size_t from = 0;
    while (from < size) {
        const size_t end = lp::lineEnd(lines.constData(), size, from);
        spans.emplace_back(qsizetype(from), qsizetype(end));
        from = end + 1;
    }
    return spans;
}

qint64 unitOfLine(const Batch &batch, qint64 line)
{
    for (const UnitShare &share : batch.shares) {
        if (line >= share.firstLine && line < share.firstLine + share.lines)
            return share.unitId;
    }
    return 0;
}

void addReject(const Batch &batch, qint64 line, QByteArray text, const QString &reason,
               WriteResult &result)
{
    if (text.endsWith('\n'))
        text.chop(1);
    result.rejects.push_back({std::move(text), reason, unitOfLine(batch, line)});
    ++result.rejected;
}

/// The shares of lines [from, from + count), rebased to `from`.
std::vector<UnitShare> sliceShares(const std::vector<UnitShare> &shares, qint64 from, qint64 count)
{
    std::vector<UnitShare> sliced;
    for (const UnitShare &share : shares) {
        const qint64 begin = std::max(share.firstLine, from);
        const qint64 end = std::min(share.firstLine + share.lines, from + count);
        if (end > begin)
            sliced.push_back({share.unitId, begin - from, end - begin});
    }
    return sliced;
}

} // namespace

InfluxV1Sink::InfluxV1Sink(InfluxEndpoint endpoint, RetryPolicy retry, QString database,
                           QString retentionPolicy, bool createDatabase)
    : m_api(std::move(endpoint), retry), m_database(std::move(database)),
      m_retentionPolicy(std::move(retentionPolicy)), m_createDatabase(createDatabase)
{}

QString InfluxV1Sink::describe() const
{
    return u"InfluxDB 1.x at %1, database %2"_s.arg(m_api.endpoint().baseUrl, m_database);
}

LpDialect InfluxV1Sink::dialect() const
{
    LpDialect dialect;
    // OSS builds answer "invalid number" to 12u (PROTOCOLS.md §9).
    dialect.unsignedSupported = false;
    return dialect;
}

QString InfluxV1Sink::where() const
{
    return u"InfluxDB at "_s + m_api.endpoint().baseUrl;
}

ConnectionInfo InfluxV1Sink::checkConnection(const CancelToken &cancel)
{
    ConnectionInfo info = m_api.ping(cancel);
    // /ping does not check credentials; this does, and cheaply.
    const QList<QuerySeries> series = m_api.query(u"SHOW DATABASES"_s, {}, cancel);
    bool exists = false;
    for (const QuerySeries &one : series) {
        for (const QJsonValue &row : one.values)
            exists = exists || row.toArray().at(0).toString() == m_database;
    }
    const QString database = exists ? u"database \"%1\" exists"_s.arg(m_database)
                             : m_createDatabase
                                 ? u"database \"%1\" will be created"_s.arg(m_database)
                                 : u"database \"%1\" does not exist"_s.arg(m_database);
    info.detail = info.detail.isEmpty() ? database : info.detail + u", "_s + database;
    return info;
}

void InfluxV1Sink::prepare(const CancelToken &cancel)
{
    if (m_createDatabase) {
        // Idempotent on 1.x: creating an existing database is not an error.
        m_api.query(u"CREATE DATABASE "_s + InfluxApi::quoteIdentifier(m_database), {}, cancel,
                    true);
    } else {
        bool exists = false;
        const QList<QuerySeries> series = m_api.query(u"SHOW DATABASES"_s, {}, cancel);
        for (const QuerySeries &one : series) {
            for (const QJsonValue &row : one.values)
                exists = exists || row.toArray().at(0).toString() == m_database;
        }
        if (!exists)
            throw Error(ErrorKind::NotFound,
                        u"Target database \"%1\" does not exist on %2 (tick Create database or "
                        u"create it)"_s.arg(m_database, where()));
    }
    if (!m_retentionPolicy.isEmpty()) {
        // Otherwise every write would fail with a 500 that looks like a server problem.
        const QList<QuerySeries> series = m_api.query(
            u"SHOW RETENTION POLICIES ON "_s + InfluxApi::quoteIdentifier(m_database), {}, cancel);
        bool exists = false;
        for (const QuerySeries &one : series) {
            const int nameColumn = one.column(u"name"_s);
            for (const QJsonValue &row : one.values)
                exists = exists || row.toArray().at(nameColumn).toString() == m_retentionPolicy;
        }
        if (!exists)
            throw Error(ErrorKind::NotFound,
                        u"Retention policy \"%1\" does not exist in database \"%2\" on %3"_s.arg(
                            m_retentionPolicy, m_database, where()));
    }
}

HttpResponse InfluxV1Sink::post(const QByteArray &lines, const CancelToken &cancel)
{
    QList<QPair<QByteArray, QString>> parameters{{"db", m_database}};
    if (!m_retentionPolicy.isEmpty())
        parameters.append({"rp", m_retentionPolicy});
    HttpRequest request;
    request.method = "POST";
    // No precision parameter: timestamps are nanoseconds, the default everywhere.
    request.url = m_api.url("/write", parameters);
    request.headers.emplaceBack("Content-Type", "text/plain; charset=utf-8");
    request.headers.emplaceBack("Content-Encoding", "gzip");
    // Compressed once here rather than by the client, so retries do not compress again.
    request.body = HttpClient::gzip(lines);
    m_api.authorize(request);

    HttpResponse response;
    withRetries(
        m_api.retryPolicy(), cancel,
        [&] {
            response = m_api.pool().acquire()->perform(request, &cancel);
            const int status = response.status;
            if ((status >= 200 && status < 300) || status == 400 || status == 413)
                return;
            if (status == 404)
                throw Error(ErrorKind::NotFound,
                            u"Database \"%1\" does not exist on %2 (404 %3)"_s.arg(
                                m_database, where(), serverMessage(response)),
                            404);
            const QString message = serverMessage(response);
            if (status == 500 && message.startsWith(u"retention policy not found"_s))
                throw Error(
                    ErrorKind::NotFound,
                    u"Retention policy \"%1\" does not exist in database \"%2\" on %3"_s.arg(
                        m_retentionPolicy, m_database, where()),
                    500);
            throw InfluxApi::errorFromResponse(response, where());
        },
        [this](const Error &error, int attempt, int delayMs) {
            notifyRetry(u"write to "_s + where(), error, attempt, delayMs);
        });
    return response;
}

WriteResult InfluxV1Sink::write(const Batch &batch, const CancelToken &cancel)
{
    WriteResult result;
    if (!batch.isEmpty())
        writePart(batch, cancel, result);
    return result;
}

void InfluxV1Sink::writePart(const Batch &batch, const CancelToken &cancel, WriteResult &result)
{
    if (batch.lines.isEmpty()) {
        // Only when a batch counts more points than it has lines: never report them written.
        for (qint64 i = 0; i < batch.points; ++i)
            addReject(batch, i, {}, u"the batch holds fewer lines than its point count"_s, result);
        return;
    }
    const HttpResponse response = post(batch.lines, cancel);
    if (response.status >= 200 && response.status < 300) {
        result.written += batch.points;
        return;
    }
    if (response.status == 413) {
        if (batch.points <= 1) {
            addReject(batch, 0, batch.lines,
                      u"the point alone is larger than the server accepts (413 %1)"_s.arg(
                          serverMessage(response)),
                      result);
            return;
        }
        const auto halves = splitBatch(batch);
        writePart(halves.first, cancel, result);
        writePart(halves.second, cancel, result);
        return;
    }

    // 400: the valid points were written and some were dropped, or nothing could be parsed.
    const QString message = serverMessage(response);
    if (!isLineLevel(message))
        throw Error(ErrorKind::Rejected, u"%1 rejected the write (400 %2)"_s.arg(where(), message),
                    400);
    if (batch.points <= 1) {
        addReject(batch, 0, batch.lines, lineReason(message), result);
        return;
    }
    if (resolveParseErrors(batch, message, result))
        return;
    // The answer does not say which lines were dropped (a type conflict only gives a count).
    // Re-send halves: re-writing a valid point is harmless, as the same series and timestamp
    // overwrite it with the same values; a half answered 204 is fully written.
    const auto halves = splitBatch(batch);
    writePart(halves.first, cancel, result);
    writePart(halves.second, cancel, result);
}

bool InfluxV1Sink::resolveParseErrors(const Batch &batch, const QString &message,
                                      WriteResult &result)
{
    // "unable to parse 'L1': r1\nunable to parse 'L2': r2", alone (nothing was written) or
    // wrapped as "partial write: ... dropped=0" (every parsed point was written: the server
    // reports parse errors only when the write of the rest succeeded).
    static const QString marker = u"unable to parse '"_s;
    QString list = message;
    const bool partial = list.startsWith(u"partial write: "_s);
    if (partial) {
        list = list.mid(15);
        static const QRegularExpression dropped(u"\\s+dropped=\\d+( for database: .*)?$"_s,
                                                QRegularExpression::DotMatchesEverythingOption);
        list.remove(dropped);
    }
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

    const auto spans = lineSpans(batch.lines);
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
        addReject(batch, i, line, failed.value(line), result);
    }
    result.written += batch.points - qint64(rejectedLines.size());
    return true;
}

std::pair<Batch, Batch> InfluxV1Sink::splitBatch(const Batch &batch)
{
    if (batch.points < 2)
        return {batch, Batch{}};
    const qint64 firstCount = batch.points / 2;
    const size_t size = size_t(batch.lines.size());
    size_t offset = 0;
    qint64 walked = 0;
    for (; walked < firstCount && offset < size; ++walked)
        offset = std::min(size, lp::lineEnd(batch.lines.constData(), size, offset) + 1);
    if (walked < firstCount || offset >= size) {
        // An unbalanced quote swallowed the following lines (InfluxDB reads them as one line
        // too). Cut at plain newlines instead so that each half holds its share of the points
        // and the server judges the pieces separately.
        offset = 0;
        for (qint64 i = 0; i < firstCount && offset < size; ++i) {
            const qsizetype newline = batch.lines.indexOf('\n', qsizetype(offset));
            offset = newline < 0 ? size : size_t(newline) + 1;
        }
    }

    Batch first;
    first.lines = batch.lines.left(qsizetype(offset));
    first.points = firstCount;
    first.shares = sliceShares(batch.shares, 0, firstCount);
    Batch second;
    second.lines = batch.lines.mid(qsizetype(offset));
    second.points = batch.points - firstCount;
    second.shares = sliceShares(batch.shares, firstCount, second.points);
    return {std::move(first), std::move(second)};
}

} // namespace tsm
