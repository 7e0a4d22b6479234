#include "sources/LpFileSource.h"

#include "core/Error.h"
#include "core/Planner.h"
#include "lp/LineParser.h"
#include "tdengine/SuperTable.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QLocale>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <fcntl.h>
#include <map>
#include <optional>
#include <set>
#include <unistd.h>
#include <unordered_map>
#include <unordered_set>
#include <vector>
#include <zlib.h>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

constexpr size_t kChunkBytes = 1 << 20;
constexpr int kCancelPollLines = 1024;
constexpr size_t kMaxIdleReaders = 4;

QString systemError(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

/** Asks the cancel token once every kCancelPollLines lines of a scan, and stops the scan with
 *  a Cancelled error once it is set: a long scan stops soon without a check per line. */
class CancelPoll
{
public:
    explicit CancelPoll(const CancelToken &cancel) : m_cancel(cancel) {}

    /// Counts one line.
    void operator()()
    {
        if (++m_lines < kCancelPollLines)
            return;
        m_lines = 0;
        if (m_cancel.isCancelled())
            throw Error(ErrorKind::Cancelled, u"Reading the line-protocol file was cancelled"_s);
    }

private:
    const CancelToken &m_cancel;
    int m_lines = 0;
};

/** A plain or gzip file read front to back (gzip detected by its magic bytes). */
class InputStream
{
public:
    /// `counted`, when given, adds up the (uncompressed) bytes read.
    explicit InputStream(const QString &path, std::atomic<qint64> *counted = nullptr)
        : m_path(path), m_counted(counted)
    {
        const QByteArray name = QFile::encodeName(path);
        m_fd = ::open(name.constData(), O_RDONLY | O_CLOEXEC);
        if (m_fd < 0) {
            const int error = errno;
            throw Error(error == ENOENT ? ErrorKind::Config : ErrorKind::Io,
                        u"Cannot open %1: %2"_s.arg(path, systemError(error)));
        }
        unsigned char magic[2] = {0, 0};
        const ssize_t got = ::pread(m_fd, magic, 2, 0);
        m_gzip = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        if (m_gzip) {
            m_gz = gzdopen(m_fd, "rb");
            if (!m_gz) {
                ::close(m_fd);
                throw Error(ErrorKind::Io, u"Cannot open %1 as gzip"_s.arg(path));
            }
            m_fd = -1; // owned by m_gz now
            gzbuffer(m_gz, 256 * 1024);
        }
    }
    ~InputStream()
    {
        if (m_gz)
            gzclose(m_gz);
        if (m_fd >= 0)
            ::close(m_fd);
    }
    InputStream(const InputStream &) = delete;
    InputStream &operator=(const InputStream &) = delete;

    bool isGzip() const { return m_gzip; }
    /// The gzip stream ended without its end marker and checksum.
    bool truncated() const { return m_truncated; }
    /// Bytes of the file consumed so far (of the compressed data for gzip).
    qint64 rawOffset() const { return m_gz ? qint64(gzoffset(m_gz)) : -1; }

    /// Jumps to an uncompressed offset; only plain files can.
    void seek(qint64 offset)
    {
        if (::lseek(m_fd, off_t(offset), SEEK_SET) < 0)
            throw Error(ErrorKind::Io, u"Cannot seek in %1: %2"_s.arg(m_path, systemError(errno)));
    }

    /// Up to `max` bytes; 0 at the end. A gzip stream that stops before its end (a file cut
    /// short, a writer killed before closing it) also reads as its end: truncated() tells.
    size_t read(char *buffer, size_t max)
    {
        if (m_gz) {
            const int got = gzread(m_gz, buffer, unsigned(max));
            int code = Z_OK;
            const char *message = gzerror(m_gz, &code);
            if (got < 0)
                throw Error(ErrorKind::Io,
                            u"Cannot decompress %1: %2"_s.arg(m_path, QString::fromUtf8(message)));
            // zlib reports "unexpected end of file" as Z_BUF_ERROR and lets gzread() answer 0,
            // as if the stream had ended.
            if (got == 0 && code == Z_BUF_ERROR)
                m_truncated = true;
            count(size_t(got));
            return size_t(got);
        }
        for (;;) {
            const ssize_t got = ::read(m_fd, buffer, max);
            if (got >= 0) {
                count(size_t(got));
                return size_t(got);
            }
            if (errno != EINTR)
                throw Error(ErrorKind::Io, u"Cannot read %1: %2"_s.arg(m_path, systemError(errno)));
        }
    }

private:
    void count(size_t bytes)
    {
        if (m_counted)
            m_counted->fetch_add(qint64(bytes), std::memory_order_relaxed);
    }

    QString m_path;
    std::atomic<qint64> *m_counted;
    int m_fd = -1;
    gzFile m_gz = nullptr;
    bool m_gzip = false;
    bool m_truncated = false;
};

/** Splits a stream into line-protocol lines the way InfluxDB does (lp::lineEnd). */
class LineReader
{
public:
    LineReader(const QString &path, qint64 offset, qint64 lineNumber, size_t maxLineBytes,
               std::atomic<qint64> *counted = nullptr)
        : m_path(path), m_in(path, counted), m_buffer(kChunkBytes),
          m_maxLineBytes(std::max<size_t>(1, maxLineBytes))
    {
        m_nextLineNumber = lineNumber;
        if (!m_in.isGzip() && offset > 0) {
            m_in.seek(offset);
            m_bufferOffset = offset;
        } else {
            m_nextLineNumber = 1;
            skipTo(offset);
        }
    }

    bool isGzip() const { return m_in.isGzip(); }
    /// Offset of the line next() returns next.
    qint64 nextOffset() const { return m_bufferOffset + qint64(m_pos); }
    qint64 lineOffset() const { return m_lineOffset; }
    /// 1-based physical line number of the last line returned (0 when unknown).
    qint64 lineNumber() const { return m_lineNumber; }
    /// 1-based physical line number of the line next() returns next (0 when unknown).
    qint64 nextLineNumber() const { return m_nextLineNumber; }
    /// Whether the last line returned ended with a newline (only the file's last may not).
    bool lineTerminated() const { return m_lineTerminated; }

    /// Moves forward to `offset`, a line start, counting the newlines passed.
    void skipTo(qint64 offset)
    {
        while (nextOffset() < offset) {
            if (m_pos >= m_end && !fill())
                return;
            const size_t take =
                size_t(std::min<qint64>(offset - nextOffset(), qint64(m_end - m_pos)));
            if (m_nextLineNumber > 0)
                m_nextLineNumber +=
                    std::count(m_buffer.data() + m_pos, m_buffer.data() + m_pos + take, '\n');
            m_pos += take;
        }
    }

    /// The next line without its '\n'; valid until the next call.
    bool next(std::string_view &line)
    {
        for (;;) {
            if (m_pos >= m_end && (m_eof || !fill()))
                return false;
            // An unbalanced quote would make the rest of the file one line; past the cap the
            // line ends at its first newline instead (and fails to parse). The cap counts from
            // the line start, so every reader cuts the file the same way.
            const size_t limit = std::min(m_end, m_pos + m_maxLineBytes);
            size_t end = lp::lineEnd(m_buffer.data(), limit, m_pos);
            if (end == limit && limit == m_end && !m_eof) {
                fill();
                continue;
            }
            if (end == limit && limit < m_end) {
                const void *newline = std::memchr(m_buffer.data() + m_pos, '\n', m_end - m_pos);
                if (!newline && !m_eof) {
                    fill();
                    continue;
                }
                end =
                    newline ? size_t(static_cast<const char *>(newline) - m_buffer.data()) : m_end;
            }
            line = std::string_view(m_buffer.data() + m_pos, end - m_pos);
            m_lineOffset = nextOffset();
            m_lineNumber = m_nextLineNumber;
            if (m_nextLineNumber > 0) {
                // Newlines inside quoted strings are rare: look before counting.
                ++m_nextLineNumber;
                if (std::memchr(line.data(), '\n', line.size()))
                    m_nextLineNumber += std::count(line.begin(), line.end(), '\n');
            }
            // At the end of the file a line may also end with a newline inside an open quote
            // (then it holds the rest of the file): only a last byte that is not a newline
            // leaves the line unterminated.
            m_lineTerminated = end < m_end || (end > m_pos && m_buffer[end - 1] == '\n');
            m_pos = end < m_end ? end + 1 : end;
            return true;
        }
    }

private:
    /// Reads more after the unconsumed bytes; false at the end of the stream.
    bool fill()
    {
        if (m_pos > 0) {
            std::memmove(m_buffer.data(), m_buffer.data() + m_pos, m_end - m_pos);
            m_bufferOffset += qint64(m_pos);
            m_end -= m_pos;
            m_pos = 0;
        }
        if (m_end == m_buffer.size())
            m_buffer.resize(m_buffer.size() * 2); // one line longer than the buffer
        const size_t got = m_in.read(m_buffer.data() + m_end, m_buffer.size() - m_end);
        if (got == 0) {
            if (m_in.truncated())
                throwTruncated();
            m_eof = true;
            return false;
        }
        m_end += got;
        return true;
    }

    [[noreturn]] void throwTruncated() const
    {
        // What is left unread is the start of a line: never a point.
        const QString line =
            m_nextLineNumber > 0 ? u"in line %1, "_s.arg(m_nextLineNumber) : QString();
        throw Error(ErrorKind::Io,
                    u"%1 is cut short: its gzip stream stops at byte %2 of the file, %3after "
                    u"%4 bytes of text, without the end of the stream (a truncated copy, or a "
                    u"file still being written). Nothing was read past that point; the "
                    u"incomplete last line is not a point."_s.arg(m_path)
                        .arg(m_in.rawOffset())
                        .arg(line)
                        .arg(m_bufferOffset + qint64(m_end)));
    }

    QString m_path;
    InputStream m_in;
    std::vector<char> m_buffer;
    size_t m_maxLineBytes;
    size_t m_pos = 0;
    size_t m_end = 0;
    bool m_eof = false;
    qint64 m_bufferOffset = 0;
    qint64 m_lineOffset = 0;
    qint64 m_lineNumber = 0;
    qint64 m_nextLineNumber = 0;
    bool m_lineTerminated = true;
};

/** What is in force at a line: the export's database and retention policy, DDL or DML. */
struct Context
{
    std::string database;
    std::string retentionPolicy;
    bool ddl = false;
    int databaseMarkers = 0; ///< lets a caller notice a new database cheaply
};

std::string_view trimmed(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

bool startsWith(std::string_view s, std::string_view prefix)
{
    return s.substr(0, prefix.size()) == prefix;
}

/// True for a data line; updates the context for markers and skips comments, DDL and blanks.
bool isDataLine(std::string_view line, Context &context)
{
    if (lp::isBlankLine(line))
        return false;
    if (lp::isCommentLine(line)) {
        std::string_view text = trimmed(line);
        text.remove_prefix(1);
        text = trimmed(text);
        if (text == "DDL") {
            context.ddl = true;
        } else if (text == "DML") {
            context.ddl = false;
        } else if (startsWith(text, "CONTEXT-DATABASE:")) {
            context.database = std::string(trimmed(text.substr(17)));
            ++context.databaseMarkers;
        } else if (startsWith(text, "CONTEXT-RETENTION-POLICY:")) {
            context.retentionPolicy = std::string(trimmed(text.substr(25)));
        }
        return false;
    }
    if (context.ddl)
        return false;
    const std::string_view text = trimmed(line);
    return !startsWith(text, "CREATE DATABASE ") && !startsWith(text, "CREATE RETENTION POLICY ");
}

QString encodeContext(const Context &context, qint64 lineNumber)
{
    return QString::fromStdString(context.database) + u'\n' +
           QString::fromStdString(context.retentionPolicy) + u'\n' + QString::number(lineNumber);
}

void decodeContext(const QString &text, Context &context, qint64 &lineNumber)
{
    const QStringList parts = text.split(u'\n');
    context.database = parts.value(0).toStdString();
    context.retentionPolicy = parts.value(1).toStdString();
    lineNumber = parts.value(2).toLongLong();
}

/// The measurement of a line that does not parse, as far as it can be told.
std::string roughMeasurement(std::string_view line)
{
    size_t i = 0;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\0'))
        ++i;
    const size_t start = i;
    for (i = start + 1; i < line.size(); ++i) {
        if ((line[i] == ',' || line[i] == ' ') && line[i - 1] != '\\')
            break;
    }
    return lp::detail::unescapeMeasurement(line.substr(start, std::min(i, line.size()) - start));
}

/** The request's database, measurements and time range, ready for every line. */
struct LineFilter
{
    explicit LineFilter(const PlanRequest &request)
        : database(request.database.toStdString()),
          retentionPolicy(request.retentionPolicy.toStdString()),
          timeFiltered(!request.range.isEmpty()), range(request.range)
    {
        for (const QString &m : request.measurements)
            measurements.insert(m.toStdString());
    }

    bool filters() const
    {
        return !database.empty() || !retentionPolicy.empty() || !measurements.empty() ||
               timeFiltered;
    }
    bool contextMatches(const Context &c) const
    {
        return (database.empty() || c.database.empty() || c.database == database) &&
               (retentionPolicy.empty() || c.retentionPolicy.empty() ||
                c.retentionPolicy == retentionPolicy);
    }
    bool measurementMatches(const std::string &m) const
    {
        return measurements.empty() || measurements.count(m) > 0;
    }
    bool timeMatches(bool hasTime, qint64 t) const
    {
        return !timeFiltered || !hasTime || (t >= range.start && t < range.end);
    }

    std::string database;
    std::string retentionPolicy;
    std::unordered_set<std::string> measurements;
    bool timeFiltered;
    TimeRange range;
};

/// True when a valid line has a tag or field key `time`: InfluxDB drops such a field (the whole
/// point when it is the only one) and refuses such a tag. Cheap for the usual line: only a
/// "time=" right after a separator gets a closer look (so `uptime=` does not).
bool hasTimeKey(std::string_view line, lp::detail::RawLine &raw)
{
    bool candidate = false;
    constexpr std::string_view kKey = "time=";
    const char *const begin = line.data();
    const char *const end = begin + line.size();
    for (const char *at = begin; at < end && !candidate; ++at) {
        // memmem: string_view::find compares at every 't' (of "state", "temp", ...).
        at = static_cast<const char *>(memmem(at, size_t(end - at), kKey.data(), kKey.size()));
        if (!at)
            break;
        const char before = at > begin ? at[-1] : 'x';
        candidate = before == ',' || before == ' ' || before == '\t' || before == '\0';
    }
    if (!candidate || !lp::detail::scanRaw(line, raw, nullptr))
        return false;
    for (std::string_view key : raw.tagKeys) {
        if (lp::detail::unescapeTag(key) == "time")
            return true;
    }
    for (const lp::detail::RawField &field : raw.fields) {
        if (lp::detail::unescapeFieldKey(field.key) == "time")
            return true;
    }
    return false;
}

std::string_view withoutCr(std::string_view line)
{
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    return line;
}

/// A file whose last line has no newline is normal; one whose last line also cannot be read
/// was most likely cut in the middle of that line, and a torn line must not become a point
/// (or a "rejected point": the file is incomplete, not the point wrong).
void checkLastLine(const QString &path, const LineReader &reader, std::string_view line)
{
    if (reader.lineTerminated())
        return;
    std::string measurement;
    bool hasTime = false;
    qint64 time = 0;
    QString why;
    if (lp::peekLine(withoutCr(line), measurement, hasTime, time, &why))
        return;
    const QString where =
        reader.lineNumber() > 0
            ? u"line %1 (byte offset %2)"_s.arg(reader.lineNumber()).arg(reader.lineOffset())
            : u"byte offset %1"_s.arg(reader.lineOffset());
    throw Error(ErrorKind::Io,
                u"%1 ends in the middle of a line: its last line, %2, has no newline and cannot "
                u"be read (%3). The file looks truncated."_s.arg(path, where, why));
}

} // namespace

/** What a pass over the whole file found: databases, and per measurement its schema and time. */
struct LpFileSource::Catalog
{
    struct Entry
    {
        std::string database;
        std::string measurement;
        std::unordered_set<std::string> rawTagKeys;
        std::unordered_map<std::string, unsigned> rawFieldTypes; ///< bit per FieldType
        bool hasTime = false;
        qint64 minTime = 0;
        qint64 maxTime = 0;
        qint64 lines = 0;   ///< valid lines
        qint64 untimed = 0; ///< of them, lines without a time
    };

    qint64 fileSize = -1;
    QDateTime modified;
    std::vector<std::string> databases;
    std::unordered_map<std::string, Entry> entries; ///< database + '\0' + raw measurement

    bool matches(const Entry &e, const std::string &database) const
    {
        return database.empty() || e.database.empty() || e.database == database;
    }
};

/** A reader with the context in force at the line it reads next. */
struct LpFileSource::Cursor
{
    std::unique_ptr<LineReader> reader;
    Context context;
    /// The unit end the reader was moved to: it is at the first line that starts there or after.
    qint64 movedTo = -1;
};

/**
 * Readers left where a unit ended, so the next unit carries on without reading anything twice,
 * and the line starts they found (with their contexts), so a plain file can seek back to one.
 */
class LpFileSource::CursorPool
{
public:
    struct Position
    {
        qint64 offset = 0;
        Context context;
        qint64 lineNumber = 0;
    };

    /// The reader moved to `movedTo`, if one is kept.
    std::optional<Cursor> takeMovedTo(qint64 movedTo)
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        for (auto it = m_idle.begin(); it != m_idle.end(); ++it) {
            if (it->movedTo == movedTo)
                return take(it);
        }
        return std::nullopt;
    }

    /// The kept reader furthest on that has not passed `offset`.
    std::optional<Cursor> takeBefore(qint64 offset)
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        auto best = m_idle.end();
        for (auto it = m_idle.begin(); it != m_idle.end(); ++it) {
            if (it->reader->nextOffset() <= offset &&
                (best == m_idle.end() ||
                 it->reader->nextOffset() > best->reader->nextOffset()))
                best = it;
        }
        if (best == m_idle.end())
            return std::nullopt;
        return take(best);
    }

    void give(Cursor cursor)
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (cursor.movedTo >= 0)
            m_positions[cursor.movedTo] = Position{cursor.reader->nextOffset(), cursor.context,
                                                   cursor.reader->nextLineNumber()};
        if (m_idle.size() >= kMaxIdleReaders)
            m_idle.erase(m_idle.begin());
        m_idle.push_back(std::move(cursor));
    }

    /// The line start a reader moved to `movedTo` was at.
    std::optional<Position> positionMovedTo(qint64 movedTo)
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        const auto it = m_positions.find(movedTo);
        return it == m_positions.end() ? std::nullopt : std::optional<Position>(it->second);
    }

    /// The known line start nearest before `offset`.
    std::optional<Position> positionBefore(qint64 offset)
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        std::optional<Position> best;
        for (const auto &[movedTo, position] : m_positions) {
            if (position.offset <= offset && (!best || position.offset > best->offset))
                best = position;
        }
        return best;
    }

private:
    Cursor take(std::vector<Cursor>::iterator it)
    {
        Cursor cursor = std::move(*it);
        m_idle.erase(it);
        return cursor;
    }

    std::mutex m_mutex;
    std::vector<Cursor> m_idle;
    std::map<qint64, Position> m_positions; ///< by the unit end a reader was moved to
};

LpFileSource::LpFileSource(QString path, qint64 unitBytes)
    : m_path(std::move(path)), m_unitBytes(std::max<qint64>(1, unitBytes)),
      m_cursors(std::make_unique<CursorPool>())
{}

LpFileSource::~LpFileSource() = default;

void LpFileSource::setUnitBytes(qint64 bytes)
{
    m_unitBytes.store(std::max<qint64>(1, bytes));
}

void LpFileSource::setMaxLineBytes(qint64 bytes)
{
    m_maxLineBytes.store(std::max<qint64>(1, bytes));
}

QString LpFileSource::describe() const
{
    return u"line-protocol file %1"_s.arg(m_path);
}

ConnectionInfo LpFileSource::checkConnection(const CancelToken &cancel)
{
    Q_UNUSED(cancel);
    const QFileInfo info(m_path);
    if (!info.exists())
        throw Error(ErrorKind::Config, u"The file %1 does not exist"_s.arg(m_path));
    if (info.isDir())
        throw Error(ErrorKind::Config, u"%1 is a folder, not a line-protocol file"_s.arg(m_path));
    if (!info.isReadable())
        throw Error(ErrorKind::Io, u"The file %1 is not readable"_s.arg(m_path));
    InputStream in(m_path);
    // Decompressing the first block proves the gzip header is sound.
    std::vector<char> probe(4096);
    in.read(probe.data(), probe.size());

    ConnectionInfo result;
    result.product = u"line-protocol file"_s;
    result.detail = u"%1, %2"_s.arg(QLocale::c().formattedDataSize(info.size()),
                                    in.isGzip() ? u"gzip-compressed"_s : u"plain text"_s);
    return result;
}

std::shared_ptr<const LpFileSource::Catalog> LpFileSource::catalog(const CancelToken &cancel)
{
    std::lock_guard<std::mutex> lock(m_catalogMutex);
    const QFileInfo info(m_path);
    if (m_catalog && m_catalog->fileSize == info.size() &&
        m_catalog->modified == info.lastModified())
        return m_catalog;

    auto built = std::make_shared<Catalog>();
    built->fileSize = info.size();
    built->modified = info.lastModified();

    LineReader reader(m_path, 0, 1, size_t(m_maxLineBytes.load()));
    Context context;
    lp::detail::RawLine raw;
    std::string key;
    std::string rawKey;
    std::string_view line;
    CancelPoll poll(cancel);
    while (reader.next(line)) {
        poll();
        const int markers = context.databaseMarkers;
        const bool data = isDataLine(line, context);
        if (context.databaseMarkers != markers && !context.database.empty() &&
            std::find(built->databases.begin(), built->databases.end(), context.database) ==
                built->databases.end())
            built->databases.push_back(context.database);
        if (!data || !lp::detail::scanRaw(line, raw, nullptr))
            continue;

        key.assign(context.database);
        key.push_back('\0');
        key.append(raw.measurement);
        auto [it, inserted] = built->entries.try_emplace(key);
        Catalog::Entry &entry = it->second;
        if (inserted) {
            entry.database = context.database;
            entry.measurement = lp::detail::unescapeMeasurement(raw.measurement);
        }
        for (std::string_view tag : raw.tagKeys) {
            rawKey.assign(tag);
            if (!entry.rawTagKeys.count(rawKey))
                entry.rawTagKeys.insert(rawKey);
        }
        for (const lp::detail::RawField &field : raw.fields) {
            rawKey.assign(field.key);
            entry.rawFieldTypes[rawKey] |= 1u << unsigned(field.type);
        }
        ++entry.lines;
        entry.untimed += raw.hasTime ? 0 : 1;
        if (raw.hasTime) {
            if (!entry.hasTime) {
                entry.hasTime = true;
                entry.minTime = entry.maxTime = raw.time;
            } else {
                entry.minTime = std::min(entry.minTime, raw.time);
                entry.maxTime = std::max(entry.maxTime, raw.time);
            }
        }
    }
    m_catalog = std::move(built);
    return m_catalog;
}

QStringList LpFileSource::listDatabases(const CancelToken &cancel)
{
    const auto cat = catalog(cancel);
    QStringList result;
    for (const std::string &db : cat->databases)
        result.append(QString::fromStdString(db));
    return result;
}

QStringList LpFileSource::listMeasurements(const QString &database, const CancelToken &cancel)
{
    const auto cat = catalog(cancel);
    const std::string db = database.toStdString();
    std::set<std::string> names;
    for (const auto &[key, entry] : cat->entries) {
        if (cat->matches(entry, db))
            names.insert(entry.measurement);
    }
    QStringList result;
    for (const std::string &name : names)
        result.append(QString::fromStdString(name));
    return result;
}

MeasurementSchema LpFileSource::schema(const QString &database, const QString &measurement,
                                       const CancelToken &cancel)
{
    const auto cat = catalog(cancel);
    const std::string db = database.toStdString();
    const std::string name = measurement.toStdString();
    std::set<std::string> tagKeys;
    std::map<std::string, unsigned> fields;
    for (const auto &[key, entry] : cat->entries) {
        if (!cat->matches(entry, db) || entry.measurement != name)
            continue;
        for (const std::string &raw : entry.rawTagKeys)
            tagKeys.insert(lp::detail::unescapeTag(raw));
        for (const auto &[raw, types] : entry.rawFieldTypes)
            fields[lp::detail::unescapeFieldKey(raw)] |= types;
    }
    MeasurementSchema result;
    result.name = measurement;
    for (const std::string &tag : tagKeys)
        result.tagKeys.append(QString::fromStdString(tag));
    for (const auto &[field, types] : fields) {
        FieldInfo info;
        info.name = QString::fromStdString(field);
        for (FieldType type : {FieldType::Float, FieldType::Integer, FieldType::Unsigned,
                               FieldType::String, FieldType::Boolean}) {
            if (types & (1u << unsigned(type)))
                info.types.append(type);
        }
        result.fields.append(info);
    }
    return result;
}

std::optional<TimeRange> LpFileSource::timeBounds(const QString &database,
                                                  const QString &measurement,
                                                  const CancelToken &cancel)
{
    const auto cat = catalog(cancel);
    const std::string db = database.toStdString();
    const std::string name = measurement.toStdString();
    std::optional<TimeRange> bounds;
    for (const auto &[key, entry] : cat->entries) {
        if (!cat->matches(entry, db) || (!name.empty() && entry.measurement != name) ||
            !entry.hasTime)
            continue;
        // maxTime is at most INT64_MAX - 1 (InfluxDB's range), so +1 cannot overflow.
        const TimeRange r{entry.minTime, entry.maxTime + 1};
        if (!bounds)
            bounds = r;
        else
            bounds = TimeRange{std::min(bounds->start, r.start), std::max(bounds->end, r.end)};
    }
    return bounds;
}

namespace {

/// The size of a gzip file's text. Its trailer records it modulo 4 GiB; the ratio of the first
/// quarter megabyte tells how many times 4 GiB to add, and whether the trailer is believable at
/// all (a file cut short ends in compressed data, not in a trailer).
qint64 gzipTextBytes(InputStream &in, const QString &path, qint64 fileBytes)
{
    constexpr qint64 kSampleBytes = 256 * 1024;
    std::vector<char> buffer(64 * 1024);
    qint64 text = 0;
    for (;;) {
        const size_t got = in.read(buffer.data(), buffer.size());
        if (got == 0)
            return text; // the whole file was in the sample (or it ends early: read() will say)
        text += qint64(got);
        if (in.rawOffset() >= kSampleBytes)
            break;
    }
    const double estimate = double(fileBytes) * double(text) / double(in.rawOffset());
    unsigned char trailer[4] = {0, 0, 0, 0};
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly) || !file.seek(fileBytes - 4) ||
        file.read(reinterpret_cast<char *>(trailer), 4) != 4)
        return qint64(estimate);
    const qint64 recorded =
        qint64(trailer[0]) | qint64(trailer[1]) << 8 | qint64(trailer[2]) << 16 |
        qint64(trailer[3]) << 24;
    constexpr double kWrap = 4294967296.0;
    const double wraps = std::max(0.0, std::round((estimate - double(recorded)) / kWrap));
    const double size = double(recorded) + wraps * kWrap;
    return size >= estimate / 2 && size <= estimate * 2 ? qint64(size) : qint64(estimate);
}

} // namespace

QList<PlannedUnit> LpFileSource::plan(const PlanRequest &request, const CancelToken &cancel)
{
    // Every unit is read; read() keeps the lines the request asks for.
    Q_UNUSED(request);
    Q_UNUSED(cancel);
    const qint64 unitBytes = m_unitBytes.load();
    InputStream in(m_path, &m_readBytes);
    const qint64 fileBytes = QFileInfo(m_path).size();
    const qint64 textBytes = in.isGzip() ? gzipTextBytes(in, m_path, fileBytes) : fileBytes;
    QList<PlannedUnit> units;
    for (qint64 start = 0; start < textBytes; start += std::min(unitBytes, textBytes - start)) {
        PlannedUnit unit;
        unit.start = start;
        unit.end = start + std::min(unitBytes, textBytes - start);
        units.append(unit);
    }
    if (units.isEmpty())
        return units;
    units.first().context = encodeContext(Context(), 1);
    if (in.isGzip()) // the recorded size may be short of the text: the last unit reads to the end
        units.last().end = std::numeric_limits<qint64>::max();
    return units;
}

std::optional<QHash<QString, qint64>> LpFileSource::pointsByMeasurement(const PlanRequest &request,
                                                                        const CancelToken &cancel)
{
    // Counting is a pass over the whole file, as long as the migration's own: only a small
    // file, or one already catalogued (its schema was asked), is counted. A large one shows its
    // progress by the bytes read.
    {
        std::lock_guard<std::mutex> lock(m_catalogMutex);
        if (!m_catalog && QFileInfo(m_path).size() > kMaxCountedBytes)
            return std::nullopt;
    }
    // The catalog counted every measurement's lines: they are the answer when the request's
    // range holds all of them (a task over the whole file); else the timed lines are counted
    // again. read() keeps a line without a time whatever the range, so those always count.
    const auto cat = catalog(cancel);
    const std::string db = request.database.toStdString();
    QHash<QString, qint64> points;
    QHash<QString, qint64> untimed;
    bool inRange = true;
    for (const auto &[key, entry] : cat->entries) {
        const QString name = QString::fromStdString(entry.measurement);
        if (!cat->matches(entry, db) ||
            (!request.measurements.isEmpty() && !request.measurements.contains(name)))
            continue;
        inRange = inRange &&
                  (request.range.isEmpty() || !entry.hasTime ||
                   (entry.minTime >= request.range.start && entry.maxTime < request.range.end));
        points[name] += entry.lines;
        untimed[name] += entry.untimed;
    }
    if (inRange)
        return points;

    QList<CountWindow> windows;
    for (auto it = untimed.constBegin(); it != untimed.constEnd(); ++it)
        windows.append({it.key(),
                        QString(),
                        QString(),
                        std::numeric_limits<qint64>::min(),
                        std::numeric_limits<qint64>::max(),
                        {}});
    const QList<PointCount> counts = countLines(request, windows, cancel);
    for (qsizetype i = 0; i < windows.size(); ++i)
        points.insert(windows.at(i).measurement,
                      counts.at(i).points + untimed.value(windows.at(i).measurement));
    return points;
}

LpFileSource::Cursor LpFileSource::cursorFor(const ReadUnit &unit, const CancelToken &cancel)
{
    const size_t maxLineBytes = size_t(m_maxLineBytes.load());
    Cursor cursor;
    auto openAt = [&](qint64 offset, qint64 lineNumber) {
        cursor.reader =
            std::make_unique<LineReader>(m_path, offset, lineNumber, maxLineBytes, &m_readBytes);
    };
    if (!unit.context.isEmpty()) {
        // An exact line start with its context.
        qint64 lineNumber = 0;
        decodeContext(unit.context, cursor.context, lineNumber);
        if (std::optional<Cursor> kept = m_cursors->takeBefore(unit.start)) {
            cursor.reader = std::move(kept->reader);
            cursor.reader->skipTo(unit.start);
        } else {
            openAt(unit.start, lineNumber);
        }
        return cursor;
    }
    // The usual case: the previous unit's reader stopped at this unit's first line.
    if (std::optional<Cursor> kept = m_cursors->takeMovedTo(unit.start))
        return std::move(*kept);
    if (const auto position = m_cursors->positionMovedTo(unit.start)) {
        openAt(position->offset, position->lineNumber);
        cursor.context = position->context;
        return cursor;
    }
    // Out of order: scan from the nearest line start known before the unit.
    std::optional<Cursor> kept = m_cursors->takeBefore(unit.start);
    const auto position = m_cursors->positionBefore(unit.start);
    if (kept && (!position || kept->reader->nextOffset() >= position->offset)) {
        cursor = std::move(*kept);
    } else if (position) {
        openAt(position->offset, position->lineNumber);
        cursor.context = position->context;
    } else {
        openAt(0, 1);
    }
    CancelPoll poll(cancel);
    std::string_view line;
    while (cursor.reader->nextOffset() < unit.start && cursor.reader->next(line)) {
        poll();
        isDataLine(line, cursor.context);
    }
    return cursor;
}

void LpFileSource::read(const ReadUnit &unit, const PlanRequest &request, const LpDialect &dialect,
                        BatchOutput &out, const CancelToken &cancel)
{
    const LineFilter filter(request);
    Cursor cursor = cursorFor(unit, cancel);
    LineReader &reader = *cursor.reader;
    Context &context = cursor.context;

    std::string measurement;
    bool hasTime = false;
    qint64 time = 0;
    QString error;
    lp::PeekInfo info;
    lp::detail::RawLine raw;
    std::string_view line;
    CancelPoll poll(cancel);
    while (reader.nextOffset() < unit.end && reader.next(line)) {
        poll();
        if (!isDataLine(line, context) || !filter.contextMatches(context))
            continue;
        checkLastLine(m_path, reader, line);
        line = withoutCr(line);
        auto where = [&reader] {
            return reader.lineNumber() > 0 ? u"line %1"_s.arg(reader.lineNumber())
                                           : u"byte offset %1"_s.arg(reader.lineOffset());
        };
        if (!lp::peekLine(line, measurement, hasTime, time, &error, &info)) {
            if (filter.measurementMatches(roughMeasurement(line)))
                out.reject(QByteArray(line.data(), qsizetype(line.size())),
                           u"%1: %2"_s.arg(where(), error));
            continue;
        }
        if (!filter.measurementMatches(measurement) || !filter.timeMatches(hasTime, time))
            continue;
        if (hasTimeKey(line, raw)) {
            out.reject(QByteArray(line.data(), qsizetype(line.size())),
                       u"\"time\" cannot be a tag or field key in InfluxDB (%1)"_s.arg(where()));
            continue;
        }
        QByteArray &buffer = out.buffer();
        if (info.hasUnsigned && !dialect.unsignedSupported) {
            const qsizetype before = buffer.size();
            if (!lp::appendWithoutUnsigned(line, buffer, &error)) {
                buffer.truncate(before);
                out.reject(QByteArray(line.data(), qsizetype(line.size())),
                           u"%1: %2"_s.arg(where(), error));
                continue;
            }
        } else {
            buffer.append(line.data(), qsizetype(line.size()));
        }
        buffer.append('\n');
        out.lineAppended();
    }
    cursor.movedTo = unit.end;
    m_cursors->give(std::move(cursor));
}

namespace {

QString countKey(const QString &measurement, qint64 start)
{
    return measurement + u'\n' + QString::number(start);
}

/// The window of length `length` from `origin` that holds `time`.
TimeRange windowAround(qint64 time, qint64 origin, qint64 length)
{
    const __int128 offset = __int128(time) - origin;
    __int128 index = offset / length;
    if (offset % length < 0)
        --index;
    const __int128 start = origin + index * length;
    const __int128 end = start + length;
    constexpr qint64 kMax = std::numeric_limits<qint64>::max();
    constexpr qint64 kMin = std::numeric_limits<qint64>::min();
    return TimeRange{start < kMin ? kMin : qint64(start), end > kMax ? kMax : qint64(end)};
}

/// The field keys of a valid line, unescaped.
void countFields(const lp::detail::RawLine &raw, PointCount &counted)
{
    ++counted.points;
    for (const lp::detail::RawField &field : raw.fields)
        ++counted.fields[QString::fromStdString(lp::detail::unescapeFieldKey(field.key))];
}

/// Reads the whole file for a count and hands `counted(offset, line, raw, measurement)` each
/// line a count sees: a data line of a context, measurement and time the request keeps, with a
/// timestamp of its own (a line read() rejects, or one the target stamps when written, is not
/// in the target as the source has it). `measurement` is unescaped; `offset` is the line's.
template<typename Counted>
void scanCountedLines(const QString &path, size_t maxLineBytes, const LineFilter &filter,
                      const CancelToken &cancel, Counted counted)
{
    LineReader reader(path, 0, 1, maxLineBytes);
    Context context;
    lp::detail::RawLine raw;
    std::string_view line;
    std::string measurement;
    CancelPoll poll(cancel);
    while (reader.next(line)) {
        poll();
        if (!isDataLine(line, context) || !filter.contextMatches(context))
            continue;
        line = withoutCr(line);
        if (!lp::detail::scanRaw(line, raw, nullptr) || !raw.hasTime || hasTimeKey(line, raw))
            continue;
        measurement = lp::detail::unescapeMeasurement(raw.measurement);
        if (!filter.measurementMatches(measurement) || !filter.timeMatches(true, raw.time))
            continue;
        counted(reader.lineOffset(), line, raw, measurement);
    }
}

} // namespace

QList<CountWindow> LpFileSource::countWindows(const PlanRequest &request,
                                              const QList<ReadUnit> &done,
                                              const CancelToken &cancel)
{
    QList<ReadUnit> units = done;
    std::sort(units.begin(), units.end(),
              [](const ReadUnit &a, const ReadUnit &b) { return a.start < b.start; });
    const LineFilter filter(request);
    const qint64 origin = 0; // on multiples of the window, as other sources' read units are
    const qint64 length = std::max<qint64>(1, request.windowNs);

    std::map<std::pair<std::string, qint64>, std::pair<CountWindow, PointCount>> found;
    scanCountedLines(m_path, size_t(m_maxLineBytes.load()), filter, cancel,
                     [&](qint64 offset, std::string_view, const lp::detail::RawLine &raw,
                         const std::string &measurement) {
                         // Only lines of done units: the others are not in the target yet.
                         const auto unit = std::upper_bound(
                             units.cbegin(), units.cend(), offset,
                             [](qint64 at, const ReadUnit &u) { return at < u.start; });
                         if (unit == units.cbegin() || std::prev(unit)->end <= offset)
                             return;
                         TimeRange window = windowAround(raw.time, origin, length);
                         if (!request.range.isEmpty())
                             window = Planner::intersect(window, request.range);
                         auto &[counted, points] = found[{measurement, window.start}];
                         if (counted.measurement.isEmpty()) {
                             counted.measurement = QString::fromStdString(measurement);
                             counted.start = window.start;
                             counted.end = window.end;
                             points.points = 0;
                         }
                         if (!counted.unitIds.contains(std::prev(unit)->id))
                             counted.unitIds.append(std::prev(unit)->id);
                         countFields(raw, points);
                     });
    QList<CountWindow> windows;
    std::lock_guard<std::mutex> lock(m_countMutex);
    m_counts.clear();
    for (const auto &[key, entry] : found) {
        windows.append(entry.first);
        m_counts.insert(countKey(entry.first.measurement, entry.first.start), entry.second);
    }
    return windows;
}

PointCount LpFileSource::count(const PlanRequest &request, const CountWindow &window,
                               const CancelToken &cancel)
{
    {
        std::lock_guard<std::mutex> lock(m_countMutex);
        const auto it = m_counts.constFind(countKey(window.measurement, window.start));
        if (it != m_counts.constEnd())
            return *it;
    }
    return countLines(request, {window}, cancel).value(0);
}

QList<PointCount> LpFileSource::countLines(const PlanRequest &request,
                                           const QList<CountWindow> &windows,
                                           const CancelToken &cancel)
{
    QList<PointCount> counts(windows.size());
    // Windows by measurement and subtable, each list sorted by start (they do not overlap).
    std::unordered_map<std::string, std::vector<std::pair<qint64, qsizetype>>> byKey;
    std::unordered_set<std::string> bySubtable; ///< measurements counted per subtable
    for (qsizetype i = 0; i < windows.size(); ++i) {
        counts[i].points = 0;
        const CountWindow &w = windows.at(i);
        const std::string measurement = w.measurement.toStdString();
        if (!w.subtable.isEmpty())
            bySubtable.insert(measurement);
        byKey[measurement + '\n' + w.subtable.toStdString()].push_back({w.start, i});
    }
    for (auto &[key, list] : byKey)
        std::sort(list.begin(), list.end());

    const LineFilter filter(request);
    lp::Point point;
    std::string key;
    scanCountedLines(
        m_path, size_t(m_maxLineBytes.load()), filter, cancel,
        [&](qint64, std::string_view line, const lp::detail::RawLine &raw,
            const std::string &measurement) {
            // Windows of the whole measurement, and those of its subtable (tag tbname).
            auto countIn = [&](const std::string &windowKey) {
                const auto list = byKey.find(windowKey);
                if (list == byKey.end())
                    return;
                const auto after =
                    std::upper_bound(list->second.begin(), list->second.end(), raw.time,
                                     [](qint64 time, const std::pair<qint64, qsizetype> &w) {
                                         return time < w.first;
                                     });
                if (after == list->second.begin())
                    return;
                const qsizetype index = std::prev(after)->second;
                if (raw.time < windows.at(index).end)
                    countFields(raw, counts[index]);
            };
            key.assign(measurement);
            key += '\n';
            countIn(key);
            if (bySubtable.count(measurement) > 0 && lp::parseLine(line, point, nullptr)) {
                for (const auto &[tag, value] : point.tags)
                    if (tag == subtableTagKey().toStdString())
                        countIn(key + value);
            }
        });
    return counts;
}

} // namespace tsm
