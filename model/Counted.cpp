#include "Counted.h"

namespace tsm {

QString counted(qint64 count, const QString &one, const QString &many, const QLocale &locale)
{
    return locale.toString(count) + QLatin1Char(' ') + (count == 1 ? one : many);
}

QString readUnits(qint64 count, const QLocale &locale)
{
    return counted(count, QStringLiteral("read unit"), QStringLiteral("read units"), locale);
}

QString points(qint64 count, const QLocale &locale)
{
    return counted(count, QStringLiteral("point"), QStringLiteral("points"), locale);
}

} // namespace tsm
