#pragma once

#include <QLocale>
#include <QString>

namespace tsm {

/// "1 read unit", "12345 read units": a count with its noun in the right number. The figure is
/// written as `locale` writes numbers: the C locale (no digit groups) for what the run logs and
/// the CLI prints, which scripts read; the user's (QLocale()) for what only the app shows.
QString counted(qint64 count, const QString &one, const QString &many,
                const QLocale &locale = QLocale::c());
/// "1 read unit", "3 read units".
QString readUnits(qint64 count, const QLocale &locale = QLocale::c());
/// "1 point", "3 points".
QString points(qint64 count, const QLocale &locale = QLocale::c());

} // namespace tsm
