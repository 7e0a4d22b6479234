#include "MainWindow.h"

#include "BackgroundCall.h"
#include "FileNames.h"
#include "StoreWorker.h"
#include "TaskNotifier.h"
#include "UiLog.h"
#include "monitor/MonitorWindow.h"
#include "run/RunThread.h"
#include "run/Verifier.h"
#include "secrets/SecretStore.h"
#include "wizard/TaskWizard.h"

#include <Counted.h>
#include <Kinds.h>
#include <LogLevels.h>
#include <ProfileJson.h>
#include <ProfileLoader.h>
#include <QAction>
#include <QCloseEvent>
#include <QCoreApplication>
#include <QDesktopServices>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QScreen>
#include <QSettings>
#include <QStatusBar>
#include <QTableView>
#include <QThread>
#include <QTimer>
#include <QToolBar>
#include <QUrl>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace tsm {

std::function<bool(QWidget *, const QString &, const QString &)> &MainWindow::askYesNo()
{
    static std::function<bool(QWidget *, const QString &, const QString &)> ask =
        [](QWidget *parent, const QString &title, const QString &text) {
            return QMessageBox::question(parent, title, text, QMessageBox::Yes | QMessageBox::No,
                                         QMessageBox::No) == QMessageBox::Yes;
        };
    return ask;
}

std::function<QString(QWidget *, const QString &, bool, const QString &)> &MainWindow::chooseFile()
{
    static std::function<QString(QWidget *, const QString &, bool, const QString &)> choose =
        [](QWidget *parent, const QString &title, bool save, const QString &suggested) {
            const QString filter = MainWindow::tr("Task profiles (*.json)");
            return save ? QFileDialog::getSaveFileName(parent, title, suggested, filter)
                        : QFileDialog::getOpenFileName(parent, title, suggested, filter);
        };
    return choose;
}

MainWindow::MainWindow(QString storePath, QWidget *parent)
    : QMainWindow(parent), m_storePath(std::move(storePath))
{
    setObjectName(u"mainWindow"_s);
    setWindowTitle(tr("tsmigrate — Data Sources"));
    m_model = new TaskListModel(this);
    setCentralWidget(buildCentre());

    buildActions();

    m_status = new QLabel(this);
    m_status->setObjectName(u"statusLabel"_s);
    statusBar()->addWidget(m_status, 1);

    m_storeThread = new QThread(this);
    m_storeThread->setObjectName(u"tsm-store"_s);
    m_store = new StoreWorker(m_storePath);
    m_store->moveToThread(m_storeThread);
    connect(m_storeThread, &QThread::finished, m_store, &QObject::deleteLater);
    connect(this, &MainWindow::storeRefreshRequested, m_store, &StoreWorker::refresh);
    connect(this, &MainWindow::saveRequested, m_store, &StoreWorker::saveTask);
    connect(this, &MainWindow::deleteRequested, m_store, &StoreWorker::deleteTask);
    connect(this, &MainWindow::runRequested, m_store, &StoreWorker::requestRun);
    connect(this, &MainWindow::stopPausedRequested, m_store, &StoreWorker::stopPaused);
    connect(this, &MainWindow::forgetRequested, m_store, &StoreWorker::forgetProgress);
    connect(m_store, &StoreWorker::progressForgotten, this, [this](const QString &name) {
        withSecrets(name, [this](const TaskProfile &profile) { start(profile); });
    });
    m_notifier = new TaskNotifier(this);
    connect(m_store, &StoreWorker::tasksLoaded, this, [this](const QList<TaskRow> &rows) {
        QString selected = selectedName();
        m_model->setRows(rows);
        // A task just submitted is the one selected, so Enter opens its monitor.
        if (m_model->indexOf(m_selectWhenSaved) >= 0)
            selected = std::exchange(m_selectWhenSaved, QString());
        applyFilter();
        const int row = m_model->indexOf(selected);
        if (row >= 0 && m_table->currentIndex().row() != row && !m_table->isRowHidden(row))
            m_table->selectRow(row);
        updateActions();
        // Submit and Start: the task starts once the store has it.
        if (!m_startWhenSaved.isEmpty() && m_model->indexOf(m_startWhenSaved) >= 0)
            withSecrets(std::exchange(m_startWhenSaved, QString()),
                        [this](const TaskProfile &profile) { start(profile); });
        m_notifier->update(rows);
        if (!m_resumeOffered) {
            m_resumeOffered = true;
            resumeInterrupted();
        }
        Q_EMIT tasksShown();
    });
    connect(m_store, &StoreWorker::failed, this, [this](const QString &text) { showMessage(text); });
    m_storeThread->start();
    QMetaObject::invokeMethod(m_store, &StoreWorker::open, Qt::QueuedConnection);

    auto *refresh = new QTimer(this);
    connect(refresh, &QTimer::timeout, this, &MainWindow::storeRefreshRequested);
    refresh->start(1000);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::updateActions);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::showSelectedTaskMessage);

    m_secrets = new SecretStore(m_storePath, this);
    connect(m_secrets, &SecretStore::availabilityKnown, this, [this] {
        if (m_secrets->availability() == SecretStore::Availability::Unavailable)
            showMessage(tr("No system keychain is available (%1): passwords and tokens are kept "
                           "only while tsmigrate runs, unless a task is saved with \"Keep "
                           "passwords and tokens in the task store\".")
                            .arg(m_secrets->unavailableReason()));
    });
    m_secrets->probe();
    connect(m_table, &QTableView::doubleClicked, this, &MainWindow::openMonitor);
    // 1000 x 480, or less on a small screen (a laptop at 150% scale is 682 x 466 logical pixels).
    QSize size(1000, 480);
    if (const QScreen *shown = screen())
        size = size.boundedTo(shown->availableGeometry().size() * 0.95);
    resize(size);
    updateActions();
    // Keys go to the list first (Space, Enter, Delete), not to the filter box above it.
    m_table->setFocus();
}

MainWindow::~MainWindow()
{
    // Each run is paused and its thread waited for as it goes; the next start may resume them.
    if (!m_running.isEmpty())
        appSettings().setValue(interruptedKey(), QStringList(m_running.keys()));
    qDeleteAll(m_running);
    m_storeThread->quit();
    m_storeThread->wait();
}

QWidget *MainWindow::buildCentre()
{
    auto *centre = new QWidget(this);
    auto *layout = new QVBoxLayout(centre);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    m_filter = new QLineEdit(centre);
    m_filter->setObjectName(u"taskFilterLineEdit"_s);
    m_filter->setClearButtonEnabled(true);
    m_filter->setPlaceholderText(
        tr("Filter by name, kind, host, database or file (%1)")
            .arg(QKeySequence(QKeySequence::Find).toString(QKeySequence::NativeText)));
    connect(m_filter, &QLineEdit::textChanged, this, &MainWindow::applyFilter);
    layout->addWidget(m_filter);
    m_table = new QTableView(centre);
    m_table->setObjectName(u"taskTableView"_s);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setWordWrap(false);
    m_table->setAlternatingRowColors(true);
    layout->addWidget(m_table);
    // Enter or Down in the filter box goes on to the tasks it leaves.
    connect(m_filter, &QLineEdit::returnPressed, m_table, [this] {
        m_table->setFocus();
        if (!m_table->selectionModel()->hasSelection())
            for (int row = 0; row < m_model->rowCount(); ++row)
                if (!m_table->isRowHidden(row)) {
                    m_table->selectRow(row);
                    break;
                }
    });
    return centre;
}

void MainWindow::applyFilter()
{
    const QString filter = m_filter->text();
    for (int row = 0; row < m_model->rowCount(); ++row)
        m_table->setRowHidden(row, !TaskListModel::matches(*m_model->row(row), filter));
    // A task the filter hides is no longer the one the commands act on.
    const int current = m_table->currentIndex().row();
    if (current >= 0 && m_table->isRowHidden(current)) {
        m_table->clearSelection();
        m_table->setCurrentIndex(QModelIndex());
    }
}

void MainWindow::focusFilter()
{
    m_filter->setFocus(Qt::ShortcutFocusReason);
    m_filter->selectAll();
}

QString MainWindow::selectedName() const
{
    const TaskRow *row = m_model->row(m_table->currentIndex().row());
    return row && m_table->selectionModel()->hasSelection() ? row->name : QString();
}

std::optional<TaskProfile> MainWindow::selectedProfile() const
{
    return profileOf(selectedName());
}

std::optional<TaskProfile> MainWindow::profileOf(const QString &name) const
{
    if (name.isEmpty())
        return std::nullopt;
    if (m_sessionProfiles.contains(name))
        return m_sessionProfiles.value(name);
    const TaskRow *row = m_model->row(m_model->indexOf(name));
    if (!row)
        return std::nullopt;
    return ProfileJson::fromJson(row->profileJson).profile;
}

void MainWindow::withSelectedSecrets(std::function<void(const TaskProfile &)> use)
{
    withSecrets(selectedName(), std::move(use));
}

void MainWindow::withSecrets(const QString &name, std::function<void(const TaskProfile &)> use)
{
    const auto profile = profileOf(name);
    if (!profile)
        return;
    if (m_sessionProfiles.contains(profile->name) || ProfileJson::hasSecrets(*profile) ||
        m_secrets->availability() == SecretStore::Availability::Unavailable)
        return use(*profile);
    m_secrets->read(profile->name, this,
                    [this, profile = *profile, use = std::move(use)](
                        const SecretStore::Secrets &secrets, const QString &error) mutable {
                        if (!error.isEmpty())
                            showMessage(tr("Cannot read the passwords and tokens of \"%1\" from "
                                           "the system keychain: %2")
                                            .arg(profile.name, error));
                        SecretStore::applySecrets(secrets, profile);
                        if (!secrets.isEmpty())
                            m_sessionProfiles.insert(profile.name, profile);
                        use(profile);
                    });
}

QString MainWindow::secretsNote() const
{
    switch (m_secrets->availability()) {
    case SecretStore::Availability::Available:
        return tr("Passwords and tokens are kept in the system keychain.");
    case SecretStore::Availability::Unavailable:
        return tr("No system keychain is available (%1): passwords and tokens are kept only "
                  "while tsmigrate runs, unless you keep them in the task store below.")
            .arg(m_secrets->unavailableReason());
    case SecretStore::Availability::Unknown:
        break;
    }
    return tr("Passwords and tokens go to the system keychain when one is available.");
}

void MainWindow::saveSecrets(const TaskProfile &saved, const QString &oldName, bool inStore)
{
    if (!oldName.isEmpty() && oldName != saved.name)
        m_secrets->remove(oldName);
    const SecretStore::Secrets secrets = SecretStore::secretsOf(saved);
    if (inStore || secrets.isEmpty()) {
        m_secrets->remove(saved.name);
        showMessage(inStore && !secrets.isEmpty()
                        ? tr("Saved \"%1\" with its passwords and tokens in the task store.")
                              .arg(saved.name)
                        : tr("Saved \"%1\".").arg(saved.name),
                    saved.name);
        return;
    }
    if (m_secrets->availability() != SecretStore::Availability::Available) {
        showMessage(tr("Saved \"%1\". No system keychain is available (%2): its passwords and "
                       "tokens are kept only while tsmigrate runs.")
                        .arg(saved.name, m_secrets->unavailableReason()),
                    saved.name);
        return;
    }
    const QString name = saved.name;
    m_secrets->write(name, secrets, this, [this, name](const QString &error) {
        showMessage(
            error.isEmpty()
                ? tr("Saved \"%1\"; its passwords and tokens are in the system keychain.").arg(name)
                : tr("Saved \"%1\", but the system keychain refused its passwords and "
                     "tokens (%2): they are kept only while tsmigrate runs.")
                      .arg(name, error),
            name);
    });
}

void MainWindow::updateActions()
{
    const QString name = selectedName();
    const TaskRow *row = m_model->row(m_model->indexOf(name));
    const bool selected = row != nullptr;
    const bool running = m_running.contains(name);
    // A run of another process (the CLI, another window) owns the task while it works.
    const bool elsewhere = row && row->runningElsewhere;
    const bool busy = running || elsewhere;
    const TaskState state = row ? row->taskState : TaskState::Idle;
    const QString busyWhy = elsewhere ? tr("Running in %1; pause or stop it first")
                                            .arg(row->runningElsewhere->describe())
                                      : tr("Pause or stop the task to edit, start or delete it");
    auto enable = [&](const QString &action, bool on, const QString &why, const QString &tip) {
        m_actions[action]->setEnabled(on);
        m_actions[action]->setToolTip(busy && selected ? why : tip);
    };
    enable(u"editAction"_s, selected && !busy, busyWhy, tr("Edit the task"));
    m_actions[u"duplicateAction"_s]->setEnabled(selected);
    // One of Start and Resume: a task that ran and was interrupted resumes where it stopped.
    const bool interrupted = state == TaskState::Paused || state == TaskState::Stopped ||
                             state == TaskState::Failed;
    enable(u"startAction"_s, selected && !busy && !interrupted, busyWhy, tr("Start the task"));
    enable(u"resumeAction"_s, selected && !busy && interrupted, busyWhy,
           tr("Resume the task where it stopped"));
    // Run again from the beginning: for a task that has done something to forget.
    enable(u"restartAction"_s,
           selected && !busy && (state != TaskState::Idle || row->pointsWritten > 0), busyWhy,
           tr("Forget the task's progress and run it again from the beginning"));
    m_actions[u"pauseAction"_s]->setEnabled(busy);
    // A paused task can be stopped too, so that it is not offered for resuming.
    m_actions[u"stopAction"_s]->setEnabled(busy || (selected && state == TaskState::Paused));
    enable(u"deleteAction"_s, selected && !busy, busyWhy, tr("Delete the task"));
    m_actions[u"exportAction"_s]->setEnabled(selected);
    m_actions[u"openMonitorAction"_s]->setEnabled(selected);
    enable(u"verifyAction"_s,
           selected && !busy && !m_verifying.contains(name) && row->pointsWritten > 0, busyWhy,
           tr("Count each window of the task in the source and the target"));
}

void MainWindow::buildActions()
{
    // Every command is an action with its shortcut, in the toolbar, the menus and the list's
    // context menu, so the whole window can be driven from the keyboard.
    auto *toolbar = addToolBar(tr("Tasks"));
    toolbar->setObjectName(u"tasksToolBar"_s);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    QMenu *taskMenu = menuBar()->addMenu(tr("&Task"));
    taskMenu->setObjectName(u"taskMenu"_s);
    auto add = [&](const QString &name, const QString &text, void (MainWindow::*slot)(),
                   const QKeySequence &keys = {}, bool inToolbar = true) {
        auto *action = new QAction(text, this);
        action->setObjectName(name);
        action->setShortcut(keys);
        if (!keys.isEmpty())
            action->setToolTip(u"%1 (%2)"_s.arg(QString(text).remove(u'&'),
                                                keys.toString(QKeySequence::NativeText)));
        connect(action, &QAction::triggered, this, slot);
        m_actions.insert(name, action);
        if (inToolbar)
            toolbar->addAction(action);
        taskMenu->addAction(action);
        return action;
    };
    auto separate = [&] {
        toolbar->addSeparator();
        taskMenu->addSeparator();
    };
    add(u"addDataSourceAction"_s, tr("+ Add Data Source"), &MainWindow::addTask,
        QKeySequence::New);
    add(u"editAction"_s, tr("Edit"), &MainWindow::editTask, Qt::Key_F2);
    add(u"duplicateAction"_s, tr("Duplicate"), &MainWindow::duplicateTask,
        QKeySequence(Qt::CTRL | Qt::Key_D));
    separate();
    add(u"startAction"_s, tr("Start"), &MainWindow::startTask);
    add(u"pauseAction"_s, tr("Pause"), &MainWindow::pauseTask);
    add(u"resumeAction"_s, tr("Resume"), &MainWindow::startTask);
    add(u"stopAction"_s, tr("Stop"), &MainWindow::stopTask);
    add(u"startPauseAction"_s, tr("Start or Pause"), &MainWindow::startOrPause, Qt::Key_Space,
        false);
    add(u"restartAction"_s, tr("Run Again from the Beginning…"), &MainWindow::restartTask, {},
        false);
    add(u"openMonitorAction"_s, tr("Monitor"), &MainWindow::openMonitor,
        QKeySequence(Qt::CTRL | Qt::Key_M));
    add(u"verifyAction"_s, tr("Verify"), &MainWindow::verifyTask);
    separate();
    add(u"deleteAction"_s, tr("Delete"), &MainWindow::deleteTask, QKeySequence::Delete);
    add(u"filterAction"_s, tr("Filter Tasks"), &MainWindow::focusFilter, QKeySequence::Find, false);
    separate();
    add(u"importAction"_s, tr("Import Profile…"), &MainWindow::importProfile,
        QKeySequence::Open);
    add(u"exportAction"_s, tr("Export Profile…"), &MainWindow::exportProfile,
        QKeySequence(Qt::CTRL | Qt::Key_E));
    taskMenu->addSeparator();
    QAction *quit = taskMenu->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    quit->setObjectName(u"quitAction"_s);

    // The list: its context menu holds what applies to a task; Enter (or a double click)
    // opens the task's monitor.
    for (const QString &name :
         {u"editAction"_s, u"duplicateAction"_s, u"startAction"_s, u"pauseAction"_s,
          u"resumeAction"_s, u"stopAction"_s, u"restartAction"_s, u"openMonitorAction"_s,
          u"verifyAction"_s, u"exportAction"_s, u"deleteAction"_s})
        m_table->addAction(m_actions.value(name));
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    connect(m_table, &QTableView::activated, this, &MainWindow::openMonitor);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->setObjectName(u"helpMenu"_s);
    QAction *docs = help->addAction(tr("&Documentation"), QKeySequence::HelpContents, this, [] {
        // The README the package installs beside the program (…/share/doc/tsmigrate).
        const QString readme = QDir(QCoreApplication::applicationDirPath())
                                   .filePath(u"../share/doc/tsmigrate/README.md"_s);
        QDesktopServices::openUrl(QUrl::fromLocalFile(QDir::cleanPath(readme)));
    });
    docs->setObjectName(u"documentationAction"_s);
    QAction *about = help->addAction(tr("&About tsmigrate"), this, [this] {
        QMessageBox::about(this, tr("About tsmigrate"),
                           tr("<b>tsmigrate %1</b><p>Migrates time-series data from InfluxDB "
                              "1.x, 2.x and 3, TDengine 2.x and line-protocol files into "
                              "TDengine 3.x, InfluxDB or line-protocol files, and proves the "
                              "copy.</p><p>The command line: <tt>tsmigrate-cli --help</tt>.</p>")
                               .arg(QStringLiteral(TSM_VERSION)));
    });
    about->setObjectName(u"aboutAction"_s);
}

void MainWindow::startOrPause()
{
    const QString name = selectedName();
    const TaskRow *row = m_model->row(m_model->indexOf(name));
    if (!row)
        return;
    if (m_actions[u"pauseAction"_s]->isEnabled())
        pauseTask();
    else if (m_actions[u"resumeAction"_s]->isEnabled())
        startTask();
    else if (m_actions[u"startAction"_s]->isEnabled())
        startTask();
}

void MainWindow::showMessage(const QString &text, const QString &task)
{
    // News is shown at once; a task's message is also kept, so that selecting a task shows its
    // last word and never another task's.
    m_status->setText(text);
    m_statusTask = task;
    if (!task.isEmpty())
        m_taskMessages.insert(task, text);
}

void MainWindow::showSelectedTaskMessage()
{
    const QString name = selectedName();
    if (name.isEmpty() || name == m_statusTask)
        return;
    if (const auto it = m_taskMessages.constFind(name); it != m_taskMessages.constEnd())
        showMessage(*it, name);
    else if (!m_statusTask.isEmpty())
        showMessage(QString());
}

void MainWindow::openWizard(const TaskProfile &profile, const QString &oldName, bool secretsInStore,
                            const QString &title)
{
    m_wizard = new TaskWizard(profile, this);
    m_wizard->setAttribute(Qt::WA_DeleteOnClose);
    if (!title.isEmpty())
        m_wizard->setWindowTitle(title);
    // A name another task has would replace that task on Submit: the name field says so.
    QStringList taken;
    for (int row = 0; row < m_model->rowCount(); ++row)
        if (const auto *task = m_model->row(row); task && task->name != oldName)
            taken.append(task->name);
    m_wizard->setTakenNames(taken);
    m_wizard->setSecretsStorage(secretsNote(), secretsInStore);
    connect(m_wizard, &QWizard::accepted, this, [this, oldName] {
        const TaskProfile saved = m_wizard->profile();
        const bool inStore = m_wizard->storeSecretsInProfile();
        m_sessionProfiles.remove(oldName);
        m_sessionProfiles.insert(saved.name, saved);
        m_selectWhenSaved = saved.name;
        if (m_wizard->startsAfterSubmit())
            m_startWhenSaved = saved.name;
        Q_EMIT saveRequested(saved.name, ProfileJson::toJson(saved, inStore), oldName);
        saveSecrets(saved, oldName, inStore);
    });
    connect(m_wizard, &QObject::destroyed, this, [this] { m_wizard = nullptr; });
    m_wizard->open();
}

void MainWindow::addTask()
{
    openWizard(TaskProfile::withDefaults(), QString(), false);
}

void MainWindow::editTask()
{
    const auto stored = selectedProfile();
    if (!stored)
        return;
    const bool inStore = ProfileJson::hasSecrets(*stored);
    withSelectedSecrets([this, inStore](const TaskProfile &profile) {
        openWizard(profile, profile.name, inStore);
        if (const TaskRow *row = m_model->row(m_model->indexOf(profile.name)))
            m_wizard->setStoredTask(row->record, row->totals);
    });
}

QString MainWindow::freeName(const QString &name, const QString &what) const
{
    QString free = tr("%1 (%2)").arg(name, what);
    for (int n = 2; m_model->indexOf(free) >= 0; ++n)
        free = tr("%1 (%2 %3)").arg(name, what).arg(n);
    return free;
}

void MainWindow::duplicateTask()
{
    const auto stored = selectedProfile();
    if (!stored)
        return;
    const bool inStore = ProfileJson::hasSecrets(*stored);
    withSelectedSecrets([this, inStore](TaskProfile profile) {
        profile.name = freeName(profile.name, tr("copy"));
        openWizard(profile, QString(), inStore, tr("Duplicate Data Source"));
        // Two tasks writing one file would overwrite each other's data.
        if (const TargetKind *kind = kinds::target(profile.target); kind && kind->isFile())
            m_wizard->setNotice(tr("The copy writes to the same file as \"%1\" (%2): choose "
                                   "another Target File unless only one of them will run.")
                                    .arg(selectedName(), profile.target.path));
    });
}

void MainWindow::startTask()
{
    withSelectedSecrets([this](const TaskProfile &profile) { start(profile); });
}

QSettings &MainWindow::appSettings()
{
    // Beside the store, so that each store (and each test) keeps its own.
    if (!m_settings)
        m_settings = new QSettings(QFileInfo(m_storePath).absolutePath() +
                                       u"/tsmigrate-app.ini"_s,
                                   QSettings::IniFormat, this);
    return *m_settings;
}

QString MainWindow::interruptedKey() const
{
    return u"interrupted/"_s + QFileInfo(m_storePath).fileName();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!m_running.isEmpty() &&
        !askYesNo()(this, tr("Quit tsmigrate"),
                    tr("%1 running: %2. Quit anyway? They pause now and continue where they "
                       "stopped when they are resumed.")
                        .arg(counted(m_running.size(), tr("task is"), tr("tasks are")),
                             QStringList(m_running.keys()).join(u", "_s)))) {
        event->ignore();
        return;
    }
    QMainWindow::closeEvent(event);
}

void MainWindow::resumeInterrupted()
{
    QStringList names = appSettings().value(interruptedKey()).toStringList();
    appSettings().remove(interruptedKey());
    names.erase(std::remove_if(names.begin(), names.end(),
                               [this](const QString &n) { return m_model->indexOf(n) < 0; }),
                names.end());
    if (names.isEmpty())
        return;
    // Asked once; the answer is kept for every later start.
    QVariant resume = appSettings().value(u"resumeOnStart"_s);
    if (!resume.isValid()) {
        resume = askYesNo()(
            this, tr("Resume Tasks"),
            tr("%1 running when tsmigrate was last closed: %2. Resume them "
               "now? Your answer is kept for later starts.")
                .arg(counted(names.size(), tr("task was"), tr("tasks were")), names.join(u", "_s)));
        appSettings().setValue(u"resumeOnStart"_s, resume);
    }
    if (!resume.toBool()) {
        showMessage(tr("Not resumed (paused when tsmigrate closed): %1").arg(names.join(u", "_s)));
        return;
    }
    for (const QString &name : std::as_const(names))
        withSecrets(name, [this](const TaskProfile &profile) { start(profile); });
}

void MainWindow::start(const TaskProfile &profile, bool repair)
{
    if (m_running.contains(profile.name) || m_verifying.contains(profile.name))
        return;
    // The task's log level decides what the modules log, as it does for tsmigrate-cli.
    LogLevels::apply(profile.advanced.logLevel);
    qCInfo(lcUi) << "starting task" << profile.name;
    auto *run = new RunThread(profile, m_storePath, this);
    run->setCatchUpOnly(repair);
    const QString name = profile.name;
    connect(run, &RunThread::finished, this, [this, name, repair,
                                              profile](const RunOutcome &outcome) {
        m_running.take(name)->deleteLater();
        showMessage(u"%1: %2"_s.arg(name, outcome.message), name);
        Q_EMIT storeRefreshRequested();
        updateActions();
        // A repair ends with a verification: the run's own, or one asked for here.
        if (repair && outcome.status == RunOutcome::Status::Completed &&
            outcome.windowsVerified < 0)
            verify(profile);
    });
    m_running.insert(name, run);
    run->start();
    showMessage(tr("Started \"%1\".").arg(name), name);
    updateActions();
}

void MainWindow::verifyTask()
{
    withSelectedSecrets([this](const TaskProfile &profile) { verify(profile); });
}

void MainWindow::verify(const TaskProfile &profile)
{
    const QString name = profile.name;
    if (m_running.contains(name) || m_verifying.contains(name))
        return;
    m_verifying.insert(name);
    showMessage(tr("Verifying \"%1\": counting each window in the source and the target…")
                    .arg(name),
                name);
    updateActions();
    struct Result
    {
        QString message;
        bool agrees = false;
    };
    const QString storePath = m_storePath;
    runInBackground<Result>(
        this,
        [profile, storePath] {
            // The same engine code as tsmigrate-cli verify, on a thread of the pool.
            Result result;
            try {
                CancelToken cancel;
                const VerifyReport report =
                    Verifier::verifyTask(profile, storePath, ConnectorFactory(), cancel);
                result.agrees = report.agrees();
                result.message = report.summary();
            } catch (const Error &error) {
                result.message = error.message();
            }
            return result;
        },
        [this, name](const Result &result) {
            m_verifying.remove(name);
            showMessage(tr("Verified \"%1\": %2").arg(name, result.message), name);
            Q_EMIT storeRefreshRequested();
            updateActions();
            Q_EMIT verified(name, result.agrees);
        });
}

void MainWindow::repairTask(const QString &name)
{
    if (m_running.contains(name) || m_verifying.contains(name))
        return;
    withSecrets(name, [this](const TaskProfile &profile) {
        const QString storePath = m_storePath;
        const QString name = profile.name;
        // The differing windows are marked off the UI thread, then run as any start is.
        runInBackground<QString>(
            this,
            [storePath, name] {
                CheckpointStore store;
                if (!store.open(storePath))
                    return store.lastError();
                const std::optional<TaskRecord> task = store.task(name);
                if (!task)
                    return store.lastError();
                try {
                    Verifier::markDifferingPending(store, task->id);
                } catch (const Error &error) {
                    return error.message();
                }
                return QString();
            },
            [this, profile](const QString &error) {
                if (!error.isEmpty())
                    return showMessage(error);
                start(profile, true);
            });
    });
}

void MainWindow::pauseTask()
{
    request(RunRequest::Pause);
}

void MainWindow::stopTask()
{
    const QString name = selectedName();
    const TaskRow *row = m_model->row(m_model->indexOf(name));
    if (row && row->taskState == TaskState::Paused && !row->runningElsewhere &&
        !m_running.contains(name)) {
        Q_EMIT stopPausedRequested(name);
        return;
    }
    request(RunRequest::Stop);
}

void MainWindow::restartTask()
{
    const QString name = selectedName();
    const TaskRow *row = m_model->row(m_model->indexOf(name));
    if (!row || m_running.contains(name) || row->runningElsewhere)
        return;
    // A database overwrites a point written again; a file gets it a second time.
    const auto profile = profileOf(name);
    const TargetKind *target = profile ? kinds::target(profile->target) : nullptr;
    const QString again =
        target && target->isFile()
            ? tr("The target file %1 is appended to: move it away first unless it may hold "
                 "the points twice.")
                  .arg(profile->target.path)
            : tr("The data already in the target stays there; points written again replace "
                 "themselves.");
    if (!askYesNo()(this, tr("Run Again from the Beginning"),
                    tr("Forget what \"%1\" has done (%2 written, its log and charts) and run it "
                       "again from the beginning? %3")
                        .arg(name, points(row->pointsWritten, QLocale()), again)))
        return;
    Q_EMIT forgetRequested(name);
}

void MainWindow::request(RunRequest request)
{
    const QString name = selectedName();
    if (auto it = m_running.find(name); it != m_running.end()) {
        if (request == RunRequest::Pause)
            (*it)->requestPause();
        else
            (*it)->requestStop();
        return;
    }
    // Another process runs it: the request goes through the state file, which its run reads.
    const TaskRow *row = m_model->row(m_model->indexOf(name));
    if (row && row->runningElsewhere) {
        Q_EMIT runRequested(name, int(request));
        showMessage(tr("Asked %1 to %2 \"%3\".")
                        .arg(row->runningElsewhere->describe(),
                             request == RunRequest::Pause ? tr("pause") : tr("stop"), name),
                    name);
    }
}

void MainWindow::deleteTask()
{
    const QString name = selectedName();
    if (name.isEmpty() || m_running.contains(name))
        return;
    if (!askYesNo()(this, tr("Delete Task"),
                    tr("Delete the task \"%1\" and its progress? The data already migrated stays "
                       "in the target.")
                        .arg(name)))
        return;
    m_sessionProfiles.remove(name);
    m_secrets->remove(name);
    Q_EMIT deleteRequested(name);
}

MonitorWindow *MainWindow::monitor(const QString &taskName) const
{
    return m_monitors.value(taskName);
}

void MainWindow::openMonitor()
{
    const QString name = selectedName();
    if (name.isEmpty())
        return;
    QPointer<MonitorWindow> &window = m_monitors[name];
    if (!window) {
        window = new MonitorWindow(m_storePath, name, this);
        window->setAttribute(Qt::WA_DeleteOnClose);
        connect(window, &MonitorWindow::repairRequested, this, &MainWindow::repairTask);
    }
    window->show();
    window->raise();
    window->activateWindow();
}

void MainWindow::importProfile()
{
    const QString path = chooseFile()(this, tr("Import Profile"), false,
                                      QFileInfo(m_storePath).absolutePath());
    if (path.isEmpty())
        return;
    // Read as the CLI reads it (relative file paths start from the profile's folder); the
    // wizard shows what is still missing, so the profile need not be valid yet.
    LoadedProfile loaded = ProfileLoader(ProfileRef::file(path)).load();
    if (!loaded.ok()) {
        showMessage(loaded.problems.first());
        return;
    }
    // A task of that name exists: replace it only when the user says so, and never one that
    // is running.
    QString replaces;
    if (m_model->indexOf(loaded.profile.name) >= 0) {
        const QString name = loaded.profile.name;
        const TaskRow *task = m_model->row(m_model->indexOf(name));
        const bool idle = task && !task->runningElsewhere && !m_running.contains(name);
        if (idle && askYesNo()(this, tr("Import Profile"),
                               tr("A task named \"%1\" exists. Replace its settings with the "
                                  "imported profile? Its progress is kept.\n\nNo imports it "
                                  "under a new name.")
                                   .arg(name)))
            replaces = name;
        else
            loaded.profile.name = freeName(name, tr("imported"));
    }
    openWizard(loaded.profile, replaces, false, tr("Import Data Source"));
}

void MainWindow::exportProfile()
{
    withSelectedSecrets([this](const TaskProfile &profile) { exportTo(profile); });
}

void MainWindow::exportTo(const TaskProfile &profile)
{
    const QString path = filenames::withSuffix(
        chooseFile()(this, tr("Export Profile"), true,
                     filenames::suggested(QFileInfo(m_storePath).absolutePath(), profile.name,
                                          u"json"_s)),
        u"json"_s);
    if (path.isEmpty())
        return;
    const bool secrets = ProfileJson::hasSecrets(profile) &&
                         askYesNo()(this, tr("Export Profile"),
                                    tr("Include passwords and tokens in the file? Anyone who can "
                                       "read the file can then use them."));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        file.write(ProfileJson::toJson(profile, secrets)) < 0) {
        showMessage(tr("Cannot write %1: %2").arg(path, file.errorString()));
        return;
    }
    showMessage(tr("Exported \"%1\" to %2.").arg(profile.name, path), profile.name);
}

} // namespace tsm
