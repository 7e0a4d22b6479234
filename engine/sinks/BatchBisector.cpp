#include "sinks/BatchBisector.h"

#include "lp/LineParser.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

/// The shares of lines [from, from + count), rebased to `from`.
std::vector<UnitShare> sliceShares(const std::vector<UnitShare> &shares, qint64 from, qint64 count)
{
    std::vector<UnitShare> sliced;
    for (const UnitShare &share : shares) {
        const qint64 begin = std::max(share.firstLine, from);
        const qint64 end = std::min(share.firstLine + share.lines, from + count);
        if (end > begin)
            sliced.push_back({share.unitId, begin - from, end - begin, share.attempt});
    }
    return sliced;
}

} // namespace

void BatchBisector::write(const Batch &batch, const Send &send, WriteResult &result)
{
    if (batch.isEmpty())
        return;
    if (batch.lines.isEmpty()) {
        // Only when a batch counts more points than it has lines: never report them written.
        for (qint64 i = 0; i < batch.points; ++i)
            reject(batch, i, {}, u"the batch holds fewer lines than its point count"_s, result);
        return;
    }
    const Answer answer = send(batch, result);
    switch (answer.verdict) {
    case Verdict::Written:
        result.written += batch.points;
        return;
    case Verdict::Settled:
        return;
    case Verdict::TooLarge:
    case Verdict::Refused:
        break;
    }
    if (batch.points <= 1) {
        reject(batch, 0, batch.lines, answer.reason, result);
        return;
    }
    // Re-sending a line that was stored is harmless (same series and time, same values); a
    // half the target accepts whole is fully written.
    const auto halves = split(batch);
    write(halves.first, send, result);
    write(halves.second, send, result);
}

std::pair<Batch, Batch> BatchBisector::split(const Batch &batch)
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

void BatchBisector::reject(const Batch &batch, qint64 line, QByteArray text, const QString &reason,
                           WriteResult &result)
{
    if (text.endsWith('\n'))
        text.chop(1);
    result.rejects.push_back({std::move(text), reason, unitOfLine(batch, line)});
    ++result.rejected;
}

std::vector<std::pair<qsizetype, qsizetype>> BatchBisector::lineSpans(const QByteArray &lines)
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

std::vector<std::pair<qsizetype, qsizetype>> BatchBisector::recordSpans(const QByteArray &lines)
{
    std::vector<std::pair<qsizetype, qsizetype>> spans = lineSpans(lines);
    spans.erase(std::remove_if(spans.begin(), spans.end(),
                               [&lines](const std::pair<qsizetype, qsizetype> &span) {
                                   const std::string_view line(lines.constData() + span.first,
                                                               size_t(span.second - span.first));
                                   return lp::isBlankLine(line) || lp::isCommentLine(line);
                               }),
                spans.end());
    return spans;
}

qint64 BatchBisector::unitOfLine(const Batch &batch, qint64 line)
{
    for (const UnitShare &share : batch.shares) {
        if (line >= share.firstLine && line < share.firstLine + share.lines)
            return share.unitId;
    }
    return 0;
}

} // namespace tsm
