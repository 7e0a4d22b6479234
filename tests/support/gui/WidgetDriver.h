#pragma once

#include <QString>
#include <QWidget>
#include <TaskProfile.h>

namespace tsm {
class MainWindow;
class TaskWizard;
} // namespace tsm

namespace tsm::test {

/**
 * Drives the real widgets as a person would, by their objectName: finds them, types into line
 * edits, chooses in combo boxes, clicks buttons and triggers actions. A missing widget fails
 * the calling test with its name rather than crashing it.
 */

/// The child of `root` named `name`; null, with a warning naming it, when there is none.
template<typename T> T *find(QWidget *root, const QString &name)
{
    T *child = root->findChild<T *>(name);
    if (!child)
        qWarning("no %s named %s", T::staticMetaObject.className(), qPrintable(name));
    return child;
}

/// Replaces the text of line edit `name` by typing `text` (ASCII: keyClicks sends no other).
void type(QWidget *root, const QString &name, const QString &text);
/// Chooses the item of combo box `name` whose value (item data) or, for plain lists, text is
/// `value`.
void choose(QWidget *root, const QString &name, const QString &value);
/// Clicks button `name` with the left mouse button.
void click(QWidget *root, const QString &name);
/// Triggers action `name`.
void trigger(QWidget *root, const QString &name);

/// Saves a picture of `widget` as `name`.png in $TSM_SCREENSHOT_DIR when it is set; with
/// `showing`, its scroll area is scrolled first so that this child is in view.
void screenshot(QWidget *widget, const QString &name, QWidget *showing = nullptr);

/// Selects row `row` of the main window's task list and triggers action `name` on it.
void triggerOnTask(MainWindow &window, const QString &name, int row = 0);
/// Waits until the main window has shown `readings` more readings of the store (each a whole
/// new reading, so a change the app would show by then is shown); false after `timeoutMs`.
bool waitForStoreReadings(MainWindow &window, int readings = 2, int timeoutMs = 10000);
/// Brings `profile` in through the real Import action, the file chooser answered with a file
/// in `dir`; returns the wizard it opens, still open.
TaskWizard *importProfile(MainWindow &window, const TaskProfile &profile, const QString &dir);

} // namespace tsm::test
