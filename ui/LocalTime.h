#pragma once

#include <QString>

namespace tsm {

/// "2024-03-01 12:05:09 CET": a moment as the list, the monitor and its log show it, in the
/// local time zone, named, since a task may run on a server in another zone.
QString localTimeText(qint64 msSinceEpoch);
/// The local time zone's short name ("CET", "UTC"), for charts whose times carry none.
QString localZoneName();

} // namespace tsm
