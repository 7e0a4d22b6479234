#pragma once

#include "StoreWorker.h"

#include <QHash>
#include <QObject>
#include <optional>

class QSystemTrayIcon;
class QWidget;

namespace tsm {

/**
 * Tells the user when a task completes or fails, whichever process ran it, and shows the
 * running tasks' progress: a tray icon's tooltip and messages where the desktop has a tray,
 * nothing else where it has none. What is said is decided apart from the tray (notice(),
 * trayText()), so it can be tested where there is no tray.
 */
class TaskNotifier : public QObject
{
    Q_OBJECT

public:
    struct Notice
    {
        QString title; ///< "demo completed"
        QString text;  ///< what it did, or why it failed
        bool failed = false;
    };

    /// `window`: shown and raised when the tray icon is clicked.
    explicit TaskNotifier(QWidget *window);

    /// What to say about a task seen as `before` at the last reading of the list and as
    /// `after` now: nothing unless it has just completed or failed.
    static std::optional<Notice> notice(const TaskRow &before, const TaskRow &after);
    /// The tray icon's tooltip: how many tasks run, and how far each is.
    static QString trayText(const QList<TaskRow> &rows);

    /// A new reading of the task list: says what ended since the last one.
    void update(const QList<TaskRow> &rows);
    /// The tray icon; none where the desktop has no tray.
    QSystemTrayIcon *trayIcon() const { return m_tray; }

Q_SIGNALS:
    /// A task completed or failed (shown in the tray, where there is one).
    void noticed(const QString &title, const QString &text, bool failed);

private:
    QSystemTrayIcon *m_tray = nullptr;
    QHash<QString, TaskRow> m_last; ///< by task name, as last read
};

} // namespace tsm
