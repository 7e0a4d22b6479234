#pragma once

#include <CheckpointStore.h>
#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

namespace tsm {

/** The task's event log as the monitor shows it: time, level, message; appended to as it grows. */
class EventLogModel : public QAbstractTableModel
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

    using QAbstractTableModel::QAbstractTableModel;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    void append(const QList<EventRecord> &events);
    void clear();

private:
    QList<EventRecord> m_events;
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
