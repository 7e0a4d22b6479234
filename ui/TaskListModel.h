#pragma once

#include "StoreWorker.h"

#include <QAbstractTableModel>

namespace tsm {

/** The "Data sources" table: name, route, status, progress, points migrated, rate, last error. */
class TaskListModel : public QAbstractTableModel
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

    using QAbstractTableModel::QAbstractTableModel;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    void setRows(const QList<TaskRow> &rows);
    const TaskRow *row(int index) const;
    int indexOf(const QString &name) const;

private:
    QList<TaskRow> m_rows;
};

} // namespace tsm
