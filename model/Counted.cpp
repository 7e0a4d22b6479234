#include "Counted.h"

#include <QLocale>

namespace tsm {

QString counted(qint64 count, const QString &one, const QString &many)
{
    return QLocale().toString(count) + QLatin1Char(' ') + (count == 1 ? one : many);
}

QString readUnits(qint64 count)
{
    return counted(count, QStringLiteral("read unit"), QStringLiteral("read units"));
}

QString points(qint64 count)
{
    return counted(count, QStringLiteral("point"), QStringLiteral("points"));
}

} // namespace tsm
