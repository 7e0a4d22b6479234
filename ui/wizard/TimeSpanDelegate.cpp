#include "wizard/TimeSpanDelegate.h"

#include <QPainter>

namespace tsm {

void TimeSpanDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                             const QModelIndex &index) const
{
    QStyledItemDelegate::paint(painter, option, index);
    const QString span = index.data(kSpanRole).toString();
    if (span.isEmpty())
        return;
    painter->save();
    const bool selected = option.state & QStyle::State_Selected;
    painter->setPen(option.palette.color(selected ? QPalette::HighlightedText
                                                  : QPalette::PlaceholderText));
    // What the name, a check box and some room leave; the start of the span gives way first.
    const int name = option.fontMetrics.horizontalAdvance(index.data().toString());
    const QRect area = option.rect.adjusted(0, 0, -6, 0);
    const int room = area.width() - name - 4 * option.fontMetrics.height();
    if (room <= option.fontMetrics.height())
        return painter->restore();
    painter->drawText(area, Qt::AlignRight | Qt::AlignVCenter,
                      option.fontMetrics.elidedText(span, Qt::ElideLeft, room));
    painter->restore();
}

QSize TimeSpanDelegate::sizeHint(const QStyleOptionViewItem &option,
                                 const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    const QString span = index.data(kSpanRole).toString();
    if (!span.isEmpty())
        size.rwidth() += option.fontMetrics.horizontalAdvance(span) + 24;
    return size;
}

} // namespace tsm
