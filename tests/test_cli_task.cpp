// A task saved in the checkpoint store, as the desktop app saves it, runs with
// `tsmigrate-cli run --task NAME`: its secrets come from the environment unless the user chose
// to keep them in the stored profile, and a run never writes secrets from the environment there.
#include "support/InfluxDump.h"
#include "support/InfluxdFixture.h"
#include "support/TestCli.h"
#include "support/TestProfiles.h"

#include <CheckpointStore.h>
#include <ProfileJson.h>
#include <QTemporaryDir>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::test;

class TestCliTask : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        TSM_START_SHARED_INFLUXD(m_influx, InfluxdFixture::Options::withAuthentication());
        QVERIFY2(!cliPath().isEmpty(), "TSM_CLI is not set");
        QByteArray lines;
        for (int i = 0; i < 500; ++i)
            lines += "cpu,host=h" + QByteArray::number(i % 7) +
                     " usage=" + QByteArray::number(i * 0.5) + ",n=" + QByteArray::number(i) +
                     "i " + QByteArray::number(1600000000000000000LL + qint64(i) * 60000000000LL) +
                     "\n";
        QVERIFY(m_influx->fill(u"src"_s, lines));
    }

    void cleanupTestCase() { m_influx.reset(); }

    /// Saved without secrets: the run says which variable to set, then works with it, and the
    /// stored profile still holds no secret afterwards.
    void secretsFromEnvironment()
    {
        QTemporaryDir dir;
        const QString state = dir.filePath(u"s.sqlite"_s);
        TaskProfile profile = authProfile(u"from GUI"_s, u"dst1"_s);
        saveInStore(state, profile, false);

        const CliResult denied = runCli({u"run"_s, u"--task"_s, profile.name, u"--state"_s, state});
        QCOMPARE(denied.exitCode, 4);
        QVERIFY2(denied.output.contains(u"TSMIGRATE_SOURCE_PASSWORD"_s) &&
                     denied.output.contains(u"TSMIGRATE_TARGET_PASSWORD"_s),
                 qPrintable(denied.output));

        const QString password = m_influx->adminPassword();
        const CliResult run =
            runCli({u"run"_s, u"--task"_s, profile.name, u"--state"_s, state}, 120000,
                   {u"TSMIGRATE_SOURCE_PASSWORD="_s + password,
                    u"TSMIGRATE_TARGET_PASSWORD="_s + password});
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));
        compareTarget(u"dst1"_s);

        CheckpointStore store;
        QVERIFY(store.open(state, CheckpointStore::Mode::ReadOnly));
        const auto task = store.task(profile.name);
        QVERIFY(task);
        QCOMPARE(task->state, TaskState::Completed);
        QVERIFY2(!task->profileJson.contains("password") &&
                     !ProfileJson::hasSecrets(ProfileJson::fromJson(task->profileJson).profile),
                 task->profileJson.constData());
    }

    /// Saved with secrets (the user ticked the box): the run needs nothing else and keeps them.
    void secretsInStoredProfile()
    {
        QTemporaryDir dir;
        const QString state = dir.filePath(u"s.sqlite"_s);
        TaskProfile profile = authProfile(u"kept secrets"_s, u"dst2"_s);
        profile.source.password = m_influx->adminPassword();
        profile.target.password = m_influx->adminPassword();
        saveInStore(state, profile, true);

        const CliResult check =
            runCli({u"check"_s, u"--task"_s, profile.name, u"--state"_s, state});
        QVERIFY2(check.exitCode == 0, qPrintable(check.output));
        const CliResult run = runCli({u"run"_s, u"--task"_s, profile.name, u"--state"_s, state});
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));
        QVERIFY2(!run.output.contains(u"TSMIGRATE_SOURCE_PASSWORD"_s), qPrintable(run.output));
        compareTarget(u"dst2"_s);

        CheckpointStore store;
        QVERIFY(store.open(state, CheckpointStore::Mode::ReadOnly));
        const auto task = store.task(profile.name);
        QVERIFY(task);
        const TaskProfile stored = ProfileJson::fromJson(task->profileJson).profile;
        QCOMPARE(stored.source.password, m_influx->adminPassword());
        QCOMPARE(stored.target.password, m_influx->adminPassword());
    }

    void unknownTask()
    {
        QTemporaryDir dir;
        const QString state = dir.filePath(u"s.sqlite"_s);
        const CliResult none = runCli({u"run"_s, u"--task"_s, u"x"_s, u"--state"_s, state});
        QCOMPARE(none.exitCode, 2);
        QVERIFY2(none.output.contains(u"does not exist"_s), qPrintable(none.output));
        QVERIFY2(!QFile::exists(state), "a run of a missing task created the state file");

        saveInStore(state, authProfile(u"ümlaut, \"quoted\" 🚀"_s, u"dst3"_s), false);
        const CliResult wrong = runCli({u"run"_s, u"--task"_s, u"other"_s, u"--state"_s, state});
        QCOMPARE(wrong.exitCode, 2);
        QVERIFY2(wrong.output.contains(u"No task named \"other\""_s) &&
                     wrong.output.contains(u"\"ümlaut, \"quoted\" 🚀\""_s),
                 qPrintable(wrong.output));

        QTemporaryDir other;
        const QString path = other.filePath(u"p.json"_s);
        QVERIFY(saveProfile(authProfile(u"p"_s, u"dst4"_s), path));
        const CliResult both = runCli({u"run"_s, path, u"--task"_s, u"p"_s, u"--state"_s, state});
        QCOMPARE(both.exitCode, 2);
        QVERIFY2(both.output.contains(u"not both"_s), qPrintable(both.output));
    }

    /// A path given with --set starts from the profile's folder, as the profile's own paths do,
    /// whatever the working directory.
    void setPathStartsFromTheProfilesFolder()
    {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkpath(u"profiles"_s) && QDir(dir.path()).mkpath(u"data"_s));
        QFile data(dir.filePath(u"data/in.lp"_s));
        QVERIFY(data.open(QIODevice::WriteOnly));
        for (int i = 0; i < 20; ++i)
            data.write("cpu,host=h" + QByteArray::number(i % 3) + " v=" + QByteArray::number(i) +
                       " " + QByteArray::number(1600000000000000000LL + qint64(i) * 1000000000) +
                       "\n");
        data.close();
        TaskProfile profile = lpfileSince2020(u"relative"_s, u"missing.lp"_s, u"out.lp"_s);
        profile.target.database = u"db"_s;
        const QString path = dir.filePath(u"profiles/p.json"_s);
        QVERIFY(saveProfile(profile, path));
        QVERIFY(QDir::current() != QDir(dir.filePath(u"profiles"_s)));

        const CliResult run = runCli({u"run"_s, path, u"--set"_s, u"source.path=../data/in.lp"_s,
                                      u"--state"_s, dir.filePath(u"s.sqlite"_s)});
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));
        QFile out(dir.filePath(u"profiles/out.lp"_s));
        QVERIFY2(out.open(QIODevice::ReadOnly), qPrintable(out.fileName()));
        QCOMPARE(out.readAll().count("cpu,host="), 20);
    }

    /// A file is read by byte ranges: once read, its task cannot take another time range (the
    /// lines the new range adds lie in ranges already done). The run says so and changes
    /// nothing; --restart reads the whole file again with the new range.
    void aFileTaskRefusesAChangedRangeOnceRead()
    {
        QTemporaryDir dir;
        QFile data(dir.filePath(u"in.lp"_s));
        QVERIFY(data.open(QIODevice::WriteOnly));
        for (int i = 0; i < 10; ++i)
            data.write("cpu v=" + QByteArray::number(i) + " " +
                       QByteArray::number(1600000000000000000LL + qint64(i) * 3600000000000LL) +
                       "\n");
        data.close();
        TaskProfile profile = lpfileSince2020(u"ranged"_s, u"in.lp"_s, u"out.lp"_s);
        profile.target.database = u"db"_s;
        profile.task.end = u"2020-09-13T17:00:00Z"_s; // the first 5 of the 10 hours
        const QString path = dir.filePath(u"p.json"_s);
        const QString state = dir.filePath(u"s.sqlite"_s);
        QVERIFY(saveProfile(profile, path));
        const CliResult first = runCli({u"run"_s, path, u"--state"_s, state});
        QVERIFY2(first.exitCode == 0, qPrintable(first.output));
        auto written = [&] {
            QFile out(dir.filePath(u"out.lp"_s));
            return out.open(QIODevice::ReadOnly) ? out.readAll().count("cpu ") : -1;
        };
        QCOMPARE(written(), 5);

        profile.task.end = u"2020-09-14T00:00:00Z"_s; // all 10
        QVERIFY(saveProfile(profile, path));
        const CliResult refused = runCli({u"run"_s, path, u"--state"_s, state});
        QVERIFY2(refused.exitCode == 2 && refused.output.contains(u"task.end"_s) &&
                     refused.output.contains(u"--restart"_s),
                 qPrintable(u"exit %1: %2"_s.arg(refused.exitCode).arg(refused.output)));
        QCOMPARE(written(), 5);

        QVERIFY(QFile::remove(dir.filePath(u"out.lp"_s)));
        const CliResult again = runCli({u"run"_s, path, u"--state"_s, state, u"--restart"_s});
        QVERIFY2(again.exitCode == 0, qPrintable(again.output));
        QCOMPARE(written(), 10);
    }

    /// While another process holds the task's lease, run and run --restart refuse with exit 8
    /// naming it, and change nothing; once it lets go, the run works.
    void aTaskRunningElsewhereIsRefused()
    {
        QTemporaryDir dir;
        QFile data(dir.filePath(u"in.lp"_s));
        QVERIFY(data.open(QIODevice::WriteOnly));
        data.write("cpu v=1 1600000000000000000\ncpu v=2 1600000001000000000\n");
        data.close();
        TaskProfile profile = lpfileSince2020(u"busy"_s, u"in.lp"_s, u"out.lp"_s);
        profile.target.database = u"db"_s;
        const QString path = dir.filePath(u"p.json"_s);
        QVERIFY(saveProfile(profile, path));
        const QString state = dir.filePath(u"s.sqlite"_s);

        // This test process plays the run that holds the task.
        CheckpointStore store;
        QVERIFY(store.open(state));
        const qint64 id = *store.saveTask(profile.name, ProfileJson::toJson(profile, false));
        const LeaseHolder holder = Lease::thisRun();
        QVERIFY(store.claimLease(id, holder)->granted);
        const QString pid = u"pid %1"_s.arg(QCoreApplication::applicationPid());
        for (const QStringList &extra : {QStringList(), QStringList{u"--restart"_s}}) {
            const CliResult refused = runCli(QStringList{u"run"_s, path, u"--state"_s, state} + extra);
            QVERIFY2(refused.exitCode == 8 && refused.output.contains(pid),
                     qPrintable(u"exit %1: %2"_s.arg(refused.exitCode).arg(refused.output)));
        }
        QVERIFY(!QFile::exists(dir.filePath(u"out.lp"_s)));
        QCOMPARE(store.task(id)->state, TaskState::Idle);

        QVERIFY(store.releaseLease(id, holder.token));
        const CliResult run = runCli({u"run"_s, path, u"--state"_s, state});
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));
        QCOMPARE(store.lease(id), std::nullopt); // the CLI let go at its end
    }

private:
    TaskProfile authProfile(const QString &name, const QString &targetDb) const
    {
        TaskProfile profile =
            influxToInflux(name, m_influx->url(), u"src"_s, m_influx->url(), targetDb);
        profile.source.user = m_influx->adminUser();
        profile.target.user = m_influx->adminUser();
        profile.target.createDatabase = true;
        profile.source.password.clear();
        profile.target.password.clear();
        return profile;
    }

    static void saveInStore(const QString &state, const TaskProfile &profile, bool secrets)
    {
        CheckpointStore store;
        QVERIFY2(store.open(state), qPrintable(store.lastError()));
        QVERIFY2(store.saveTask(profile.name, ProfileJson::toJson(profile, secrets)),
                 qPrintable(store.lastError()));
    }

    void compareTarget(const QString &targetDb)
    {
        InfluxDump dump(m_influx->url(), m_influx->adminUser(), m_influx->adminPassword());
        verifyCopy(dump, u"src"_s, targetDb, 500);
    }

    std::unique_ptr<InfluxdFixture> m_influx;
};

QTEST_GUILESS_MAIN(TestCliTask)
#include "test_cli_task.moc"
