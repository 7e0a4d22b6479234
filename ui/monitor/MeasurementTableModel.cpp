#include "MeasurementTableModel.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QLocale>

using namespace Qt::StringLiterals;

namespace tsm {

int MeasurementTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int MeasurementTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

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

QVariant MeasurementTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const MeasurementProgress &m = m_rows.at(index.row());
    const int percent = m.unitsTotal > 0 ? int(100 * m.unitsDone / m.unitsTotal) : 0;
    const QLocale locale;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Measurement:
            return m.measurement;
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
                return tr("estimating…");
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
        switch (index.column()) {
        case Measurement:
            return m.measurement;
        case State:
            return stateText(m);
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
        case LastError:
            return m.lastError;
        }
        return {};
    case Qt::ToolTipRole:
        return index.column() == LastError || index.column() == Measurement
                   ? (m.lastError.isEmpty() ? m.measurement : m.lastError)
                   : QVariant();
    case Qt::TextAlignmentRole:
        if (index.column() >= Windows && index.column() <= Rejected)
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
        if (index.column() == LastError || (index.column() == State && m.unitsFailed > 0))
            return QBrush(QColor(176, 0, 32));
        return {};
    }
    return {};
}

QVariant MeasurementTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Measurement:
        return tr("Measurement");
    case State:
        return tr("State");
    case Windows:
        return tr("Windows done");
    case Progress:
        return tr("Progress");
    case Written:
        return tr("Points written");
    case Estimated:
        return tr("Estimated");
    case Rejected:
        return tr("Rejected");
    case LastError:
        return tr("Last error");
    }
    return {};
}

void MeasurementTableModel::setRows(const QList<MeasurementProgress> &rows)
{
    // Measurements only ever join the ledger (a plan adds units), so an update of the same
    // measurements in the same order is a dataChanged, anything else a reset.
    bool sameKeys = rows.size() == m_rows.size();
    for (qsizetype i = 0; sameKeys && i < rows.size(); ++i)
        sameKeys = rows.at(i).measurement == m_rows.at(i).measurement;
    if (!sameKeys) {
        beginResetModel();
        m_rows = rows;
        endResetModel();
        return;
    }
    m_rows = rows;
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
}

const MeasurementProgress *MeasurementTableModel::row(int index) const
{
    return index >= 0 && index < m_rows.size() ? &m_rows.at(index) : nullptr;
}

} // namespace tsm
