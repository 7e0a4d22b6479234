#pragma once

#include "Renaming.h"
#include "Table.h"

namespace tsm::store {

/** Access to the renamings table: the names a task's target gets in place of the source's. */
class RenamingTable : public Table
{
public:
    explicit RenamingTable(Connection &db) : Table(db) {}

    /// Adds these; one already decided for the same measurement, kind, name and type is kept.
    void add(qint64 taskId, const QList<Renaming> &renamings);
    /// The task's renamings, by measurement and in the order they were decided.
    QList<Renaming> all(qint64 taskId);
};

} // namespace tsm::store
