#pragma once

#include "RowTableModel.h"

#include <CheckpointStore.h>

namespace tsm {

/**
 * The monitor's per-measurement table: windows done / total with a progress bar, points written,
 * the estimate, rejected points, state and the last error. Qt::UserRole holds the raw value each
 * column sorts by; the measurement being read is highlighted.
 */
class MeasurementTableModel : public RowTableModel<MeasurementProgress>
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

    explicit MeasurementTableModel(QObject *parent = nullptr);

    /// Replaces the rows, keeping the row of each measurement where it is (views keep their
    /// selection and scroll position).
    void setRows(const QList<MeasurementProgress> &rows);
    static QString stateText(const MeasurementProgress &m);
    /// How much of the row is done, 0 to 1: its windows, or a file's measurement's points.
    static double fractionDone(const MeasurementProgress &m);
    /// What a row is called: a line-protocol file is read by byte ranges, each holding any of
    /// its measurements, so its units belong to no one measurement.
    static QString displayName(const QString &measurement);
    /// Whether estimates not made yet are still coming (the run is counting) or will not come.
    void setEstimating(bool estimating) { m_estimating = estimating; }

protected:
    QVariant cell(const MeasurementProgress &m, int column, int role) const override;

private:
    bool m_estimating = true;
};

} // namespace tsm
