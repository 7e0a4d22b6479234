// Resume after SIGKILL: tsmigrate-cli is killed mid-run and run again on the same state; the
// target must end identical to the source, and units finished before the kill not redone.
#include "run/RunThread.h"
#include "support/FaultProxy.h"
#include "support/InfluxDump.h"
#include "support/InfluxdFixture.h"
#include "support/TestCli.h"
#include "support/TestData.h"
#include "support/TestProfiles.h"
#include "support/TestTime.h"

#include <CheckpointStore.h>
#include <QElapsedTimer>
#include <QHash>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <TimeText.h>
#include <csignal>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::test;

/** Killing and resuming a migration. */
class TestResume : public QObject
{
    Q_OBJECT

private:
    /// 57,600 points of one measurement over four hours in database `src`.
    static void fill(InfluxdFixture &influx)
    {
        const QByteArray lp =
            seriesLines(4, 14400, 1700000000000000000LL, kSecond, [](int s, int i) {
                return "meter,site=s" + QByteArray::number(s) +
                       " kwh=" + QByteArray::number(i * 0.5 + s) + ",seq=" + QByteArray::number(i) +
                       'i';
            });
        QVERIFY(influx.fill(u"src"_s, lp));
    }

    /// 120 units in about 580 writes of 100 points, to `targetUrl` (the same server, or a proxy
    /// in front of it).
    static TaskProfile slowProfile(const QString &name, const QString &url,
                                   const QString &targetUrl = {})
    {
        TaskProfile profile =
            influxToInflux(name, url, u"src"_s, targetUrl.isEmpty() ? url : targetUrl, u"dst"_s);
        profile.task.windowMinutes = 2; // 120 units
        profile.advanced.readConcurrency = 1;
        profile.advanced.writeConcurrency = 1;
        profile.advanced.batchSize = 100;
        return profile;
    }

    static void verifyCopy(InfluxdFixture &influx)
    {
        InfluxDump dump(influx.url());
        test::verifyCopy(dump, u"src"_s, u"dst"_s, 57600);
    }

    static constexpr qint64 kT0 = 1700000000000000000LL; // the data's first second

    /// The source's values before `endNs`, as InfluxDump writes them.
    static QStringList sourceBefore(InfluxdFixture &influx, qint64 endNs)
    {
        InfluxDump dump(influx.url());
        QStringList lines;
        for (const QString &line : dump.dump(u"src"_s))
            if (line.section(u'|', 2, 2).toLongLong() < endNs)
                lines.append(line);
        return lines;
    }

    /// Runs the task in a tsmigrate-cli process and kills it (SIGKILL) once `units` units are
    /// done, while it still runs.
    static void killWhenDone(const QString &profilePath, const QString &state, const QString &task,
                             int units, CheckpointStore &watcher)
    {
        CliRun run;
        QVERIFY(run.start(profilePath, state));
        QProcess &process = run.process();
        waitForUnitsDone(process, watcher, state, task, units);
        QVERIFY2(process.state() == QProcess::Running,
                 qPrintable(u"finished before it could be killed: "_s +
                            QString::fromUtf8(process.readAll())));
        ::kill(pid_t(process.processId()), SIGKILL);
        QVERIFY(process.waitForFinished());
        QCOMPARE(process.exitStatus(), QProcess::CrashExit);
    }

    /// The target holds exactly `expected`; records a failure otherwise.
    static void targetHolds(InfluxdFixture &influx, const QStringList &expected)
    {
        InfluxDump dump(influx.url());
        const QStringList target = dump.dump(u"dst"_s);
        QVERIFY2(dump.error().isEmpty(), qPrintable(dump.error()));
        const QString diff = compareDumps(expected, target);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
    }

private Q_SLOTS:
    void initTestCase() { TSM_INIT_CLI_TEST_CASE(); }

    /// Each test: its own influxd holding the data (fill()), its own folder.
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_influx = std::make_unique<InfluxdFixture>();
        QVERIFY2(m_influx->start(), qPrintable(m_influx->errorString()));
        fill(*m_influx);
    }
    void cleanup()
    {
        m_influx.reset();
        m_dir.reset();
    }

    /// The end of a completed task moved later: the next run reads what the first did not, also
    /// the rest of the window the first run's end cut (windows fall on whole hours, the range
    /// does not).
    void aLaterEndReadsTheRest()
    {
        InfluxdFixture &influx = *m_influx;
        const QString state = m_dir->filePath(u"state.sqlite"_s);
        const QString profilePath = m_dir->filePath(u"task.json"_s);
        TaskProfile profile =
            influxToInflux(u"longer"_s, influx.url(), u"src"_s, influx.url(), u"dst"_s);
        profile.task.windowMinutes = 60;
        profile.task.start = TimeText::format(kT0);
        for (const qint64 minutes : {90, 120, 130}) {
            profile.task.end = TimeText::format(kT0 + minutes * 60 * kSecond);
            QVERIFY(saveProfile(profile, profilePath));
            const CliResult run = runCli({u"run"_s, profilePath, u"--state"_s, state});
            QVERIFY2(run.exitCode == 0,
                     qPrintable(u"exit %1: %2"_s.arg(run.exitCode).arg(run.output)));
            targetHolds(influx, sourceBefore(influx, kT0 + minutes * 60 * kSecond));
            if (QTest::currentTestFailed())
                return;
        }
    }

    /// The end moved earlier while the task was part-way: the units the old range planned past
    /// the new end are not read.
    void anEarlierEndDropsWhatIsPlannedPastIt()
    {
        InfluxdFixture &influx = *m_influx;
        // A few units through, the writes are held: the run is surely part-way when it is
        // killed, and what it finished is all within the first hour.
        FaultProxy proxy(influx.url());
        proxy.tripAfter("/write", 20, FaultProxy::Fault::Hold);
        const QString state = m_dir->filePath(u"state.sqlite"_s);
        const QString profilePath = m_dir->filePath(u"task.json"_s);
        TaskProfile profile = slowProfile(u"shorter"_s, influx.url(), proxy.url());
        profile.task.start = TimeText::format(kT0);
        QVERIFY(saveProfile(profile, profilePath));
        CheckpointStore watcher;
        killWhenDone(profilePath, state, u"shorter"_s, 2, watcher);
        proxy.up();
        if (QTest::currentTestFailed())
            return;

        profile.task.end = TimeText::format(kT0 + 60 * 60 * kSecond);
        QVERIFY(saveProfile(profile, profilePath));
        const CliResult second = runCli({u"run"_s, profilePath, u"--state"_s, state});
        QVERIFY2(second.exitCode == 0, qPrintable(second.output));
        targetHolds(influx, sourceBefore(influx, kT0 + 60 * 60 * kSecond));
    }

    void killAndResume()
    {
        InfluxdFixture &influx = *m_influx;

        // Writes are held after the 300th, so the run is surely mid-way when it is killed,
        // however fast the machine.
        FaultProxy proxy(influx.url());
        proxy.tripAfter("/write", 300, FaultProxy::Fault::Hold);

        const QString state = m_dir->filePath(u"state.sqlite"_s);
        const QString profilePath = m_dir->filePath(u"task.json"_s);
        const TaskProfile profile = slowProfile(u"resume me"_s, influx.url(), proxy.url());
        QVERIFY(saveProfile(profile, profilePath));

        // Kill it once some units are done, while it is still running.
        CheckpointStore watcher;
        killWhenDone(profilePath, state, u"resume me"_s, 10, watcher);
        proxy.up();
        if (QTest::currentTestFailed())
            return;

        const auto task = watcher.task(u"resume me"_s);
        QVERIFY(task);
        const UnitTotals before = watcher.unitTotals(task->id);
        QVERIFY2(before.done > 0 && before.done < before.total,
                 qPrintable(u"%1 of %2 done"_s.arg(before.done).arg(before.total)));
        QHash<qint64, UnitRecord> doneUnits;
        for (const UnitRecord &unit : watcher.units(task->id))
            if (unit.status == UnitStatus::Done)
                doneUnits.insert(unit.id, unit);

        const CliResult second = runCli({u"run"_s, profilePath, u"--state"_s, state});
        QVERIFY2(second.exitCode == 0, qPrintable(second.output));

        // Nothing lost, nothing changed.
        verifyCopy(influx);

        // Units done before the kill were not read again.
        const UnitTotals after = watcher.unitTotals(task->id);
        QCOMPARE(after.done, after.total);
        QCOMPARE(after.total, before.total);
        for (const UnitRecord &unit : watcher.units(task->id)) {
            if (doneUnits.contains(unit.id)) {
                QCOMPARE(unit.attempts, doneUnits[unit.id].attempts);
                QCOMPARE(unit.updatedMs, doneUnits[unit.id].updatedMs);
            }
            QVERIFY2(unit.attempts <= 2,
                     qPrintable(u"unit %1 read %2 times"_s.arg(unit.id).arg(unit.attempts)));
        }
        QCOMPARE(after.pointsWritten, 57600);

        const CliResult status = runCli({u"status"_s, u"--state"_s, state});
        QCOMPARE(status.exitCode, 0);
        QVERIFY2(status.output.contains(u"resume me: completed"_s), qPrintable(status.output));
    }

    void interruptWithSignalAndResume()
    {
        InfluxdFixture &influx = *m_influx;
        const QString state = m_dir->filePath(u"state.sqlite"_s);
        const QString profilePath = m_dir->filePath(u"task.json"_s);
        FaultProxy proxy(influx.url());
        proxy.tripAfter("/write", 300, FaultProxy::Fault::Hold);
        QVERIFY(
            saveProfile(slowProfile(u"interrupt me"_s, influx.url(), proxy.url()), profilePath));

        CliRun run;
        QVERIFY(run.start(profilePath, state));
        QProcess &first = run.process();
        CheckpointStore watcher;
        waitForUnitsDone(first, watcher, state, u"interrupt me"_s, 5);
        QVERIFY2(first.state() == QProcess::Running, "finished before it could be interrupted");
        run.interrupt();
        proxy.up(); // the held write goes through; the run stops after it
        QVERIFY(first.waitForFinished(30000));
        const QString output = QString::fromUtf8(first.readAll());
        QVERIFY2(first.exitStatus() == QProcess::NormalExit && first.exitCode() == 5,
                 qPrintable(output));
        QVERIFY2(output.contains(u"resume"_s), qPrintable(output));
        const auto task = watcher.task(u"interrupt me"_s);
        QVERIFY(task);
        QCOMPARE(task->state, TaskState::Paused);
        QCOMPARE(watcher.unitTotals(task->id).running, 0);

        const CliResult second = runCli({u"run"_s, profilePath, u"--state"_s, state});
        QVERIFY2(second.exitCode == 0, qPrintable(second.output));
        verifyCopy(influx);
    }

    void pauseAndResumeOnAWorkerThread()
    {
        InfluxdFixture &influx = *m_influx;
        const QString state = m_dir->filePath(u"state.sqlite"_s);

        RunThread runner(slowProfile(u"paused"_s, influx.url()), state);
        QSignalSpy progress(&runner, &RunThread::progress);
        QSignalSpy finished(&runner, &RunThread::finished);
        runner.start();
        // Pause from this thread as soon as the runner reports anything (it is planning, or
        // has just begun): the run must end paused, not complete.
        QTRY_VERIFY_WITH_TIMEOUT(progress.count() >= 1, 30000);
        runner.requestPause();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        QCOMPARE(finished.at(0).at(0).value<RunOutcome>().status, RunOutcome::Status::Paused);
        CheckpointStore store;
        QVERIFY(store.open(state, CheckpointStore::Mode::ReadOnly));
        const auto task = store.task(u"paused"_s);
        QVERIFY(task);
        QCOMPARE(task->state, TaskState::Paused);
        const UnitTotals paused = store.unitTotals(task->id);
        // A pause that came while planning leaves no plan (the resume makes it), one that came
        // later leaves units to do: a busy machine decides which.
        QVERIFY2(task->planned ? paused.done < paused.total : paused.total == 0,
                 qPrintable(u"planned %1, %2 of %3 units done"_s.arg(task->planned)
                                .arg(paused.done)
                                .arg(paused.total)));
        QCOMPARE(paused.running, 0);

        runner.start(); // resume
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 120000);
        QCOMPARE(finished.at(1).at(0).value<RunOutcome>().status, RunOutcome::Status::Completed);
        verifyCopy(influx);
    }

private:
    std::unique_ptr<InfluxdFixture> m_influx;
    std::unique_ptr<QTemporaryDir> m_dir;
};

QTEST_GUILESS_MAIN(TestResume)
#include "test_resume.moc"
