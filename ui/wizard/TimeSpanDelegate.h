#pragma once

#include <QStyledItemDelegate>

namespace tsm {

/**
 * Draws an item's text as usual and, right-aligned in grey, the time span in its
 * kSpanRole ("2023-11-01 … 2023-12-31"), so that a list of names (measurements, buckets) shows
 * where each one's data lies without changing the names the list holds.
 */
class TimeSpanDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    static constexpr int kSpanRole = Qt::UserRole + 17;

    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace tsm
