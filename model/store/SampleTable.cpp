#include "SampleTable.h"

#include "Statement.h"

namespace tsm::store {

namespace {

constexpr const char *kSampleColumns =
    "SELECT task_id, time_ms, points_read, points_written, points_rejected, units_done, "
    "units_total, retries, readers_busy, writers_busy FROM samples ";

} // namespace

ProgressSample SampleTable::read(const Statement &s)
{
    ProgressSample p;
    p.taskId = s.int64(0);
    p.timeMs = s.int64(1);
    p.pointsRead = s.int64(2);
    p.pointsWritten = s.int64(3);
    p.pointsRejected = s.int64(4);
    p.unitsDone = s.int64(5);
    p.unitsTotal = s.int64(6);
    p.retries = s.int64(7);
    p.readersBusy = int(s.int64(8));
    p.writersBusy = int(s.int64(9));
    return p;
}

void SampleTable::add(const ProgressSample &sample)
{
    Statement s(m_db,
                "INSERT INTO samples (task_id, time_ms, points_read, points_written, "
                "points_rejected, units_done, units_total, retries, readers_busy, writers_busy) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    s.bind(1, sample.taskId);
    s.bind(2, sample.timeMs != 0 ? sample.timeMs : nowMs());
    s.bind(3, sample.pointsRead);
    s.bind(4, sample.pointsWritten);
    s.bind(5, sample.pointsRejected);
    s.bind(6, sample.unitsDone);
    s.bind(7, sample.unitsTotal);
    s.bind(8, sample.retries);
    s.bind(9, qint64(sample.readersBusy));
    s.bind(10, qint64(sample.writersBusy));
    requireTask(s.run());
}

QList<ProgressSample> SampleTable::after(qint64 taskId, qint64 afterMs)
{
    QList<ProgressSample> list;
    Statement s(m_db, QByteArray(kSampleColumns) +
                          "WHERE task_id = ?1 AND time_ms > ?2 ORDER BY time_ms, rowid");
    s.bind(1, taskId);
    s.bind(2, afterMs);
    while (s.next())
        list.append(read(s));
    return list;
}

std::optional<ProgressSample> SampleTable::last(qint64 taskId)
{
    Statement s(m_db, QByteArray(kSampleColumns) +
                          "WHERE task_id = ?1 ORDER BY time_ms DESC, rowid DESC LIMIT 1");
    s.bind(1, taskId);
    if (!s.next())
        return std::nullopt;
    return read(s);
}

} // namespace tsm::store
