#pragma once

#include <QtGlobal>

namespace tsm::test {

/// Durations in nanoseconds, the unit of every time the engine plans, reads and writes.
constexpr qint64 kMillisecond = 1000000LL;
constexpr qint64 kSecond = 1000 * kMillisecond;
constexpr qint64 kMinute = 60 * kSecond;
constexpr qint64 kHour = 60 * kMinute;
constexpr qint64 kDay = 24 * kHour;
/// Also the shard group duration InfluxDB gives a retention policy that keeps data forever.
constexpr qint64 kWeek = 7 * kDay;

/// The same durations in milliseconds, for servers that count in them (TDengine 2.x).
constexpr qint64 kMsPerDay = kDay / kMillisecond;

} // namespace tsm::test
