// Resume after SIGKILL: tsmigrate-cli is killed mid-run and run again on the same state; the
// target must end identical to the source, and units finished before the kill not redone.
#include "support/InfluxDump.h"
#include "support/InfluxdFixture.h"
#include "support/TestProfiles.h"

#include <CheckpointStore.h>

#include <QElapsedTimer>
#include <QHash>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::test;

/** Killing and resuming a migration. */
class TestResume : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        TSM_SKIP_WITHOUT_INFLUXD();
        QVERIFY2(!cliPath().isEmpty(), "TSM_CLI is not set");
        QStandardPaths::setTestModeEnabled(true);
    }

    void killAndResume()
    {
        InfluxdFixture influx;
        QVERIFY2(influx.start(), qPrintable(influx.errorString()));
        QVERIFY(influx.query(u"CREATE DATABASE src"_s));
        // 4 series × 14,400 s at 1 point/s per series: 57,600 points over 4 hours.
        const qint64 t0 = 1700000000000000000LL;
        QByteArray lp;
        for (int s = 0; s < 4; ++s)
            for (int i = 0; i < 14400; ++i)
                lp += "meter,site=s" + QByteArray::number(s) + " kwh=" +
                      QByteArray::number(i * 0.5 + s) + ",seq=" + QByteArray::number(i) + "i " +
                      QByteArray::number(t0 + qint64(i) * 1000000000LL) + '\n';
        QVERIFY(influx.write(u"src"_s, lp));

        QTemporaryDir dir;
        const QString state = dir.filePath(u"state.sqlite"_s);
        const QString profilePath = dir.filePath(u"task.json"_s);
        TaskProfile profile =
            influxToInflux(u"resume me"_s, influx.url(), u"src"_s, influx.url(), u"dst"_s);
        profile.task.windowMinutes = 2; // 120 units
        profile.advanced.readConcurrency = 1;
        profile.advanced.writeConcurrency = 1;
        profile.advanced.batchSize = 100;
        QVERIFY(saveProfile(profile, profilePath));

        QProcess first;
        first.setProcessChannelMode(QProcess::MergedChannels);
        first.start(cliPath(), {u"run"_s, profilePath, u"--state"_s, state});
        QVERIFY(first.waitForStarted());

        // Kill it once some units are done, while it is still running.
        CheckpointStore watcher;
        QElapsedTimer timer;
        timer.start();
        qint64 doneBeforeKill = 0;
        while (timer.elapsed() < 60000 && first.state() == QProcess::Running) {
            if (watcher.isOpen() || (QFileInfo::exists(state) &&
                                     watcher.open(state, CheckpointStore::Mode::ReadOnly))) {
                if (const auto task = watcher.task(u"resume me"_s)) {
                    doneBeforeKill = watcher.unitTotals(task->id).done;
                    if (doneBeforeKill >= 10)
                        break;
                }
            }
            QTest::qWait(20);
        }
        QVERIFY2(first.state() == QProcess::Running,
                 qPrintable(u"finished before it could be killed: "_s +
                            QString::fromUtf8(first.readAll())));
        ::kill(pid_t(first.processId()), SIGKILL);
        QVERIFY(first.waitForFinished());
        QCOMPARE(first.exitStatus(), QProcess::CrashExit);

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
        InfluxDump dump(influx.url());
        const QStringList source = dump.dump(u"src"_s);
        const QStringList target = dump.dump(u"dst"_s);
        QVERIFY2(dump.error().isEmpty(), qPrintable(dump.error()));
        QCOMPARE(InfluxDump::pointCount(source), 57600);
        const QString diff = compareDumps(source, target);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));

        // Units done before the kill were not read again.
        const UnitTotals after = watcher.unitTotals(task->id);
        QCOMPARE(after.done, after.total);
        QCOMPARE(after.total, before.total);
        for (const UnitRecord &unit : watcher.units(task->id)) {
            if (doneUnits.contains(unit.id)) {
                QCOMPARE(unit.attempts, doneUnits[unit.id].attempts);
                QCOMPARE(unit.updatedMs, doneUnits[unit.id].updatedMs);
            }
            QVERIFY2(unit.attempts <= 2, qPrintable(u"unit %1 read %2 times"_s.arg(unit.id).arg(
                                             unit.attempts)));
        }
        QCOMPARE(after.pointsWritten, 57600);

        const CliResult status = runCli({u"status"_s, u"--state"_s, state});
        QCOMPARE(status.exitCode, 0);
        QVERIFY2(status.output.contains(u"resume me: completed"_s), qPrintable(status.output));
    }
};

QTEST_GUILESS_MAIN(TestResume)
#include "test_resume.moc"
