#include "TaskListModel.h"

#include <QLocale>

using namespace Qt::StringLiterals;

namespace tsm {

int TaskListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int TaskListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TaskListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const TaskRow &r = m_rows.at(index.row());
    if (role == Qt::ToolTipRole && index.column() == LastError)
        return r.lastError;
    if (role == Qt::ToolTipRole && index.column() == Status && r.runningElsewhere)
        return tr("Running in %1").arg(r.runningElsewhere->describe());
    if (role == Qt::TextAlignmentRole &&
        (index.column() == Progress || index.column() == Points || index.column() == Rate))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    const QLocale locale;
    switch (index.column()) {
    case Name:
        return r.name;
    case Route:
        return r.route;
    case Status:
        if (r.runningElsewhere)
            return tr("%1 in %2 (pid %3)")
                .arg(r.state, r.runningElsewhere->program)
                .arg(r.runningElsewhere->pid);
        return r.state;
    case Progress:
        // Following tasks show their lag instead of a percentage that no longer means much.
        return r.phase.startsWith(u"following"_s) ? r.phase : u"%1%"_s.arg(r.percent, 0, 'f', 1);
    case Points:
        return locale.toString(r.pointsWritten);
    case Rate:
        return r.rate > 0 ? tr("%1/s").arg(locale.toString(qint64(r.rate))) : QString();
    case LastError:
        return r.lastError;
    default:
        return {};
    }
}

QVariant TaskListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name:
        return tr("Name");
    case Route:
        return tr("Source → Target");
    case Status:
        return tr("Status");
    case Progress:
        return tr("Progress");
    case Points:
        return tr("Points migrated");
    case Rate:
        return tr("Rate");
    case LastError:
        return tr("Last error");
    default:
        return {};
    }
}

void TaskListModel::setRows(const QList<TaskRow> &rows)
{
    if (rows.size() == m_rows.size()) {
        bool sameNames = true;
        for (qsizetype i = 0; i < rows.size(); ++i)
            sameNames = sameNames && rows.at(i).name == m_rows.at(i).name;
        if (sameNames) { // keep the selection: only the values changed
            m_rows = rows;
            if (!m_rows.isEmpty())
                Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
            return;
        }
    }
    beginResetModel();
    m_rows = rows;
    endResetModel();
}

const TaskRow *TaskListModel::row(int index) const
{
    return index >= 0 && index < m_rows.size() ? &m_rows.at(index) : nullptr;
}

int TaskListModel::indexOf(const QString &name) const
{
    for (qsizetype i = 0; i < m_rows.size(); ++i)
        if (m_rows.at(i).name == name)
            return int(i);
    return -1;
}

} // namespace tsm
