// Following new data (realtime and both modes) against a real influxd: points are written while
// the task follows, some out of order within the delay; the task is paused, stopped, killed and
// run again; the target must equal the source below the watermark, point by point.
#include "run/RunThread.h"
#include "support/InfluxDump.h"
#include "support/InfluxdFixture.h"
#include "support/TestCli.h"
#include "support/TestProfiles.h"

#include <CheckpointStore.h>
#include <QDateTime>
#include <QElapsedTimer>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <TaskOptions.h>
#include <TimeText.h>
#include <algorithm>
#include <csignal>
#include <optional>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::test;

namespace {

constexpr qint64 kNsPerMs = 1000000LL;

/**
 * Writes points stamped "now" into `src` of a real influxd, a batch every 100 ms, each batch
 * shuffled and its times up to 700 ms in the past: out of order, but within a 1 s delay.
 * Every point has its own series and time, so none overwrites another.
 */
class Writer
{
public:
    explicit Writer(InfluxdFixture &influx) : m_influx(influx) {}

    void setMeasurements(const QList<QByteArray> &measurements) { m_measurements = measurements; }

    bool writeFor(int ms)
    {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < ms) {
            QList<QByteArray> lines;
            const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
            for (int i = 0; i < 12; ++i) {
                const QByteArray &m = m_measurements.at(i % m_measurements.size());
                const qint64 t =
                    (nowMs - qint64(QRandomGenerator::global()->bounded(700))) * kNsPerMs +
                    (m_counter % kNsPerMs);
                ++m_counter;
                m_last = std::max(m_last, t);
                m_first = m_first == 0 ? t : std::min(m_first, t);
                lines.append(m + ",host=h" + QByteArray::number(i % 3) +
                             " v=" + QByteArray::number(m_counter * 0.25) +
                             ",n=" + QByteArray::number(m_counter) + "i,s=\"p" +
                             QByteArray::number(m_counter) + "\" " + QByteArray::number(t) + '\n');
            }
            std::shuffle(lines.begin(), lines.end(), *QRandomGenerator::global());
            if (!m_influx.write(u"src"_s, lines.join()))
                return false;
            m_written += lines.size();
            QTest::qWait(100);
        }
        return true;
    }

    qint64 last() const { return m_last; }
    qint64 written() const { return m_written; }

private:
    InfluxdFixture &m_influx;
    QList<QByteArray> m_measurements{"power", "temp"};
    qint64 m_counter = 0;
    qint64 m_first = 0;
    qint64 m_last = 0;
    qint64 m_written = 0;
};

/// The values of a dump whose time lies in [from, to).
QStringList within(const QStringList &dump, qint64 from, qint64 to)
{
    QStringList out;
    for (const QString &line : dump) {
        const qint64 t = line.section(u'|', 2, 2).toLongLong();
        if (t >= from && t < to)
            out.append(line);
    }
    return out;
}

std::optional<TaskRecord> readTask(const QString &state, const QString &name)
{
    CheckpointStore store;
    if (!QFileInfo::exists(state) || !store.open(state, CheckpointStore::Mode::ReadOnly))
        return std::nullopt;
    return store.task(name);
}

/// Waits until the task's watermark is past `time` (everything up to it is in the target).
/// Where the task `name` began to follow (its planned end) once it has a first watermark, within
/// 30 s; nothing when it never got one.
std::optional<qint64> waitForOrigin(const QString &state, const QString &name)
{
    const bool following = QTest::qWaitFor(
        [&] {
            const auto task = readTask(state, name);
            return task && task->watermarkNs != 0;
        },
        30000);
    if (!following)
        return std::nullopt;
    return readTask(state, name)->planEndNs;
}

/// Waits until the clock is past `time` (ns): points stamped up to 0.7 s back from then fall
/// after it. False after 30 s.
bool waitUntilPast(qint64 time)
{
    return QTest::qWaitFor([time] { return TimeText::nowNs() > time; }, 30000);
}

bool waitForWatermark(const QString &state, const QString &name, qint64 time, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        const auto task = readTask(state, name);
        if (task && task->watermarkNs > time)
            return true;
        QTest::qWait(100);
    }
    return false;
}

TaskProfile followProfile(const QString &name, const QString &url, const QString &mode)
{
    TaskProfile profile = influxToInflux(name, url, u"src"_s, url, u"dst"_s);
    profile.task.mode = mode;
    profile.task.start = u"2020-01-01T00:00:00Z"_s;
    profile.task.end.clear();
    profile.task.delaySeconds = 1;
    profile.task.pollSeconds = 1;
    profile.advanced.readConcurrency = 2;
    profile.advanced.writeConcurrency = 2;
    return profile;
}

} // namespace

/** Realtime and both modes: following new data with no gap and no duplicate. */
class TestRealtime : public QObject
{
    Q_OBJECT

private:
    /// The target holds exactly the source's values in [from, to), nothing else.
    static void verifyCopy(InfluxdFixture &influx, qint64 from, qint64 to, qint64 minPoints)
    {
        InfluxDump dump(influx.url());
        const QStringList source = within(dump.dump(u"src"_s), from, to);
        const QStringList target = dump.dump(u"dst"_s);
        QVERIFY2(dump.error().isEmpty(), qPrintable(dump.error()));
        QVERIFY2(InfluxDump::pointCount(source) >= minPoints,
                 qPrintable(u"only %1 points to compare"_s.arg(InfluxDump::pointCount(source))));
        const QString diff = compareDumps(source, target);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
    }

    static void interrupt(CliRun &run)
    {
        run.interrupt();
        QProcess &process = run.process();
        QVERIFY(process.waitForFinished(30000));
        const QString output = run.readOutput();
        QVERIFY2(process.exitStatus() == QProcess::NormalExit && process.exitCode() == 5,
                 qPrintable(output));
    }

private Q_SLOTS:
    void initTestCase() { TSM_INIT_CLI_TEST_CASE(); }

    void fileSourceCannotFollow()
    {
        TaskProfile profile = lpfileToLpfile(u"file"_s, u"/data/in.lp"_s, u"/data/out.lp"_s);
        profile.task.start = u"2020-01-01T00:00:00Z"_s;
        const QList<FieldError> history = validateProfile(profile);
        QVERIFY(std::none_of(history.begin(), history.end(),
                             [](const FieldError &e) { return e.key == u"task.mode"_s; }));
        for (const QString &mode : {u"realtime"_s, u"both"_s}) {
            profile.task.mode = mode;
            const QList<FieldError> errors = validateProfile(profile);
            QVERIFY(std::any_of(errors.begin(), errors.end(), [&](const FieldError &e) {
                return e.key == u"task.mode"_s && e.message.contains(mode) &&
                       e.message.contains(u"line-protocol file"_s);
            }));
        }
        QTemporaryDir dir;
        const QString path = dir.filePath(u"file.json"_s);
        QVERIFY(saveProfile(profile, path));
        const CliResult result =
            runCli({u"run"_s, path, u"--state"_s, dir.filePath(u"state.sqlite"_s)});
        QCOMPARE(result.exitCode, 2);
        QVERIFY2(result.output.contains(u"task.mode"_s), qPrintable(result.output));
    }

    /// Realtime from the CLI: writes go on while it follows, while it is stopped and after it
    /// runs again; new measurements are picked up; the ledger stays small.
    void followStopAndRestart()
    {
        InfluxdFixture influx;
        QVERIFY2(influx.start(), qPrintable(influx.errorString()));
        // Older than the moment the task starts: realtime leaves it out.
        const qint64 hourAgo = (QDateTime::currentMSecsSinceEpoch() - 3600000) * kNsPerMs;
        QVERIFY(influx.fill(u"src"_s, "power,host=old v=1 " + QByteArray::number(hourAgo)));

        QTemporaryDir dir;
        const QString state = dir.filePath(u"state.sqlite"_s);
        const QString profilePath = dir.filePath(u"task.json"_s);
        const QString name = u"follow me"_s;
        QVERIFY(saveProfile(followProfile(name, influx.url(), u"realtime"_s), profilePath));

        CliRun first;
        QVERIFY(first.start(profilePath, state));
        const std::optional<qint64> following = waitForOrigin(state, name);
        QVERIFY(following);
        const qint64 origin = *following;
        QCOMPARE(readTask(state, name)->watermarkNs, origin);
        // The writer's times reach 0.7 s back: keep them after the origin.
        QVERIFY(waitUntilPast(origin + 800 * kNsPerMs));

        Writer writer(influx);
        QVERIFY(writer.writeFor(4000));
        QVERIFY(waitForWatermark(state, name, origin + 1000 * kNsPerMs, 30000));
        const CliResult running = runCli({u"status"_s, u"--state"_s, state});
        QVERIFY2(running.output.contains(u"follow me: running, following, lag "_s),
                 qPrintable(running.output));
        interrupt(first);
        QCOMPARE(readTask(state, name)->state, TaskState::Paused);

        QVERIFY(writer.writeFor(2000)); // nobody follows meanwhile

        CliRun second;
        QVERIFY(second.start(profilePath, state));
        writer.setMeasurements({"power", "temp", "humidity"}); // a new measurement appears
        QVERIFY(writer.writeFor(3000));
        QVERIFY2(waitForWatermark(state, name, writer.last(), 30000),
                 "the watermark did not pass the last point written");
        interrupt(second);

        const qint64 watermark = readTask(state, name)->watermarkNs;
        verifyCopy(influx, origin, watermark, writer.written() / 2);
        // Everything written is below the watermark, so the target has every point.
        InfluxDump dump(influx.url());
        QCOMPARE(InfluxDump::pointCount(dump.dump(u"dst"_s)), writer.written());

        // Done units below the watermark are merged: one per measurement, however many cycles.
        CheckpointStore store;
        QVERIFY(store.open(state, CheckpointStore::Mode::ReadOnly));
        const auto task = store.task(name);
        const QList<UnitRecord> units = store.units(task->id);
        QVERIFY2(units.size() <= 3, qPrintable(u"%1 units in the ledger"_s.arg(units.size())));
        QCOMPARE(store.unitTotals(task->id).pointsWritten, writer.written());

        const CliResult status = runCli({u"status"_s, u"--state"_s, state});
        QVERIFY2(status.output.contains(u"follow me: paused, following, up to "_s),
                 qPrintable(status.output));
    }

    /// task.retro: a realtime task first migrates what the source holds from that long before
    /// its first run, then follows; older points stay out. Run again after an interruption, it
    /// reads neither the back-fill again nor skips anything.
    void retroBackFillsThenFollows()
    {
        InfluxdFixture influx;
        QVERIFY2(influx.start(), qPrintable(influx.errorString()));
        const qint64 nowNs = QDateTime::currentMSecsSinceEpoch() * kNsPerMs;
        const qint64 minute = 60000 * kNsPerMs;
        QByteArray before;
        // Outside a back-fill of one hour: two hours and 61 minutes before the first run.
        before += "power,host=old v=1 " + QByteArray::number(nowNs - 120 * minute) + '\n';
        before += "power,host=old v=2 " + QByteArray::number(nowNs - 61 * minute) + '\n';
        // Inside it: 30 points from 50 to 21 minutes before, and one 5 minutes before.
        for (int i = 0; i < 30; ++i)
            before += "power,host=back v=" + QByteArray::number(i) + " " +
                      QByteArray::number(nowNs - (50 - i) * minute) + '\n';
        before += "temp,host=back v=5 " + QByteArray::number(nowNs - 5 * minute) + '\n';
        QVERIFY(influx.fill(u"src"_s, before));

        QTemporaryDir dir;
        const QString state = dir.filePath(u"state.sqlite"_s);
        const QString profilePath = dir.filePath(u"task.json"_s);
        const QString name = u"retro"_s;
        TaskProfile profile = followProfile(name, influx.url(), u"realtime"_s);
        profile.task.windowMinutes = 10; // several units in the back-fill
        QVERIFY(saveProfile(profile, profilePath));

        // From the CLI, the back-fill given with --set.
        CliRun first;
        QVERIFY(first.start(profilePath, state, {u"--set"_s, u"task.retro=1h"_s}));
        const std::optional<qint64> following = waitForOrigin(state, name);
        QVERIFY(following);
        const qint64 origin = *following;
        const auto planned = readTask(state, name);
        // [first run − 1 h, first run − delay): the first run came after nowNs.
        QCOMPARE(origin - planned->planStartNs, 3600 * 1000 * kNsPerMs - 1000 * kNsPerMs);
        QVERIFY(planned->planStartNs >= nowNs - 60 * minute);
        QVERIFY(waitUntilPast(origin + 800 * kNsPerMs));
        Writer writer(influx);
        QVERIFY(writer.writeFor(2000));
        QVERIFY(waitForWatermark(state, name, writer.last(), 30000));
        interrupt(first);
        const CliResult status = runCli({u"status"_s, u"--state"_s, state, u"--task"_s, name});
        QVERIFY2(status.output.contains(u"History complete: 31 points written"_s),
                 qPrintable(status.output));

        // Run again: the back-fill decided at the first run stands, its units are not read again.
        QVERIFY(writer.writeFor(1000));
        CliRun second;
        QVERIFY(second.start(profilePath, state, {u"--set"_s, u"task.retro=2h"_s}));
        QVERIFY(writer.writeFor(1000));
        QVERIFY(waitForWatermark(state, name, writer.last(), 30000));
        interrupt(second);
        const auto after = readTask(state, name);
        QCOMPARE(after->planStartNs, planned->planStartNs);
        QCOMPARE(after->planEndNs, origin);
        CheckpointStore store;
        QVERIFY(store.open(state, CheckpointStore::Mode::ReadOnly));
        int backFillUnits = 0;
        for (const UnitRecord &unit : store.units(after->id)) {
            if (unit.rangeEnd > origin)
                continue;
            ++backFillUnits;
            QCOMPARE(unit.status, UnitStatus::Done);
            QCOMPARE(unit.attempts, 1);
        }
        QVERIFY2(backFillUnits >= 2, qPrintable(QString::number(backFillUnits)));

        // The target holds exactly the source from the back-fill's start: the 31 points before
        // the first run inside the hour, none older, and every point written since.
        verifyCopy(influx, planned->planStartNs, after->watermarkNs, 31 + writer.written() / 2);
        InfluxDump dump(influx.url());
        const QStringList target = dump.dump(u"dst"_s);
        QCOMPARE(InfluxDump::pointCount(target), 31 + writer.written());
        QVERIFY(std::none_of(target.begin(), target.end(), [](const QString &line) {
            return line.contains(u"host=old"_s);
        }));
    }

    /// task.pollSeconds spaces the reads of new data: with an hour between them nothing written
    /// after the task began to follow is read (the derived interval read it within a second or
    /// two); the same task run with --set task.pollSeconds=1 takes it all.
    void pollIntervalSpacesTheReads()
    {
        InfluxdFixture influx;
        QVERIFY2(influx.start(), qPrintable(influx.errorString()));
        QVERIFY(influx.query(u"CREATE DATABASE src"_s));
        QTemporaryDir dir;
        const QString state = dir.filePath(u"state.sqlite"_s);
        const QString profilePath = dir.filePath(u"task.json"_s);
        const QString name = u"poll"_s;
        TaskProfile profile = followProfile(name, influx.url(), u"realtime"_s);
        profile.task.pollSeconds = 3600;
        QVERIFY(saveProfile(profile, profilePath));

        RunThread runner(profile, state);
        QStringList events;
        connect(&runner, &RunThread::event, this,
                [&](int, const QString &message) { events.append(message); });
        QSignalSpy finished(&runner, &RunThread::finished);
        runner.start();
        auto followingSaid = [&] {
            return std::any_of(events.begin(), events.end(), [](const QString &e) {
                return e.startsWith(u"Following new data from"_s);
            });
        };
        QTRY_VERIFY_WITH_TIMEOUT(followingSaid(), 30000);
        QVERIFY2(events.join(u'\n').contains(u"reading up to now − 1 s every 3600 s"_s),
                 qPrintable(events.join(u'\n')));
        // The first cycle comes at once, reading up to a second before it: the points below,
        // written once its end is a second behind and stamped at most 0.7 s back, wait for the
        // next one.
        QTRY_VERIFY_WITH_TIMEOUT(readTask(state, name)->watermarkNs != 0, 30000);
        QVERIFY(waitUntilPast(readTask(state, name)->watermarkNs + 1000 * kNsPerMs));
        Writer writer(influx);
        QVERIFY(writer.writeFor(3000));
        // A poll every second would have read them all by now (delay 1 s): this one has not.
        QVERIFY(waitUntilPast(writer.last() + 2000 * kNsPerMs));
        const auto waiting = readTask(state, name);
        QVERIFY(waiting->watermarkNs < writer.last());
        InfluxDump dump(influx.url());
        QCOMPARE(InfluxDump::pointCount(dump.dump(u"dst"_s)), 0);
        runner.requestStop(); // the wait ends at once
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
        QCOMPARE(finished.at(0).at(0).value<RunOutcome>().status, RunOutcome::Status::Stopped);

        CliRun again;
        QVERIFY(again.start(profilePath, state, {u"--set"_s, u"task.pollSeconds=1"_s}));
        QVERIFY(waitForWatermark(state, name, writer.last(), 30000));
        interrupt(again);
        QCOMPARE(InfluxDump::pointCount(dump.dump(u"dst"_s)), writer.written());
    }

    /// SIGKILL while following, then run again: no gap, no duplicate.
    void killWhileFollowing()
    {
        InfluxdFixture influx;
        QVERIFY2(influx.start(), qPrintable(influx.errorString()));
        QVERIFY(influx.query(u"CREATE DATABASE src"_s));
        QTemporaryDir dir;
        const QString state = dir.filePath(u"state.sqlite"_s);
        const QString profilePath = dir.filePath(u"task.json"_s);
        const QString name = u"kill me"_s;
        QVERIFY(saveProfile(followProfile(name, influx.url(), u"realtime"_s), profilePath));

        CliRun first;
        QVERIFY(first.start(profilePath, state));
        const std::optional<qint64> following = waitForOrigin(state, name);
        QVERIFY(following);
        const qint64 origin = *following;
        QTest::qWait(1000);
        Writer writer(influx);
        QVERIFY(writer.writeFor(3000));
        QVERIFY(waitForWatermark(state, name, origin + 1000 * kNsPerMs, 30000));
        QVERIFY(writer.writeFor(700)); // kill while there is work in flight
        QVERIFY(first.process().state() == QProcess::Running);
        ::kill(pid_t(first.process().processId()), SIGKILL);
        QVERIFY(first.process().waitForFinished());
        QCOMPARE(first.process().exitStatus(), QProcess::CrashExit);
        const qint64 killedAt = readTask(state, name)->watermarkNs;

        QVERIFY(writer.writeFor(1500));
        CliRun second;
        QVERIFY(second.start(profilePath, state));
        QVERIFY(writer.writeFor(2500));
        QVERIFY(waitForWatermark(state, name, writer.last(), 30000));
        interrupt(second);

        QVERIFY(readTask(state, name)->watermarkNs > killedAt);
        verifyCopy(influx, origin, readTask(state, name)->watermarkNs, writer.written() / 2);
        InfluxDump dump(influx.url());
        QCOMPARE(InfluxDump::pointCount(dump.dump(u"dst"_s)), writer.written());
    }

    /// Both modes: a day of history, then following; the phase switch shows in the progress,
    /// the events and `tsmigrate-cli status`; pause and resume continue from the watermark.
    void historyThenFollow()
    {
        InfluxdFixture influx;
        QVERIFY2(influx.start(), qPrintable(influx.errorString()));
        const qint64 nowNs = QDateTime::currentMSecsSinceEpoch() * kNsPerMs;
        const qint64 dayAgo = nowNs - 24LL * 3600 * 1000000000LL;
        QByteArray day;
        for (int minute = 0; minute < 24 * 60; ++minute)
            for (int s = 0; s < 2; ++s)
                day += "power,host=d" + QByteArray::number(s) +
                       " v=" + QByteArray::number(minute * 1.5) + " " +
                       QByteArray::number(dayAgo + qint64(minute) * 60000000000LL + s) + '\n';
        QVERIFY(influx.fill(u"src"_s, day));

        QTemporaryDir dir;
        const QString state = dir.filePath(u"state.sqlite"_s);
        const QString name = u"both"_s;
        TaskProfile profile = followProfile(name, influx.url(), u"both"_s);
        profile.task.start = TimeText::format(dayAgo - 3600LL * 1000000000LL);
        RunThread runner(profile, state);
        QList<QString> phases;
        QList<qint64> lags;
        connect(&runner, &RunThread::progress, this, [&](const RunProgress &p) {
            if (phases.isEmpty() || phases.last() != phaseName(p.phase))
                phases.append(phaseName(p.phase));
            if (p.phase == RunPhase::Following)
                lags.append(p.lagSeconds);
        });
        QSignalSpy finished(&runner, &RunThread::finished);
        runner.start();
        QTRY_VERIFY_WITH_TIMEOUT(phases.contains(u"following"_s), 60000);
        QVERIFY2(phases.indexOf(u"history"_s) >= 0 &&
                     phases.indexOf(u"history"_s) < phases.indexOf(u"following"_s),
                 qPrintable(phases.join(u", "_s)));

        const auto task = readTask(state, name);
        QVERIFY(task);
        const qint64 historyEnd = task->planEndNs;
        QVERIFY(historyEnd > nowNs - 2000 * kNsPerMs); // up to now − delay when it started
        QCOMPARE(task->planStartNs, dayAgo - 3600LL * 1000000000LL);
        const CliResult following = runCli({u"status"_s, u"--state"_s, state, u"--task"_s, name});
        QVERIFY2(following.output.contains(u"both: running, following, lag "_s),
                 qPrintable(following.output));
        // The switch is in the log, history first.
        const qsizetype historyDone = following.output.indexOf(u"History complete: 2880 points"_s);
        const qsizetype followFrom = following.output.indexOf(u"Following new data from"_s);
        QVERIFY2(historyDone >= 0 && followFrom > historyDone, qPrintable(following.output));

        Writer writer(influx);
        QVERIFY(writer.writeFor(2500));
        runner.requestPause();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
        QCOMPARE(finished.at(0).at(0).value<RunOutcome>().status, RunOutcome::Status::Paused);
        QVERIFY(writer.writeFor(1500));
        runner.start(); // resume
        QVERIFY(writer.writeFor(2000));
        QVERIFY(waitForWatermark(state, name, writer.last(), 30000));
        runner.requestStop();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 10000);
        QCOMPARE(finished.at(1).at(0).value<RunOutcome>().status, RunOutcome::Status::Stopped);

        verifyCopy(influx, task->planStartNs, readTask(state, name)->watermarkNs,
                   2880 + writer.written() / 2);
        InfluxDump dump(influx.url());
        QCOMPARE(InfluxDump::pointCount(dump.dump(u"dst"_s)), 2880 + writer.written());
        QVERIFY(!lags.isEmpty());
        qInfo("lag while following (delay 1 s): %lld s at most of %lld samples",
              *std::max_element(lags.begin(), lags.end()), qint64(lags.size()));
    }

    /// The target goes away while the task follows: the task keeps running, says it will try
    /// again, and once the target is back catches up with no gap.
    void targetOutageWhileFollowing()
    {
        InfluxdFixture source;
        InfluxdFixture target;
        QVERIFY2(source.start(), qPrintable(source.errorString()));
        QVERIFY2(target.start(), qPrintable(target.errorString()));
        QVERIFY(source.query(u"CREATE DATABASE src"_s));
        QTemporaryDir dir;
        const QString state = dir.filePath(u"state.sqlite"_s);
        const QString name = u"outage"_s;
        TaskProfile profile = followProfile(name, source.url(), u"realtime"_s);
        const TaskProfile targetSide =
            influxToInflux(name, source.url(), u"src"_s, target.url(), u"dst"_s);
        profile.target = targetSide.target;
        profile.advanced.retryAttempts = 2;

        RunThread runner(profile, state);
        QStringList warnings;
        connect(&runner, &RunThread::event, this, [&](int level, const QString &message) {
            if (level == int(EventLevel::Warn))
                warnings.append(message);
        });
        QSignalSpy finished(&runner, &RunThread::finished);
        runner.start();
        const std::optional<qint64> following = waitForOrigin(state, name);
        QVERIFY(following);
        const qint64 origin = *following;
        QTest::qWait(1000);

        Writer writer(source);
        QVERIFY(writer.writeFor(2000));
        target.stop();
        QVERIFY(writer.writeFor(3000));
        QTRY_VERIFY_WITH_TIMEOUT(
            std::any_of(warnings.begin(), warnings.end(),
                        [](const QString &w) { return w.contains(u"following again in"_s); }),
            30000);
        QCOMPARE(finished.count(), 0); // still following
        const qint64 stuck = readTask(state, name)->watermarkNs;
        QVERIFY(stuck < writer.last());
        QVERIFY2(target.start(), qPrintable(target.errorString()));
        QVERIFY(writer.writeFor(1000));
        QVERIFY(waitForWatermark(state, name, writer.last(), 60000));
        runner.requestStop();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
        QCOMPARE(finished.at(0).at(0).value<RunOutcome>().status, RunOutcome::Status::Stopped);

        InfluxDump sourceDump(source.url());
        InfluxDump targetDump(target.url());
        const QStringList expected =
            within(sourceDump.dump(u"src"_s), origin, readTask(state, name)->watermarkNs);
        const QStringList actual = targetDump.dump(u"dst"_s);
        QVERIFY2(sourceDump.error().isEmpty() && targetDump.error().isEmpty(),
                 qPrintable(sourceDump.error() + targetDump.error()));
        QCOMPARE(InfluxDump::pointCount(actual), writer.written());
        const QString diff = compareDumps(expected, actual);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
    }

    /// A follow that reaches its end time completes, and takes nothing after it.
    void followStopsAtEndTime()
    {
        InfluxdFixture influx;
        QVERIFY2(influx.start(), qPrintable(influx.errorString()));
        QVERIFY(influx.query(u"CREATE DATABASE src"_s));
        QTemporaryDir dir;
        const QString state = dir.filePath(u"state.sqlite"_s);
        const QString profilePath = dir.filePath(u"task.json"_s);
        const QString name = u"until"_s;
        TaskProfile profile = followProfile(name, influx.url(), u"realtime"_s);
        const qint64 end = (QDateTime::currentMSecsSinceEpoch() + 4000) * kNsPerMs;
        profile.task.end = TimeText::format(end);
        QVERIFY(saveProfile(profile, profilePath));

        CliRun cli;
        QVERIFY(cli.start(profilePath, state));
        QProcess &run = cli.process();
        Writer writer(influx);
        QVERIFY(writer.writeFor(6000)); // the last two seconds lie past the end
        // It may have finished while the writer waited between batches.
        QVERIFY(run.state() == QProcess::NotRunning || run.waitForFinished(30000));
        const QString output = QString::fromUtf8(run.readAll());
        QVERIFY2(run.exitStatus() == QProcess::NormalExit && run.exitCode() == 0,
                 qPrintable(output));
        QVERIFY2(output.contains(u"Followed new data up to the end time"_s), qPrintable(output));
        const auto task = readTask(state, name);
        QCOMPARE(task->state, TaskState::Completed);
        QCOMPARE(task->watermarkNs, end);
        verifyCopy(influx, task->planEndNs, end, writer.written() / 4);
    }
};

QTEST_GUILESS_MAIN(TestRealtime)
#include "test_realtime.moc"
