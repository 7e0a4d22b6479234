// Bad input through tsmigrate-cli: each case ends with a clear message, the documented exit code,
// and nothing lost.
#include "support/FaultProxy.h"
#include "support/InfluxDump.h"
#include "support/InfluxdFixture.h"
#include "support/TestCli.h"
#include "support/TestProfiles.h"

#include <CheckpointStore.h>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::test;

namespace {

/// `points` points of m, one a second from `t0`, in turn in the series k=v0, k=v1 and k=v2.
QByteArray threeSeries(int points, qint64 t0)
{
    QByteArray lp;
    for (int i = 0; i < points; ++i)
        lp += "m,k=v" + QByteArray::number(i % 3) + " f=" + QByteArray::number(i) + "i " +
              QByteArray::number(t0 + qint64(i) * 1000000000LL) + '\n';
    return lp;
}

/// `check` and `run` of `profile` (one try per request) both end with exit 3, a server that
/// cannot be reached, their words saying `checkSays` and `runSays`.
void expectUnreachable(TaskProfile profile, const QString &checkSays, const QString &runSays)
{
    QTemporaryDir dir;
    profile.advanced.retryAttempts = 1;
    const QString path = dir.filePath(u"p.json"_s);
    QVERIFY(saveProfile(profile, path));
    const CliResult check = runCli({u"check"_s, path});
    QCOMPARE(check.exitCode, 3);
    QVERIFY2(check.output.contains(checkSays), qPrintable(check.output));
    const CliResult run = runCli({u"run"_s, path, u"--state"_s, dir.filePath(u"s.sqlite"_s)});
    QCOMPARE(run.exitCode, 3);
    QVERIFY2(run.output.contains(runSays), qPrintable(run.output));
}

} // namespace

/** What an operator sees when something is wrong. */
class TestCliErrors : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { TSM_INIT_CLI_TEST_CASE(); }

    void wrongPassword()
    {
        InfluxdFixture influx(InfluxdFixture::Options::withAuthentication());
        QVERIFY2(influx.start(), qPrintable(influx.errorString()));
        QTemporaryDir dir;
        TaskProfile profile =
            influxToInflux(u"auth"_s, influx.url(), u"src"_s, influx.url(), u"dst"_s);
        profile.source.user = influx.adminUser();
        profile.source.password = u"wrong"_s;
        profile.target.user = influx.adminUser();
        const QString path = dir.filePath(u"p.json"_s);
        QVERIFY(saveProfile(profile, path));

        const CliResult check = runCli({u"check"_s, path}, 60000,
                                       {u"TSMIGRATE_TARGET_PASSWORD="_s + influx.adminPassword()});
        QCOMPARE(check.exitCode, 4);
        QVERIFY2(check.output.contains(u"source: FAILED"_s) && check.output.contains(u"401"_s) &&
                     check.output.contains(u"target: OK"_s),
                 qPrintable(check.output));

        const CliResult run =
            runCli({u"run"_s, path, u"--state"_s, dir.filePath(u"s.sqlite"_s)}, 60000,
                   {u"TSMIGRATE_TARGET_PASSWORD="_s + influx.adminPassword()});
        QCOMPARE(run.exitCode, 4);
        QVERIFY2(run.output.contains(u"401"_s), qPrintable(run.output));

        // The right password from the environment works.
        const CliResult fixed = runCli({u"check"_s, path}, 60000,
                                       {u"TSMIGRATE_SOURCE_PASSWORD="_s + influx.adminPassword(),
                                        u"TSMIGRATE_TARGET_PASSWORD="_s + influx.adminPassword()});
        QVERIFY2(fixed.exitCode == 0, qPrintable(fixed.output));
    }

    void unreachableHost()
    {
        expectUnreachable(influxToInflux(u"nowhere"_s, u"http://127.0.0.1:1"_s, u"src"_s,
                                         u"http://127.0.0.1:1"_s, u"dst"_s),
                          u"127.0.0.1:1"_s, u"127.0.0.1:1"_s);
    }

    void plainHttpToHttpsPort()
    {
        // InfluxDB answers a plain request on its https port with 400 "Client sent an HTTP
        // request to an HTTPS server.": a server that cannot be reached so (3), not a failed
        // read unit to run again (1).
        InfluxdFixture::Options options;
        options.tls = true;
        InfluxdFixture influx(options);
        QVERIFY2(influx.start(), qPrintable(influx.errorString()));
        const QString plain = u"http://127.0.0.1:%1"_s.arg(influx.port());
        expectUnreachable(influxToInflux(u"wrong scheme"_s, plain, u"src"_s, plain, u"dst"_s),
                          u"https"_s, u"set the protocol to https"_s);
    }

    void missingDatabase()
    {
        InfluxdFixture influx;
        QVERIFY2(influx.start(), qPrintable(influx.errorString()));
        QTemporaryDir dir;
        TaskProfile profile =
            influxToInflux(u"no db"_s, influx.url(), u"nope"_s, influx.url(), u"dst"_s);
        const QString path = dir.filePath(u"p.json"_s);
        QVERIFY(saveProfile(profile, path));
        const CliResult run = runCli({u"run"_s, path, u"--state"_s, dir.filePath(u"s.sqlite"_s)});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.output.contains(u"\"nope\""_s) && run.output.contains(u"does not exist"_s),
                 qPrintable(run.output));
    }

    void malformedProfile()
    {
        QTemporaryDir dir;
        const QString broken = dir.filePath(u"broken.json"_s);
        QFile file(broken);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"version\": 1, \"name\": \"x\", \"task\": {\"delaySeconds\": 99,");
        file.close();
        const CliResult parse = runCli({u"run"_s, broken, u"--state"_s, dir.filePath(u"s"_s)});
        QCOMPARE(parse.exitCode, 2);
        QVERIFY2(parse.output.contains(u"broken.json"_s), qPrintable(parse.output));

        TaskProfile profile = influxToInflux(u"bad values"_s, u"http://127.0.0.1:8086"_s, u"src"_s,
                                             u"http://127.0.0.1:8086"_s, u"dst"_s);
        profile.task.delaySeconds = 99;
        profile.task.start.clear();
        const QString invalid = dir.filePath(u"invalid.json"_s);
        QVERIFY(saveProfile(profile, invalid));
        const CliResult run = runCli({u"run"_s, invalid, u"--state"_s, dir.filePath(u"s"_s)});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.output.contains(u"task.delaySeconds"_s) &&
                     run.output.contains(u"between 1 and 30"_s),
                 qPrintable(run.output));
        QVERIFY2(run.output.contains(u"task.start"_s), qPrintable(run.output));
        QVERIFY(!QFileInfo::exists(dir.filePath(u"s"_s))); // nothing was started
    }

    void stateFileThatCannotBeOpened()
    {
        // A damaged state file: run and status say so and what to do, and leave it as it was.
        QTemporaryDir dir;
        const QString state = dir.filePath(u"state.sqlite"_s);
        QFile junk(state);
        QVERIFY(junk.open(QIODevice::WriteOnly));
        const QByteArray garbage(8192, 'x');
        junk.write(garbage);
        junk.close();
        QFile data(dir.filePath(u"in.lp"_s));
        QVERIFY(data.open(QIODevice::WriteOnly));
        data.write("cpu v=1 1600000000000000000\n");
        data.close();
        TaskProfile profile = lpfileSince2020(u"damaged"_s, u"in.lp"_s, u"out.lp"_s);
        const QString path = dir.filePath(u"p.json"_s);
        QVERIFY(saveProfile(profile, path));
        for (const QStringList &command :
             {QStringList{u"run"_s, path, u"--state"_s, state},
              QStringList{u"status"_s, u"--state"_s, state}}) {
            const CliResult result = runCli(command);
            QCOMPARE(result.exitCode, 2);
            QVERIFY2(result.output.contains(state) &&
                         result.output.contains(u"left as it is"_s),
                     qPrintable(result.output));
        }
        QVERIFY(junk.open(QIODevice::ReadOnly));
        QCOMPARE(junk.readAll(), garbage);
        QVERIFY(!QFileInfo::exists(dir.filePath(u"out.lp"_s)));

        // A state file whose folder is a file: said, not taken for "no tasks yet".
        const QString underFile = dir.filePath(u"in.lp/state.sqlite"_s);
        const CliResult status = runCli({u"status"_s, u"--state"_s, underFile});
        QCOMPARE(status.exitCode, 2);
        QVERIFY2(status.output.contains(u"not a folder"_s), qPrintable(status.output));
        const CliResult run = runCli({u"run"_s, path, u"--state"_s, underFile});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.output.contains(u"Could not create the folder %1"_s.arg(dir.filePath(u"in.lp"_s))),
                 qPrintable(run.output));
    }

    void targetStopsMidRun()
    {
        InfluxdFixture source;
        InfluxdFixture target;
        QVERIFY2(source.start(), qPrintable(source.errorString()));
        QVERIFY2(target.start(), qPrintable(target.errorString()));
        QVERIFY(source.fill(u"src"_s, threeSeries(40000, 1700000000000000000LL)));

        // The target "dies" after its third write, whatever the machine's speed: a proxy in
        // front of it forwards three writes, then drops every connection until it is up again.
        FaultProxy proxy(target.url());
        proxy.tripAfter("/write", 3, FaultProxy::Fault::Drop);

        QTemporaryDir dir;
        const QString state = dir.filePath(u"state.sqlite"_s);
        TaskProfile profile = oneAtATime(
            influxToInflux(u"target dies"_s, source.url(), u"src"_s, proxy.url(), u"dst"_s), 5,
            200);
        profile.advanced.retryAttempts = 3;
        profile.advanced.retryForMinutes = 0; // give up at once: exit 3, resumable
        const QString path = dir.filePath(u"p.json"_s);
        QVERIFY(saveProfile(profile, path));

        const CliResult run = runCli({u"run"_s, path, u"--state"_s, state});
        QVERIFY2(run.exitCode == 3, qPrintable(run.output));
        QVERIFY2(run.output.contains(u"retrying"_s), qPrintable(run.output));
        QCOMPARE(proxy.forwarded("/write"), 3);

        CheckpointStore watcher;
        QVERIFY(watcher.open(state, CheckpointStore::Mode::ReadOnly));
        const auto task = watcher.task(u"target dies"_s);
        QVERIFY(task);
        QCOMPARE(task->state, TaskState::Failed);
        const UnitTotals totals = watcher.unitTotals(task->id);
        QVERIFY(totals.done >= 1);
        QVERIFY(totals.done < totals.total);
        QCOMPARE(totals.running, 0); // left pending for the next run, not stuck
        QCOMPARE(totals.failed, 0);

        proxy.up();
        const CliResult again = runCli({u"run"_s, path, u"--state"_s, state});
        QVERIFY2(again.exitCode == 0, qPrintable(again.output));
        InfluxDump sourceDump(source.url());
        InfluxDump targetDump(target.url());
        verifyCopy(sourceDump, u"src"_s, targetDump, u"dst"_s, 40000);
    }

    void targetDownMidRunIsWaitedOut()
    {
        // With advanced.retryFor (60 min by default) the run waits the outage out: the task
        // shows as retrying, names the target, and completes by itself once it is back.
        InfluxdFixture source;
        InfluxdFixture target;
        QVERIFY2(source.start(), qPrintable(source.errorString()));
        QVERIFY2(target.start(), qPrintable(target.errorString()));
        QVERIFY(source.query(u"CREATE DATABASE src"_s));
        QVERIFY(source.write(u"src"_s, threeSeries(20000, 1600000000000000000LL)));
        FaultProxy proxy(target.url());
        proxy.tripAfter("/write", 3, FaultProxy::Fault::Drop);

        QTemporaryDir dir;
        const QString state = dir.filePath(u"state.sqlite"_s);
        TaskProfile profile = oneAtATime(
            influxToInflux(u"waits out"_s, source.url(), u"src"_s, proxy.url(), u"dst"_s), 5, 200);
        profile.advanced.retryAttempts = 2;
        const QString path = dir.filePath(u"p.json"_s);
        QVERIFY(saveProfile(profile, path));

        QProcess run;
        run.setProcessChannelMode(QProcess::MergedChannels);
        run.start(cliPath(), {u"run"_s, path, u"--state"_s, state});
        QVERIFY(run.waitForStarted());
        CheckpointStore watcher;
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(state) &&
                                     (watcher.isOpen() ||
                                      watcher.open(state, CheckpointStore::Mode::ReadOnly)) &&
                                     watcher.task(u"waits out"_s) &&
                                     watcher.task(u"waits out"_s)->state == TaskState::Retrying,
                                 60000);
        const QString why = watcher.task(u"waits out"_s)->lastError;
        QVERIFY2(why.contains(u"The target is unreachable"_s) && why.contains(u"trying again at"_s),
                 qPrintable(why));
        QCOMPARE(run.state(), QProcess::Running);

        proxy.up();
        QVERIFY(run.waitForFinished(120000));
        const QString output = QString::fromUtf8(run.readAll());
        QVERIFY2(run.exitCode() == 0, qPrintable(output));
        QCOMPARE(watcher.task(u"waits out"_s)->state, TaskState::Completed);
        InfluxDump sourceDump(source.url());
        InfluxDump targetDump(target.url());
        const QString diff = compareDumps(sourceDump.dump(u"src"_s), targetDump.dump(u"dst"_s));
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
    }
};

QTEST_GUILESS_MAIN(TestCliErrors)
#include "test_cli_errors.moc"
