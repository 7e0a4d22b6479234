// tsmigrate-cli verify against a real influxd: a clean migration verifies (0); points deleted in
// one window of the target, a dropped series and extra points are named window by window (7);
// --repair makes source and target identical again; every exit code; the verification at the
// end of a run, on and off; a line-protocol file target.
#include "support/InfluxDump.h"
#include "support/InfluxdFixture.h"
#include "support/TestCli.h"
#include "support/TestProfiles.h"

#include <CheckpointStore.h>
#include <Lease.h>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>
#include <TimeText.h>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::test;

namespace {

constexpr qint64 kT0 = 1600000000000000000LL; // 2020-09-13T12:26:40Z
constexpr qint64 kMinute = 60000000000LL;
constexpr qint64 kHour = 60 * kMinute;

/// `tsmigrate-cli <command> <profile> --state <state>`, with `more` arguments after them.
CliResult cli(const QString &command, const QString &profile, const QString &state,
              const QStringList &more = {})
{
    return runCli(QStringList{command, profile, u"--state"_s, state} + more);
}

} // namespace

class TestVerify : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        TSM_SKIP_WITHOUT_INFLUXD();
        QVERIFY2(!cliPath().isEmpty(), "TSM_CLI is not set");
        InfluxdFixture::Options options;
        options.authEnabled = true;
        m_influx = std::make_unique<InfluxdFixture>(options);
        QVERIFY2(m_influx->start(), qPrintable(m_influx->errorString()));
        QVERIFY(m_influx->query(u"CREATE DATABASE src"_s));
        // Six hours of cpu (hosts h0..h4, a point a minute) and mem; host x only in hour 4.
        QByteArray lines;
        for (int i = 0; i < 360; ++i) {
            const QByteArray time = QByteArray::number(kT0 + i * kMinute);
            lines += "cpu,host=h" + QByteArray::number(i % 5) + " usage=" +
                     QByteArray::number(i * 0.25) + ",n=" + QByteArray::number(i) + "i " + time +
                     "\n";
            if (i % 3 == 0)
                lines += "mem,host=h0 free=" + QByteArray::number(i) + "i " + time + "\n";
            if (i >= 250 && i < 270)
                lines += "cpu,host=x usage=1,n=" + QByteArray::number(i) + "i " + time + "\n";
        }
        QVERIFY(m_influx->write(u"src"_s, lines));
    }

    void cleanupTestCase() { m_influx.reset(); }

    /// Migrated and verified at the end of the run; then deleted points, a dropped series and
    /// extra points are each named in their window, and --repair restores the target exactly.
    void differencesAreNamedAndRepaired()
    {
        QTemporaryDir dir;
        const QString state = dir.filePath(u"s.sqlite"_s);
        const QString file = profileFile(dir, u"repair"_s, u"dst_repair"_s);

        const CliResult run = cli(u"run"_s, file, state);
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));
        QVERIFY2(run.output.contains(u"Verified: "_s) && run.output.contains(u"windows agree"_s),
                 qPrintable(run.output));
        const CliResult clean = cli(u"verify"_s, file, state);
        QVERIFY2(clean.exitCode == 0, qPrintable(clean.output));
        QVERIFY2(clean.output.contains(u"windows agree"_s), qPrintable(clean.output));

        // The cpu window that starts at hour 1 loses its points; host x (hour 4) is dropped.
        const QList<UnitRecord> units = unitsOf(state, u"repair"_s);
        const UnitRecord deleted = unitAt(units, u"cpu"_s, kT0 + kHour + 30 * kMinute);
        const UnitRecord dropped = unitAt(units, u"cpu"_s, kT0 + 255 * kMinute);
        QVERIFY(deleted.id != 0 && dropped.id != 0 && deleted.id != dropped.id);
        QVERIFY(targetQuery(u"DELETE FROM cpu WHERE time >= %1 AND time < %2"_s
                                .arg(deleted.rangeStart)
                                .arg(deleted.rangeEnd),
                            u"dst_repair"_s));
        QVERIFY(targetQuery(u"DROP SERIES FROM cpu WHERE host='x'"_s, u"dst_repair"_s));

        const CliResult differs = cli(u"verify"_s, file, state, {u"--json"_s});
        QVERIFY2(differs.exitCode == 7, qPrintable(differs.output));
        const QJsonObject report = jsonOf(differs.output);
        QCOMPARE(report.value(u"task"_s).toString(), u"repair"_s);
        QCOMPARE(report.value(u"agrees"_s).toBool(true), false);
        QCOMPARE(report.value(u"windows"_s).toInteger(), qint64(units.size()));
        QCOMPARE(report.value(u"differing"_s).toInteger(), 2);
        const QJsonArray differences = report.value(u"differences"_s).toArray();
        QCOMPARE(differences.size(), 2);
        QSet<qint64> starts;
        for (const QJsonValue &value : differences) {
            const QJsonObject d = value.toObject();
            QCOMPARE(d.value(u"measurement"_s).toString(), u"cpu"_s);
            starts.insert(d.value(u"startNs"_s).toString().toLongLong());
            QCOMPARE(d.value(u"start"_s).toString(),
                     TimeText::format(d.value(u"startNs"_s).toString().toLongLong()));
            QVERIFY(d.value(u"target"_s).toInteger() < d.value(u"source"_s).toInteger());
            QVERIFY2(d.value(u"detail"_s).toString().contains(u"usage "_s),
                     qPrintable(d.value(u"detail"_s).toString()));
        }
        QCOMPARE(starts, (QSet<qint64>{deleted.rangeStart, dropped.rangeStart}));
        // The state file keeps the result per window, with both counts and when.
        {
            CheckpointStore store;
            QVERIFY(store.open(state, CheckpointStore::Mode::ReadOnly));
            const auto task = store.task(u"repair"_s);
            const QList<WindowCheck> windows = store.verification(task->id);
            QCOMPARE(windows.size(), units.size());
            const QList<WindowCheck> differing = store.verification(task->id, true);
            QCOMPARE(differing.size(), 2);
            for (const WindowCheck &w : differing)
                QVERIFY(w.checkedMs > 0 && w.sourceCount > w.targetCount);
        }
        const CliResult status = runCli({u"status"_s, u"--state"_s, state});
        QVERIFY2(status.output.contains(u"2 of %1 windows differ"_s.arg(units.size())),
                 qPrintable(status.output));
        // The lines name both windows with RFC 3339 times and both counts.
        const CliResult text = cli(u"verify"_s, file, state);
        QCOMPARE(text.exitCode, 7);
        QVERIFY2(text.output.contains(u"2 of %1 windows differ"_s.arg(units.size())),
                 qPrintable(text.output));
        QVERIFY2(text.output.contains(u"cpu %1 .. %2: source 60, target 0"_s.arg(
                     TimeText::format(deleted.rangeStart), TimeText::format(deleted.rangeEnd))),
                 qPrintable(text.output));

        const CliResult repaired = cli(u"verify"_s, file, state, {u"--repair"_s});
        QVERIFY2(repaired.exitCode == 0, qPrintable(repaired.output));
        compareWithSource(u"dst_repair"_s);
        const CliResult after = cli(u"verify"_s, file, state);
        QVERIFY2(after.exitCode == 0, qPrintable(after.output));
    }

    /// Points the target has and the source has not are a difference too.
    void extraPointsAreReported()
    {
        QTemporaryDir dir;
        const QString state = dir.filePath(u"s.sqlite"_s);
        const QString file = profileFile(dir, u"extra"_s, u"dst_extra"_s);
        const CliResult run = cli(u"run"_s, file, state);
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));
        QVERIFY(m_influx->write(u"dst_extra"_s, "mem,host=h9 free=1i " +
                                                    QByteArray::number(kT0 + 30 * kMinute) +
                                                    "\n"));
        const CliResult differs = cli(u"verify"_s, file, state);
        QVERIFY2(differs.exitCode == 7, qPrintable(differs.output));
        // The window of mem that holds the extra point, with one value of free more.
        const UnitRecord window = unitAt(unitsOf(state, u"extra"_s), u"mem"_s, kT0 + 30 * kMinute);
        qint64 points = 0;
        for (int i = 0; i < 360; i += 3)
            points += kT0 + i * kMinute >= window.rangeStart && kT0 + i * kMinute < window.rangeEnd;
        QVERIFY2(differs.output.contains(u"1 of "_s) &&
                     differs.output.contains(u"mem %1 .. %2: source %3, target %4 (free %3/%4)"_s
                                                 .arg(TimeText::format(window.rangeStart),
                                                      TimeText::format(window.rangeEnd))
                                                 .arg(points)
                                                 .arg(points + 1)),
                 qPrintable(differs.output));
    }

    /// The end of a run verifies (exit 7 when the target already holds more), unless
    /// advanced.verify is off.
    void verificationAtTheEndOfARun()
    {
        QTemporaryDir dir;
        const QString state = dir.filePath(u"s.sqlite"_s);
        QVERIFY(m_influx->query(u"CREATE DATABASE dst_auto"_s));
        QVERIFY(m_influx->write(u"dst_auto"_s,
                                "cpu,host=zz usage=9 " + QByteArray::number(kT0) + "\n"));
        const QString on = profileFile(dir, u"auto on"_s, u"dst_auto"_s);
        const CliResult verified = cli(u"run"_s, on, state);
        QVERIFY2(verified.exitCode == 7, qPrintable(verified.output));
        QVERIFY2(verified.output.contains(u"1 of "_s) && verified.output.contains(u"differ"_s),
                 qPrintable(verified.output));

        const QString off = profileFile(dir, u"auto off"_s, u"dst_auto"_s);
        const CliResult unverified =
            cli(u"run"_s, off, state, {u"--set"_s, u"advanced.verify=false"_s});
        QVERIFY2(unverified.exitCode == 0, qPrintable(unverified.output));
        QVERIFY2(!unverified.output.contains(u"Verified"_s), qPrintable(unverified.output));
        CheckpointStore store;
        QVERIFY(store.open(state, CheckpointStore::Mode::ReadOnly));
        QCOMPARE(store.verificationSummaries().value(store.task(u"auto on"_s)->id).differing, 1);
        QVERIFY(!store.verificationSummaries().contains(store.task(u"auto off"_s)->id));
        // On request it finds the same.
        const CliResult asked = cli(u"verify"_s, off, state);
        QVERIFY2(asked.exitCode == 7, qPrintable(asked.output));
    }

    /// 2: no such task, nothing migrated; 3: the target cannot be reached; 4: credentials
    /// refused; 8: another process runs the task.
    void exitCodes()
    {
        QTemporaryDir dir;
        const QString state = dir.filePath(u"s.sqlite"_s);
        const QString file = profileFile(dir, u"codes"_s, u"dst_codes"_s);
        const CliResult notRun = cli(u"verify"_s, file, state);
        QVERIFY2(notRun.exitCode == 2 && notRun.output.contains(u"run it first"_s),
                 qPrintable(notRun.output));
        const CliResult noTask =
            runCli({u"verify"_s, u"--task"_s, u"nobody"_s, u"--state"_s, state});
        QCOMPARE(noTask.exitCode, 2);
        const CliResult ran = cli(u"run"_s, file, state);
        QVERIFY2(ran.exitCode == 0,
                 qPrintable(u"run: exit %1: %2"_s.arg(ran.exitCode).arg(ran.output)));

        const CliResult wrong =
            cli(u"verify"_s, file, state, {u"--set"_s, u"target.auth.password=wrong"_s});
        QVERIFY2(wrong.exitCode == 4, qPrintable(wrong.output));
        const CliResult unreachable =
            cli(u"verify"_s, file, state,
                {u"--set"_s, u"target.port=1"_s, u"--set"_s, u"advanced.retryAttempts=1"_s});
        QVERIFY2(unreachable.exitCode == 3, qPrintable(unreachable.output));

        {
            CheckpointStore store;
            QVERIFY(store.open(state));
            LeaseHolder other = Lease::thisRun();
            other.program = u"tsmigrate"_s;
            QVERIFY(store.claimLease(store.task(u"codes"_s)->id, other)->granted);
        }
        const CliResult busy = cli(u"verify"_s, file, state);
        QVERIFY2(busy.exitCode == 8 && busy.output.contains(u"is running in"_s),
                 qPrintable(busy.output));
    }

    /// A line-protocol file target: lines counted per measurement and window.
    void lineProtocolFileTarget()
    {
        QTemporaryDir dir;
        const QString state = dir.filePath(u"s.sqlite"_s);
        TaskProfile profile = authProfile(u"to file"_s, QString());
        profile.target = TaskProfile::withDefaults().target;
        profile.target.type = u"lpfile"_s;
        profile.target.path = dir.filePath(u"out.lp"_s);
        profile.target.database = u"copy"_s;
        const QString file = dir.filePath(u"file.json"_s);
        QVERIFY(saveProfile(profile, file));
        const CliResult run = cli(u"run"_s, file, state);
        QVERIFY2(run.exitCode == 0 && run.output.contains(u"windows agree"_s),
                 qPrintable(run.output));
        QFile out(profile.target.path);
        QVERIFY(out.open(QIODevice::Append));
        out.write("cpu,host=h1 usage=2,n=3i " + QByteArray::number(kT0 + 2 * kHour + kMinute) +
                  "\n");
        out.close();
        const CliResult differs = cli(u"verify"_s, file, state);
        QVERIFY2(differs.exitCode == 7 && differs.output.contains(u"usage 60/61"_s),
                 qPrintable(differs.output));
    }

    /// A line-protocol file source: its windows are made per measurement and hour, and a repair
    /// migrates the byte ranges that hold a differing window again.
    void lineProtocolFileSource()
    {
        QTemporaryDir dir;
        const QString state = dir.filePath(u"s.sqlite"_s);
        QByteArray lines = "# DML\n# CONTEXT-DATABASE: src\n";
        for (int i = 0; i < 240; ++i)
            lines += "disk,dev=sd" + QByteArray::number(i % 2) + " used=" + QByteArray::number(i) +
                     "i " + QByteArray::number(kT0 + i * kMinute) + "\n";
        QFile in(dir.filePath(u"in.lp"_s));
        QVERIFY(in.open(QIODevice::WriteOnly));
        in.write(lines);
        in.close();
        TaskProfile profile = authProfile(u"from file"_s, u"dst_file"_s);
        profile.source = TaskProfile::withDefaults().source;
        profile.source.type = u"lpfile"_s;
        profile.source.path = in.fileName();
        const QString file = dir.filePath(u"from-file.json"_s);
        QVERIFY(saveProfile(profile, file));
        const CliResult run = cli(u"run"_s, file, state);
        QVERIFY2(run.exitCode == 0 && run.output.contains(u"5 windows agree"_s),
                 qPrintable(run.output));
        const qint64 hour = (kT0 / kHour + 1) * kHour; // the second window: a whole hour
        QVERIFY(targetQuery(u"DELETE FROM disk WHERE time >= %1 AND time < %2"_s.arg(hour).arg(
                                hour + kHour),
                            u"dst_file"_s));
        const CliResult differs = cli(u"verify"_s, file, state);
        QVERIFY2(differs.exitCode == 7 &&
                     differs.output.contains(u"disk %1 .. %2: source 60, target 0"_s.arg(
                         TimeText::format(hour), TimeText::format(hour + kHour))),
                 qPrintable(differs.output));
        const CliResult repaired = cli(u"verify"_s, file, state, {u"--repair"_s});
        QVERIFY2(repaired.exitCode == 0, qPrintable(repaired.output));
        InfluxDump dump(m_influx->url(), m_influx->adminUser(), m_influx->adminPassword());
        QCOMPARE(InfluxDump::pointCount(dump.dump(u"dst_file"_s)), 240);
    }

private:
    TaskProfile authProfile(const QString &name, const QString &targetDb) const
    {
        TaskProfile p = influxToInflux(name, m_influx->url(), u"src"_s, m_influx->url(), targetDb);
        p.source.user = m_influx->adminUser();
        p.source.password = m_influx->adminPassword();
        p.target.user = m_influx->adminUser();
        p.target.password = m_influx->adminPassword();
        p.task.start = TimeText::format(kT0);
        p.task.end = TimeText::format(kT0 + 6 * kHour);
        return p;
    }

    QString profileFile(QTemporaryDir &dir, const QString &name, const QString &targetDb) const
    {
        const QString path = dir.filePath(name + u".json"_s);
        saveProfile(authProfile(name, targetDb), path);
        return path;
    }

    static QList<UnitRecord> unitsOf(const QString &state, const QString &task)
    {
        CheckpointStore store;
        if (!store.open(state, CheckpointStore::Mode::ReadOnly))
            return {};
        return store.units(store.task(task)->id);
    }

    static UnitRecord unitAt(const QList<UnitRecord> &units, const QString &measurement,
                             qint64 time)
    {
        for (const UnitRecord &u : units)
            if (u.measurement == measurement && u.rangeStart <= time && time < u.rangeEnd)
                return u;
        return {};
    }

    bool targetQuery(const QString &statement, const QString &database)
    {
        return m_influx->query(statement, database);
    }

    static QJsonObject jsonOf(const QString &output)
    {
        const qsizetype start = output.indexOf(u'{');
        return QJsonDocument::fromJson(output.mid(start).toUtf8()).object();
    }

    void compareWithSource(const QString &targetDb)
    {
        InfluxDump dump(m_influx->url(), m_influx->adminUser(), m_influx->adminPassword());
        const QStringList source = dump.dump(u"src"_s);
        const QStringList target = dump.dump(targetDb);
        QVERIFY2(dump.error().isEmpty(), qPrintable(dump.error()));
        const QString diff = compareDumps(source, target);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
    }

    std::unique_ptr<InfluxdFixture> m_influx;
};

QTEST_GUILESS_MAIN(TestVerify)
#include "test_verify.moc"
