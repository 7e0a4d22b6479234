#pragma once

#include "core/LpDialect.h"
#include "core/Source.h"

#include <QByteArray>
#include <QString>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/**
 * Line-protocol parser that reads a line the way InfluxDB 1.x does (models/points.go): the
 * same scanners, the same unescaping, the same error reasons ("missing fields", "missing tag
 * value", "invalid number", "bad timestamp", "unbalanced quotes", ...).
 */
namespace tsm::lp {

/** One parsed field: the member matching `type` holds the value. */
struct Field
{
    std::string key;
    FieldType type = FieldType::Float;
    double f = 0;
    qint64 i = 0;
    quint64 u = 0;
    bool b = false;
    std::string s;
};

/** One parsed point, names unescaped, tags in the order of the line. */
struct Point
{
    std::string measurement;
    std::vector<std::pair<std::string, std::string>> tags;
    std::vector<Field> fields;
    bool hasTime = false;
    qint64 time = 0;
};

/** What peekLine() learnt about a valid line besides its measurement and time. */
struct PeekInfo
{
    bool hasUnsigned = false; ///< a `12u` field: must be re-encoded for targets without unsigned
};

/// Position of the '\n' that ends the line starting at `from`, or `size`. Like InfluxDB's
/// scanLine, a newline inside a quoted string field value does not end the line and a backslash
/// escapes the byte after it; a comment line ('#' after leading whitespace) ends at the first
/// newline, as `influx -import` reads it.
size_t lineEnd(const char *data, size_t size, size_t from);

/// Line kinds a reader skips without parsing.
bool isBlankLine(std::string_view line);
bool isCommentLine(std::string_view line);

/// Full parse. `line` has no '\n' terminator; a trailing '\r' is ignored. On failure returns
/// false and sets *error to InfluxDB's reason.
bool parseLine(std::string_view line, Point &out, QString *error);

/// Validates the line with every check of InfluxDB's ParsePoints but only extracts the
/// unescaped measurement and the timestamp; cheap enough for every line of a file.
bool peekLine(std::string_view line, std::string &measurement, bool &hasTime, qint64 &time,
              QString *error, PeekInfo *info = nullptr);

/// Encodes a point with the encoder of LineProtocol.h, for `dialect` (unsigned values become
/// integers, or floats above INT64_MAX, when the target has no unsigned type). Tags with an
/// empty value are left out (InfluxDB treats them as absent). Appends nothing and returns false
/// with the reason when a name cannot be expressed or the point has no field.
bool encodePoint(const Point &p, const LpDialect &dialect, QByteArray &out, QString *why);

/// Appends `line` (no '\n', no '\r') for a target without unsigned integers: every `12u` value
/// becomes `12i`, or a float above INT64_MAX; all other bytes are copied as they are, so names
/// keep exactly the escaping they had. False with the parser's reason for an invalid line.
bool appendWithoutUnsigned(std::string_view line, QByteArray &out, QString *error);

// Lower-level access for readers that collect schemas without building Points.
namespace detail {
struct RawField
{
    std::string_view key; ///< still escaped
    std::string_view value;
    FieldType type;
};
/** A valid line's pieces, names still escaped (views into the line). */
struct RawLine
{
    std::string_view measurement;
    std::vector<std::string_view> tagKeys;
    std::vector<RawField> fields;
    bool hasTime = false;
    qint64 time = 0;
};
/// One validating pass that keeps the raw pieces; false with InfluxDB's reason otherwise.
bool scanRaw(std::string_view line, RawLine &out, QString *error);
std::string unescapeMeasurement(std::string_view raw);
std::string unescapeTag(std::string_view raw);
std::string unescapeFieldKey(std::string_view raw);
} // namespace detail

} // namespace tsm::lp
