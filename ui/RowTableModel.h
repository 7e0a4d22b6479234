#pragma once

#include <QAbstractTableModel>
#include <QList>
#include <QStringList>

namespace tsm {

/**
 * A flat table of rows of one type under fixed column titles: what the task list and the
 * monitor's tables share (row and column counts, the horizontal header, the rows and how they
 * are replaced). Each model says only what a cell shows.
 */
template<typename Row> class RowTableModel : public QAbstractTableModel
{
public:
    int rowCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() ? 0 : int(m_rows.size());
    }
    int columnCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() ? 0 : int(m_titles.size());
    }
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override
    {
        const Row *shown = index.isValid() ? row(index.row()) : nullptr;
        return shown ? cell(*shown, index.column(), role) : QVariant();
    }
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override
    {
        if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 ||
            section >= m_titles.size())
            return {};
        return m_titles.at(section);
    }

    /// The row at `index`, or nullptr past the end.
    const Row *row(int index) const
    {
        return index >= 0 && index < m_rows.size() ? &m_rows.at(index) : nullptr;
    }

protected:
    /// `titles`: one per column, in the order of the model's Column enum.
    RowTableModel(const QStringList &titles, QObject *parent)
        : QAbstractTableModel(parent), m_titles(titles)
    {}

    /// What the cell of `row` in `column` holds for `role`: data() for an index of a row.
    virtual QVariant cell(const Row &row, int column, int role) const = 0;

    /// Replaces the rows. When the rows have the same keys in the same order only their values
    /// changed, and views keep their selection and scroll position; else the model is reset.
    template<typename Key> void replaceRows(const QList<Row> &rows, Key key)
    {
        bool sameKeys = rows.size() == m_rows.size();
        for (qsizetype i = 0; sameKeys && i < rows.size(); ++i)
            sameKeys = key(rows.at(i)) == key(m_rows.at(i));
        if (!sameKeys) {
            beginResetModel();
            m_rows = rows;
            endResetModel();
            return;
        }
        m_rows = rows;
        if (!m_rows.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, columnCount() - 1));
    }

    QList<Row> m_rows;

private:
    QStringList m_titles;
};

} // namespace tsm
