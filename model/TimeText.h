#pragma once

#include <QString>
#include <optional>

namespace tsm {

/** Conversions between RFC 3339 text and int64 nanoseconds UTC, without losing digits. */
namespace TimeText {

/// Parses "2020-01-01T00:00:00Z", "2020-01-01T08:00:00.123456789+08:00", or, without an offset,
/// "2020-01-01 00:00:00" / "2020-01-01T00:00:00" read in `timeZone` (IANA id, "UTC" when empty).
/// Nothing on malformed text or an unknown zone.
std::optional<qint64> parse(const QString &text, const QString &timeZone);
/// RFC 3339 in UTC with as many fraction digits as needed (0, 3, 6 or 9).
QString format(qint64 nanoseconds);
/// A duration such as "30m", "2h", "7d" or "1h30m" (units s, m, h, d, w, each after a whole
/// number) in nanoseconds; empty text and "0" are 0. Nothing on other text, or beyond 100 years.
std::optional<qint64> parseDuration(const QString &text);
/// Current time in nanoseconds since the epoch.
qint64 nowNs();

} // namespace TimeText
} // namespace tsm
