#include "LocalTime.h"

#include <QDateTime>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace tsm {

QString localTimeText(qint64 msSinceEpoch)
{
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch).toString(u"yyyy-MM-dd HH:mm:ss t"_s);
}

QString localZoneName()
{
    return QDateTime::currentDateTime().toString(u"t"_s);
}

} // namespace tsm
