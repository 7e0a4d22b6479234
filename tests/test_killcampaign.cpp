// The kill campaign (ctest label `long`): a migration InfluxDB 1.x → InfluxDB 1.x by
// tsmigrate-cli, SIGKILLed again and again at random moments and run again until it completes.
// The target then holds exactly the source, value by value, and no unit the ledger had finished
// when a run was killed was read again by a later run.
//
// The moments are chosen from the state, never from the clock: right after the start (planning),
// once the state file holds the task, or once a random number of further units is done. The seed
// is printed; TSM_KILL_SEED=N repeats a campaign.
#include "support/InfluxDump.h"
#include "support/InfluxdFixture.h"
#include "support/TestCli.h"
#include "support/TestProfiles.h"

#include <CheckpointStore.h>
#include <QHash>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::test;

namespace {

constexpr qint64 kT0 = 1700000000000000000LL;
constexpr qint64 kSecond = 1000000000LL;
constexpr int kKills = 20;

/// What a finished unit looked like when a run was killed; a later run must leave it so.
struct Finished
{
    qint64 attempts = 0;
    qint64 pointsRead = 0;
    qint64 pointsWritten = 0;
    qint64 updatedMs = 0;
    bool operator==(const Finished &o) const
    {
        return attempts == o.attempts && pointsRead == o.pointsRead &&
               pointsWritten == o.pointsWritten && updatedMs == o.updatedMs;
    }
};

} // namespace

/** SIGKILLs of tsmigrate-cli run, rerun until complete. */
class TestKillCampaign : public QObject
{
    Q_OBJECT

    std::unique_ptr<InfluxdFixture> m_influx;
    QTemporaryDir m_dir;

    /// Two measurements, 8 series, 120,000 points over 10 hours in 10-minute read units.
    void fillSource()
    {
        QVERIFY(m_influx->query(u"CREATE DATABASE src"_s));
        for (int block = 0; block < 10; ++block) {
            QByteArray lp;
            for (int i = block * 3600; i < (block + 1) * 3600; ++i) {
                const QByteArray time = QByteArray::number(kT0 + i * kSecond);
                for (int h = 0; h < 5; ++h)
                    lp += "cpu,host=h" + QByteArray::number(h) + " usage=" +
                          QByteArray::number((i % 1009) * 0.125 - h, 'g', 17) +
                          ",n=" + QByteArray::number(i * 5 + h) + "i,up=" +
                          (i % 3 ? "true" : "false") + ' ' + time + '\n';
                for (int h = 0; h < 3; ++h)
                    lp += "disk,host=h" + QByteArray::number(h) + ",path=/data\\ " +
                          QByteArray::number(h) + " label=\"d" + QByteArray::number(i % 17) +
                          "\",free=" + QByteArray::number(1e9 - i * 3.5, 'g', 17) + ' ' + time +
                          '\n';
            }
            QVERIFY(m_influx->write(u"src"_s, lp));
        }
    }

    static QHash<qint64, Finished> finishedUnits(const QString &state, const QString &task)
    {
        QHash<qint64, Finished> finished;
        CheckpointStore store;
        if (!store.open(state, CheckpointStore::Mode::ReadOnly))
            return finished;
        const auto record = store.task(task);
        if (!record)
            return finished;
        for (const UnitRecord &u : store.units(record->id))
            if (u.status == UnitStatus::Done)
                finished.insert(u.id, {u.attempts, u.pointsRead, u.pointsWritten, u.updatedMs});
        return finished;
    }

    /// Waits for the moment `choice` names, then SIGKILLs the run; false when it ended first.
    static bool killAt(CliRun &run, int choice, qint64 unitsDoneBefore, const QString &state,
                       const QString &task)
    {
        QProcess &process = run.process();
        CheckpointStore watcher;
        bool reached = true;
        if (choice == 1) // once the run has put the task in the state file
            reached = waitForUnitsDone(process, watcher, state, task, 0);
        else if (choice >= 2) // 1 to 6 more units done
            reached = waitForUnitsDone(process, watcher, state, task,
                                       unitsDoneBefore + 1 + (choice - 2));
        if (!reached || process.state() != QProcess::Running)
            return false;
        process.kill();
        process.waitForFinished();
        return true;
    }

private Q_SLOTS:
    void initTestCase()
    {
        TSM_INIT_CLI_TEST_CASE();
        m_influx = std::make_unique<InfluxdFixture>();
        QVERIFY2(m_influx->start(), qPrintable(m_influx->errorString()));
        fillSource();
    }

    void killedRunsCompleteIdentical()
    {
        const quint32 seed = qEnvironmentVariableIsSet("TSM_KILL_SEED")
                                 ? quint32(qEnvironmentVariableIntValue("TSM_KILL_SEED"))
                                 : QRandomGenerator::global()->generate();
        qInfo("kill campaign seed %u (TSM_KILL_SEED=%u repeats it)", seed, seed);
        QRandomGenerator random(seed);

        const QString name = u"kill campaign"_s;
        TaskProfile profile = influxToInflux(name, m_influx->url(), u"src"_s, m_influx->url(),
                                             u"dst"_s);
        profile.task.windowMinutes = 10;
        profile.advanced.readConcurrency = 4;
        profile.advanced.writeConcurrency = 2;
        profile.advanced.batchSize = 1000;
        // A reader pauses between its units: a run takes at least 120 units x 100 ms / 4
        // readers, so the kills land however fast the machine migrates (the state file is
        // watched every 20 ms).
        profile.advanced.readIntervalMs = 100;
        const QString path = m_dir.filePath(u"kill.json"_s);
        const QString state = m_dir.filePath(u"kill.sqlite"_s);
        QVERIFY(saveProfile(profile, path));

        int kills = 0;
        int runs = 0;
        int exitCode = -1;
        QString lastOutput;
        QHash<qint64, Finished> finished;
        while (exitCode != 0 && runs < kKills + 10) {
            ++runs;
            CliRun run;
            QVERIFY(run.start(path, state));
            bool killed = false;
            if (kills < kKills) {
                killed = killAt(run, int(random.bounded(8)), finished.size(), state, name);
                kills += killed ? 1 : 0;
            }
            if (!killed) {
                QProcess &process = run.process();
                QVERIFY(process.state() == QProcess::NotRunning || process.waitForFinished(300000));
                exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
            }
            lastOutput = run.readOutput();
            // A run that ended by itself ends complete (the process may also have been killed
            // just after it was done).
            QVERIFY2(killed || exitCode == 0, qPrintable(lastOutput));

            // Every unit finished before this run is as it was: not read or written again.
            const QHash<qint64, Finished> now = finishedUnits(state, name);
            for (auto it = finished.cbegin(); it != finished.cend(); ++it)
                QVERIFY2(now.value(it.key()) == it.value(),
                         qPrintable(u"unit %1, finished before run %2, was redone"_s.arg(it.key())
                                        .arg(runs)));
            finished = now;
        }
        qInfo("%d runs, %d of them killed, %lld units", runs, kills, qint64(finished.size()));
        QVERIFY2(exitCode == 0, qPrintable(lastOutput));
        QVERIFY(kills >= kKills / 2); // most kills land before the migration ends

        InfluxDump dump(m_influx->url());
        verifyCopy(dump, u"src"_s, u"dst"_s, 10 * 3600 * 8);
    }
};

QTEST_GUILESS_MAIN(TestKillCampaign)
#include "test_killcampaign.moc"
