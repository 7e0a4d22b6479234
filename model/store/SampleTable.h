#pragma once

#include "CheckpointStore.h"
#include "Table.h"

namespace tsm::store {

class Statement;

/** Access to the samples table: a task's progress, taken once a second while it runs. */
class SampleTable : public Table
{
public:
    explicit SampleTable(Connection &db) : Table(db) {}

    void add(const ProgressSample &sample);
    /// Samples with timeMs > afterMs, oldest first.
    QList<ProgressSample> after(qint64 taskId, qint64 afterMs);
    std::optional<ProgressSample> last(qint64 taskId);

private:
    static ProgressSample read(const Statement &s);
};

} // namespace tsm::store
