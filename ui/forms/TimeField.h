#pragma once

#include <QWidget>

class QCalendarWidget;
class QFrame;
class QLabel;
class QLineEdit;
class QTimeEdit;
class QToolButton;

namespace tsm {

/**
 * A time field: free text (RFC 3339, or "YYYY-MM-DD HH:MM[:SS]" read in the task's time zone), a
 * calendar popup with a time of day (the button, F4 or Alt+Down), and under it the time in UTC,
 * updated as the user types or changes the zone.
 */
class TimeField : public QWidget
{
    Q_OBJECT

public:
    /// `baseName` names the children: baseName + "LineEdit", "CalendarButton", "UtcLabel"...
    TimeField(const QString &baseName, QWidget *parent);

    QLineEdit *lineEdit() const { return m_edit; }
    QToolButton *calendarButton() const { return m_button; }
    /// The zone a time without an offset is read in (the calendar writes times in it too).
    void setZone(const QString &zone);
    /// The text as the profile keeps it: RFC 3339 ("2024-01-01 10:00" → "2024-01-01T10:00:00").
    QString value() const;
    static QString normalized(const QString &text);
    void openCalendar();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void updateUtc();
    void takeCalendar();

    QLineEdit *m_edit;
    QToolButton *m_button;
    QLabel *m_utc;
    QFrame *m_popup;
    QCalendarWidget *m_calendar;
    QTimeEdit *m_time;
    QString m_zone = QStringLiteral("UTC");
};

} // namespace tsm
