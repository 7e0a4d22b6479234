#pragma once

#include "RowTableModel.h"
#include "StoreWorker.h"

namespace tsm {

/** The "Data sources" table: name, route, status, progress, points migrated, rate, last error. */
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

protected:
    QVariant cell(const TaskRow &r, int column, int role) const override;
};

} // namespace tsm
