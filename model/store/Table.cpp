#include "Table.h"

#include "StoreError.h"

#include <QDateTime>

namespace tsm::store {

qint64 Table::nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

void Table::requireTask(int changed)
{
    if (changed == 0)
        throw StoreError::noSuchTask();
}

} // namespace tsm::store
