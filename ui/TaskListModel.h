#pragma once

#include "RowTableModel.h"
#include "StoreWorker.h"

namespace tsm {

/** The "Data sources" table: name, route, status, progress, points migrated, rate, last error;
 *  where the task reads and writes is each row's tooltip. */
class TaskListModel : public RowTableModel<TaskRow>
{
    Q_OBJECT

public:
    enum Column
    {
        Name,
        Route,
        Status,
        Progress,
        Points,
        Rate,
        LastError,
        ColumnCount
    };

    explicit TaskListModel(QObject *parent = nullptr);

    void setRows(const QList<TaskRow> &rows);
    int indexOf(const QString &name) const;
    /// Whether the row holds every word of `filter` (any case) in its name, kinds, hosts,
    /// databases or files; an empty filter matches every row.
    static bool matches(const TaskRow &row, const QString &filter);

protected:
    QVariant cell(const TaskRow &r, int column, int role) const override;
};

} // namespace tsm
