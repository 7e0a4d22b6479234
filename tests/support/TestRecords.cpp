#include "support/TestRecords.h"

namespace tsm::test {

UnitRecord unit(const QString &measurement, qint64 start, qint64 end, const QString &context)
{
    UnitRecord u;
    u.measurement = measurement;
    u.context = context;
    u.rangeStart = start;
    u.rangeEnd = end;
    return u;
}

UnitUpdate unitUpdate(qint64 id, UnitStatus status)
{
    UnitUpdate u;
    u.unitId = id;
    u.status = status;
    return u;
}

} // namespace tsm::test
