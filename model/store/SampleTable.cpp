#include "SampleTable.h"

#include "Statement.h"

namespace tsm::store {

namespace {

/// The columns read() reads, in its order; a query appends its WHERE and ORDER BY.
constexpr const char *kColumns =
    "SELECT task_id, time_ms, points_read, points_written, points_rejected, units_done, "
    "units_total, retries, readers_busy, writers_busy FROM samples ";

} // namespace

ProgressSample SampleTable::read(const Statement &s)
{
    ProgressSample p;
    Columns(s) >> p.taskId >> p.timeMs >> p.pointsRead >> p.pointsWritten >> p.pointsRejected >>
        p.unitsDone >> p.unitsTotal >> p.retries >> p.readersBusy >> p.writersBusy;
    return p;
}

void SampleTable::add(const ProgressSample &sample)
{
    Statement s(m_db,
                "INSERT INTO samples (task_id, time_ms, points_read, points_written, "
                "points_rejected, units_done, units_total, retries, readers_busy, writers_busy) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    s.bindAll(sample.taskId, sample.timeMs != 0 ? sample.timeMs : nowMs(), sample.pointsRead,
              sample.pointsWritten, sample.pointsRejected, sample.unitsDone, sample.unitsTotal,
              sample.retries, sample.readersBusy, sample.writersBusy);
    requireTask(s.run());
}

QList<ProgressSample> SampleTable::after(qint64 taskId, qint64 afterMs)
{
    Statement s(m_db, QByteArray(kColumns) +
                          "WHERE task_id = ?1 AND time_ms > ?2 ORDER BY time_ms, rowid");
    s.bindAll(taskId, afterMs);
    return allRows(s, read);
}

std::optional<ProgressSample> SampleTable::last(qint64 taskId)
{
    Statement s(m_db, QByteArray(kColumns) +
                          "WHERE task_id = ?1 ORDER BY time_ms DESC, rowid DESC LIMIT 1");
    s.bind(1, taskId);
    return firstRow(s, read);
}

} // namespace tsm::store
