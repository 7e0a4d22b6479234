// tsmigrate-cli plan against a real influxd: a field whose type differs between shard groups and
// a tag and a field of one key are named, with exit 6 for a TDengine 3 target (emulated) and 0
// for an InfluxDB one (which keeps both); the counts equal what a run then moves; nothing is
// written to the target and the state file holds no progress; every exit code; --json field by
// field.
#include "emulators/TDengine3Emulator.h"
#include "support/InfluxdFixture.h"
#include "support/TestCli.h"
#include "support/TestProfiles.h"
#include "support/TestTime.h"

#include <CheckpointStore.h>
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

/// Sixty days ago: inside TDengine's default KEEP, and two weeks later still in the past.
qint64 baseTime()
{
    static const qint64 base = (TimeText::nowNs() - 60 * kDay) / kSecond * kSecond;
    return base;
}

QByteArray data()
{
    QByteArray lp;
    auto line = [&lp](const QByteArray &text, qint64 offset) {
        lp += text + ' ' + QByteArray::number(baseTime() + offset) + '\n';
    };
    // y: float in one shard group, integer two weeks later (another shard group).
    line("conflict y=1.5", 0);
    line("conflict y=2i", 2 * kWeek);
    line("conflict y=3i", 2 * kWeek + kSecond);
    // A tag and a field with the same key, in one point.
    line("dup,x=tagval x=1.5", 0);
    line("dup,x=other x=2.5,y=1i", kSecond);
    // Nothing wrong here: 3 series, 30 points, a sparse field.
    for (int i = 0; i < 30; ++i)
        line("cpu,host=h" + QByteArray::number(i % 3) + " usage=" + QByteArray::number(i) + ".5" +
                 (i % 2 ? QByteArray(",idle=1i") : QByteArray()),
             i * kSecond);
    return lp;
}

TaskProfile toTDengine(const QString &name, const QString &influxUrl, const QString &tdUrl)
{
    TaskProfile p = influxToInflux(name, influxUrl, u"src"_s, tdUrl, u"dst"_s);
    p.target.type = u"tdengine3"_s;
    p.target.user = u"root"_s;
    p.target.password = u"taosdata"_s;
    p.task.start = TimeText::format(baseTime() - kDay);
    p.task.end = TimeText::format(TimeText::nowNs() + kDay);
    return p;
}

/// The JSON document in the output (stdout and stderr come together).
QJsonObject jsonIn(const QString &output)
{
    const qsizetype from = output.indexOf(u'{');
    const qsizetype to = output.lastIndexOf(u'}');
    if (from < 0 || to < from)
        return {};
    return QJsonDocument::fromJson(output.mid(from, to - from + 1).toUtf8()).object();
}

QJsonObject measurementIn(const QJsonObject &plan, const QString &name)
{
    for (const QJsonValue &m : plan.value(u"measurements"_s).toArray())
        if (m.toObject().value(u"name"_s).toString() == name)
            return m.toObject();
    return {};
}

QJsonObject fieldIn(const QJsonObject &measurement, const QString &name)
{
    for (const QJsonValue &f : measurement.value(u"fields"_s).toArray())
        if (f.toObject().value(u"name"_s).toString() == name)
            return f.toObject();
    return {};
}

QJsonObject problemAbout(const QJsonObject &measurement, const QString &subject)
{
    for (const QJsonValue &p : measurement.value(u"problems"_s).toArray())
        if (p.toObject().value(u"subject"_s).toString() == subject)
            return p.toObject();
    return {};
}

/// Points written and rejected by the task's run, from the state file.
QPair<qint64, qint64> movedBy(const QString &state, const QString &task)
{
    CheckpointStore store;
    if (!store.open(state, CheckpointStore::Mode::ReadOnly))
        return {-1, -1};
    const auto record = store.task(task);
    if (!record)
        return {-1, -1};
    const UnitTotals totals = store.unitTotals(record->id);
    return {totals.pointsWritten, totals.pointsRejected};
}

} // namespace

/** tsmigrate-cli plan: what would move and what the target cannot hold, writing nothing. */
class TestPlan : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        TSM_START_SHARED_INFLUXD(m_influx);
        QVERIFY(m_influx->fill(u"src"_s, data()));
    }

    void cleanupTestCase() { m_influx.reset(); }

    void tdengineTargetRejects()
    {
        TDengine3Emulator td;
        QTemporaryDir dir;
        const QString profilePath = dir.filePath(u"p.json"_s);
        const QString state = dir.filePath(u"state.sqlite"_s);
        // With the policies at reject: what TDengine refuses is named as it would be refused.
        TaskProfile rejecting = toTDengine(u"plan td"_s, m_influx->url(), td.url());
        rejecting.advanced.onKeyClash = u"reject"_s;
        rejecting.advanced.onTypeConflict = u"reject"_s;
        QVERIFY(saveProfile(rejecting, profilePath));

        const CliResult plan = runCli({u"plan"_s, profilePath, u"--state"_s, state, u"--json"_s});
        QVERIFY2(plan.exitCode == 6, qPrintable(plan.output));
        const QJsonObject doc = jsonIn(plan.output);
        QVERIFY2(!doc.isEmpty(), qPrintable(plan.output));
        QCOMPARE(doc.value(u"task"_s).toString(), u"plan td"_s);
        QCOMPARE(doc.value(u"verdict"_s).toString(), u"rejects"_s);
        QCOMPARE(doc.value(u"points"_s).toInteger(), 35);
        QCOMPARE(doc.value(u"pointsExact"_s).toBool(), true);
        QVERIFY(doc.value(u"readUnits"_s).toInteger() >= 3);
        QVERIFY2(doc.value(u"targetState"_s).toString().contains(u"will be created"_s),
                 qPrintable(doc.value(u"targetState"_s).toString()));
        QVERIFY(doc.value(u"problems"_s).toArray().isEmpty());
        QVERIFY(doc.value(u"estimate"_s).toObject().value(u"seconds"_s).isDouble());
        QCOMPARE(doc.value(u"estimate"_s).toObject().value(u"samplePoints"_s).toInteger(), 35);

        // Problems first: cpu, which has none, comes last.
        const QJsonArray measurements = doc.value(u"measurements"_s).toArray();
        QCOMPARE(measurements.size(), 3);
        QCOMPARE(measurements.last().toObject().value(u"name"_s).toString(), u"cpu"_s);

        const QJsonObject conflict = measurementIn(doc, u"conflict"_s);
        QCOMPARE(conflict.value(u"points"_s).toInteger(), 3);
        QCOMPARE(conflict.value(u"series"_s).toInteger(), 1);
        QCOMPARE(conflict.value(u"first"_s).toString(), TimeText::format(baseTime()));
        QCOMPARE(conflict.value(u"last"_s).toString(),
                 TimeText::format(baseTime() + 2 * kWeek + kSecond));
        QCOMPARE(conflict.value(u"readUnits"_s).toInteger(), 2);
        const QJsonObject y = fieldIn(conflict, u"y"_s);
        QCOMPARE(y.value(u"typeDiffers"_s).toBool(), true);
        const QJsonArray groups = y.value(u"shardGroups"_s).toArray();
        QCOMPARE(groups.size(), 2);
        QCOMPARE(groups.at(0).toObject().value(u"type"_s).toString(), u"float"_s);
        QCOMPARE(groups.at(0).toObject().value(u"values"_s).toInteger(), 1);
        QCOMPARE(groups.at(1).toObject().value(u"type"_s).toString(), u"integer"_s);
        QCOMPARE(groups.at(1).toObject().value(u"values"_s).toInteger(), 2);
        QVERIFY(groups.at(0).toObject().value(u"end"_s).toString() <=
                groups.at(1).toObject().value(u"start"_s).toString());
        const QJsonObject yProblem = problemAbout(conflict, u"field \"y\""_s);
        QCOMPARE(yProblem.value(u"outcome"_s).toString(), u"rejected"_s);
        QCOMPARE(yProblem.value(u"points"_s).toInteger(), 2);
        QCOMPARE(yProblem.value(u"from"_s).toString(), u"schema"_s);

        const QJsonObject dup = measurementIn(doc, u"dup"_s);
        QCOMPARE(dup.value(u"tags"_s).toArray(), QJsonArray{u"x"_s});
        const QJsonObject clash = problemAbout(dup, u"tag and field \"x\""_s);
        QCOMPARE(clash.value(u"outcome"_s).toString(), u"rejected"_s);
        const QJsonObject refused = problemAbout(dup, u"points"_s);
        QCOMPARE(refused.value(u"points"_s).toInteger(), 2);
        QCOMPARE(refused.value(u"from"_s).toString(), u"values"_s);
        QVERIFY2(refused.value(u"reason"_s).toString().contains(u"used twice"_s),
                 qPrintable(refused.value(u"reason"_s).toString()));

        const QJsonObject cpu = measurementIn(doc, u"cpu"_s);
        QCOMPARE(cpu.value(u"points"_s).toInteger(), 30);
        QCOMPARE(cpu.value(u"series"_s).toInteger(), 3);
        QVERIFY(cpu.value(u"problems"_s).toArray().isEmpty());
        QCOMPARE(fieldIn(cpu, u"idle"_s).value(u"types"_s).toArray(), QJsonArray{u"integer"_s});

        // Nothing written, no progress kept.
        QVERIFY(td.databases().isEmpty() || !td.databases().contains(u"dst"_s));
        QCOMPARE(td.writeRequests(), 0);
        for (const QString &statement : td.statements())
            QVERIFY2(statement.startsWith(u"SELECT"_s) || statement.startsWith(u"SHOW"_s),
                     qPrintable(statement));
        QCOMPARE(movedBy(state, u"plan td"_s).first, -1);

        // The human form: the same, problems first.
        const CliResult human = runCli({u"plan"_s, profilePath, u"--state"_s, state});
        QVERIFY2(human.exitCode == 6, qPrintable(human.output));
        QVERIFY2(human.output.contains(u"TYPE DIFFERS"_s), qPrintable(human.output));
        QVERIFY(human.output.indexOf(u"\nconflict"_s) < human.output.indexOf(u"\ncpu"_s));
        QVERIFY(human.output.indexOf(u"\ndup"_s) < human.output.indexOf(u"\ncpu"_s));

        // What the plan counted is what a run moves.
        const CliResult run = runCli({u"run"_s, profilePath, u"--state"_s, state});
        QVERIFY2(run.exitCode == 6, qPrintable(run.output));
        const auto [written, rejected] = movedBy(state, u"plan td"_s);
        QCOMPARE(written + rejected, doc.value(u"points"_s).toInteger());
        QVERIFY(rejected >= 3); // both dup points and the other type of y
    }

    /// With the default policies a TDengine 3 plan names each renaming (kept), before the run,
    /// and what no policy keeps (an oversized tag) as rejected; a run then renames the same.
    void tdengineTargetRenamesByDefault()
    {
        const qint64 t = baseTime();
        QVERIFY(m_influx->fill(u"awkward"_s,
                               "dup,x=tagval x=1.5 " + QByteArray::number(t) +
                                   "\nconflict y=1.5 " + QByteArray::number(t) +
                                   "\nconflict y=2i " + QByteArray::number(t + 2 * kWeek) +
                                   "\nbig,id=" + QByteArray(4200, 'x') + " v=1i " +
                                   QByteArray::number(t) + "\ntext s=\"two\nlines\" " +
                                   QByteArray::number(t) + "\n"));
        TDengine3Emulator td;
        QTemporaryDir dir;
        const QString profilePath = dir.filePath(u"p.json"_s);
        const QString state = dir.filePath(u"state.sqlite"_s);
        TaskProfile profile = toTDengine(u"renaming"_s, m_influx->url(), td.url());
        profile.task.bucket = u"awkward"_s;
        QVERIFY(saveProfile(profile, profilePath));
        const CliResult plan = runCli({u"plan"_s, profilePath, u"--state"_s, state, u"--json"_s});
        QVERIFY2(plan.exitCode == 6, qPrintable(plan.output));
        const QJsonObject doc = jsonIn(plan.output);
        const QJsonObject tag = problemAbout(measurementIn(doc, u"dup"_s), u"tag \"x\""_s);
        QCOMPARE(tag.value(u"outcome"_s).toString(), u"kept"_s);
        QVERIFY2(tag.value(u"reason"_s).toString().contains(u"\"x\" → \"x_tag\""_s),
                 qPrintable(tag.value(u"reason"_s).toString()));
        const QJsonObject conflict = measurementIn(doc, u"conflict"_s);
        const QJsonObject y = problemAbout(conflict, u"field \"y\" (integer)"_s);
        QCOMPARE(y.value(u"outcome"_s).toString(), u"kept"_s);
        QVERIFY2(y.value(u"reason"_s).toString().contains(u"integer values → \"y_integer\""_s),
                 qPrintable(y.value(u"reason"_s).toString()));
        for (const QJsonValue &p : conflict.value(u"problems"_s).toArray())
            QVERIFY2(p.toObject().value(u"outcome"_s).toString() == u"kept"_s,
                     qPrintable(QString::fromUtf8(QJsonDocument(p.toObject()).toJson())));
        const QJsonObject big = problemAbout(measurementIn(doc, u"big"_s), u"points"_s);
        QCOMPARE(big.value(u"outcome"_s).toString(), u"rejected"_s);
        QVERIFY2(big.value(u"reason"_s).toString().contains(u"16384"_s),
                 qPrintable(big.value(u"reason"_s).toString()));
        QVERIFY(measurementIn(doc, u"text"_s).value(u"problems"_s).toArray().isEmpty());

        const CliResult human = runCli({u"plan"_s, profilePath, u"--state"_s, state});
        QVERIFY2(human.output.contains(u"KEPT"_s) && human.output.contains(u"x_tag"_s),
                 qPrintable(human.output));

        const CliResult run = runCli({u"run"_s, profilePath, u"--state"_s, state});
        QVERIFY2(run.exitCode == 6, qPrintable(run.output));
        const auto [written, rejected] = movedBy(state, u"renaming"_s);
        QCOMPARE(rejected, 1);
        QCOMPARE(written, 4);
    }

    void influxTargetKeepsBoth()
    {
        QTemporaryDir dir;
        const QString profilePath = dir.filePath(u"p.json"_s);
        const QString state = dir.filePath(u"state.sqlite"_s);
        QVERIFY(saveProfile(
            influxToInflux(u"plan influx"_s, m_influx->url(), u"src"_s, m_influx->url(), u"copy"_s),
            profilePath));
        const CliResult plan = runCli({u"plan"_s, profilePath, u"--state"_s, state, u"--json"_s});
        QVERIFY2(plan.exitCode == 0, qPrintable(plan.output));
        const QJsonObject doc = jsonIn(plan.output);
        QCOMPARE(doc.value(u"verdict"_s).toString(), u"clean"_s);
        const QJsonObject conflict = measurementIn(doc, u"conflict"_s);
        QCOMPARE(problemAbout(conflict, u"field \"y\""_s).value(u"outcome"_s).toString(),
                 u"kept"_s);
        QCOMPARE(problemAbout(measurementIn(doc, u"dup"_s), u"tag and field \"x\""_s)
                     .value(u"outcome"_s)
                     .toString(),
                 u"kept"_s);
        QVERIFY(!m_influx->select(u"SHOW DATABASES"_s).isEmpty());
        const QString databases = QString::fromUtf8(
            QJsonDocument(m_influx->select(u"SHOW DATABASES"_s)).toJson(QJsonDocument::Compact));
        QVERIFY2(!databases.contains(u"\"copy\""_s), qPrintable(databases));
        QCOMPARE(movedBy(state, u"plan influx"_s).first, -1);

        const CliResult run = runCli({u"run"_s, profilePath, u"--state"_s, state});
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));
        const auto [written, rejected] = movedBy(state, u"plan influx"_s);
        QCOMPARE(rejected, 0);
        QCOMPARE(written, doc.value(u"points"_s).toInteger());
    }

    void measurementsThatBecomeOneSuperTableStop()
    {
        QVERIFY(m_influx->fill(u"dots"_s, "a.b v=1 " + QByteArray::number(baseTime()) +
                                              "\na_b v=2 " + QByteArray::number(baseTime()) +
                                              '\n'));
        TDengine3Emulator td;
        QTemporaryDir dir;
        TaskProfile profile = toTDengine(u"dots"_s, m_influx->url(), td.url());
        profile.task.bucket = u"dots"_s;
        const QString profilePath = dir.filePath(u"p.json"_s);
        QVERIFY(saveProfile(profile, profilePath));
        const CliResult plan = runCli(
            {u"plan"_s, profilePath, u"--state"_s, dir.filePath(u"s.sqlite"_s), u"--json"_s});
        QVERIFY2(plan.exitCode == 2, qPrintable(plan.output));
        const QJsonObject doc = jsonIn(plan.output);
        QCOMPARE(doc.value(u"verdict"_s).toString(), u"stops"_s);
        const QJsonObject problem = doc.value(u"problems"_s).toArray().at(0).toObject();
        QCOMPARE(problem.value(u"subject"_s).toString(), u"measurements a.b, a_b"_s);
        QCOMPARE(problem.value(u"outcome"_s).toString(), u"stops the run"_s);
        QCOMPARE(measurementIn(doc, u"a.b"_s).value(u"targetName"_s).toString(), u"a_b"_s);
    }

    void exitCodes()
    {
        QTemporaryDir dir;
        const QString state = dir.filePath(u"s.sqlite"_s);
        // 2: no profile; a database the source does not have.
        QCOMPARE(runCli({u"plan"_s, u"--state"_s, state}).exitCode, 2);
        TaskProfile missing = influxToInflux(u"missing"_s, m_influx->url(), u"nosuchdb"_s,
                                             m_influx->url(), u"copy2"_s);
        QVERIFY(saveProfile(missing, dir.filePath(u"missing.json"_s)));
        const CliResult noDb =
            runCli({u"plan"_s, dir.filePath(u"missing.json"_s), u"--state"_s, state});
        QVERIFY2(noDb.exitCode == 2, qPrintable(noDb.output));
        QVERIFY2(noDb.output.contains(u"nosuchdb"_s), qPrintable(noDb.output));

        // 3: the target cannot be reached.
        TaskProfile unreachable = influxToInflux(u"unreachable"_s, m_influx->url(), u"src"_s,
                                                 u"http://127.0.0.1:9"_s, u"copy3"_s);
        unreachable.advanced.retryAttempts = 1;
        QVERIFY(saveProfile(unreachable, dir.filePath(u"unreachable.json"_s)));
        const CliResult network =
            runCli({u"plan"_s, dir.filePath(u"unreachable.json"_s), u"--state"_s, state});
        QVERIFY2(network.exitCode == 3, qPrintable(network.output));

        // 4: the target refuses the credentials.
        TDengine3Emulator td;
        TaskProfile auth = toTDengine(u"auth"_s, m_influx->url(), td.url());
        auth.target.password = u"wrong"_s;
        QVERIFY(saveProfile(auth, dir.filePath(u"auth.json"_s)));
        const CliResult refused =
            runCli({u"plan"_s, dir.filePath(u"auth.json"_s), u"--state"_s, state});
        QVERIFY2(refused.exitCode == 4, qPrintable(refused.output));

        // 0 and 6 are above.
    }

private:
    std::unique_ptr<InfluxdFixture> m_influx;
};

QTEST_GUILESS_MAIN(TestPlan)
#include "test_plan.moc"
