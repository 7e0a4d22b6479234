#include "EventLogModel.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>

using namespace Qt::StringLiterals;

namespace tsm {

int EventLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

int EventLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventLogModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_events.size())
        return {};
    const EventRecord &e = m_events.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Time:
            return QDateTime::fromMSecsSinceEpoch(e.timeMs).toString(u"yyyy-MM-dd HH:mm:ss"_s);
        case Level:
            return eventLevelName(e.level);
        case Message:
            return e.message;
        }
        return {};
    case Qt::ToolTipRole:
        return index.column() == Message ? e.message : QVariant();
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

QVariant EventLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time:
        return tr("Time");
    case Level:
        return tr("Level");
    case Message:
        return tr("Message");
    }
    return {};
}

void EventLogModel::append(const QList<EventRecord> &events)
{
    if (events.isEmpty())
        return;
    beginInsertRows({}, int(m_events.size()), int(m_events.size() + events.size()) - 1);
    m_events.append(events);
    endInsertRows();
}

void EventLogModel::clear()
{
    beginResetModel();
    m_events.clear();
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
