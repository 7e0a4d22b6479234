#include "support/gui/WidgetDriver.h"

#include "MainWindow.h"
#include "wizard/TaskWizard.h"

#include <ProfileJson.h>
#include <QAbstractButton>
#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLineEdit>
#include <QScrollArea>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

using namespace Qt::StringLiterals;

namespace tsm::test {

void type(QWidget *root, const QString &name, const QString &text)
{
    auto *edit = find<QLineEdit>(root, name);
    QVERIFY2(edit, qPrintable(name));
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Backspace);
    QTest::keyClicks(edit, text);
}

void choose(QWidget *root, const QString &name, const QString &value)
{
    auto *box = find<QComboBox>(root, name);
    QVERIFY2(box, qPrintable(name));
    const int index = box->findData(value) >= 0 ? box->findData(value) : box->findText(value);
    QVERIFY2(index >= 0, qPrintable(name + u": no "_s + value));
    box->setCurrentIndex(index);
}

void click(QWidget *root, const QString &name)
{
    auto *button = find<QAbstractButton>(root, name);
    QVERIFY2(button, qPrintable(name));
    QTest::mouseClick(button, Qt::LeftButton);
}

void trigger(QWidget *root, const QString &name)
{
    auto *action = find<QAction>(root, name);
    QVERIFY2(action, qPrintable(name));
    action->trigger();
}

void screenshot(QWidget *widget, const QString &name, QWidget *showing)
{
    const QString dir = qEnvironmentVariable("TSM_SCREENSHOT_DIR");
    if (dir.isEmpty())
        return;
    QDir().mkpath(dir);
    // Layouts settle in posted events (a section just opened grows the page): the picture
    // shows the window as a person sees it.
    for (int i = 0; i < 3; ++i)
        QCoreApplication::processEvents();
    for (QWidget *parent = showing; parent; parent = parent->parentWidget())
        if (auto *area = qobject_cast<QScrollArea *>(parent)) {
            area->ensureWidgetVisible(showing);
            QCoreApplication::processEvents();
            break;
        }
    QVERIFY2(widget->grab().save(dir + u'/' + name + u".png"_s), qPrintable(name));
}

void triggerOnTask(MainWindow &window, const QString &name, int row)
{
    auto *table = find<QTableView>(&window, u"taskTableView"_s);
    QVERIFY(table);
    table->selectRow(row);
    trigger(&window, name);
}

bool waitForStoreReadings(MainWindow &window, int readings, int timeoutMs)
{
    QSignalSpy shown(&window, &MainWindow::tasksShown);
    return QTest::qWaitFor([&] { return shown.size() >= readings; }, timeoutMs);
}

TaskWizard *importProfile(MainWindow &window, const TaskProfile &profile, const QString &dir)
{
    const QString path = dir + u"/in.json"_s;
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(ProfileJson::toJson(profile, true)) <= 0)
        qWarning("cannot write %s", qPrintable(path));
    file.close();
    MainWindow::chooseFile() = [path](QWidget *, const QString &, bool, const QString &) {
        return path;
    };
    trigger(&window, u"importAction"_s);
    return window.wizard();
}

} // namespace tsm::test
