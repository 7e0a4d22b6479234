#pragma once

#include <QString>
#include <cstddef>
#include <limits>
#include <string_view>

namespace tsm {

/**
 * TDengine 3's limits on what schemaless writing stores (taos tdef.h, PROTOCOLS.md §5.1), as
 * checks that say why a name, a count or a value is over them: the sink checks every point with
 * them before sending, and the plan checks a measurement's schema and sampled values with the
 * same ones. Each returns an empty string when TDengine takes the thing as it is.
 */
namespace TDengineLimits {

constexpr size_t kMaxTableNameBytes = 192; // TSDB_TABLE_NAME_LEN - 1
constexpr size_t kMaxColumnNameBytes = 64; // TSDB_COL_NAME_LEN - 1
constexpr size_t kMaxTags = 128;           // TSDB_MAX_TAGS
constexpr size_t kMaxColumns = 4096;       // TSDB_MAX_COLUMNS: fields, _ts and tags
constexpr qint64 kMaxTagsBytes = 16384;    // TSDB_MAX_TAGS_LEN
constexpr qint64 kMaxVarcharBytes = 65517; // TSDB_MAX_BINARY_LEN - VARSTR_HEADER_SIZE
constexpr qint64 kVarHeader = 2;           // VARSTR_HEADER_SIZE
constexpr qint64 kNcharBytes = 4;          // TSDB_NCHAR_SIZE: tags are NCHAR
constexpr qint64 kNumberBytes = 8;         // DOUBLE, BIGINT, BIGINT UNSIGNED, and _ts
constexpr qint64 kBooleanBytes = 1;

/// A name shortened to 80 characters for a message.
QString shown(std::string_view name);

/// The measurement as a super table name: its length, and the '#' the parser skips.
QString measurementProblem(std::string_view measurement);
/// A tag or field key (`kind`: "tag key", "field key") as a column name.
QString columnNameProblem(std::string_view name, const QString &kind);
/// A tag or field key that another tag, field or the time column _ts already uses.
QString sharedNameProblem(std::string_view name, const QString &kind);
/// `tags` tags (a point without tags counts its _tag_null as one).
QString tagCountProblem(size_t tags);
/// `fields` fields beside `tags` tags and _ts.
QString columnCountProblem(size_t fields, size_t tags);
/// Bytes the tag values take as NCHAR.
qint64 tagBytes(qint64 valueBytes, size_t tags);
QString tagBytesProblem(qint64 bytes);
/// A string field value: its length.
QString stringProblem(std::string_view key, std::string_view value);
/// Whether a string holds what TDengine's schemaless endpoint cannot carry (a newline ends the
/// line there, even inside quotes; a carriage return before it is cut off): such a value is
/// written with SQL instead.
bool needsSql(std::string_view value);
/// A row of `bytes` (8 a number, 1 a boolean, a string's length + 2, 8 for _ts).
QString rowBytesProblem(qint64 bytes, int maxRowBytes);
/// A point's time on the schemaless endpoint: 0, before 1970, or older than `oldestNs`
/// (now − KEEP).
QString timeProblem(qint64 time, qint64 oldestNs = std::numeric_limits<qint64>::min());
/// A point's time older than `oldestNs` (now − KEEP), the only limit SQL has.
QString keepProblem(qint64 time, qint64 oldestNs);

} // namespace TDengineLimits
} // namespace tsm
