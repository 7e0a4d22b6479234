#pragma once

#include "TaskListModel.h"

#include <Lease.h>
#include <QHash>
#include <QMainWindow>
#include <QPointer>
#include <QSet>
#include <TaskProfile.h>
#include <functional>

class QAction;
class QSettings;
class QLabel;
class QLineEdit;
class QTableView;
class QThread;

namespace tsm {

class MonitorWindow;
class RunThread;
class SecretStore;
class StoreWorker;
class TaskNotifier;
class TaskWizard;

/**
 * "Data sources": the list of migration tasks with Add, Edit, Duplicate, Start, Pause, Resume,
 * Stop, Delete, Import and Export. Tasks live in the same checkpoint store the CLI uses; each
 * running task has its runner on a thread of its own, and the store is read on a worker thread.
 */
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QString storePath, QWidget *parent = nullptr);
    ~MainWindow() override;

    TaskListModel *model() const { return m_model; }
    /// The wizard currently open, if any (tests drive it).
    TaskWizard *wizard() const { return m_wizard; }
    /// Where passwords and tokens are kept.
    SecretStore *secrets() const { return m_secrets; }
    /// What says when tasks complete or fail (a tray icon where the desktop has one).
    TaskNotifier *notifier() const { return m_notifier; }
    /// The monitor open on a task, if any.
    MonitorWindow *monitor(const QString &taskName) const;

    /// Seams for tests: how questions and file choices are answered.
    static std::function<bool(QWidget *, const QString &title, const QString &text)> &askYesNo();
    /// The file dialog for profiles; `suggested` is the path it proposes when saving.
    static std::function<QString(QWidget *, const QString &title, bool save,
                                 const QString &suggested)> &
    chooseFile();

public Q_SLOTS:
    void addTask();
    void editTask();
    void duplicateTask();
    void startTask();
    void pauseTask();
    void stopTask();
    /// Asks, then forgets the selected task's progress and starts it (tsmigrate-cli run
    /// --restart).
    void restartTask();
    /// Ctrl+F: to the filter box.
    void focusFilter();
    /// Pauses or stops the selected task's run, this app's own or another process's.
    void request(RunRequest request);
    void deleteTask();
    /// Opens (or brings forward) the monitor of the selected task; one per task, several open.
    void openMonitor();
    /// Verifies the selected task off the UI thread, with the engine code of tsmigrate-cli
    /// verify; the result goes to the state file (the list's Status, the monitor's tab).
    void verifyTask();
    /// Migrates the windows of the task's last verification that differ again, then verifies.
    void repairTask(const QString &name);
    void importProfile();
    void exportProfile();

Q_SIGNALS:
    void storeRefreshRequested();
    void saveRequested(const QString &name, const QByteArray &profileJson, const QString &oldName);
    void deleteRequested(const QString &name);
    void runRequested(const QString &name, int request);
    void stopPausedRequested(const QString &name);
    void forgetRequested(const QString &name);
    /// A verification made here ended (`agrees`: every window agrees).
    void verified(const QString &name, bool agrees);
    /// A reading of the store is shown (the list, the actions, the notifications).
    void tasksShown();

private:
    /// `oldName`: the task the wizard's Submit replaces (empty: a new task); `title`: the
    /// window's title where it is not Add or Edit.
    void openWizard(const TaskProfile &profile, const QString &oldName, bool secretsInStore,
                    const QString &title = QString());
    /// "name (what)", or "name (what 2)" and on, whichever no task has.
    QString freeName(const QString &name, const QString &what) const;
    /// The selected task's profile as stored (secrets only where the user chose so).
    std::optional<TaskProfile> selectedProfile() const;
    std::optional<TaskProfile> profileOf(const QString &name) const;
    /// Calls `use` with the selected task's profile and its secrets (from this session, the
    /// store or the keychain, which answers asynchronously).
    void withSelectedSecrets(std::function<void(const TaskProfile &)> use);
    void withSecrets(const QString &name, std::function<void(const TaskProfile &)> use);
    /// Where the app keeps what it remembers between starts: beside the store.
    QSettings &appSettings();
    QString interruptedKey() const;
    /// Tasks that were running when the app last closed: resumed, when the user says so.
    void resumeInterrupted();
    /// Where passwords and tokens of a task saved now will be kept, in words.
    QString secretsNote() const;
    void saveSecrets(const TaskProfile &saved, const QString &oldName, bool inStore);
    /// `repair`: migrate what is pending and end there (Runner::setCatchUpOnly).
    void start(const TaskProfile &profile, bool repair = false);
    void verify(const TaskProfile &profile);
    void exportTo(const TaskProfile &profile);
    QString selectedName() const;
    void updateActions();
    /// Shows `text` in the status bar; `task`: the task it speaks of, shown again when that
    /// task is selected (and cleared when another is).
    void showMessage(const QString &text, const QString &task = QString());
    void showSelectedTaskMessage();
    /// The actions, with their shortcuts, in the toolbar, the menus and the list's context menu.
    void buildActions();
    /// Space in the list: pauses a running task, resumes or starts another.
    void startOrPause();
    /// The filter box above the list, with the list, as the window's centre.
    QWidget *buildCentre();
    /// Hides the rows the filter box does not match.
    void applyFilter();

protected:
    /// Running tasks: asks before quitting.
    void closeEvent(QCloseEvent *event) override;

private:

    QString m_storePath;
    TaskListModel *m_model;
    QTableView *m_table;
    QLineEdit *m_filter = nullptr;
    TaskNotifier *m_notifier = nullptr;
    QLabel *m_status;
    QThread *m_storeThread;
    StoreWorker *m_store;
    TaskWizard *m_wizard = nullptr;
    QHash<QString, RunThread *> m_running; ///< owned; by task name
    QSet<QString> m_verifying;             ///< tasks this app verifies now
    /// Profiles with their secrets for this session (the store keeps them without).
    QHash<QString, TaskProfile> m_sessionProfiles;
    QString m_startWhenSaved; ///< submitted with Submit and Start, not yet in the store
    QString m_selectWhenSaved; ///< submitted, to be selected once in the list
    QHash<QString, QAction *> m_actions;
    QString m_statusTask;                   ///< the task the status bar speaks of now, if one
    QHash<QString, QString> m_taskMessages; ///< each task's last message
    SecretStore *m_secrets;
    QHash<QString, QPointer<MonitorWindow>> m_monitors;
    QSettings *m_settings = nullptr;
    bool m_resumeOffered = false;
};

} // namespace tsm
