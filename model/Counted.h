#pragma once

#include <QString>

namespace tsm {

/// "1 read unit", "12,345 read units": a count with its noun in the right number, the figure
/// grouped as the user's locale groups digits (none in the C locale scripts run in).
QString counted(qint64 count, const QString &one, const QString &many);
/// "1 read unit", "3 read units".
QString readUnits(qint64 count);
/// "1 point", "3 points".
QString points(qint64 count);

} // namespace tsm
