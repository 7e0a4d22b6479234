#include "sinks/LpFileSink.h"

#include "core/Error.h"
#include "sources/LpFileSource.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>
#include <zlib.h>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

QString systemError(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

gzFile asGz(void *p)
{
    return static_cast<gzFile>(p);
}

bool writeAll(int fd, const char *data, size_t size)
{
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        data += n;
        size -= size_t(n);
    }
    return true;
}

void putLittleEndian32(unsigned char *p, uLong value)
{
    for (int i = 0; i < 4; ++i)
        p[i] = static_cast<unsigned char>((value >> (8 * i)) & 0xff);
}

/** How an existing gzip file ends, found by decompressing it. */
struct GzipTail
{
    bool complete = true; ///< every member has its trailer
    bool corrupt = false; ///< data that is not gzip (not just cut short)
    off_t cut = -1;   ///< last byte-aligned block boundary after a '\n' in the unfinished member
    uLong cutCrc = 0; ///< CRC-32 and length of the unfinished member's data up to `cut`
    uLong cutSize = 0;
    off_t lastMemberEnd = 0;
};

GzipTail inspectGzip(int fd)
{
    GzipTail tail;
    z_stream zs{};
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        tail.corrupt = true;
        return tail;
    }
    std::vector<unsigned char> in(1 << 20);
    std::vector<unsigned char> out(1 << 20);
    off_t chunkStart = 0;
    bool inMember = false;
    unsigned char lastByte = '\n';
    for (;;) {
        const ssize_t got = ::pread(fd, in.data(), in.size(), chunkStart);
        if (got <= 0)
            break;
        zs.next_in = in.data();
        zs.avail_in = uInt(got);
        while (zs.avail_in > 0) {
            zs.next_out = out.data();
            zs.avail_out = uInt(out.size());
            // Z_BLOCK stops at every block boundary so the last clean one can be remembered.
            const int ret = inflate(&zs, Z_BLOCK);
            const size_t produced = out.size() - zs.avail_out;
            if (produced > 0)
                lastByte = out[produced - 1];
            const off_t position = chunkStart + (got - off_t(zs.avail_in));
            inMember = true;
            if (ret == Z_STREAM_END) {
                tail.lastMemberEnd = position;
                tail.cut = -1;
                inflateReset(&zs);
                inMember = false;
                lastByte = '\n';
                continue;
            }
            if (ret == Z_BUF_ERROR)
                break;
            if (ret != Z_OK) {
                tail.corrupt = true;
                inflateEnd(&zs);
                return tail;
            }
            // Cutting after a whole line keeps a partial one from running into the next write.
            if ((zs.data_type & 128) && (zs.data_type & 7) == 0 && lastByte == '\n') {
                tail.cut = position;
                tail.cutCrc = zs.adler;
                tail.cutSize = zs.total_out;
            }
        }
        chunkStart += got;
    }
    inflateEnd(&zs);
    tail.complete = !inMember;
    return tail;
}

} // namespace

LpFileSink::LpFileSink(QString path, bool compress, QString database)
    : m_path(std::move(path)),
      m_compress(compress || m_path.endsWith(u".gz"_s, Qt::CaseInsensitive)),
      m_database(std::move(database))
{}

LpFileSink::~LpFileSink()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    try {
        closeLocked();
    } catch (const Error &) {
        // Nothing left to tell: flush() reports errors while the task still runs.
    }
}

QString LpFileSink::describe() const
{
    return u"line-protocol file %1"_s.arg(m_path);
}

LpDialect LpFileSink::dialect() const
{
    return LpDialect{true};
}

void LpFileSink::fail(const QString &what, int error) const
{
    throw Error(ErrorKind::Io, u"%1 %2: %3"_s.arg(what, m_path, systemError(error)));
}

ConnectionInfo LpFileSink::checkConnection(const CancelToken &cancel)
{
    Q_UNUSED(cancel);
    const QFileInfo file(m_path);
    if (file.isDir())
        throw Error(ErrorKind::Config, u"%1 is a folder, not a file name"_s.arg(m_path));
    if (file.exists() && !file.isWritable())
        throw Error(ErrorKind::Io, u"The file %1 is not writable"_s.arg(m_path));
    // prepare() creates missing folders: the nearest existing one must be writable.
    QFileInfo folder(file.absolutePath());
    while (!folder.exists() && !folder.isRoot() &&
           folder.absoluteFilePath() != folder.absolutePath())
        folder = QFileInfo(folder.absolutePath());
    if (!folder.isDir() || !folder.isWritable())
        throw Error(ErrorKind::Io, u"Cannot write to the folder %1 (for %2)"_s.arg(
                                       folder.absoluteFilePath(), m_path));
    ConnectionInfo info;
    info.product = u"line-protocol file"_s;
    info.detail = u"%1%2%3"_s.arg(file.exists() ? u"appends to "_s : u"creates "_s,
                                  QDir::toNativeSeparators(file.absoluteFilePath()),
                                  m_compress ? u" (gzip)"_s : QString());
    return info;
}

void LpFileSink::prepare(const CancelToken &cancel)
{
    Q_UNUSED(cancel);
    std::lock_guard<std::mutex> lock(m_mutex);
    openLocked();
}

void LpFileSink::openLocked()
{
    if (m_fd >= 0)
        return;
    const QFileInfo file(m_path);
    if (!QDir().mkpath(file.absolutePath()))
        throw Error(ErrorKind::Io,
                    u"Cannot create the folder %1 for %2"_s.arg(file.absolutePath(), m_path));
    const QByteArray name = QFile::encodeName(m_path);
    const int fd = ::open(name.constData(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        fail(u"Cannot open"_s, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
        const int error = errno;
        ::close(fd);
        fail(u"Cannot inspect"_s, error);
    }
    m_fd = fd;
    const bool isNew = st.st_size == 0;

    if (!isNew) {
        unsigned char head[2] = {0, 0};
        const bool gzip = ::pread(fd, head, 2, 0) == 2 && head[0] == 0x1f && head[1] == 0x8b;
        if (gzip && !m_compress) {
            // Appending text to a gzip file would make it unreadable; follow the file instead.
            m_compress = true;
        } else if (!gzip && m_compress) {
            closeLocked();
            throw Error(ErrorKind::Config,
                        u"%1 exists and is not gzip-compressed: cannot append compressed data "
                        "to it"_s.arg(m_path));
        }
        if (m_compress) {
            // A writer killed after a flush leaves a member without its trailer, and a new
            // member after it would be unreadable: end the old one at its last flush point.
            const GzipTail tail = inspectGzip(fd);
            if (tail.corrupt) {
                closeLocked();
                throw Error(ErrorKind::Io,
                            u"%1 is not a valid gzip file: refusing to append to it"_s.arg(m_path));
            }
            if (!tail.complete) {
                const off_t keep = tail.cut >= 0 ? tail.cut : tail.lastMemberEnd;
                if (::ftruncate(fd, keep) != 0)
                    fail(u"Cannot repair the end of"_s, errno);
                if (tail.cut >= 0) {
                    // An empty final fixed-Huffman block, then the gzip trailer.
                    unsigned char end[10] = {0x03, 0x00};
                    putLittleEndian32(end + 2, tail.cutCrc);
                    putLittleEndian32(end + 6, tail.cutSize);
                    if (!writeAll(fd, reinterpret_cast<const char *>(end), sizeof(end)))
                        fail(u"Cannot repair the end of"_s, errno);
                }
            }
        } else {
            // A line cut short by a kill must not run into the first line written now.
            char last = '\n';
            if (::pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n' &&
                !writeAll(fd, "\n", 1))
                fail(u"Cannot write to"_s, errno);
        }
    }

    if (m_compress) {
        const int gzFd = ::dup(fd);
        if (gzFd < 0)
            fail(u"Cannot open"_s, errno);
        gzFile gz = gzdopen(gzFd, "ab");
        if (!gz) {
            ::close(gzFd);
            fail(u"Cannot start gzip output in"_s, ENOMEM);
        }
        gzbuffer(gz, 256 * 1024);
        m_gz = gz;
    }
    if (isNew && !m_database.isEmpty()) {
        const QByteArray header = "# DML\n# CONTEXT-DATABASE: " + m_database.toUtf8() +
                                  "\n# CONTEXT-RETENTION-POLICY: autogen\n";
        writeLocked(header.constData(), size_t(header.size()));
    }
}

void LpFileSink::writeLocked(const char *data, size_t size)
{
    if (m_gz) {
        while (size > 0) {
            const unsigned chunk = unsigned(std::min<size_t>(size, 1u << 30));
            if (gzwrite(asGz(m_gz), data, chunk) != int(chunk)) {
                int code = 0;
                const char *message = gzerror(asGz(m_gz), &code);
                throw Error(
                    ErrorKind::Io,
                    u"Cannot write to %1: %2"_s.arg(
                        m_path, code == Z_ERRNO ? systemError(errno) : QString::fromUtf8(message)));
            }
            data += chunk;
            size -= chunk;
        }
        return;
    }
    if (!writeAll(m_fd, data, size))
        fail(u"Cannot write to"_s, errno);
}

WriteResult LpFileSink::write(const Batch &batch, const CancelToken &cancel)
{
    if (cancel.isCancelled())
        throw Error(ErrorKind::Cancelled, u"Writing to %1 was cancelled"_s.arg(m_path));
    std::lock_guard<std::mutex> lock(m_mutex);
    openLocked();
    writeLocked(batch.lines.constData(), size_t(batch.lines.size()));
    WriteResult result;
    result.written = batch.points;
    return result;
}

void LpFileSink::flush()
{
    // Everything written before this call must be on disk when it returns. The fsync runs on a
    // duplicate of the descriptor outside the lock, so writers go on meanwhile (what they add
    // is synced next time) instead of waiting for the disk.
    int fd = -1;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_fd < 0)
            return;
        if (m_gz && gzflush(asGz(m_gz), Z_SYNC_FLUSH) != Z_OK) {
            int code = 0;
            const char *message = gzerror(asGz(m_gz), &code);
            throw Error(ErrorKind::Io, u"Cannot flush %1: %2"_s.arg(
                                           m_path, code == Z_ERRNO ? systemError(errno)
                                                                   : QString::fromUtf8(message)));
        }
        fd = ::dup(m_fd);
        if (fd < 0)
            fail(u"Cannot sync"_s, errno);
    }
    const int synced = ::fsync(fd);
    const int error = errno;
    ::close(fd);
    if (synced != 0)
        fail(u"Cannot sync"_s, error);
}

void LpFileSink::closeLocked()
{
    int error = 0;
    if (m_gz) {
        if (gzclose(asGz(m_gz)) != Z_OK)
            error = errno ? errno : EIO;
        m_gz = nullptr;
    }
    if (m_fd >= 0) {
        if (::fsync(m_fd) != 0 && !error && errno != EINVAL)
            error = errno;
        ::close(m_fd);
        m_fd = -1;
    }
    if (error)
        fail(u"Cannot close"_s, error);
}

namespace {

QString countKey(const CountWindow &window)
{
    return window.measurement + u'\n' + window.subtable + u'\n' + QString::number(window.start);
}

} // namespace

void LpFileSink::prepareCount(const QList<CountWindow> &windows, const CancelToken &cancel)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    closeLocked();
    m_counts.clear();
    if (!QFileInfo::exists(m_path))
        return;
    // Read as a line-protocol file source reads it, every database of the file.
    LpFileSource file(m_path);
    const QList<PointCount> counts = file.countLines(PlanRequest(), windows, cancel);
    for (qsizetype i = 0; i < windows.size(); ++i)
        m_counts.insert(countKey(windows.at(i)), counts.at(i));
}

PointCount LpFileSink::count(const CountWindow &window, const CancelToken &cancel)
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        const auto it = m_counts.constFind(countKey(window));
        if (it != m_counts.constEnd())
            return *it;
    }
    PointCount none;
    none.points = 0;
    if (!QFileInfo::exists(m_path))
        return none;
    LpFileSource file(m_path);
    return file.countLines(PlanRequest(), {window}, cancel).value(0, none);
}

} // namespace tsm
