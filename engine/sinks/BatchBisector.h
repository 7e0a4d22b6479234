#pragma once

#include "core/Batch.h"

#include <QString>
#include <functional>
#include <utility>
#include <vector>

namespace tsm {

/**
 * Finds out which lines of a batch a target refused when its answer does not say: sends the
 * batch, and when the target refuses some lines without naming them (or finds the request too
 * large) sends each half again, down to single lines, which are then rejected with the
 * target's reason. Only for targets where writing a point again is harmless (the same series
 * and time overwrite it with the same values) and where a refused request may still have
 * stored some of its lines.
 */
class BatchBisector
{
public:
    /// What the target made of one request.
    enum class Verdict
    {
        Written,  ///< every line was stored
        TooLarge, ///< the request was too large: its halves are sent
        Refused,  ///< some lines, unknown which, were refused: the halves are sent
        Settled,  ///< the sender recorded every line of the part in the result itself
    };
    struct Answer
    {
        Verdict verdict = Verdict::Written;
        /// The target's words: the reason recorded when a single line is refused or too large.
        QString reason;
    };
    /// Sends one part of the batch. Throws tsm::Error for anything that is not about the lines
    /// (authentication, a missing database, retries exhausted): that ends the whole write.
    using Send = std::function<Answer(const Batch &part, WriteResult &result)>;

    /// Writes `batch` through `send`, adding every point to `result` as written or rejected.
    static void write(const Batch &batch, const Send &send, WriteResult &result);

    /// Splits a batch at the line boundary nearest its middle (by points), quote-aware, with
    /// each half's shares rebased to its own first line. A batch of fewer than two points comes
    /// back whole as the first half.
    static std::pair<Batch, Batch> split(const Batch &batch);

    /// Records line `line` of `batch` (its text, without the trailing newline) as rejected.
    static void reject(const Batch &batch, qint64 line, QByteArray text, const QString &reason,
                       WriteResult &result);

    /// Byte range [begin, end) of every line, without the terminating '\n' (quote-aware).
    static std::vector<std::pair<qsizetype, qsizetype>> lineSpans(const QByteArray &lines);

    /// lineSpans() without blank and comment lines: the lines a parser numbers (InfluxDB 3's
    /// write_lp counts line_number over these, from 1).
    static std::vector<std::pair<qsizetype, qsizetype>> recordSpans(const QByteArray &lines);

    /// The read unit line `line` of `batch` belongs to (0 when none).
    static qint64 unitOfLine(const Batch &batch, qint64 line);
};

} // namespace tsm
