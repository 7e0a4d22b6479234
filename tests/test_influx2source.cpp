// InfluxDB 2.x (the emulator, with a real influxd behind it) → real InfluxDB 1.x, end to end
// through the Runner and tsmigrate-cli, compared value by value with an independent dump:
// with and without a DBRP mapping, the Add Database Retention Policy switch on and off, 2.3
// (no virtual mappings) and 2.7; wrong organization ID, wrong token, a name for the ID;
// paginated buckets; read units that follow the bucket's shard groups.
#include "connectors/Connectors.h"
#include "emulators/Influx2Emulator.h"
#include "run/Runner.h"
#include "sources/InfluxV2Source.h"
#include "support/InfluxDump.h"
#include "support/TestCli.h"
#include "support/TestProfiles.h"
#include "support/TestRuns.h"
#include "support/TestTime.h"

#include <CheckpointStore.h>
#include <QTemporaryDir>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::test;

namespace {

constexpr qint64 kMonday = 1704103200LL * kSecond; // 2024-01-01T10:00:00Z, a Monday

/// Every kind of value, names that need escaping, and fields whose type differs between
/// days: with 1-day shard groups those are different shards, inside one 168h group.
QByteArray testData()
{
    QByteArray lp;
    auto line = [&lp](const QByteArray &text, qint64 time) {
        lp += text + ' ' + QByteArray::number(time) + '\n';
    };
    for (int i = 0; i < 1000; ++i)
        for (int host = 0; host < 3; ++host)
            line("bulk,host=h" + QByteArray::number(host) + " v=" + QByteArray::number(i) +
                     ".5,n=" + QByteArray::number(i * host) + "i",
                 kMonday + qint64(i) * 259 * kSecond);
    line("cpu,host=a,region=eu usage=12.5,count=3i,note=\"ok\",up=true", kMonday);
    line("cpu,host=b usage=13,count=-9223372036854775807i", kMonday + kSecond);
    line("weird\\ name\\,x,tag\\ key\\=1=va\\ lue text=\"say \\\"hi\\\" 🌡️ 温度\"", kMonday);
    line("conflict z=\"text\",y=1.5", kMonday);
    line("conflict z=3.5,y=2i", kMonday + kDay);
    line("nanos v=1i", 1704103200123456789LL);
    line("nanos v=2i", -1000000001LL);
    return lp;
}

TaskProfile fromInflux2(const QString &name, Influx2Emulator &emulator, const QString &bucket,
                        const QString &targetDb)
{
    TaskProfile p =
        influxToInflux(name, emulator.url(), bucket, emulator.influxd().url(), targetDb);
    p.source.apiVersion = u"2.x"_s;
    p.source.version = emulator.options().version;
    p.source.orgId = emulator.options().orgId;
    p.source.token = emulator.token();
    p.source.addDbrp = false;
    // Longer than the buckets' 1-day shard groups: units must be cut at their boundaries.
    p.task.windowMinutes = 7 * 24 * 60;
    return p;
}

int postsTo(const Influx2Emulator &emulator, const QByteArray &path)
{
    int count = 0;
    for (const auto &request : emulator.requests())
        count += request.method == "POST" && request.path == path;
    return count;
}

} // namespace

/** Reading InfluxDB 2.x through InfluxQL with a token, into a real InfluxDB 1.x. */
class TestInflux2Source : public QObject
{
    Q_OBJECT

private:
    /// Runs the task, its state file in `dir`, into a target database created with
    /// `shardDuration`: nothing is rejected, and the target holds what the storage database
    /// `storage` holds, value by value (`points` points).
    void migrateInto(const TaskProfile &profile, Influx2Emulator &emulator, const QString &storage,
                     const QString &shardDuration, qint64 points, const QTemporaryDir &dir)
    {
        QVERIFY(emulator.influxd().query(u"CREATE DATABASE %1 WITH SHARD DURATION %2"_s.arg(
            profile.target.database, shardDuration)));
        RunOutcome outcome;
        runVerified(profile, dir.filePath(u"state.sqlite"_s), &outcome);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(outcome.pointsRejected, 0);
        InfluxDump dump(emulator.influxd().url());
        verifyCopy(dump, storage, profile.target.database, points);
    }

    /// Runs the task and compares the target with the bucket, point by point.
    void migrateAndCompare(const TaskProfile &profile, Influx2Emulator &emulator,
                           const QString &bucket)
    {
        // The target keeps the fields whose type differs between days in shards of their own.
        QTemporaryDir dir;
        migrateInto(profile, emulator, bucket, u"1d"_s, 3007, dir);
        if (QTest::currentTestFailed())
            return;

        // No unit spans two of the bucket's 1-day shard groups.
        CheckpointStore store;
        QVERIFY(store.open(dir.filePath(u"state.sqlite"_s), CheckpointStore::Mode::ReadOnly));
        const auto task = store.task(profile.name);
        QVERIFY(task);
        for (const UnitRecord &unit : store.units(task->id))
            QVERIFY2(InfluxSource::shardGroupStart(unit.rangeStart, kDay) ==
                         InfluxSource::shardGroupStart(unit.rangeEnd - 1, kDay),
                     qPrintable(u"unit %1 [%2, %3) spans days"_s.arg(unit.measurement)
                                    .arg(unit.rangeStart)
                                    .arg(unit.rangeEnd)));
    }

    /// Runs the task and compares the target (created with `shardDuration`) with what the
    /// bucket holds, value by value.
    void migrateExactly(const TaskProfile &profile, Influx2Emulator &emulator,
                        const QString &bucket, const QString &shardDuration, qint64 points)
    {
        QTemporaryDir dir;
        migrateInto(profile, emulator, emulator.storageDatabase(bucket), shardDuration, points,
                    dir);
    }

    /// What `influxd upgrade` makes of 1.x database telegraf with policies autogen and
    /// one_year: the non-default policy has a measurement of its own, and its cpu has other
    /// tag keys and field types than the default policy's. Returns the points of one_year.
    qint64 addUpgradedTelegraf(Influx2Emulator &emulator, const QString &autogenBucket)
    {
        emulator.addBucket(autogenBucket, 0, 24 * 3600);
        emulator.addBucket(u"telegraf/one_year"_s, 365 * 24 * 3600LL * 10, 24 * 3600);
        QByteArray autogen = "cpu,host=a v=1i,w=2i " + QByteArray::number(kMonday) + "\n" +
                             "onlyautogen x=1 " + QByteArray::number(kMonday) + "\n";
        QByteArray yearly;
        for (int i = 0; i < 200; ++i)
            yearly += "cpu,dc=x,rack=r" + QByteArray::number(i % 3) +
                      " v=" + QByteArray::number(i) + ".25,note=\"n" + QByteArray::number(i) +
                      "\" " + QByteArray::number(kMonday + qint64(i) * 3001 * kSecond) + "\n";
        yearly +=
            "onlyyear,site=s1 flag=true,count=7i " + QByteArray::number(kMonday + kDay) + "\n";
        if (!emulator.influxd().write(emulator.storageDatabase(autogenBucket), autogen) ||
            !emulator.influxd().write(emulator.storageDatabase(u"telegraf/one_year"_s), yearly))
            return 0;
        return 201;
    }

    QString addBucketWithData(Influx2Emulator &emulator, const QString &bucket)
    {
        const QString id = emulator.addBucket(bucket, 0, 24 * 3600);
        if (!emulator.influxd().write(bucket, testData()))
            return {};
        return id;
    }

private Q_SLOTS:
    void initTestCase()
    {
        TSM_SKIP_WITHOUT_INFLUXD();
        QVERIFY2(!cliPath().isEmpty(), "TSM_CLI is not set");
        QStandardPaths::setTestModeEnabled(true);
        Influx2Emulator::Options v23;
        v23.version = u"2.3.0"_s;
        m_v23 = std::make_unique<Influx2Emulator>(v23);
        QVERIFY2(m_v23->start(), qPrintable(m_v23->errorString()));
        Influx2Emulator::Options v27;
        v27.orgName = u"deadbeef"_s; // a name that passes for hexadecimal
        v27.orgId = u"1f2e3d4c5b6a7988"_s;
        m_v27 = std::make_unique<Influx2Emulator>(v27);
        QVERIFY2(m_v27->start(), qPrintable(m_v27->errorString()));
    }

    void cleanupTestCase()
    {
        m_v23.reset();
        m_v27.reset();
    }

    void existingMappingOn23()
    {
        QVERIFY(!addBucketWithData(*m_v23, u"withmap"_s).isEmpty());
        m_v23->addDbrp(u"withmap"_s, u"withmap"_s);
        const int posts = postsTo(*m_v23, "/api/v2/dbrps");
        migrateAndCompare(fromInflux2(u"existing mapping"_s, *m_v23, u"withmap"_s, u"dst1"_s),
                          *m_v23, u"withmap"_s);
        QCOMPARE(postsTo(*m_v23, "/api/v2/dbrps"), posts);
    }

    void missingMappingWithSwitchOffOn23()
    {
        const QString id = addBucketWithData(*m_v23, u"nomap"_s);
        QVERIFY(!id.isEmpty());
        QTemporaryDir dir;
        const TaskProfile profile = fromInflux2(u"no mapping"_s, *m_v23, u"nomap"_s, u"dst2"_s);
        Runner runner(profile, dir.filePath(u"state.sqlite"_s));
        runner.run();
        const RunOutcome &outcome = runner.outcome();
        QCOMPARE(outcome.status, RunOutcome::Status::Failed);
        QCOMPARE(outcome.errorKind, std::optional<ErrorKind>(ErrorKind::Config));
        QVERIFY2(outcome.message.contains(u"Bucket \"nomap\" has no database/retention-policy "
                                          u"mapping, which InfluxQL needs; turn on Add Database "
                                          u"Retention Policy or create it with `influx v1 dbrp "
                                          u"create"_s) &&
                     outcome.message.contains(id),
                 qPrintable(outcome.message));
        const auto mappings = m_v23->dbrps();
        QVERIFY(std::none_of(mappings.begin(), mappings.end(),
                             [&](const auto &d) { return d.bucketId == id; }));

        // The same through the CLI: exit 2, the message on the terminal.
        const QString path = dir.filePath(u"p.json"_s);
        QVERIFY(saveProfile(profile, path));
        const CliResult run = runCli({u"run"_s, path, u"--state"_s, dir.filePath(u"s.sqlite"_s)});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.output.contains(u"has no database/retention-policy mapping"_s),
                 qPrintable(run.output));
    }

    void missingMappingWithSwitchOnOn23()
    {
        const QString id = addBucketWithData(*m_v23, u"automap"_s);
        QVERIFY(!id.isEmpty());
        TaskProfile profile = fromInflux2(u"add mapping"_s, *m_v23, u"automap"_s, u"dst3"_s);
        profile.source.addDbrp = true;
        migrateAndCompare(profile, *m_v23, u"automap"_s);
        const auto mappings = m_v23->dbrps();
        const auto added = std::find_if(mappings.begin(), mappings.end(),
                                        [&](const auto &d) { return d.bucketId == id; });
        QVERIFY(added != mappings.end());
        QCOMPARE(added->database, u"automap"_s);
        QCOMPARE(added->retentionPolicy, u"autogen"_s);
        QVERIFY(added->isDefault);
    }

    void virtualMappingWithSwitchOffOn27()
    {
        QVERIFY(!addBucketWithData(*m_v27, u"virtual"_s).isEmpty());
        migrateAndCompare(fromInflux2(u"virtual mapping"_s, *m_v27, u"virtual"_s, u"dst4"_s),
                          *m_v27, u"virtual"_s);
        QCOMPARE(postsTo(*m_v27, "/api/v2/dbrps"), 0);
    }

    void existingMappingWithSwitchOnOn27()
    {
        // The stored mapping names another database: InfluxQL reads the bucket through it.
        QVERIFY(!addBucketWithData(*m_v27, u"stored"_s).isEmpty());
        m_v27->addDbrp(u"stored"_s, u"stored"_s);
        TaskProfile profile = fromInflux2(u"stored mapping"_s, *m_v27, u"stored"_s, u"dst5"_s);
        profile.source.addDbrp = true;
        migrateAndCompare(profile, *m_v27, u"stored"_s);
        QCOMPARE(postsTo(*m_v27, "/api/v2/dbrps"), 0);
    }

    void wrongOrganizationId()
    {
        QTemporaryDir dir;
        TaskProfile profile = fromInflux2(u"wrong org"_s, *m_v23, u"withmap"_s, u"dst6"_s);
        profile.source.orgId = u"0123456789abcdef"_s;
        Runner runner(profile, dir.filePath(u"state.sqlite"_s));
        runner.run();
        QCOMPARE(runner.outcome().status, RunOutcome::Status::Failed);
        QCOMPARE(runner.outcome().errorKind, std::optional<ErrorKind>(ErrorKind::NotFound));
        QVERIFY2(runner.outcome().message.contains(u"Organization ID 0123456789abcdef: no "
                                                   u"organization"_s) &&
                     runner.outcome().message.contains(u"organization not found"_s),
                 qPrintable(runner.outcome().message));

        const QString path = dir.filePath(u"p.json"_s);
        QVERIFY(saveProfile(profile, path));
        const CliResult check = runCli({u"check"_s, path});
        QCOMPARE(check.exitCode, 2);
        QVERIFY2(check.output.contains(u"source: FAILED"_s) &&
                     check.output.contains(u"0123456789abcdef"_s),
                 qPrintable(check.output));
    }

    void wrongToken()
    {
        QTemporaryDir dir;
        TaskProfile profile = fromInflux2(u"wrong token"_s, *m_v27, u"virtual"_s, u"dst7"_s);
        profile.source.token = u"not-the-token"_s;
        const QString path = dir.filePath(u"p.json"_s);
        QVERIFY(saveProfile(profile, path));
        const CliResult check = runCli({u"check"_s, path});
        QCOMPARE(check.exitCode, 4);
        QVERIFY2(check.output.contains(u"source: FAILED"_s) && check.output.contains(u"401"_s) &&
                     check.output.contains(u"unauthorized access"_s) &&
                     check.output.contains(u"target: OK"_s),
                 qPrintable(check.output));
        const CliResult run = runCli({u"run"_s, path, u"--state"_s, dir.filePath(u"s.sqlite"_s)});
        QCOMPARE(run.exitCode, 4);
        QVERIFY2(run.output.contains(u"401"_s), qPrintable(run.output));
        // The right token from the environment works.
        const CliResult fixed =
            runCli({u"check"_s, path}, 60000, {u"TSMIGRATE_SOURCE_TOKEN="_s + m_v27->token()});
        QVERIFY2(fixed.exitCode == 0, qPrintable(fixed.output));
    }

    void organizationNameInsteadOfId()
    {
        // Through the engine: the name is looked up and the message gives the ID.
        QTemporaryDir dir;
        TaskProfile profile = fromInflux2(u"org name"_s, *m_v23, u"withmap"_s, u"dst8"_s);
        profile.source.orgId = m_v23->options().orgName;
        Runner runner(profile, dir.filePath(u"state.sqlite"_s));
        runner.run();
        QCOMPARE(runner.outcome().status, RunOutcome::Status::Failed);
        QCOMPARE(runner.outcome().errorKind, std::optional<ErrorKind>(ErrorKind::Config));
        QVERIFY2(runner.outcome().message.contains(
                     u"Organization ID \"acme\" is the organization's name, not its ID; the ID of "
                     u"organization \"acme\" is %1"_s.arg(m_v23->options().orgId)),
                 qPrintable(runner.outcome().message));

        // Through the CLI (whose profile check refuses what is not hexadecimal at all): an
        // organization called "deadbeef".
        profile = fromInflux2(u"org name"_s, *m_v27, u"virtual"_s, u"dst8"_s);
        profile.source.orgId = u"deadbeef"_s;
        const QString path = dir.filePath(u"p.json"_s);
        QVERIFY(saveProfile(profile, path));
        const CliResult check = runCli({u"check"_s, path});
        QCOMPARE(check.exitCode, 2);
        QVERIFY2(check.output.contains(m_v27->options().orgId) &&
                     check.output.contains(u"not its ID"_s),
                 qPrintable(check.output));
    }

    void upgradedBucketWithNonDefaultPolicy()
    {
        // Stored mappings as the upgrade makes them, on 2.0 (no ON db.rp) and 2.7.
        for (const QString &version : {u"2.0.9"_s, u"2.7.1"_s}) {
            Influx2Emulator::Options options;
            options.version = version;
            Influx2Emulator emulator(options);
            QVERIFY2(emulator.start(), qPrintable(emulator.errorString()));
            const qint64 points = addUpgradedTelegraf(emulator, u"telegraf/autogen"_s);
            QVERIFY(points > 0);
            emulator.addDbrp(u"telegraf/autogen"_s, u"telegraf"_s, u"autogen"_s, true);
            emulator.addDbrp(u"telegraf/one_year"_s, u"telegraf"_s, u"one_year"_s, false);
            const TaskProfile profile =
                fromInflux2(u"upgraded"_s, emulator, u"telegraf/one_year"_s, u"fromyear"_s);
            migrateExactly(profile, emulator, u"telegraf/one_year"_s, u"1d"_s, points);
            if (QTest::currentTestFailed())
                return;

            // The schema command shows the policy's own tag keys and field types.
            QTemporaryDir dir;
            const QString path = dir.filePath(u"p.json"_s);
            QVERIFY(saveProfile(profile, path));
            const CliResult schema = runCli({u"schema"_s, path});
            QVERIFY2(schema.exitCode == 0 && schema.output.contains(u"onlyyear"_s) &&
                         schema.output.contains(u"dc, rack"_s) &&
                         schema.output.contains(u"v (float)"_s) &&
                         !schema.output.contains(u"onlyautogen"_s),
                     qPrintable(schema.output));
        }
    }

    void virtualDbrpBucketOn27()
    {
        // 2.4+ without stored mappings: bucket "telegraf/one_year" is telegraf/one_year, not
        // the default; bucket "telegraf" is telegraf/autogen, the default.
        Influx2Emulator emulator;
        QVERIFY2(emulator.start(), qPrintable(emulator.errorString()));
        const qint64 points = addUpgradedTelegraf(emulator, u"telegraf"_s);
        QVERIFY(points > 0);
        migrateExactly(
            fromInflux2(u"virtual db/rp"_s, emulator, u"telegraf/one_year"_s, u"fromvirtual"_s),
            emulator, u"telegraf/one_year"_s, u"1d"_s, points);
        QCOMPARE(postsTo(emulator, "/api/v2/dbrps"), 0);
    }

    void shadowedVirtualMapping()
    {
        // Bucket "shared"'s virtual mapping shared/autogen is shadowed by the stored one of
        // bucket "other": InfluxQL through it reads "other".
        Influx2Emulator emulator;
        QVERIFY2(emulator.start(), qPrintable(emulator.errorString()));
        emulator.addBucket(u"shared"_s, 0, 24 * 3600);
        const QString other = emulator.addBucket(u"other"_s, 0, 24 * 3600);
        emulator.addDbrp(u"other"_s, u"shared"_s, u"autogen"_s, true);
        QVERIFY(emulator.influxd().write(u"shared"_s,
                                         "mine v=1i " + QByteArray::number(kMonday) + "\n"));
        QVERIFY(emulator.influxd().write(u"other"_s,
                                         "theirs v=2i " + QByteArray::number(kMonday) + "\n"));
        TaskProfile profile = fromInflux2(u"shadowed"_s, emulator, u"shared"_s, u"fromshared"_s);
        {
            QTemporaryDir dir;
            Runner runner(profile, dir.filePath(u"state.sqlite"_s));
            runner.run();
            const RunOutcome &outcome = runner.outcome();
            QCOMPARE(outcome.status, RunOutcome::Status::Failed);
            QCOMPARE(outcome.errorKind, std::optional<ErrorKind>(ErrorKind::Config));
            QVERIFY2(outcome.message.contains(u"shared/autogen"_s) &&
                         outcome.message.contains(other) &&
                         outcome.message.contains(u"influx v1 dbrp create"_s),
                     qPrintable(outcome.message));
        }
        // With a mapping of its own the bucket is read through that one.
        emulator.addDbrp(u"shared"_s, u"sharedcopy"_s, u"autogen"_s, true);
        profile.name = u"shadowed, own mapping"_s;
        profile.target.database = u"fromsharedcopy"_s;
        migrateExactly(profile, emulator, u"shared"_s, u"1d"_s, 1);
    }

    void shardGroupDurationChanged()
    {
        // Groups of 1 h hold z as a string from 10:00 and as a float from 11:00; the bucket's
        // groups are 1 day now, whose boundaries do not separate those two.
        Influx2Emulator emulator;
        QVERIFY2(emulator.start(), qPrintable(emulator.errorString()));
        emulator.addBucket(u"resized"_s, 0, 3600);
        QByteArray lp;
        for (int i = 0; i < 60; ++i) {
            lp += "mixed,k=a z=\"s" + QByteArray::number(i) + "\",y=1i " +
                  QByteArray::number(kMonday + qint64(i) * 60 * kSecond) + "\n";
            lp += "mixed,k=a z=" + QByteArray::number(i) + ".5,y=2i " +
                  QByteArray::number(kMonday + 3600 * kSecond + qint64(i) * 60 * kSecond) + "\n";
        }
        QVERIFY(emulator.influxd().write(u"resized"_s, lp));
        emulator.setShardGroupDuration(u"resized"_s, 24 * 3600);
        TaskProfile profile = fromInflux2(u"resized"_s, emulator, u"resized"_s, u"fromresized"_s);
        migrateExactly(profile, emulator, u"resized"_s, u"1h"_s, 120);
    }

    void bucketsArePaginated()
    {
        Influx2Emulator::Options options;
        Influx2Emulator emulator(options);
        QVERIFY2(emulator.start(), qPrintable(emulator.errorString()));
        QStringList expected;
        for (int i = 0; i < 130; ++i) {
            expected.append(u"b%1"_s.arg(i, 3, 10, QLatin1Char('0')));
            emulator.addBucket(expected.last());
        }
        InfluxEndpoint endpoint;
        endpoint.baseUrl = emulator.url();
        endpoint.token = emulator.token();
        InfluxV2Source source(endpoint, RetryPolicy{}, options.orgId, false);
        CancelToken cancel;
        QCOMPARE(source.listDatabases(cancel), expected); // no _monitoring, no _tasks
        int pages = 0;
        for (const auto &request : emulator.requests())
            if (request.path == "/api/v2/buckets") {
                ++pages;
                QCOMPARE(request.queryItem(u"limit"_s), u"100"_s);
                QCOMPARE(request.queryItem(u"offset"_s), QString::number((pages - 1) * 100));
            }
        // 132 buckets with the system ones: two pages, then an empty one ends the list.
        QCOMPARE(pages, 3);

        // The schema command lists the buckets and reads one through its virtual mapping.
        QVERIFY(emulator.influxd().write(u"b007"_s, "m,t=x f=1i 1704103200000000000\n"));
        QTemporaryDir dir;
        TaskProfile profile = fromInflux2(u"schema"_s, emulator, u"b007"_s, u"unused"_s);
        const QString path = dir.filePath(u"p.json"_s);
        QVERIFY(saveProfile(profile, path));
        const CliResult schema = runCli({u"schema"_s, path});
        QVERIFY2(schema.exitCode == 0, qPrintable(schema.output));
        QVERIFY2(schema.output.contains(u"b000, b001"_s) && schema.output.contains(u"b129"_s) &&
                     !schema.output.contains(u"_monitoring"_s) &&
                     schema.output.contains(u"fields: f (integer)"_s),
                 qPrintable(schema.output));
    }

    void scopedTokenSeesBucketsPastAShortPage()
    {
        // A token made with `influx auth create --read-bucket ...` for three of 250 buckets:
        // 2.x pages first and filters afterwards, so it gets one bucket per page of 100 and no
        // links.next. Listing must not stop at the first short page.
        Influx2Emulator::Options options;
        options.scopedTokens.insert(u"scoped-token"_s, {u"b005"_s, u"b150"_s, u"b240"_s});
        Influx2Emulator emulator(options);
        QVERIFY2(emulator.start(), qPrintable(emulator.errorString()));
        for (int i = 0; i < 250; ++i)
            emulator.addBucket(u"b%1"_s.arg(i, 3, 10, QLatin1Char('0')), 0, 24 * 3600);
        InfluxEndpoint endpoint;
        endpoint.baseUrl = emulator.url();
        endpoint.token = u"scoped-token"_s;
        InfluxV2Source source(endpoint, RetryPolicy{}, options.orgId, false);
        CancelToken cancel;
        QCOMPARE(source.listDatabases(cancel), (QStringList{u"b005"_s, u"b150"_s, u"b240"_s}));
        QStringList offsets;
        for (const auto &request : emulator.requests())
            if (request.path == "/api/v2/buckets" && request.hasQueryItem(u"offset"_s))
                offsets.append(request.queryItem(u"offset"_s));
        QCOMPARE(offsets, (QStringList{u"0"_s, u"100"_s, u"200"_s, u"300"_s}));

        // The scoped token runs a task of the last of its buckets, found by name.
        QVERIFY(emulator.influxd().write(emulator.storageDatabase(u"b240"_s), testData()));
        TaskProfile profile = fromInflux2(u"scoped"_s, emulator, u"b240"_s, u"dst_scoped"_s);
        profile.source.token = u"scoped-token"_s;
        migrateAndCompare(profile, emulator, emulator.storageDatabase(u"b240"_s));

        // A token of another bucket sees nothing of these and is told so, naming the org.
        endpoint.token = u"unknown-token"_s;
        InfluxV2Source stranger(endpoint, RetryPolicy{}, options.orgId, false);
        try {
            stranger.listDatabases(cancel);
            QFAIL("an unknown token listed buckets");
        } catch (const Error &error) {
            QVERIFY2(error.message().contains(u"unauthorized"_s), qPrintable(error.message()));
        }
    }

private:
    std::unique_ptr<Influx2Emulator> m_v23;
    std::unique_ptr<Influx2Emulator> m_v27;
};

QTEST_GUILESS_MAIN(TestInflux2Source)
#include "test_influx2source.moc"
