#include "forms/TimeField.h"

#include <QCalendarWidget>
#include <QDateTime>
#include <QFrame>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QStyle>
#include <QTimeEdit>
#include <QTimeZone>
#include <QToolButton>
#include <QVBoxLayout>
#include <TimeText.h>

using namespace Qt::StringLiterals;

namespace tsm {

TimeField::TimeField(const QString &baseName, QWidget *parent) : QWidget(parent)
{
    setObjectName(baseName + u"Widget"_s);
    auto *column = new QVBoxLayout(this);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(2);
    auto *row = new QHBoxLayout;
    m_edit = new QLineEdit(this);
    m_edit->setObjectName(baseName + u"LineEdit"_s);
    m_edit->setPlaceholderText(tr("YYYY-MM-DD HH:MM[:SS] or RFC 3339"));
    m_edit->installEventFilter(this);
    auto *button = m_button = new QToolButton(this);
    button->setObjectName(baseName + u"CalendarButton"_s);
    button->setText(tr("Calendar…"));
    button->setToolTip(tr("Choose the date and time on a calendar (F4 or Alt+Down in the field)"));
    row->addWidget(m_edit, 1);
    row->addWidget(button);
    column->addLayout(row);
    m_utc = new QLabel(this);
    m_utc->setObjectName(baseName + u"UtcLabel"_s);
    m_utc->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_utc->setStyleSheet(u"color: palette(placeholder-text);"_s);
    column->addWidget(m_utc);
    setFocusProxy(m_edit);

    // The popup: a calendar and a time of day; Enter takes them, Escape leaves the field as it is.
    m_popup = new QFrame(this, Qt::Popup);
    m_popup->setObjectName(baseName + u"CalendarPopup"_s);
    m_popup->setFrameShape(QFrame::StyledPanel);
    auto *popupLayout = new QVBoxLayout(m_popup);
    m_calendar = new QCalendarWidget(m_popup);
    m_calendar->setObjectName(baseName + u"CalendarWidget"_s);
    m_calendar->setGridVisible(true);
    // Nanoseconds since 1970 in 64 bits reach from 1677 to 2262.
    m_calendar->setDateRange(QDate(1678, 1, 1), QDate(2262, 4, 10));
    auto *timeRow = new QHBoxLayout;
    m_time = new QTimeEdit(m_popup);
    m_time->setObjectName(baseName + u"TimeEdit"_s);
    m_time->setDisplayFormat(u"HH:mm:ss"_s);
    auto *take = new QPushButton(tr("Set"), m_popup);
    take->setObjectName(baseName + u"SetButton"_s);
    timeRow->addWidget(new QLabel(tr("Time:"), m_popup));
    timeRow->addWidget(m_time, 1);
    timeRow->addWidget(take);
    popupLayout->addWidget(m_calendar);
    popupLayout->addLayout(timeRow);
    m_popup->installEventFilter(this);
    m_time->installEventFilter(this);

    connect(button, &QToolButton::clicked, this, &TimeField::openCalendar);
    connect(m_calendar, &QCalendarWidget::activated, this, &TimeField::takeCalendar);
    connect(take, &QPushButton::clicked, this, &TimeField::takeCalendar);
    connect(m_edit, &QLineEdit::textChanged, this, &TimeField::updateUtc);
    updateUtc();
}

QString TimeField::normalized(const QString &text)
{
    // "2024-01-01 10:00" and "2024-01-01 10:00:30" as RFC 3339 without an offset.
    static const QRegularExpression loose(
        u"^(\\d{4}-\\d{2}-\\d{2})[ Tt](\\d{2}:\\d{2})(:\\d{2}(?:\\.\\d+)?)?([Zz]|[+-]\\d{2}:\\d{2})?$"_s);
    const QString trimmed = text.trimmed();
    const QRegularExpressionMatch m = loose.match(trimmed);
    if (!m.hasMatch())
        return text;
    const QString seconds = m.captured(3).isEmpty() ? u":00"_s : m.captured(3);
    return m.captured(1) + u'T' + m.captured(2) + seconds + m.captured(4);
}

QString TimeField::value() const
{
    return normalized(m_edit->text());
}

void TimeField::setZone(const QString &zone)
{
    if (zone == m_zone)
        return;
    m_zone = zone;
    updateUtc();
}

void TimeField::updateUtc()
{
    const QString text = value().trimmed();
    if (text.isEmpty()) {
        m_utc->setText(tr("Times without an offset are read in %1.").arg(m_zone));
        return;
    }
    // While the zone is not a known one its field says so; no time is guessed here.
    const auto ns = QTimeZone(m_zone.toUtf8()).isValid() ? TimeText::parse(text, m_zone)
                                                         : std::nullopt;
    if (!ns) {
        m_utc->setText(QString());
        return;
    }
    m_utc->setText(tr("In UTC: %1 (read in %2)")
                       .arg(TimeText::format(*ns).replace(u'T', u' '), m_zone));
}

void TimeField::openCalendar()
{
    // Start from the field's time in the task's zone, or from now.
    const QTimeZone zone(m_zone.toUtf8());
    const QTimeZone shown = zone.isValid() ? zone : QTimeZone(QByteArrayLiteral("UTC"));
    const auto ns = TimeText::parse(value(), zone.isValid() ? m_zone : u"UTC"_s);
    const QDateTime at = ns ? QDateTime::fromMSecsSinceEpoch(*ns / 1000000, shown)
                            : QDateTime::currentDateTimeUtc().toTimeZone(shown);
    m_calendar->setSelectedDate(at.date());
    m_time->setTime(ns ? at.time() : QTime(0, 0));
    m_popup->adjustSize();
    m_popup->move(m_edit->mapToGlobal(QPoint(0, m_edit->height())));
    m_popup->show();
    m_calendar->setFocus();
}

void TimeField::takeCalendar()
{
    if (!m_calendar->selectedDate().isValid())
        return;
    m_popup->hide();
    m_edit->setText(m_calendar->selectedDate().toString(u"yyyy-MM-dd"_s) + u' ' +
                    m_time->time().toString(u"HH:mm:ss"_s));
    m_edit->setFocus();
}

bool TimeField::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() != QEvent::KeyPress)
        return QWidget::eventFilter(watched, event);
    const auto *key = static_cast<QKeyEvent *>(event);
    if (watched == m_edit &&
        (key->key() == Qt::Key_F4 ||
         (key->key() == Qt::Key_Down && key->modifiers() == Qt::AltModifier))) {
        openCalendar();
        return true;
    }
    if (watched == m_time && (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter)) {
        takeCalendar();
        return true;
    }
    if (watched == m_popup && key->key() == Qt::Key_Escape) {
        m_popup->hide();
        m_edit->setFocus();
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace tsm
