#pragma once

#include "core/Source.h"

#include <QHash>
#include <QString>
#include <atomic>
#include <memory>
#include <mutex>

namespace tsm {

/**
 * A line-protocol file (.lp, or gzip whatever its name) read as a Source, including
 * `influx_inspect export` output: `# DDL` sections are skipped and `# CONTEXT-DATABASE:` /
 * `# CONTEXT-RETENTION-POLICY:` markers give the lines after them their database.
 *
 * Units are ranges [start, end) of uncompressed byte offsets and a unit owns the lines that
 * start inside it, where lines are as a reading of the whole file from its start finds them (a
 * quoted string may hold a newline, so only such a reading can tell where a line starts). The
 * plan reads nothing but the file's size (of a gzip file, its recorded size, checked against the
 * ratio of its first block), so the file is read once: the units follow one another, and the
 * reader of a unit carries on where the previous unit's reader stopped, with the export's
 * database markers in force there. A unit reached out of order (after a resume, or a retry) is
 * found by scanning from the nearest known line start before it without parsing the lines.
 * The last unit of a gzip file has no end. A unit whose `context` is set ("database\nretention
 * policy\nline number", the first unit, or a ledger planned by an earlier version) starts at an
 * exact line start with that context. Lines without a context (files without markers, or lines
 * before the first one) belong to every database. Thread-safe.
 */
class LpFileSource : public Source
{
public:
    static constexpr qint64 kDefaultUnitBytes = 32LL * 1024 * 1024;
    static constexpr qint64 kDefaultMaxLineBytes = 64LL * 1024 * 1024;
    /// Files up to this size (on disk) are counted per measurement for the estimates.
    static constexpr qint64 kMaxCountedBytes = 16LL * 1024 * 1024;

    explicit LpFileSource(QString path, qint64 unitBytes = kDefaultUnitBytes);
    ~LpFileSource() override;

    /// Approximate size of a read unit in uncompressed bytes (tests use small ones).
    void setUnitBytes(qint64 bytes);
    qint64 unitBytes() const { return m_unitBytes.load(); }
    /// Longest logical line: a quoted string left open would otherwise run to the end of the
    /// file (InfluxDB's own limit, max-body-size, is 25 MB by default).
    void setMaxLineBytes(qint64 bytes);
    const QString &path() const { return m_path; }
    /// Bytes of text plan() and read() have taken from the file so far (decompressed for gzip).
    qint64 readBytes() const { return m_readBytes.load(); }

    QString describe() const override;
    ConnectionInfo checkConnection(const CancelToken &cancel) override;
    QStringList listDatabases(const CancelToken &cancel) override;
    QStringList listMeasurements(const QString &database, const CancelToken &cancel) override;
    MeasurementSchema schema(const QString &database, const QString &measurement,
                             const CancelToken &cancel) override;
    std::optional<TimeRange> timeBounds(const QString &database, const QString &measurement,
                                        const CancelToken &cancel) override;
    /// A range that is empty (end <= start) in the request means no time filter.
    QList<PlannedUnit> plan(const PlanRequest &request, const CancelToken &cancel) override;
    /// The lines read() carries of each measurement of the request, counted in one pass; nothing
    /// for a file over kMaxCountedBytes not catalogued yet (the count would be a second read).
    std::optional<QHash<QString, qint64>> pointsByMeasurement(const PlanRequest &request,
                                                              const CancelToken &cancel) override;
    /// One: the units are one stream, read front to back.
    int maxParallelReads() const override { return 1; }
    bool unitsAreTimeWindows() const override { return false; }
    void read(const ReadUnit &unit, const PlanRequest &request, const LpDialect &dialect,
              BatchOutput &out, const CancelToken &cancel) override;
    /// Units are byte ranges, so the windows are made here: one per measurement and window of
    /// the request's length (on its multiples, as other sources' read units are, clipped to the
    /// range), holding the lines of the `done` units that read() carries, counted in one pass.
    QList<CountWindow> countWindows(const PlanRequest &request, const QList<ReadUnit> &done,
                                    const CancelToken &cancel) override;
    /// The lines (and the values of each field) of a window of countWindows(), or of any
    /// window when the file is scanned again for it.
    PointCount count(const PlanRequest &request, const CountWindow &window,
                     const CancelToken &cancel) override;
    /// One pass over the file: the lines read() carries for the request (its database,
    /// measurements and range) that fall in each window (its measurement, its subtable as tag
    /// `tbname` where it names one, start <= time < end), and the values of each field.
    QList<PointCount> countLines(const PlanRequest &request, const QList<CountWindow> &windows,
                                 const CancelToken &cancel);

private:
    struct Catalog;
    struct Cursor;
    class CursorPool;

    std::shared_ptr<const Catalog> catalog(const CancelToken &cancel);
    /// A reader at the first line of `unit`, with the context in force there.
    Cursor cursorFor(const ReadUnit &unit, const CancelToken &cancel);

    QString m_path;
    std::atomic<qint64> m_unitBytes;
    std::atomic<qint64> m_maxLineBytes{kDefaultMaxLineBytes};
    std::atomic<qint64> m_readBytes{0};
    std::mutex m_catalogMutex;
    std::shared_ptr<const Catalog> m_catalog;
    std::unique_ptr<CursorPool> m_cursors;
    std::mutex m_countMutex;
    QHash<QString, PointCount> m_counts; ///< countWindows()'s, by measurement and start
};

} // namespace tsm
