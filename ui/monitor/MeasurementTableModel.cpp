#include "MeasurementTableModel.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QLocale>
#include <algorithm>

using namespace Qt::StringLiterals;

namespace tsm {

MeasurementTableModel::MeasurementTableModel(QObject *parent)
    : RowTableModel({tr("Measurement"), tr("State"), tr("Windows done"), tr("Progress"),
                     tr("Points written"), tr("Estimated"), tr("Rejected"), tr("Last error")},
                    parent)
{}

QString MeasurementTableModel::stateText(const MeasurementProgress &m)
{
    // A file's measurement is done once all of it is counted; until then it shares the state of
    // the file's units.
    if (m.ofFile && m.estimatedPoints >= 0 &&
        m.pointsWritten + m.pointsRejected >= m.estimatedPoints)
        return tr("done");
    if (m.ofFile && m.unitsRunning == 0 && m.unitsFailed == 0 && m.unitsDone == m.unitsTotal)
        return m.pointsWritten + m.pointsRejected > 0 ? tr("done") : tr("pending");
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

double MeasurementTableModel::fractionDone(const MeasurementProgress &m)
{
    // A file's measurement: its points of the counted ones (its units are the whole file's).
    if (m.ofFile && m.estimatedPoints > 0)
        return std::min(1.0,
                        double(m.pointsWritten + m.pointsRejected) / double(m.estimatedPoints));
    if (m.ofFile && stateText(m) == tr("done"))
        return 1.0;
    return m.unitsTotal > 0 ? double(m.unitsDone) / double(m.unitsTotal) : 0.0;
}

QVariant MeasurementTableModel::cell(const MeasurementProgress &m, int column, int role) const
{
    const int percent = int(100 * fractionDone(m));
    const QLocale locale;
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case Measurement:
            return displayName(m.measurement);
        case State:
            return stateText(m);
        case Windows:
            if (m.ofFile)
                return u"—"_s;
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
            return fractionDone(m);
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
                      "measurements: this row counts the whole file, the rows of its "
                      "measurements what each range wrote of them.");
        if (m.ofFile && (column == Measurement || column == Windows || column == Progress))
            return tr("%1: points written of those the file holds; counted as each byte range "
                      "of the file is done")
                .arg(m.measurement);
        return column == LastError || column == Measurement
                   ? (m.lastError.isEmpty() ? displayName(m.measurement) : m.lastError)
                   : QVariant();
    case Qt::TextAlignmentRole:
        if (column >= Windows && column <= Rejected)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::FontRole:
        if (m.unitsRunning > 0 && !m.ofFile) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case Qt::BackgroundRole:
        if (m.unitsRunning > 0 && !m.ofFile)
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
