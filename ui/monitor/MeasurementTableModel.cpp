#include "MeasurementTableModel.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QLocale>

using namespace Qt::StringLiterals;

namespace tsm {

MeasurementTableModel::MeasurementTableModel(QObject *parent)
    : RowTableModel({tr("Measurement"), tr("State"), tr("Windows done"), tr("Progress"),
                     tr("Points written"), tr("Estimated"), tr("Rejected"), tr("Last error")},
                    parent)
{}

QString MeasurementTableModel::stateText(const MeasurementProgress &m)
{
    if (m.unitsRunning > 0)
        return tr("reading");
    if (m.unitsFailed > 0)
        return tr("failed");
    if (m.unitsDone == m.unitsTotal)
        return tr("done");
    return m.unitsDone == 0 ? tr("pending") : tr("partly done");
}

QString MeasurementTableModel::displayName(const QString &measurement)
{
    return measurement.isEmpty() ? tr("all measurements") : measurement;
}

QVariant MeasurementTableModel::cell(const MeasurementProgress &m, int column, int role) const
{
    const int percent = m.unitsTotal > 0 ? int(100 * m.unitsDone / m.unitsTotal) : 0;
    const QLocale locale;
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case Measurement:
            return displayName(m.measurement);
        case State:
            return stateText(m);
        case Windows:
            return u"%1 / %2"_s.arg(locale.toString(m.unitsDone), locale.toString(m.unitsTotal));
        case Progress:
            return u"%1%"_s.arg(percent);
        case Written:
            return locale.toString(m.pointsWritten);
        case Estimated:
            if (m.estimatedPoints == kNotEstimated)
                return m_estimating ? tr("estimating…") : u"—"_s;
            if (m.estimatedPoints == kCannotEstimate)
                return tr("unknown");
            return locale.toString(m.estimatedPoints);
        case Rejected:
            return locale.toString(m.pointsRejected);
        case LastError:
            return m.lastError;
        }
        return {};
    case SortRole:
        switch (column) {
        case Windows:
            return m.unitsDone;
        case Progress:
            return m.unitsTotal > 0 ? double(m.unitsDone) / double(m.unitsTotal) : 0.0;
        case Written:
            return m.pointsWritten;
        case Estimated:
            return m.estimatedPoints;
        case Rejected:
            return m.pointsRejected;
        }
        return cell(m, column, Qt::DisplayRole); // a column of text sorts by what it shows
    case Qt::ToolTipRole:
        if (column == Measurement && m.measurement.isEmpty())
            return tr("A line-protocol file is read by byte ranges, each holding any of its "
                      "measurements: its progress is counted for the whole file.");
        return column == LastError || column == Measurement
                   ? (m.lastError.isEmpty() ? displayName(m.measurement) : m.lastError)
                   : QVariant();
    case Qt::TextAlignmentRole:
        if (column >= Windows && column <= Rejected)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::FontRole:
        if (m.unitsRunning > 0) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case Qt::BackgroundRole:
        if (m.unitsRunning > 0)
            return QBrush(QColor(255, 244, 204)); // the measurement being read
        return {};
    case Qt::ForegroundRole:
        if (column == LastError || (column == State && m.unitsFailed > 0))
            return QBrush(QColor(176, 0, 32));
        return {};
    }
    return {};
}

void MeasurementTableModel::setRows(const QList<MeasurementProgress> &rows)
{
    // Measurements only ever join the ledger (a plan adds units), so an update of the same
    // measurements in the same order is a dataChanged, anything else a reset.
    replaceRows(rows, [](const MeasurementProgress &m) { return m.measurement; });
}

} // namespace tsm
