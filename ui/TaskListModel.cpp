#include "TaskListModel.h"

#include <QLocale>
#include <algorithm>

using namespace Qt::StringLiterals;

namespace tsm {

TaskListModel::TaskListModel(QObject *parent)
    : RowTableModel({tr("Name"), tr("Source → Target"), tr("Status"), tr("Progress"),
                     tr("Points migrated"), tr("Rate"), tr("Last error")},
                    parent)
{}

QVariant TaskListModel::cell(const TaskRow &r, int column, int role) const
{
    if (role == Qt::ToolTipRole && column == LastError)
        return r.lastError;
    if (role == Qt::ToolTipRole && column == Status && r.runningElsewhere)
        return tr("Running in %1").arg(r.runningElsewhere->describe());
    if (role == Qt::ToolTipRole && column == Status && isActive(r.taskState))
        return r.healthDetail;
    if (role == Qt::ToolTipRole && column == Progress && !r.phase.isEmpty())
        return r.phase;
    if (role == Qt::ToolTipRole &&
        (column == Name || column == Route || column == Points || column == Rate))
        return u"%1\n%2"_s.arg(r.name, r.ends);
    if (role == Qt::TextAlignmentRole && (column == Progress || column == Points || column == Rate))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    const QLocale locale;
    switch (column) {
    case Name:
        return r.name;
    case Route:
        return r.route;
    case Status: {
        // A run's health (TaskHealth) while it works on the task: "running · Idle".
        const QString state =
            isActive(r.taskState) ? tr("%1 · %2").arg(r.state, taskHealthName(r.health)) : r.state;
        if (r.runningElsewhere)
            return tr("%1 in %2 (pid %3)")
                .arg(state, r.runningElsewhere->program)
                .arg(r.runningElsewhere->pid);
        if (r.verification && r.verification->windows > 0 && r.taskState != TaskState::Running)
            return r.verification->differing == 0 ? tr("%1, verified").arg(state)
                   : r.verification->differing == 1
                       ? tr("%1, 1 window differs").arg(state)
                       : tr("%1, %2 windows differ")
                             .arg(state, locale.toString(r.verification->differing));
        return state;
    }
    case Progress:
        // Following tasks show their lag instead of a percentage that no longer means much.
        if (!r.followedTo.isEmpty())
            return r.followedTo;
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

void TaskListModel::setRows(const QList<TaskRow> &rows)
{
    replaceRows(rows, [](const TaskRow &r) { return r.name; });
}

bool TaskListModel::matches(const TaskRow &row, const QString &filter)
{
    const QString text = u"%1\n%2\n%3"_s.arg(row.name, row.route, row.ends);
    const QStringList words = filter.split(u' ', Qt::SkipEmptyParts);
    return std::all_of(words.begin(), words.end(), [&](const QString &word) {
        return text.contains(word, Qt::CaseInsensitive);
    });
}

int TaskListModel::indexOf(const QString &name) const
{
    for (qsizetype i = 0; i < m_rows.size(); ++i)
        if (m_rows.at(i).name == name)
            return int(i);
    return -1;
}

} // namespace tsm
