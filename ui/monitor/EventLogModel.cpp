#include "EventLogModel.h"

#include "LocalTime.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>

using namespace Qt::StringLiterals;

namespace tsm {

EventLogModel::EventLogModel(QObject *parent)
    : RowTableModel({tr("Time"), tr("Level"), tr("Message")}, parent)
{}

QVariant EventLogModel::cell(const EventRecord &e, int column, int role) const
{
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case Time:
            return localTimeText(e.timeMs);
        case Level:
            return eventLevelName(e.level);
        case Message:
            return e.message;
        }
        return {};
    case Qt::ToolTipRole:
        return column == Message ? e.message : QVariant();
    case LevelRole:
        return int(e.level);
    case Qt::ForegroundRole:
        if (e.level == EventLevel::Error)
            return QBrush(QColor(176, 0, 32));
        if (e.level == EventLevel::Warn)
            return QBrush(QColor(150, 90, 0));
        if (e.level >= EventLevel::Debug)
            return QBrush(QColor(110, 110, 110));
        return {};
    }
    return {};
}

void EventLogModel::append(const QList<EventRecord> &events)
{
    if (events.isEmpty())
        return;
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + events.size()) - 1);
    m_rows.append(events);
    endInsertRows();
}

void EventLogModel::clear()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

void EventLevelFilter::setMaxLevel(EventLevel level)
{
    m_maxLevel = level;
    invalidateFilter();
}

bool EventLevelFilter::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    return index.data(EventLogModel::LevelRole).toInt() <= int(m_maxLevel);
}

} // namespace tsm
