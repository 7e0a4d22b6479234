#pragma once

#include <QByteArray>
#include <QString>
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

} // namespace tsm::lp
