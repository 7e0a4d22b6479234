// Passwords and tokens: in the system keychain where a keychain service runs (a real
// gnome-keyring on a private D-Bus session), only for the session where none runs, and in the
// task store only when the user ticks the box. Never in the store otherwise.
#include "MainWindow.h"
#include "secrets/SecretStore.h"
#include "support/TestProfiles.h"
#include "support/gui/WidgetDriver.h"
#include "wizard/TaskWizard.h"

#include <CheckpointStore.h>
#include <ProfileJson.h>
#include <QAction>
#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>
#include <qt6keychain/keychain.h>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::test;

namespace {

constexpr char kChildVariable[] = "TSM_TEST_KEYRING_CHILD";

/// The profile JSON the store holds for `name`.
QByteArray storedJson(const QString &store, const QString &name)
{
    CheckpointStore s;
    if (!s.open(store, CheckpointStore::Mode::ReadOnly))
        return {};
    const auto task = s.task(name);
    return task ? task->profileJson : QByteArray();
}

QString statusText(MainWindow &window)
{
    return window.findChild<QLabel *>(u"statusLabel"_s)->text();
}

/// What the keychain holds for a key of tsmigrate's service; error text when it cannot say.
struct KeychainEntry
{
    QKeychain::Error error = QKeychain::NoError;
    QByteArray data;
};
KeychainEntry readKeychain(const QString &key)
{
    QKeychain::ReadPasswordJob job(u"tsmigrate"_s);
    job.setAutoDelete(false);
    job.setKey(key);
    QEventLoop loop;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, &QEventLoop::quit);
    job.start();
    loop.exec();
    return {job.error(), job.binaryData()};
}

} // namespace

class TestSecrets : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        MainWindow::askYesNo() = [](QWidget *, const QString &, const QString &) { return true; };
    }

    /// No keychain service: the app says so; secrets last for the session unless stored in the
    /// task store on request.
    void withoutKeychain()
    {
        if (qEnvironmentVariableIsSet(kChildVariable))
            QSKIP("runs in the parent process only");
        // No session bus and no X display to start one: no keychain service can answer.
        qunsetenv("DBUS_SESSION_BUS_ADDRESS");
        qunsetenv("DISPLAY");
        QTemporaryDir dir;
        const QString store = dir.filePath(u"tasks.sqlite"_s);
        const TaskProfile profile = fullProfile();
        {
            MainWindow window(store);
            window.show();
            QTRY_VERIFY_WITH_TIMEOUT(statusText(window).contains(u"No system keychain"_s), 10000);
            TaskWizard *wizard = importProfile(window, profile, dir.path());
            QVERIFY(wizard);
            wizard->setCurrentId(TaskWizard::SummaryPage);
            auto *note = wizard->findChild<QLabel *>(u"secretsNoteLabel"_s);
            QVERIFY2(note->isVisible() && note->text().contains(u"only while tsmigrate runs"_s),
                     qPrintable(note->text()));
            auto *box = wizard->findChild<QCheckBox *>(u"storeSecretsCheckBox"_s);
            QVERIFY(box->isVisible());
            QVERIFY(!box->isChecked());
            screenshot(wizard, u"6-summary-no-keychain"_s);
            wizard->accept();
            QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), 1, 10000);
            QVERIFY2(statusText(window).contains(u"kept only while tsmigrate runs"_s),
                     qPrintable(statusText(window)));
            const QByteArray json = storedJson(store, profile.name);
            QVERIFY(!json.isEmpty());
            QVERIFY2(!json.contains("s3cret") && !json.contains("t0ken"), json.constData());

            // Within the session, Edit still has them.
            triggerOnTask(window, u"editAction"_s);
            QTRY_VERIFY(window.wizard());
            QCOMPARE(window.wizard()->profile().source.password, profile.source.password);
            window.wizard()->reject();
        }
        {
            // A new session has lost them; the user now keeps them in the store.
            MainWindow window(store);
            window.show();
            QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), 1, 10000);
            QTRY_VERIFY_WITH_TIMEOUT(statusText(window).contains(u"No system keychain"_s), 10000);
            triggerOnTask(window, u"editAction"_s);
            QTRY_VERIFY(window.wizard());
            TaskWizard *wizard = window.wizard();
            QCOMPARE(wizard->profile().source.password, QString());
            wizard->setCurrentId(TaskWizard::AuthenticationPage);
            auto *password = wizard->findChild<QLineEdit *>(u"sourceAuthPasswordLineEdit"_s);
            password->clear();
            QTest::keyClicks(password, u"n3w"_s);
            QCOMPARE(wizard->profile().source.password, u"n3w"_s);
            wizard->setCurrentId(TaskWizard::SummaryPage);
            auto *box = wizard->findChild<QCheckBox *>(u"storeSecretsCheckBox"_s);
            QVERIFY(!box->isChecked());
            box->click();
            wizard->accept();
            QTRY_VERIFY_WITH_TIMEOUT(storedJson(store, profile.name).contains("n3w"), 10000);
            QVERIFY2(statusText(window).contains(u"in the task store"_s),
                     qPrintable(statusText(window)));
        }
        {
            MainWindow window(store);
            window.show();
            QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), 1, 10000);
            triggerOnTask(window, u"editAction"_s);
            QTRY_VERIFY(window.wizard());
            QCOMPARE(window.wizard()->profile().source.password, u"n3w"_s);
            window.wizard()->setCurrentId(TaskWizard::SummaryPage);
            QVERIFY(
                window.wizard()->findChild<QCheckBox *>(u"storeSecretsCheckBox"_s)->isChecked());
            window.wizard()->reject();
        }
    }

    /// A real keychain service (gnome-keyring on a D-Bus session of its own): this process runs
    /// the test below inside one, with a throw-away home folder.
    void withKeychain()
    {
        if (qEnvironmentVariableIsSet(kChildVariable))
            QSKIP("runs in the parent process only");
        const QString dbus = QStandardPaths::findExecutable(u"dbus-run-session"_s);
        const QString keyring = QStandardPaths::findExecutable(u"gnome-keyring-daemon"_s);
        QVERIFY2(!dbus.isEmpty() && !keyring.isEmpty(),
                 "dbus-run-session and gnome-keyring-daemon are needed (Debian packages "
                 "dbus-daemon and gnome-keyring, installed by packaging/deps.sh)");
        QTemporaryDir home;
        QDir(home.path()).mkpath(u"share"_s);
        QDir(home.path()).mkpath(u"run"_s);
        QFile::setPermissions(home.filePath(u"run"_s),
                              QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        QProcess child;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"HOME"_s, home.path());
        env.insert(u"XDG_DATA_HOME"_s, home.filePath(u"share"_s));
        env.insert(u"XDG_RUNTIME_DIR"_s, home.filePath(u"run"_s));
        env.insert(QString::fromLatin1(kChildVariable), u"1"_s);
        env.remove(u"DISPLAY"_s);
        child.setProcessEnvironment(env);
        child.setProcessChannelMode(QProcess::MergedChannels);
        // Unlock a new login keyring with a throw-away password, start its Secret Service,
        // then run the child test inside the same session.
        const QString script =
            u"printf tsm-test | gnome-keyring-daemon --daemonize --login >/dev/null && "
            "gnome-keyring-daemon --start --components=secrets >/dev/null && "
            "exec \"$0\" childWithKeychain"_s;
        child.start(dbus,
                    {u"--"_s, u"sh"_s, u"-c"_s, script, QCoreApplication::applicationFilePath()});
        QVERIFY(child.waitForStarted());
        QVERIFY(child.waitForFinished(120000));
        const QString output = QString::fromLocal8Bit(child.readAll());
        QVERIFY2(child.exitStatus() == QProcess::NormalExit && child.exitCode() == 0,
                 qPrintable(output));
        QVERIFY2(output.contains(u"PASS   : TestSecrets::childWithKeychain()"_s),
                 qPrintable(output));
    }

    /// Inside the keyring session: secrets go to the keychain, not the store; a new window reads
    /// them back for Edit; Delete removes them.
    void childWithKeychain()
    {
        if (!qEnvironmentVariableIsSet(kChildVariable))
            QSKIP("runs inside the keyring session started by withKeychain()");
        QTemporaryDir dir;
        const QString store = dir.filePath(u"tasks.sqlite"_s);
        const TaskProfile profile = fullProfile();
        const QString key =
            u"task %1 in %2"_s.arg(profile.name, QFileInfo(store).absoluteFilePath());
        {
            MainWindow window(store);
            window.show();
            // The keychain answers asynchronously.
            QTRY_COMPARE_WITH_TIMEOUT(window.secrets()->availability(),
                                      SecretStore::Availability::Available, 10000);
            TaskWizard *wizard = importProfile(window, profile, dir.path());
            QVERIFY(wizard);
            wizard->setCurrentId(TaskWizard::SummaryPage);
            auto *note = wizard->findChild<QLabel *>(u"secretsNoteLabel"_s);
            QVERIFY2(note->text().contains(u"kept in the system keychain"_s),
                     qPrintable(note->text()));
            wizard->accept();
            QTRY_VERIFY_WITH_TIMEOUT(statusText(window).contains(u"in the system keychain"_s),
                                     10000);
            QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), 1, 10000);
            const QByteArray json = storedJson(store, profile.name);
            QVERIFY2(!json.isEmpty() && !json.contains("s3cret") && !json.contains("t0ken"),
                     json.constData());
            const KeychainEntry entry = readKeychain(key);
            QCOMPARE(entry.error, QKeychain::NoError);
            QVERIFY2(entry.data.contains("t0ken") &&
                         entry.data.contains(profile.source.password.toUtf8()),
                     entry.data.constData());
        }
        {
            MainWindow window(store);
            window.show();
            QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), 1, 10000);
            triggerOnTask(window, u"editAction"_s);
            QTRY_VERIFY_WITH_TIMEOUT(window.wizard(), 10000);
            QCOMPARE(window.wizard()->profile().source.password, profile.source.password);
            QCOMPARE(window.wizard()->profile().target.password, profile.target.password);
            window.wizard()->reject();
            QTRY_VERIFY(!window.wizard());

            trigger(&window, u"deleteAction"_s);
            QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), 0, 10000);
            QTRY_COMPARE_WITH_TIMEOUT(readKeychain(key).error, QKeychain::EntryNotFound, 10000);
        }
    }
};

QTEST_MAIN(TestSecrets)
#include "test_secrets.moc"
