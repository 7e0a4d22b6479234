#pragma once

#include "core/Sink.h"

#include <QHash>
#include <QString>
#include <mutex>

namespace tsm {

/**
 * Writes batches to a line-protocol file, plain or gzip (when asked or when the name ends in
 * .gz). An existing file is appended to, so a resumed task continues it; a new one starts with
 * the `# DML` / `# CONTEXT-DATABASE:` header `influx -import` expects when a database is given.
 * flush() makes everything written so far survive a kill (gzip: a sync flush, then fsync); a
 * gzip file left without its trailer by a kill is closed at its last flushed line when the
 * next run opens it, so the new member after it stays readable.
 */
class LpFileSink : public Sink
{
public:
    LpFileSink(QString path, bool compress, QString database);
    ~LpFileSink() override;
    LpFileSink(const LpFileSink &) = delete;
    LpFileSink &operator=(const LpFileSink &) = delete;

    bool isCompressed() const { return m_compress; }

    QString describe() const override;
    LpDialect dialect() const override;
    ConnectionInfo checkConnection(const CancelToken &cancel) override;
    void prepare(const CancelToken &cancel) override;
    WriteResult write(const Batch &batch, const CancelToken &cancel) override;
    void flush() override;
    /// Closes the file (a gzip file gets its trailer) and counts its lines for every window in
    /// one pass, as a line-protocol file source reads them.
    void prepareCount(const QList<CountWindow> &windows, const CancelToken &cancel) override;
    /// The lines of the window's measurement (and subtable, tag `tbname`) in the file.
    PointCount count(const CountWindow &window, const CancelToken &cancel) override;

private:
    void openLocked();
    void writeLocked(const char *data, size_t size);
    void closeLocked();
    [[noreturn]] void fail(const QString &what, int error) const;

    QString m_path;
    bool m_compress;
    QString m_database;
    std::mutex m_mutex;
    int m_fd = -1;
    void *m_gz = nullptr; ///< gzFile, kept out of the header
    QHash<QString, PointCount> m_counts; ///< prepareCount()'s, by countKey()
};

} // namespace tsm
