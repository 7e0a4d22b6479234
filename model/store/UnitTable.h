#pragma once

#include "CheckpointStore.h"
#include "Table.h"

namespace tsm::store {

class Statement;

/** Access to the units table: the ledger of a task's read units and what became of each. */
class UnitTable : public Table
{
public:
    explicit UnitTable(Connection &db) : Table(db) {}

    /// Adds the units not in the ledger yet, in one transaction; returns how many were new.
    int add(qint64 taskId, const QList<UnitRecord> &units);
    /// Drops every unit not done and adds `units` instead, in one transaction; returns how
    /// many were added.
    int replaceUnfinished(qint64 taskId, const QList<UnitRecord> &units);
    /// The task's units matching `where` (SQL after the column list, binding ?1 to the task).
    QList<UnitRecord> select(const char *where, qint64 taskId);
    void requeueRunning(qint64 taskId);
    /// Applies all the changes or none.
    void update(const QList<UnitUpdate> &updates);
    /// Sets these units of the task pending, their counts and error cleared (a repair).
    void markPending(qint64 taskId, const QList<qint64> &unitIds);
    UnitTotals totals(qint64 taskId);
    /// Returns how many units were deleted.
    int removeFrom(qint64 taskId, qint64 fromNs);
    /// Merges the done units within [fromNs, toNs) per measurement and context.
    void mergeDone(qint64 taskId, qint64 fromNs, qint64 toNs);
    QList<MeasurementProgress> progressByMeasurement(qint64 taskId);
    QList<MeasurementCount> measurementCounts(qint64 taskId);

private:
    int insert(qint64 taskId, const QList<UnitRecord> &units);
    static UnitRecord read(const Statement &s);
    /// Replaces what unit `unitId` wrote of each measurement.
    void setMeasurementCounts(qint64 unitId, const QList<MeasurementCount> &counts);
    void requireTaskExists(qint64 taskId);
    /// The done units within [fromNs, toNs), grouped by measurement and context, in time order.
    QList<UnitRecord> doneUnitsWithin(qint64 taskId, qint64 fromNs, qint64 toNs);
};

} // namespace tsm::store
