// The task list: tasks survive closing the window (they live in the store), Edit shows every
// saved value, export/import keeps everything but the secrets, Delete asks first.
#include "MainWindow.h"
#include "monitor/MonitorWindow.h"
#include "support/InfluxdFixture.h"
#include "support/TestProfiles.h"
#include "support/TestRecords.h"
#include "support/gui/WidgetDriver.h"
#include "wizard/TaskWizard.h"

#include <CheckpointStore.h>
#include <ProfileJson.h>
#include <ProfileLoader.h>
#include <QAbstractButton>
#include <QAction>
#include <QDir>
#include <QLabel>
#include <QMenu>
#include <QToolBar>
#include <QLineEdit>
#include <QProcess>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>
#include <TaskOptions.h>
#include <TimeText.h>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::test;

namespace {

QByteArray json(const TaskProfile &p)
{
    return ProfileJson::toJson(p, true);
}

} // namespace

/** Persistence of tasks through the real main window. */
class TestTaskList : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void reopenAndEdit()
    {
        QTemporaryDir dir;
        const QString store = dir.filePath(u"tasks.sqlite"_s);
        const TaskProfile profile = fullProfile();
        {
            MainWindow window(store);
            window.show();
            // Bring the task in through Import, then Submit in the wizard it opens.
            QVERIFY(importProfile(window, profile, dir.path()));
            QCOMPARE(json(window.wizard()->profile()), json(profile));
            window.wizard()->accept();
            QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), 1, 10000);
        } // window destroyed

        MainWindow window(store);
        window.show();
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), 1, 10000);
        QCOMPARE(window.model()->row(0)->name, profile.name);
        triggerOnTask(window, u"editAction"_s);
        // The secrets are asked of the keychain first, which answers asynchronously.
        QTRY_VERIFY_WITH_TIMEOUT(window.wizard(), 10000);
        TaskWizard *wizard = window.wizard();
        // Every value as saved; secrets were not stored.
        QCOMPARE(json(wizard->profile()), json(withoutSecrets(profile)));
        QCOMPARE(wizard->findChild<QLineEdit *>(u"nameLineEdit"_s)->text(), profile.name);
        QCOMPARE(wizard->findChild<QLineEdit *>(u"targetDatabaseLineEdit"_s)->text(), u"archive"_s);
        QCOMPARE(wizard->findChild<QSpinBox *>(u"taskWindowMinutesSpinBox"_s)->value(), 15);
        QCOMPARE(wizard->findChild<QLineEdit *>(u"taskStartLineEdit"_s)->text(),
                 profile.task.start);
        QCOMPARE(wizard->findChild<QLineEdit *>(u"sourceAuthPasswordLineEdit"_s)->text(),
                 QString());
        wizard->reject();
    }

    void exportThenImport()
    {
        QTemporaryDir dir;
        MainWindow window(dir.filePath(u"tasks.sqlite"_s));
        window.show();
        const TaskProfile profile = fullProfile();
        const QString out = dir.filePath(u"out.json"_s);
        QVERIFY(importProfile(window, profile, dir.path()));
        window.wizard()->accept();
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), 1, 10000);
        window.findChild<QTableView *>(u"taskTableView"_s)->selectRow(0);
        MainWindow::chooseFile() = [&](QWidget *, const QString &, bool save, const QString &) {
            return save ? out : QString();
        };

        // Without ticking "include secrets".
        MainWindow::askYesNo() = [](QWidget *, const QString &, const QString &) { return false; };
        trigger(&window, u"exportAction"_s);
        QFile exported(out);
        QVERIFY(exported.open(QIODevice::ReadOnly));
        const QByteArray bytes = exported.readAll();
        QVERIFY(!bytes.contains("s3cret"));
        QVERIFY(!bytes.contains("t0ken"));
        const ProfileJson::LoadResult loaded = ProfileJson::fromJson(bytes);
        QVERIFY(loaded.ok());
        QCOMPARE(json(loaded.profile), json(withoutSecrets(profile)));

        // With secrets, only when asked.
        MainWindow::askYesNo() = [](QWidget *, const QString &, const QString &) { return true; };
        trigger(&window, u"exportAction"_s);
        QVERIFY(exported.seek(0));
        exported.close();
        QVERIFY(exported.open(QIODevice::ReadOnly));
        QCOMPARE(ProfileJson::fromJson(exported.readAll()).profile.source.password,
                 profile.source.password);
    }

    void importResolvesPathsAsTheCliDoes()
    {
        // A profile with relative file paths, imported while the working directory is
        // elsewhere: the paths start from the profile's folder, as tsmigrate-cli reads them.
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkpath(u"profiles"_s));
        MainWindow window(dir.filePath(u"tasks.sqlite"_s));
        window.show();
        TaskProfile profile = lpfileToLpfile(u"from a file"_s, u"../data/in.lp"_s, u"out.lp"_s);
        profile.task.start = u"2024-01-01T00:00:00Z"_s;
        const QString in = dir.filePath(u"profiles/in.json"_s);
        QVERIFY(importProfile(window, profile, dir.filePath(u"profiles"_s)));
        const TaskProfile imported = window.wizard()->profile();
        QCOMPARE(imported.source.path, QDir(dir.path()).filePath(u"data/in.lp"_s));
        QCOMPARE(imported.target.path, QDir(dir.path()).filePath(u"profiles/out.lp"_s));
        QCOMPARE(imported.source.path, ProfileJson::readFile(in).profile.source.path);
        // As the CLI's loader reads it (it adds --set, secrets from the environment and
        // validation on top): the same profile.
        const LoadedProfile cli =
            ProfileLoader(ProfileRef::file(in)).withEnvironmentSecrets().validated().load();
        QVERIFY2(cli.ok(), qPrintable(cli.problems.join(u'\n')));
        QCOMPARE(ProfileJson::toJson(imported, false), ProfileJson::toJson(cli.profile, false));
        window.wizard()->reject();
    }

    /// The health a run records shows after the task's state while a run works on it, and not
    /// once it is paused.
    void aRunsHealthFollowsItsState()
    {
        QTemporaryDir dir;
        const QString state = dir.filePath(u"tasks.sqlite"_s);
        CheckpointStore store;
        QVERIFY(store.open(state));
        const qint64 id = *store.saveTask(fullProfile().name, json(fullProfile()));
        QVERIFY(store.setTaskState(id, TaskState::Retrying, u"The target is unreachable"_s));
        QVERIFY(store.setHealth(id, TaskHealth::SinkError,
                                u"the target cannot be reached; trying again"_s));

        MainWindow window(state);
        window.show();
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), 1, 10000);
        const QModelIndex status = window.model()->index(0, TaskListModel::Status);
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->data(status).toString(),
                                  u"retrying · SinkError"_s, 10000);
        QCOMPARE(window.model()->data(status, Qt::ToolTipRole).toString(),
                 u"the target cannot be reached; trying again"_s);

        QVERIFY(store.setTaskState(id, TaskState::Paused));
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->data(status).toString(), u"paused"_s, 10000);
    }

    void aTaskRunningInAnotherProcessIsItsRunsAlone()
    {
        QTemporaryDir dir;
        const QString state = dir.filePath(u"tasks.sqlite"_s);
        // Another process (a live one, not this test) holds the task's lease, as a CLI run does.
        QProcess other;
        other.start(u"sleep"_s, {u"60"_s});
        QVERIFY(other.waitForStarted());
        CheckpointStore store;
        QVERIFY(store.open(state));
        const qint64 id = *store.saveTask(fullProfile().name, json(fullProfile()));
        LeaseHolder cli = Lease::thisRun();
        cli.program = u"tsmigrate-cli"_s;
        cli.pid = other.processId();
        QVERIFY(store.claimLease(id, cli)->granted);

        MainWindow window(state);
        window.show();
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), 1, 10000);
        auto *table = window.findChild<QTableView *>(u"taskTableView"_s);
        table->selectRow(0);
        const QModelIndex status = window.model()->index(0, TaskListModel::Status);
        QTRY_VERIFY_WITH_TIMEOUT(window.model()->data(status).toString().contains(
                                     u"tsmigrate-cli (pid %1)"_s.arg(cli.pid)),
                                 10000);
        auto action = [&](const char *name) {
            return window.findChild<QAction *>(QString::fromLatin1(name));
        };
        QTRY_VERIFY_WITH_TIMEOUT(!action("startAction")->isEnabled(), 10000);
        QVERIFY(!action("editAction")->isEnabled());
        QVERIFY(!action("deleteAction")->isEnabled());
        QVERIFY(action("editAction")->toolTip().contains(u"pid %1"_s.arg(cli.pid)));
        // Stop reaches that run through the state file.
        QVERIFY(action("stopAction")->isEnabled());
        action("stopAction")->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(store.lease(id)->request, RunRequest::Stop, 10000);

        // Its process gone, the task is the app's again.
        other.kill();
        QVERIFY(other.waitForFinished());
        QTRY_VERIFY_WITH_TIMEOUT(action("startAction")->isEnabled(), 10000);
        QVERIFY(action("deleteAction")->isEnabled());
        QVERIFY(!window.model()->data(status).toString().contains(u"tsmigrate-cli"_s));
    }

    void quittingAsksFirstAndTheNextStartResumes()
    {
        TSM_SKIP_WITHOUT_INFLUXD();
        test::InfluxdFixture influx;
        QVERIFY2(influx.start(), qPrintable(influx.errorString()));
        QVERIFY(influx.query(u"CREATE DATABASE src"_s));
        QTemporaryDir dir;
        const QString state = dir.filePath(u"tasks.sqlite"_s);
        TaskProfile profile =
            test::influxToInflux(u"follows"_s, influx.url(), u"src"_s, influx.url(), u"dst"_s);
        profile.task.mode = u"realtime"_s; // runs until paused
        {
            CheckpointStore store;
            QVERIFY(store.open(state));
            QVERIFY(store.saveTask(profile.name, json(profile)));
        }
        auto stateOf = [](MainWindow &window) {
            return window.model()->rowCount() > 0 ? window.model()->row(0)->state : QString();
        };
        {
            MainWindow window(state);
            window.show();
            QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), 1, 10000);
            triggerOnTask(window, u"startAction"_s);
            QTRY_COMPARE_WITH_TIMEOUT(stateOf(window), u"running"_s, 20000);

            QString asked;
            MainWindow::askYesNo() = [&](QWidget *, const QString &, const QString &text) {
                asked = text;
                return false;
            };
            QVERIFY(!window.close()); // refused: the task keeps running
            QVERIFY2(asked.contains(u"follows"_s), qPrintable(asked));
            QVERIFY(window.isVisible());
            MainWindow::askYesNo() = [](QWidget *, const QString &, const QString &) {
                return true;
            };
            QVERIFY(window.close());
        } // the run pauses with the window; the app remembers it was running
        {
            CheckpointStore store;
            QVERIFY(store.open(state, CheckpointStore::Mode::ReadOnly));
            QCOMPARE(store.task(profile.name)->state, TaskState::Paused);
        }
        QString asked;
        MainWindow::askYesNo() = [&](QWidget *, const QString &, const QString &text) {
            asked = text;
            return true;
        };
        {
            MainWindow window(state);
            window.show();
            QTRY_VERIFY_WITH_TIMEOUT(asked.contains(u"Resume them now?"_s), 10000);
            QVERIFY(asked.contains(u"follows"_s));
            QTRY_COMPARE_WITH_TIMEOUT(stateOf(window), u"running"_s, 20000);
        }
        // The answer is kept: the next start resumes without asking.
        int asks = 0;
        MainWindow::askYesNo() = [&](QWidget *, const QString &, const QString &) {
            ++asks;
            return false;
        };
        MainWindow window(state);
        window.show();
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(window), u"running"_s, 20000);
        QCOMPARE(asks, 0);
    }

    /// Editing a task that has run says, before Submit, what its next Start will do with the
    /// range as edited: nothing again, only what is not done yet, or (a file) a refusal.
    void editingARunTaskSaysWhatTheNextStartDoes()
    {
        QTemporaryDir dir;
        const QString state = dir.filePath(u"tasks.sqlite"_s);
        TaskProfile profile = test::fullProfile();
        profile.task.start = u"2024-01-01T00:00:00Z"_s;
        profile.task.end = u"2024-01-02T00:00:00Z"_s;
        profile.task.timeZone = u"UTC"_s;
        profile.task.mode = u"history"_s;
        TaskProfile file = test::lpfileSince2020(u"file"_s, dir.filePath(u"in.lp"_s),
                                                 dir.filePath(u"out.lp"_s));
        file.task.start = profile.task.start;
        file.task.end = profile.task.end;
        file.task.timeZone = u"UTC"_s;
        {
            CheckpointStore store;
            QVERIFY(store.open(state));
            for (const TaskProfile &p : {profile, file}) {
                const qint64 id = *store.saveTask(p.name, json(p));
                QVERIFY(store.setPlan(id, true, *TimeText::parse(p.task.start, u"UTC"_s),
                                      *TimeText::parse(p.task.end, u"UTC"_s)));
                UnitRecord unit = test::unit(u"cpu"_s, *TimeText::parse(p.task.start, u"UTC"_s),
                                             *TimeText::parse(p.task.end, u"UTC"_s));
                unit.status = UnitStatus::Done;
                QCOMPARE(store.addUnits(id, {unit}), 1);
                QVERIFY(store.setTaskState(id, TaskState::Completed));
            }
        }
        MainWindow window(state);
        window.show();
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), 2, 10000);
        auto nextStart = [&](const QString &task, const QString &end) {
            auto *table = window.findChild<QTableView *>(u"taskTableView"_s);
            table->selectRow(window.model()->indexOf(task));
            trigger(&window, u"editAction"_s);
            if (!QTest::qWaitFor([&] { return window.wizard() != nullptr; }, 10000))
                return u"(no wizard)"_s;
            TaskWizard *wizard = window.wizard();
            wizard->setProfileOption(u"task.end"_s, end);
            wizard->setCurrentId(TaskWizard::SummaryPage);
            auto *label = wizard->findChild<QLabel *>(u"nextStartLabel"_s);
            const QString text = label->isVisible() ? label->text() : QString();
            TaskWizard::confirmDiscard() = [](QWidget *) { return true; };
            wizard->reject();
            if (!QTest::qWaitFor([&] { return window.wizard() == nullptr; }, 10000))
                return u"(the wizard stayed open)"_s;
            return text;
        };
        const QString same = nextStart(profile.name, profile.task.end);
        QVERIFY2(same.contains(u"reads nothing"_s) && same.contains(u"Run Again"_s),
                 qPrintable(same));
        const QString later = nextStart(profile.name, u"2024-01-03T00:00:00Z"_s);
        QVERIFY2(later.contains(u"2024-01-01T00:00:00Z .. 2024-01-03T00:00:00Z anew"_s) &&
                     later.contains(u"1 read unit done"_s) &&
                     later.contains(u"not read again"_s),
                 qPrintable(later));
        const QString fileLater = nextStart(file.name, u"2024-01-03T00:00:00Z"_s);
        QVERIFY2(fileLater.contains(u"will refuse"_s), qPrintable(fileLater));
    }

    /// Files get the name the user means: an exported profile ends in .json (so Import's filter
    /// shows it), named after the task beside the state file by default; a profile without
    /// secrets exports without the secrets question. Tasks keep theirs: importing a profile
    /// whose name exists asks before replacing, and Duplicate says what it is and that the copy
    /// writes the same file; a name another task has is refused in the wizard.
    void filesAndNamesAreNotTakenSilently()
    {
        QTemporaryDir dir;
        MainWindow window(dir.filePath(u"tasks.sqlite"_s));
        window.show();
        const QString out = dir.filePath(u"out.lp"_s);
        QVERIFY(importProfile(window, lpfileToLpfile(u"files"_s, dir.filePath(u"in.lp"_s), out),
                              dir.path()));
        window.wizard()->accept();
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), 1, 10000);

        QString suggested;
        bool asked = false;
        MainWindow::chooseFile() = [&](QWidget *, const QString &, bool save, const QString &s) {
            suggested = s;
            return save ? dir.filePath(u"exported"_s) : QString();
        };
        MainWindow::askYesNo() = [&](QWidget *, const QString &, const QString &) {
            asked = true;
            return false;
        };
        triggerOnTask(window, u"exportAction"_s);
        QCOMPARE(suggested, dir.filePath(u"files.json"_s));
        QVERIFY(QFile::exists(dir.filePath(u"exported.json"_s)));
        QVERIFY(!QFile::exists(dir.filePath(u"exported"_s)));
        QVERIFY(!asked); // nothing secret to include

        // Importing "files" again: asked; No keeps the task and imports under a new name.
        QString question;
        MainWindow::askYesNo() = [&](QWidget *, const QString &, const QString &text) {
            question = text;
            return false;
        };
        MainWindow::chooseFile() = [&](QWidget *, const QString &, bool, const QString &) {
            return dir.filePath(u"exported.json"_s);
        };
        trigger(&window, u"importAction"_s);
        QVERIFY2(question.contains(u"\"files\" exists"_s), qPrintable(question));
        QVERIFY(window.wizard());
        QCOMPARE(window.wizard()->profile().name, u"files (imported)"_s);
        window.wizard()->accept();
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), 2, 10000);
        // Yes replaces that task's settings: still two tasks.
        MainWindow::askYesNo() = [](QWidget *, const QString &, const QString &) { return true; };
        trigger(&window, u"importAction"_s);
        QVERIFY(window.wizard());
        QCOMPARE(window.wizard()->profile().name, u"files"_s);
        QVERIFY(window.wizard()->errorsFor({u"name"_s}).isEmpty());
        window.wizard()->accept();
        QVERIFY(waitForStoreReadings(window));
        QCOMPARE(window.model()->rowCount(), 2);

        // Duplicate: its own title, the shared target file said, a taken name refused.
        triggerOnTask(window, u"duplicateAction"_s, window.model()->indexOf(u"files"_s));
        QTRY_VERIFY_WITH_TIMEOUT(window.wizard(), 10000);
        TaskWizard *wizard = window.wizard();
        QCOMPARE(wizard->windowTitle(), u"Duplicate Data Source"_s);
        QCOMPARE(wizard->profile().name, u"files (copy)"_s);
        auto *notice = find<QLabel>(wizard, u"pageNoticeLabel"_s);
        QVERIFY(notice && notice->isVisibleTo(wizard));
        QVERIFY2(notice->text().contains(out), qPrintable(notice->text()));
        type(wizard, u"nameLineEdit"_s, u"files"_s);
        QVERIFY(!wizard->button(QWizard::NextButton)->isEnabled());
        QTRY_COMPARE(find<QLabel>(wizard, u"nameErrorLabel"_s)->text(),
                     u"A task named \"files\" exists: choose another name"_s);
        type(wizard, u"nameLineEdit"_s, u"files 2"_s);
        QVERIFY(wizard->button(QWizard::NextButton)->isEnabled());
        wizard->reject();

        // The status bar speaks of the selected task: selecting another task shows that task's
        // last message instead, and the first comes back with its task.
        auto *status = find<QLabel>(&window, u"statusLabel"_s);
        MainWindow::chooseFile() = [&](QWidget *, const QString &, bool, const QString &) {
            return dir.filePath(u"again.json"_s);
        };
        triggerOnTask(window, u"exportAction"_s, window.model()->indexOf(u"files"_s));
        QVERIFY2(status->text().startsWith(u"Exported \"files\""_s), qPrintable(status->text()));
        find<QTableView>(&window, u"taskTableView"_s)
            ->selectRow(window.model()->indexOf(u"files (imported)"_s));
        QCOMPARE(status->text(), u"Saved \"files (imported)\"."_s);
        find<QTableView>(&window, u"taskTableView"_s)
            ->selectRow(window.model()->indexOf(u"files"_s));
        QVERIFY(status->text().startsWith(u"Exported \"files\""_s));
    }

    /// The list is driven from the keyboard: Ctrl+N adds, F2 edits, Space starts, Enter opens
    /// the monitor, Delete asks; every command is in the Task menu and in the list's context
    /// menu, and Help has the documentation and About.
    void theListIsDrivenByKeys()
    {
        QTemporaryDir dir;
        MainWindow window(dir.filePath(u"tasks.sqlite"_s));
        window.show();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QFile input(dir.filePath(u"in.lp"_s));
        QVERIFY(input.open(QIODevice::WriteOnly));
        input.write("m,t=a v=1i 1700000000000000000\nm,t=a v=2i 1700000000001000000\n");
        input.close();
        TaskProfile profile =
            lpfileToLpfile(u"keys"_s, input.fileName(), dir.filePath(u"out.lp"_s));
        profile.task.start = u"2023-01-01T00:00:00Z"_s;
        QVERIFY(importProfile(window, profile, dir.path()));
        window.wizard()->accept();
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), 1, 10000);
        auto *table = find<QTableView>(&window, u"taskTableView"_s);
        // Keys go to the list of the active window, as a person's would.
        const auto focusList = [&] {
            QTRY_VERIFY(!window.wizard());
            window.activateWindow();
            QVERIFY(QTest::qWaitForWindowActive(&window));
            table->setFocus();
            table->selectRow(0);
        };
        focusList();

        QTest::keyClick(table, Qt::Key_N, Qt::ControlModifier);
        QTRY_VERIFY(window.wizard());
        QCOMPARE(window.wizard()->windowTitle(), u"Add Data Source"_s);
        window.wizard()->reject();
        focusList();

        QTest::keyClick(table, Qt::Key_F2);
        QTRY_VERIFY_WITH_TIMEOUT(window.wizard(), 10000);
        QCOMPARE(window.wizard()->profile().name, u"keys"_s);
        window.wizard()->reject();
        focusList();

        QTest::keyClick(table, Qt::Key_Space);
        QTRY_VERIFY2_WITH_TIMEOUT(window.model()->row(0)->state == u"completed"_s,
                                  qPrintable(window.model()->row(0)->state + u": "_s +
                                             window.model()->row(0)->lastError),
                                  30000);

        QTest::keyClick(table, Qt::Key_Return);
        QTRY_VERIFY(window.monitor(u"keys"_s));
        window.monitor(u"keys"_s)->close();
        focusList();

        QString asked;
        MainWindow::askYesNo() = [&](QWidget *, const QString &, const QString &text) {
            asked = text;
            return false;
        };
        QTest::keyClick(table, Qt::Key_Delete);
        QVERIFY2(asked.contains(u"keys"_s), qPrintable(asked));

        // Menus: every toolbar command in Task, the task's commands in the context menu.
        auto *taskMenu = find<QMenu>(&window, u"taskMenu"_s);
        QVERIFY(taskMenu);
        for (QAction *action : find<QToolBar>(&window, u"tasksToolBar"_s)->actions())
            if (!action->isSeparator())
                QVERIFY2(taskMenu->actions().contains(action), qPrintable(action->objectName()));
        QCOMPARE(table->contextMenuPolicy(), Qt::ActionsContextMenu);
        QVERIFY(table->actions().contains(find<QAction>(&window, u"startAction"_s)));
        QVERIFY(find<QAction>(&window, u"aboutAction"_s));
        QVERIFY(find<QAction>(&window, u"documentationAction"_s));
    }

    /// Clear commands: a task offers Start or Resume, never both (an interrupted one resumes),
    /// and a paused task can be stopped, so it is no longer offered for resuming.
    void commandsFitTheTaskState()
    {
        QTemporaryDir dir;
        const QString state = dir.filePath(u"tasks.sqlite"_s);
        {
            CheckpointStore store;
            QVERIFY(store.open(state));
            const QList<QPair<QString, TaskState>> tasks = {{u"new"_s, TaskState::Idle},
                                                            {u"paused"_s, TaskState::Paused},
                                                            {u"stopped"_s, TaskState::Stopped},
                                                            {u"failed"_s, TaskState::Failed},
                                                            {u"done"_s, TaskState::Completed}};
            for (const auto &[name, taskState] : tasks) {
                TaskProfile profile = fullProfile();
                profile.name = name;
                const qint64 id = *store.saveTask(name, json(profile));
                QVERIFY(store.setTaskState(id, taskState));
            }
        }
        MainWindow window(state);
        window.show();
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), 5, 10000);
        auto *table = find<QTableView>(&window, u"taskTableView"_s);
        auto enabled = [&](const QString &action) {
            return find<QAction>(&window, action)->isEnabled();
        };
        for (const QString &name : {u"new"_s, u"done"_s}) {
            table->selectRow(window.model()->indexOf(name));
            QVERIFY2(enabled(u"startAction"_s) && !enabled(u"resumeAction"_s), qPrintable(name));
            QVERIFY(!enabled(u"stopAction"_s));
        }
        for (const QString &name : {u"paused"_s, u"stopped"_s, u"failed"_s}) {
            table->selectRow(window.model()->indexOf(name));
            QVERIFY2(!enabled(u"startAction"_s) && enabled(u"resumeAction"_s), qPrintable(name));
            QCOMPARE(enabled(u"stopAction"_s), name == u"paused"_s);
        }
        table->selectRow(window.model()->indexOf(u"paused"_s));
        trigger(&window, u"stopAction"_s);
        QTRY_COMPARE_WITH_TIMEOUT(
            window.model()->row(window.model()->indexOf(u"paused"_s))->taskState,
            TaskState::Stopped, 10000);
        QTRY_VERIFY(!enabled(u"stopAction"_s));
    }

    void deleteAsksFirst()
    {
        QTemporaryDir dir;
        MainWindow window(dir.filePath(u"tasks.sqlite"_s));
        window.show();
        QVERIFY(importProfile(window, fullProfile(), dir.path()));
        window.wizard()->accept();
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), 1, 10000);
        window.findChild<QTableView *>(u"taskTableView"_s)->selectRow(0);

        QString asked;
        MainWindow::askYesNo() = [&](QWidget *, const QString &, const QString &text) {
            asked = text;
            return false;
        };
        trigger(&window, u"deleteAction"_s);
        QVERIFY(asked.contains(fullProfile().name));
        QVERIFY(waitForStoreReadings(window));
        QCOMPARE(window.model()->rowCount(), 1); // said no: kept
        MainWindow::askYesNo() = [](QWidget *, const QString &, const QString &) { return true; };
        trigger(&window, u"deleteAction"_s);
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), 0, 10000);
    }
};

QTEST_MAIN(TestTaskList)
#include "test_tasklist.moc"
