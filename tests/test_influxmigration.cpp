// End-to-end migrations against a real influxd: InfluxDB → InfluxDB, InfluxDB → line-protocol
// file → InfluxDB, and ten thousand series; the target is compared value by value and type by
// type with an independent msgpack dump.
#include "run/Runner.h"
#include "support/InfluxDump.h"
#include "support/InfluxdFixture.h"
#include "support/TestCli.h"
#include "support/TestProfiles.h"
#include "support/TestTime.h"

#include <CheckpointStore.h>
#include <QTemporaryDir>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::test;

namespace {

constexpr qint64 kT0 = 1600000000000000000LL; // 2020-09-13T12:26:40Z

/// Data that exercises every way a migration can lose or alter a value.
QByteArray tortureData()
{
    QByteArray lp;
    auto line = [&lp](const QByteArray &text) { lp += text + '\n'; };
    auto t = [](qint64 offsetNs) { return QByteArray::number(kT0 + offsetNs); };
    // All field types; series with different tag sets; sparse rows (nulls).
    line("cpu,host=a,region=eu usage=12.5,count=3i,note=\"ok\",up=true " + t(0));
    line("cpu,host=a,region=eu usage=13 " + t(1000000000));             // float that looks whole
    line("cpu,host=b usage=-0.25,count=-9223372036854775807i " + t(0)); // no region tag
    line("cpu,host=b note=\"only a string\" " + t(2000000000));
    line("cpu,host=c,region=us,rack=7 up=false,count=9223372036854775807i " + t(3000000000));
    line("cpu,host=a,region=eu usage=1e-300,count=0i " + t(4000000000));
    // Names and values with spaces, commas, equals signs, quotes, backslashes, emoji and CJK.
    line("weird\\ name\\,with\\ comma,tag\\ key\\=1=va\\ lue\\,\\=x "
         "field\\ \\\"quoted\\\"=\"say \\\"hi\\\" C:\\\\path\\\\\",emoji=\"🌡️ 温度\" " +
         t(0));
    line("weird\\ name\\,with\\ comma,tag\\ key\\=1=plain trailing=\"ends with backslash\\\\\" " +
         t(5000000000));
    line("weird\\ name\\,with\\ comma,tag\\ key\\=1=plain multi=\"line one\nline two\" " +
         t(6000000000));
    line("温度,城市=北京 值=21.5,描述=\"晴\" " + t(0));
    // InfluxQL keywords as names.
    line("select,from=where group=1i,order=\"by\" " + t(0));
    // A tag and a field with the same key.
    line("dup,x=tagval x=1.5 " + t(0));
    line("dup,x=other x=2.5,y=1i " + t(1000000000));
    // Field types that differ between shards (two weeks apart = two shard groups).
    line("conflict y=1.5,z=\"text\" " + t(0));
    line("conflict y=2i,z=3.5 " + t(2 * kWeek));
    line("conflict y=3i " + t(2 * kWeek + 1000000000));
    // Timestamps that need all 19 digits, and one before 1970.
    line("nanos v=1i 1700000000123456789");
    line("nanos v=2i 1700000000123456790");
    line("nanos v=3i -1000000001");
    return lp;
}

} // namespace

/** Migrations between real InfluxDB databases, compared value by value. */
class TestInfluxMigration : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        TSM_START_SHARED_INFLUXD(m_influx);
        QVERIFY(m_influx->fill(u"src"_s, tortureData()));
        InfluxDump dump(m_influx->url());
        m_source = dump.dump(u"src"_s);
        QVERIFY2(dump.error().isEmpty(), qPrintable(dump.error()));
        // The fixture data must really contain what the tests claim to cover.
        QVERIFY(m_source.contains(u"conflict||"_s + QString::number(kT0) + u"|z|string|text"_s));
        QVERIFY(m_source.contains(u"conflict||"_s + QString::number(kT0 + 2 * kWeek) +
                                  u"|z|float|3.5"_s));
        QVERIFY(m_source.contains(u"cpu|host=a,region=eu|"_s + QString::number(kT0 + 1000000000) +
                                  u"|usage|float|13"_s));
    }

    void cleanupTestCase() { m_influx.reset(); }

    void influxToInfluxAllTypes()
    {
        QTemporaryDir dir;
        TaskProfile profile = tsm::test::influxToInflux(u"copy all types"_s, m_influx->url(),
                                                        u"src"_s, m_influx->url(), u"dst"_s);
        Runner runner(profile, dir.filePath(u"state.sqlite"_s));
        runner.run();
        QCOMPARE(runner.outcome().status, RunOutcome::Status::Completed);
        QCOMPARE(runner.outcome().pointsRejected, 0);

        InfluxDump dump(m_influx->url());
        const QStringList target = dump.dump(u"dst"_s);
        QVERIFY2(dump.error().isEmpty(), qPrintable(dump.error()));
        const QString diff = compareDumps(m_source, target);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));

        // The ledger: every unit done once, counts add up to the source.
        CheckpointStore store;
        QVERIFY(store.open(dir.filePath(u"state.sqlite"_s), CheckpointStore::Mode::ReadOnly));
        const auto task = store.task(u"copy all types"_s);
        QVERIFY(task);
        QCOMPARE(task->state, TaskState::Completed);
        const UnitTotals totals = store.unitTotals(task->id);
        QVERIFY(totals.total > 0);
        QCOMPARE(totals.done, totals.total);
        QCOMPARE(totals.pointsWritten, InfluxDump::pointCount(m_source));
        for (const UnitRecord &unit : store.units(task->id))
            QCOMPARE(unit.attempts, 1);
        QVERIFY(!store.samples(task->id).isEmpty());

        // Running again has nothing left to do and changes nothing.
        Runner again(profile, dir.filePath(u"state.sqlite"_s));
        again.run();
        QCOMPARE(again.outcome().status, RunOutcome::Status::Completed);
        for (const UnitRecord &unit : store.units(task->id))
            QCOMPARE(unit.attempts, 1);
    }

    void throughLineProtocolFile()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(u"export.lp.gz"_s);
        TaskProfile out = tsm::test::influxToInflux(u"to file"_s, m_influx->url(), u"src"_s,
                                                    m_influx->url(), QString());
        out.target.type = u"lpfile"_s;
        out.target.path = file;
        out.target.compress = true;
        out.target.database = u"src"_s;
        Runner toFile(out, dir.filePath(u"state.sqlite"_s));
        toFile.run();
        QCOMPARE(toFile.outcome().status, RunOutcome::Status::Completed);
        QVERIFY(QFileInfo(file).size() > 0);

        TaskProfile in = tsm::test::influxToInflux(u"from file"_s, m_influx->url(), QString(),
                                                   m_influx->url(), u"fromfile"_s);
        in.source.type = u"lpfile"_s;
        in.source.path = file;
        in.task.bucket.clear();
        Runner fromFile(in, dir.filePath(u"state.sqlite"_s));
        fromFile.run();
        QCOMPARE(fromFile.outcome().status, RunOutcome::Status::Completed);

        InfluxDump dump(m_influx->url());
        const QStringList target = dump.dump(u"fromfile"_s);
        QVERIFY2(dump.error().isEmpty(), qPrintable(dump.error()));
        const QString diff = compareDumps(m_source, target);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
    }

    void tenThousandSeries()
    {
        QByteArray lp;
        for (int i = 0; i < 10000; ++i) {
            lp += "sensor,id=s" + QByteArray::number(i) + ",group=g" + QByteArray::number(i % 7) +
                  " value=" + QByteArray::number(i) + ".25,n=" + QByteArray::number(i) + "i " +
                  QByteArray::number(kT0 + qint64(i) * 1000) + '\n';
            lp += "sensor,id=s" + QByteArray::number(i) + ",group=g" + QByteArray::number(i % 7) +
                  " value=" + QByteArray::number(-i) + " " +
                  QByteArray::number(kT0 + 3600LL * 1000000000LL + qint64(i)) + '\n';
        }
        QVERIFY(m_influx->fill(u"many"_s, lp));
        QTemporaryDir dir;
        TaskProfile profile = tsm::test::influxToInflux(u"many series"_s, m_influx->url(),
                                                        u"many"_s, m_influx->url(), u"many_copy"_s);
        profile.advanced.batchSize = 5000;
        Runner runner(profile, dir.filePath(u"state.sqlite"_s));
        runner.run();
        QCOMPARE(runner.outcome().status, RunOutcome::Status::Completed);

        InfluxDump dump(m_influx->url());
        verifyCopy(dump, u"many"_s, u"many_copy"_s, 20000);
    }

    void schemaCommand()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"p.json"_s);
        QVERIFY(saveProfile(
            influxToInflux(u"schema"_s, m_influx->url(), u"src"_s, m_influx->url(), u"dst"_s),
            path));
        const CliResult schema = runCli({u"schema"_s, path});
        QVERIFY2(schema.exitCode == 0, qPrintable(schema.output));
        // A field whose type differs between shards is listed with both types.
        QVERIFY2(schema.output.contains(u"y (float | integer)"_s), qPrintable(schema.output));
        QVERIFY2(schema.output.contains(u"z (float | string)"_s) ||
                     schema.output.contains(u"z (string | float)"_s),
                 qPrintable(schema.output));
        QVERIFY2(schema.output.contains(u"weird name,with comma"_s), qPrintable(schema.output));
        QVERIFY2(schema.output.contains(u"tags:   host, rack, region"_s),
                 qPrintable(schema.output));
    }

private:
    std::unique_ptr<InfluxdFixture> m_influx;
    QStringList m_source;
};

QTEST_GUILESS_MAIN(TestInfluxMigration)
#include "test_influxmigration.moc"
