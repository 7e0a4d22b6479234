#pragma once

#include <QByteArray>
#include <QString>
#include <charconv>
#include <cstring>
#include <limits>
#include <string_view>

/**
 * Line-protocol encoder: appends escaped names and typed field values to a buffer.
 *
 * The escaping follows InfluxDB 1.x's parser (models/points.go, pkg/escape) and was checked
 * against a real InfluxDB 1.6.7: the scanners treat a byte after a backslash as escaped; the
 * unescapers drop a backslash only in front of a special character (`\,` `\ ` `\=` everywhere,
 * and `\"` in measurements and field keys, which go through escape.Unescape) and keep every
 * other backslash literally (`C:\temp` is written as is). Names that cannot come back
 * unchanged are refused with the reason:
 *  - empty, or containing a newline;
 *  - ending in a backslash (it would escape the separator that follows);
 *  - a backslash right before a comma, space or equals sign: `\\,` is unescaped correctly by
 *    InfluxDB's tag/measurement scanners, but its line splitter and field scanner read `\\` as
 *    one pair and then see a bare separator, so such a line can be merged with the next one
 *    (InfluxDB then drops both: "point is invalid");
 *  - in a measurement, a backslash right before a double quote (InfluxDB unescapes measurement
 *    names twice: the point becomes unreachable);
 *  - a measurement starting with '#' (a comment line), a measurement or field key starting
 *    with a tab or NUL (skipped as whitespace by the parser).
 * `time` is valid line protocol and is not refused here: InfluxDB drops a `time` field and
 * rejects a `time` tag at write time, which is the target's business, not the syntax's.
 */
namespace tsm::lp {

/// The times line protocol can carry: InfluxDB reserves the two lowest int64 values and the
/// highest one (models/time.go), and its parser refuses them.
constexpr qint64 kMinTime = std::numeric_limits<qint64>::min() + 2;
constexpr qint64 kMaxTime = std::numeric_limits<qint64>::max() - 1;

bool appendMeasurement(QByteArray &out, std::string_view name, QString *why = nullptr);
bool appendTagKey(QByteArray &out, std::string_view key, QString *why = nullptr);
bool appendTagValue(QByteArray &out, std::string_view value, QString *why = nullptr);
bool appendFieldKey(QByteArray &out, std::string_view key, QString *why = nullptr);

/// "..." with \ and " escaped; raw newlines are kept (InfluxDB accepts them inside quotes).
void appendString(QByteArray &out, std::string_view value);
/// Shortest text that reads back to the same double (1, 1.5, 1e+20); the caller guarantees a
/// finite value.
void appendFloat(QByteArray &out, double value);
void appendInteger(QByteArray &out, qint64 value);   ///< 12i
void appendUnsigned(QByteArray &out, quint64 value); ///< 12u
void appendBoolean(QByteArray &out, bool value);     ///< true / false
void appendTimestamp(QByteArray &out, qint64 ns);    ///< decimal int64, never through a double

/**
 * Writes one line straight into the end of a QByteArray, growing it in steps and cutting it to
 * what was written at finish(): QByteArray's append of a single byte or a short piece is an
 * out-of-line call that cost as much as the conversion around it. The append* functions above
 * are this writer used for one item.
 */
class LineWriter
{
public:
    explicit LineWriter(QByteArray &out) : m_out(out), m_start(out.size()) { grow(256); }
    ~LineWriter() { finish(); }
    LineWriter(const LineWriter &) = delete;
    LineWriter &operator=(const LineWriter &) = delete;

    /// Cuts the buffer to what was written; the writer must not be used afterwards.
    void finish()
    {
        if (m_d)
            m_out.resize(qsizetype(m_d - m_out.constData()));
        m_d = m_end = nullptr;
    }
    /// Drops all this writer wrote; the writer must not be used afterwards.
    void abandon()
    {
        m_out.resize(m_start);
        m_d = m_end = nullptr;
    }
    /// Bytes written so far.
    size_t written() const { return size_t(m_d - m_out.constData()) - size_t(m_start); }

    void put(char c)
    {
        need(1);
        *m_d++ = c;
    }
    void put(std::string_view s)
    {
        need(s.size());
        if (!s.empty())
            std::memcpy(m_d, s.data(), s.size());
        m_d += s.size();
    }

    /// The names, checked as appendMeasurement() and the others describe; false with the
    /// reason, having written nothing, when a name cannot be expressed.
    bool measurement(std::string_view name, QString *why = nullptr);
    bool tagKey(std::string_view key, QString *why = nullptr);
    bool tagValue(std::string_view value, QString *why = nullptr);
    bool fieldKey(std::string_view key, QString *why = nullptr);
    /// `name` with a backslash before every ',' and ' ' (and with `escapeEquals` every '='),
    /// unchecked: for names known to be expressible.
    void escaped(std::string_view name, bool escapeEquals);

    void string(std::string_view value); ///< as appendString()
    void floating(double value) { number(value, '\0'); }
    void integer(qint64 value) { number(value, 'i'); }
    void unsignedInteger(quint64 value) { number(value, 'u'); }
    void boolean(bool value) { put(value ? std::string_view("true") : std::string_view("false")); }
    void timestamp(qint64 ns) { number(ns, '\0'); }

    enum class Kind
    {
        Measurement,
        TagKey,
        TagValue,
        FieldKey
    };

private:
    bool name(std::string_view name, Kind kind, QString *why);
    void need(size_t n)
    {
        if (size_t(m_end - m_d) < n)
            grow(n);
    }
    void grow(size_t n);
    template<typename T> void number(T value, char suffix)
    {
        need(32); // 24 chars is the longest double, 20 the longest integer
        m_d = std::to_chars(m_d, m_d + 31, value).ptr;
        if (suffix)
            *m_d++ = suffix;
    }

    QByteArray &m_out;
    qsizetype m_start;
    char *m_d = nullptr;
    char *m_end = nullptr;
};

} // namespace tsm::lp
