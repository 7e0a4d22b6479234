#pragma once

#include <CheckpointStore.h>
#include <QAbstractTableModel>

namespace tsm {

/**
 * The monitor's per-measurement table: windows done / total with a progress bar, points written,
 * the estimate, rejected points, state and the last error. Qt::UserRole holds the raw value each
 * column sorts by; the measurement being read is highlighted.
 */
class MeasurementTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        Measurement,
        State,
        Windows,
        Progress,
        Written,
        Estimated,
        Rejected,
        LastError,
        ColumnCount
    };
    static constexpr int SortRole = Qt::UserRole;

    using QAbstractTableModel::QAbstractTableModel;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    /// Replaces the rows, keeping the row of each measurement where it is (views keep their
    /// selection and scroll position).
    void setRows(const QList<MeasurementProgress> &rows);
    const MeasurementProgress *row(int index) const;
    static QString stateText(const MeasurementProgress &m);

private:
    QList<MeasurementProgress> m_rows;
};

} // namespace tsm
