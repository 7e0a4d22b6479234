#pragma once

#include "RowTableModel.h"

#include <CheckpointStore.h>
#include <QSortFilterProxyModel>

namespace tsm {

/** The task's event log as the monitor shows it: time, level, message; appended to as it grows. */
class EventLogModel : public RowTableModel<EventRecord>
{
    Q_OBJECT

public:
    enum Column
    {
        Time,
        Level,
        Message,
        ColumnCount
    };
    static constexpr int LevelRole = Qt::UserRole;

    explicit EventLogModel(QObject *parent = nullptr);

    void append(const QList<EventRecord> &events);
    void clear();

protected:
    QVariant cell(const EventRecord &e, int column, int role) const override;
};

/** Lets through the events at or above a level of importance (error … trace). */
class EventLevelFilter : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    using QSortFilterProxyModel::QSortFilterProxyModel;
    void setMaxLevel(EventLevel level);
    EventLevel maxLevel() const { return m_maxLevel; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    EventLevel m_maxLevel = EventLevel::Trace;
};

} // namespace tsm
