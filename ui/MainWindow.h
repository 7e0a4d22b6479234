#pragma once

#include "TaskListModel.h"

#include <Lease.h>
#include <QHash>
#include <QMainWindow>
#include <QPointer>
#include <TaskProfile.h>
#include <functional>

class QAction;
class QSettings;
class QLabel;
class QTableView;
class QThread;

namespace tsm {

class MonitorWindow;
class RunThread;
class SecretStore;
class StoreWorker;
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
    /// The monitor open on a task, if any.
    MonitorWindow *monitor(const QString &taskName) const;

    /// Seams for tests: how questions and file choices are answered.
    static std::function<bool(QWidget *, const QString &title, const QString &text)> &askYesNo();
    static std::function<QString(QWidget *, const QString &title, bool save)> &chooseFile();

public Q_SLOTS:
    void addTask();
    void editTask();
    void duplicateTask();
    void startTask();
    void pauseTask();
    void stopTask();
    /// Pauses or stops the selected task's run, this app's own or another process's.
    void request(RunRequest request);
    void deleteTask();
    /// Opens (or brings forward) the monitor of the selected task; one per task, several open.
    void openMonitor();
    void importProfile();
    void exportProfile();

Q_SIGNALS:
    void storeRefreshRequested();
    void saveRequested(const QString &name, const QByteArray &profileJson, const QString &oldName);
    void deleteRequested(const QString &name);
    void runRequested(const QString &name, int request);

private:
    void openWizard(const TaskProfile &profile, const QString &oldName, bool secretsInStore);
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
    void start(const TaskProfile &profile);
    void exportTo(const TaskProfile &profile);
    QString selectedName() const;
    void updateActions();
    void showMessage(const QString &text);

protected:
    /// Running tasks: asks before quitting.
    void closeEvent(QCloseEvent *event) override;

private:

    QString m_storePath;
    TaskListModel *m_model;
    QTableView *m_table;
    QLabel *m_status;
    QThread *m_storeThread;
    StoreWorker *m_store;
    TaskWizard *m_wizard = nullptr;
    QHash<QString, RunThread *> m_running; ///< owned; by task name
    /// Profiles with their secrets for this session (the store keeps them without).
    QHash<QString, TaskProfile> m_sessionProfiles;
    QHash<QString, QAction *> m_actions;
    SecretStore *m_secrets;
    QHash<QString, QPointer<MonitorWindow>> m_monitors;
    QSettings *m_settings = nullptr;
    bool m_resumeOffered = false;
};

} // namespace tsm
