#pragma once

#include "Table.h"

#include <QHash>
#include <QString>

namespace tsm::store {

/** Access to the estimates table: the source's count of the points of each measurement. */
class EstimateTable : public Table
{
public:
    explicit EstimateTable(Connection &db) : Table(db) {}

    /// Sets or replaces the estimate of one measurement.
    void set(qint64 taskId, const QString &measurement, qint64 points);
    QHash<QString, qint64> all(qint64 taskId);
};

} // namespace tsm::store
