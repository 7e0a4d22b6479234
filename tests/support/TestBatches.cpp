#include "support/TestBatches.h"

namespace tsm::test {

RetryPolicy fastRetries(int attempts)
{
    RetryPolicy policy;
    policy.attempts = attempts;
    policy.baseDelayMs = 10;
    policy.maxDelayMs = 50;
    return policy;
}

Batch makeBatch(const QList<QByteArray> &lines, const std::vector<UnitShare> &shares)
{
    Batch batch;
    for (const QByteArray &line : lines)
        batch.lines += line + '\n';
    batch.points = lines.size();
    batch.shares = shares;
    return batch;
}

Batch unitBatch(const QList<QByteArray> &lines, qint64 unitId)
{
    return makeBatch(lines, {{unitId, 0, qint64(lines.size())}});
}

} // namespace tsm::test
