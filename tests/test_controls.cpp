// The operator's controls on real data: a series filter moves exactly the matching series (and
// the server's parser judges it), renames and added tags arrive under the new names, and the
// plan and verification use them. Source and target are a real influxd (an InfluxDB 2.x source:
// the strict emulator in front of one).
#include "emulators/Influx2Emulator.h"
#include "rename/RenamedSource.h"
#include "run/Runner.h"
#include "sources/LpFileSource.h"
#include "support/InfluxDump.h"
#include "support/InfluxdFixture.h"
#include "support/TestCli.h"
#include "support/TestProfiles.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>
#include <TaskOptions.h>
#include <UserRenames.h>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::test;

namespace {

constexpr qint64 kT0 = 1600000000000000000LL; // 2020-09-13T12:26:40Z
constexpr qint64 kSecond = 1000000000LL;

/// Twelve series over six hours: hosts a, b, c in data centres eu-west, eu-north, us-east.
QByteArray seriesData()
{
    QByteArray lp;
    const QList<QByteArray> hosts{"a", "b", "c"};
    const QList<QByteArray> dcs{"eu-west", "eu-north", "us-east", "eu"};
    int n = 0;
    for (const QByteArray &host : hosts)
        for (const QByteArray &dc : dcs)
            for (int i = 0; i < 36; ++i, ++n)
                lp += "cpu,host=" + host + ",dc=" + dc + " usage=" + QByteArray::number(n) +
                      ",load=" + QByteArray::number(i) + "i " +
                      QByteArray::number(kT0 + qint64(i) * 600 * kSecond) + '\n';
    lp += "mem,host=a,dc=eu-west free=1i " + QByteArray::number(kT0) + '\n';
    lp += "mem,host=b,dc=us-east free=2i " + QByteArray::number(kT0) + '\n';
    return lp;
}

/// The lines of a dump ("measurement|tags|time|field|type|value") whose tags hold all of `tags`.
QStringList withTags(const QStringList &dump, const QStringList &tags, const QRegularExpression &dc)
{
    QStringList kept;
    for (const QString &line : dump) {
        const QStringList tagPairs = line.section(u'|', 1, 1).split(u',');
        const bool all = std::all_of(tags.begin(), tags.end(),
                                     [&](const QString &t) { return tagPairs.contains(t); });
        const QString dcValue = tagPairs.filter(u"dc="_s).value(0).mid(3);
        if (all && dc.match(dcValue).hasMatch())
            kept.append(line);
    }
    return kept;
}

/// `tsmigrate-cli plan --json` of `profile` (saved in `dir`) with `more` arguments; {} with a
/// warning on failure.
QJsonObject planOf(const TaskProfile &profile, const QString &dir, const QStringList &more = {})
{
    const QString path = dir + u"/plan-profile.json"_s;
    if (!saveProfile(profile, path))
        return {};
    const CliResult plan = runCli(
        QStringList{u"plan"_s, path, u"--json"_s, u"--state"_s, dir + u"/plan.sqlite"_s} + more);
    // The output holds the log's lines on stderr too: the JSON is the object from "{" to "}".
    const QString text = plan.output;
    const qsizetype begin = text.startsWith(u'{') ? 0 : text.indexOf(u"\n{"_s) + 1;
    const qsizetype end = text.lastIndexOf(u"\n}"_s) + 2;
    const QJsonObject json =
        QJsonDocument::fromJson(text.mid(begin, end - begin).toUtf8()).object();
    if (plan.exitCode != 0 || json.isEmpty())
        qWarning("plan failed (%d): %s", plan.exitCode, qPrintable(plan.output));
    return plan.exitCode == 0 ? json : QJsonObject();
}

/// The plan's entry for the measurement `name` (as the target gets it), or {}.
QJsonObject measurementOf(const QJsonObject &plan, const QString &name)
{
    for (const QJsonValue &m : plan.value(u"measurements"_s).toArray())
        if (m.toObject().value(u"name"_s).toString() == name)
            return m.toObject();
    return {};
}

} // namespace

/** Series filter, renames and added tags against a real influxd. */
class TestControls : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        TSM_INIT_CLI_TEST_CASE();
        m_influx = std::make_unique<InfluxdFixture>();
        QVERIFY2(m_influx->start(), qPrintable(m_influx->errorString()));
        QVERIFY(m_influx->fill(u"src"_s, seriesData()));
        InfluxDump dump(m_influx->url());
        m_source = dump.dump(u"src"_s);
        QVERIFY2(dump.error().isEmpty(), qPrintable(dump.error()));
        QCOMPARE(m_source.size(), 3 * 4 * 36 * 2 + 2);
    }
    void cleanupTestCase() { m_influx.reset(); }

    void seriesFilterMovesExactlyTheMatchingSeries()
    {
        QTemporaryDir dir;
        TaskProfile profile = influxToInflux(u"filtered"_s, m_influx->url(), u"src"_s,
                                             m_influx->url(), u"filtered"_s);
        profile.task.seriesFilter = u"host = 'a' AND dc =~ /eu-.*/"_s;
        Runner runner(profile, dir.filePath(u"state.sqlite"_s));
        runner.run();
        QCOMPARE(runner.outcome().status, RunOutcome::Status::Completed);
        // Verification counted the filtered source against the target: every window agrees.
        QVERIFY(runner.outcome().windowsVerified > 0);
        QCOMPARE(runner.outcome().windowsDiffering, 0);

        InfluxDump dump(m_influx->url());
        const QStringList target = dump.dump(u"filtered"_s);
        QVERIFY2(dump.error().isEmpty(), qPrintable(dump.error()));
        const QStringList expected =
            withTags(m_source, {u"host=a"_s}, QRegularExpression(u"^eu-.*"_s));
        QCOMPARE(expected.size(), 2 * 36 * 2 + 1); // eu-west and eu-north of cpu, and mem
        const QString diff = compareDumps(expected, target);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
    }

    /// A measurement added to a task that has run is migrated by the next run; another series
    /// filter is refused once units are done (they cannot tell which of the new series they
    /// hold) until it is put back or the task is run again from the beginning.
    void aChangedSelectionIsPlannedAnew()
    {
        QTemporaryDir dir;
        const QString state = dir.filePath(u"state.sqlite"_s);
        const QString path = dir.filePath(u"task.json"_s);
        TaskProfile profile = influxToInflux(u"selected"_s, m_influx->url(), u"src"_s,
                                             m_influx->url(), u"selected"_s);
        profile.task.measurements = {u"mem"_s};
        QVERIFY(saveProfile(profile, path));
        CliResult run = runCli({u"run"_s, path, u"--state"_s, state});
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));
        InfluxDump dump(m_influx->url());
        QCOMPARE(dump.dump(u"selected"_s).size(), 2); // mem's two values

        profile.task.measurements = {u"mem"_s, u"cpu"_s};
        QVERIFY(saveProfile(profile, path));
        run = runCli({u"run"_s, path, u"--state"_s, state});
        QVERIFY2(run.exitCode == 0 && run.output.contains(u"task.measurements"_s),
                 qPrintable(run.output));
        QString diff = compareDumps(m_source, dump.dump(u"selected"_s));
        QVERIFY2(diff.isEmpty(), qPrintable(diff));

        profile.task.seriesFilter = u"host = 'a'"_s;
        QVERIFY(saveProfile(profile, path));
        run = runCli({u"run"_s, path, u"--state"_s, state});
        QVERIFY2(run.exitCode == 2 && run.output.contains(u"task.seriesFilter"_s) &&
                     run.output.contains(u"--restart"_s),
                 qPrintable(u"exit %1: %2"_s.arg(run.exitCode).arg(run.output)));
        // Put back, the task is as it was: complete, nothing to read.
        profile.task.seriesFilter.clear();
        QVERIFY(saveProfile(profile, path));
        run = runCli({u"run"_s, path, u"--state"_s, state});
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));
        diff = compareDumps(m_source, dump.dump(u"selected"_s));
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
    }

    /// InfluxDB 2.x sources are read through InfluxQL on /query (DBRP mapping): the filter
    /// applies there unchanged, and the emulator's answers come from a real influxd.
    void seriesFilterThroughInfluxDb2()
    {
        Influx2Emulator emulator;
        QVERIFY2(emulator.start(), qPrintable(emulator.errorString()));
        emulator.addBucket(u"b"_s);
        QVERIFY(emulator.influxd().fill(u"b"_s, seriesData()));
        QTemporaryDir dir;
        TaskProfile profile =
            influxToInflux(u"v2 filtered"_s, emulator.url(), u"b"_s, m_influx->url(), u"from_v2"_s);
        profile.source.apiVersion = u"2.x"_s;
        profile.source.version = u"2.7"_s;
        profile.source.orgId = emulator.options().orgId;
        profile.source.token = emulator.token();
        profile.task.seriesFilter = u"host = 'a' AND dc =~ /eu-.*/"_s;
        QVERIFY(validateProfile(profile).isEmpty());
        Runner runner(profile, dir.filePath(u"state.sqlite"_s));
        runner.run();
        QVERIFY2(runner.outcome().status == RunOutcome::Status::Completed,
                 qPrintable(runner.outcome().message));
        QCOMPARE(runner.outcome().windowsDiffering, 0);
        InfluxDump dump(m_influx->url());
        const QStringList target = dump.dump(u"from_v2"_s);
        QVERIFY2(dump.error().isEmpty(), qPrintable(dump.error()));
        const QString diff = compareDumps(
            withTags(m_source, {u"host=a"_s}, QRegularExpression(u"^eu-.*"_s)), target);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
    }

    void planCountsOnlyTheMatchingSeries()
    {
        QTemporaryDir dir;
        TaskProfile profile = influxToInflux(u"filtered plan"_s, m_influx->url(), u"src"_s,
                                             m_influx->url(), u"unused"_s);
        profile.task.seriesFilter = u"dc = 'us-east'"_s;
        const QJsonObject json = planOf(profile, dir.path());
        QVERIFY(!json.isEmpty());
        // cpu: 3 hosts × 36 points in us-east; mem: 1 point of host b.
        QCOMPARE(measurementOf(json, u"cpu"_s).value(u"points"_s).toInteger(), 108);
        QCOMPARE(measurementOf(json, u"cpu"_s).value(u"series"_s).toInteger(), 3);
        QCOMPARE(measurementOf(json, u"mem"_s).value(u"points"_s).toInteger(), 1);
        QCOMPARE(json.value(u"points"_s).toInteger(), 109);
    }

    /// The same controls from the command line: --set takes each of them.
    void controlsFromSetOptions()
    {
        QTemporaryDir dir;
        const TaskProfile profile =
            influxToInflux(u"set"_s, m_influx->url(), u"src"_s, m_influx->url(), u"unused"_s);
        const QJsonObject json = planOf(profile, dir.path(),
                                        {u"--set"_s, u"task.seriesFilter=host = 'c'"_s, u"--set"_s,
                                         u"task.rename=measurement:cpu=compute,tag:host=node"_s,
                                         u"--set"_s, u"task.addTags=env=prod,team=ops"_s,
                                         u"--set"_s, u"advanced.maxPointsPerSecond=500"_s,
                                         u"--set"_s, u"advanced.readIntervalMs=20"_s});
        QVERIFY(!json.isEmpty());
        const QJsonObject compute = measurementOf(json, u"compute"_s);
        QCOMPARE(compute.value(u"points"_s).toInteger(), 4 * 36);
        QStringList tags;
        for (const QJsonValue &tag : compute.value(u"tags"_s).toArray())
            tags.append(tag.toString());
        tags.sort();
        QCOMPARE(tags, (QStringList{u"dc"_s, u"env"_s, u"node"_s, u"team"_s}));
        // A value out of range is refused with the field's name and range.
        const QString path = dir.filePath(u"p.json"_s);
        QVERIFY(saveProfile(profile, path));
        const CliResult bad = runCli({u"plan"_s, path, u"--set"_s, u"advanced.readIntervalMs=-1"_s,
                                      u"--state"_s, dir.filePath(u"s.sqlite"_s)});
        QVERIFY2(bad.exitCode != 0, qPrintable(bad.output));
        QVERIFY2(bad.output.contains(u"advanced.readIntervalMs"_s), qPrintable(bad.output));
    }

    void badSeriesFilterIsRefusedWithTheServersMessage()
    {
        QTemporaryDir dir;
        TaskProfile profile =
            influxToInflux(u"bad filter"_s, m_influx->url(), u"src"_s, m_influx->url(), u"never"_s);
        profile.task.seriesFilter = u"host = 'a' AND"_s;
        const QString path = dir.filePath(u"p.json"_s);
        QVERIFY(saveProfile(profile, path));
        const QString state = dir.filePath(u"s.sqlite"_s);
        for (const QString &command : {u"check"_s, u"plan"_s, u"run"_s}) {
            const CliResult result = runCli({command, path, u"--state"_s, state});
            QVERIFY2(result.exitCode != 0, qPrintable(result.output));
            QVERIFY2(result.output.contains(u"task.seriesFilter"_s), qPrintable(result.output));
            // influxd's own parser's words (influxql/parser.go).
            QVERIFY2(result.output.contains(u"error parsing query"_s), qPrintable(result.output));
        }
        // Refused before the target was touched: its database was not even created.
        const QJsonArray databases = m_influx->select(u"SHOW DATABASES"_s);
        for (const QJsonValue &row : databases)
            QVERIFY(row.toArray().at(0).toString() != u"never"_s);
    }

    void seriesFilterIsRefusedForAFileSource()
    {
        TaskProfile profile = lpfileSince2020(u"file"_s, u"/tmp/in.lp"_s, u"/tmp/out.lp"_s);
        profile.task.seriesFilter = u"host = 'a'"_s;
        const QList<FieldError> errors = validateProfile(profile);
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors.first().key, u"task.seriesFilter"_s);
        QVERIFY2(
            errors.first().message.contains(u"Line-protocol file source"_s, Qt::CaseInsensitive),
            qPrintable(errors.first().message));
    }

    void renamesAndAddedTagsArriveUnderTheNewNames()
    {
        QTemporaryDir dir;
        const QString csv = dir.filePath(u"renames.csv"_s);
        QFile file(csv);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("kind,from,to\nfield,load,\"load, 1m\"\ntag,dc,site\n");
        file.close();
        TaskProfile profile =
            influxToInflux(u"renamed"_s, m_influx->url(), u"src"_s, m_influx->url(), u"renamed"_s);
        profile.task.rename = {u"measurement:cpu=compute"_s, u"tag:host=node"_s,
                               u"field:usage=usage_pct"_s};
        profile.task.renameFile = csv;
        profile.task.addTags = {u"env=prod"_s};
        profile.task.seriesFilter = u"host = 'b'"_s; // in the source's names
        QVERIFY(validateProfile(profile).isEmpty());

        // The plan names the measurements, tags and fields as they will be written.
        const QJsonObject json = planOf(profile, dir.path());
        QVERIFY(!json.isEmpty());
        QVERIFY(measurementOf(json, u"cpu"_s).isEmpty());
        const QJsonObject compute = measurementOf(json, u"compute"_s);
        QCOMPARE(compute.value(u"points"_s).toInteger(), 4 * 36);
        QStringList tags;
        for (const QJsonValue &tag : compute.value(u"tags"_s).toArray())
            tags.append(tag.toString());
        tags.sort();
        QCOMPARE(tags, (QStringList{u"env"_s, u"node"_s, u"site"_s}));
        QStringList fields;
        for (const QJsonValue &field : compute.value(u"fields"_s).toArray())
            fields.append(field.toObject().value(u"name"_s).toString());
        fields.sort();
        QCOMPARE(fields, (QStringList{u"load, 1m"_s, u"usage_pct"_s}));

        Runner runner(profile, dir.filePath(u"state.sqlite"_s));
        runner.run();
        QCOMPARE(runner.outcome().status, RunOutcome::Status::Completed);
        QVERIFY(runner.outcome().windowsVerified > 0);
        QCOMPARE(runner.outcome().windowsDiffering, 0);

        // Each source value of host b, under the new names with env=prod.
        QStringList expected;
        for (const QString &line : withTags(m_source, {u"host=b"_s}, QRegularExpression())) {
            QStringList parts = line.split(u'|');
            if (parts[0] == u"cpu"_s)
                parts[0] = u"compute"_s;
            QStringList tags = parts[1].split(u',');
            for (QString &tag : tags) {
                tag.replace(QRegularExpression(u"^dc="_s), u"site="_s);
                tag.replace(QRegularExpression(u"^host="_s), u"node="_s);
            }
            tags.append(u"env=prod"_s);
            tags.sort();
            parts[1] = tags.join(u',');
            if (parts[3] == u"usage"_s)
                parts[3] = u"usage_pct"_s;
            if (parts[3] == u"load"_s)
                parts[3] = u"load, 1m"_s;
            expected.append(parts.join(u'|'));
        }
        QCOMPARE(expected.size(), 4 * 36 * 2 + 1);
        InfluxDump dump(m_influx->url());
        QStringList target = dump.dump(u"renamed"_s);
        QVERIFY2(dump.error().isEmpty(), qPrintable(dump.error()));
        // The renamed series sort otherwise than the source's.
        expected.sort();
        target.sort();
        const QString diff = compareDumps(expected, target);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
    }

    void renameEntriesAreChecked()
    {
        TaskProfile profile =
            influxToInflux(u"x"_s, m_influx->url(), u"src"_s, m_influx->url(), u"y"_s);
        profile.task.rename = {u"column:a=b"_s, u"tag:a=x"_s, u"tag:b=x"_s};
        profile.task.addTags = {u"env"_s};
        const QList<FieldError> errors = validateProfile(profile);
        QStringList keys;
        for (const FieldError &e : errors)
            keys.append(e.key);
        QCOMPARE(keys, (QStringList{u"task.rename"_s, u"task.rename"_s, u"task.addTags"_s}));
        QVERIFY2(errors.at(1).message.contains(u"would both become \"x\""_s),
                 qPrintable(errors.at(1).message));

        UserRenames renames;
        QVERIFY(renames.addCsv("measurement,a,b\nfield,x\n").contains(u"line 2"_s));
        QCOMPARE(splitCsvLine(u"field,\"a,b\",\"say \"\"hi\"\"\""_s),
                 (QStringList{u"field"_s, u"a,b"_s, u"say \"hi\""_s}));
    }

    /// A renamed line-protocol file is still read by one reader front to back, and its counts
    /// per measurement come under the new names (the monitor's rows, the plan).
    void renamedFileKeepsItsReaderAndCounts()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"data.lp"_s);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("cpu,host=a v=1 1\ncpu,host=b v=2 2\nmem,host=a f=3 3\ndisk v=4 4\n");
        file.close();
        UserRenames renames;
        renames.measurements = {{u"cpu"_s, u"load"_s}, {u"mem"_s, u"load"_s}};
        RenamedSource source(std::make_unique<LpFileSource>(path), renames);
        QCOMPARE(source.maxParallelReads(), 1);
        const auto counts = source.pointsByMeasurement(PlanRequest(), CancelToken());
        QVERIFY(counts);
        QCOMPARE(*counts, (QHash<QString, qint64>{{u"load"_s, 3}, {u"disk"_s, 1}}));
    }

private:
    std::unique_ptr<InfluxdFixture> m_influx;
    QStringList m_source;
};

QTEST_GUILESS_MAIN(TestControls)
#include "test_controls.moc"
