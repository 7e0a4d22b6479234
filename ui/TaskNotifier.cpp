#include "TaskNotifier.h"

#include <Counted.h>
#include <QAction>
#include <QApplication>
#include <QLocale>
#include <QMenu>
#include <QSystemTrayIcon>
#include <QWidget>

using namespace Qt::StringLiterals;

namespace tsm {

TaskNotifier::TaskNotifier(QWidget *window) : QObject(window)
{
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return;
    m_tray = new QSystemTrayIcon(QApplication::windowIcon(), this);
    m_tray->setObjectName(u"taskTrayIcon"_s);
    auto showWindow = [window] {
        window->showNormal();
        window->raise();
        window->activateWindow();
    };
    auto *menu = new QMenu(window);
    menu->addAction(tr("Show tsmigrate"), this, showWindow);
    menu->addAction(tr("Quit"), window, &QWidget::close);
    m_tray->setContextMenu(menu);
    connect(m_tray, &QSystemTrayIcon::activated, this,
            [showWindow](QSystemTrayIcon::ActivationReason reason) {
                if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
                    showWindow();
            });
    m_tray->setToolTip(trayText({}));
    m_tray->show();
}

std::optional<TaskNotifier::Notice> TaskNotifier::notice(const TaskRow &before,
                                                         const TaskRow &after)
{
    if (before.taskState == after.taskState)
        return std::nullopt;
    if (after.taskState == TaskState::Completed) {
        QString text = tr("%1 written").arg(points(after.pointsWritten, QLocale()));
        if (after.verification && after.verification->differing > 0)
            text += tr("; %1 of %2 differ")
                        .arg(QLocale().toString(after.verification->differing),
                             counted(after.verification->windows, tr("window"), tr("windows"),
                                     QLocale()));
        return Notice{tr("%1 completed").arg(after.name), text + u'.', false};
    }
    if (after.taskState == TaskState::Failed)
        return Notice{tr("%1 failed").arg(after.name),
                      after.lastError.isEmpty() ? tr("See its monitor's log for why.")
                                                : after.lastError,
                      true};
    return std::nullopt;
}

QString TaskNotifier::trayText(const QList<TaskRow> &rows)
{
    QStringList lines;
    for (const TaskRow &row : rows)
        if (isActive(row.taskState))
            lines.append(row.phase.isEmpty() ? u"%1: %2"_s.arg(row.name, row.state)
                                             : u"%1: %2"_s.arg(row.name, row.phase));
    if (lines.isEmpty())
        return tr("tsmigrate: no task running");
    lines.prepend(
        tr("tsmigrate: %1").arg(counted(lines.size(), tr("task running"), tr("tasks running"))));
    return lines.join(u'\n');
}

void TaskNotifier::update(const QList<TaskRow> &rows)
{
    // The first reading is what was there before: nothing ended since.
    const bool first = m_last.isEmpty();
    QHash<QString, TaskRow> now;
    for (const TaskRow &row : rows) {
        now.insert(row.name, row);
        const auto before = m_last.constFind(row.name);
        if (first || before == m_last.constEnd())
            continue;
        if (const std::optional<Notice> said = notice(*before, row)) {
            Q_EMIT noticed(said->title, said->text, said->failed);
            if (m_tray)
                m_tray->showMessage(said->title, said->text,
                                    said->failed ? QSystemTrayIcon::Warning
                                                 : QSystemTrayIcon::Information);
        }
    }
    m_last = std::move(now);
    if (m_tray)
        m_tray->setToolTip(trayText(rows));
}

} // namespace tsm
