#include "CheckpointStore.h"
#include "support/TestRecords.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <atomic>
#include <ctime>
#include <memory>
#include <sqlite3.h>
#include <thread>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::test;

namespace {

/// What version 6 added to the tasks table, taken out again to make a file of an older version.
#define TSM_DROP_HEALTH_SQL                                                                        \
    "ALTER TABLE tasks DROP COLUMN health; ALTER TABLE tasks DROP COLUMN health_detail; "          \
    "ALTER TABLE tasks DROP COLUMN plan_scope; "

/// Reads one integer or text pragma straight from SQLite, past the class under test.
QString rawPragma(const QString &path, const char *pragma)
{
    sqlite3 *db = nullptr;
    if (sqlite3_open_v2(QFile::encodeName(path).constData(), &db, SQLITE_OPEN_READONLY, nullptr) !=
        SQLITE_OK) {
        sqlite3_close(db);
        return u"(cannot open)"_s;
    }
    sqlite3_stmt *stmt = nullptr;
    QString value;
    if (sqlite3_prepare_v2(db, pragma, -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
        value = QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(stmt, 0)));
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return value;
}

bool rawExec(const QString &path, const char *sql)
{
    sqlite3 *db = nullptr;
    bool ok = sqlite3_open_v2(QFile::encodeName(path).constData(), &db, SQLITE_OPEN_READWRITE,
                              nullptr) == SQLITE_OK;
    ok = ok && sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
    sqlite3_close(db);
    return ok;
}

qint64 threadCpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

} // namespace

/** The SQLite checkpoint store: tasks, the ledger of units, samples, events, sharing. */
class TestCheckpointStore : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;

    qint64 newTask(CheckpointStore &store, const QString &name = u"task"_s)
    {
        const auto id = store.saveTask(name, "{\"version\": 1}");
        if (!id)
            qWarning("saveTask failed: %s", qPrintable(store.lastError()));
        return id.value_or(-1);
    }

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_path = m_dir->filePath(u"store.sqlite"_s);
    }
    void cleanup() { m_dir.reset(); }

    void names()
    {
        for (TaskState s :
             {TaskState::Idle, TaskState::Planning, TaskState::Running, TaskState::Paused,
              TaskState::Stopped, TaskState::Completed, TaskState::Failed}) {
            QVERIFY(!taskStateName(s).isEmpty());
            QCOMPARE(taskStateFromName(taskStateName(s)), std::optional<TaskState>(s));
        }
        QCOMPARE(taskStateName(TaskState::Completed), u"completed"_s);
        QCOMPARE(taskStateFromName(u"Running"_s), std::optional<TaskState>(TaskState::Running));
        QCOMPARE(taskStateFromName(u"exploded"_s), std::nullopt);
        QCOMPARE(unitStatusName(UnitStatus::Pending), u"pending"_s);
        QCOMPARE(unitStatusName(UnitStatus::Done), u"done"_s);
        QCOMPARE(eventLevelName(EventLevel::Warn), u"warn"_s);
        for (EventLevel l : {EventLevel::Error, EventLevel::Warn, EventLevel::Info,
                             EventLevel::Debug, EventLevel::Trace}) {
            QCOMPARE(eventLevelFromName(eventLevelName(l)), std::optional<EventLevel>(l));
        }
        QCOMPARE(eventLevelFromName(u"loud"_s), std::nullopt);
    }

    void defaultPathIsUnderAppData()
    {
        const QString path = CheckpointStore::defaultPath();
        QVERIFY2(path.endsWith(u"/tsmigrate/tsmigrate.sqlite"_s), qPrintable(path));
        QVERIFY(QFileInfo(path).dir().exists());
        // Test mode: not the user's real store.
        QVERIFY2(path.contains(u"qttest"_s), qPrintable(path));
    }

    void createAndReopen()
    {
        {
            CheckpointStore store;
            QVERIFY2(store.open(m_path), qPrintable(store.lastError()));
            QVERIFY(store.isOpen());
            QCOMPARE(store.path(), m_path);
            const qint64 id = newTask(store, u"keep me"_s);
            QVERIFY(id > 0);
            QCOMPARE(store.addUnits(id, {unit(u"cpu"_s, 0, 10), unit(u"mem"_s, 0, 10)}),
                     std::optional<int>(2));
            QVERIFY(store.setPlan(id, true, 5, 500, u"{\"database\":\"db\"}"_s));
            QVERIFY(store.setWatermark(id, 123456789012345678LL));
            QVERIFY(store.setTaskState(id, TaskState::Failed, u"boom"_s));
            // WAL mode while open: the -wal file sits beside the store.
            QCOMPARE(rawPragma(m_path, "PRAGMA journal_mode"), u"wal"_s);
            QVERIFY(QFile::exists(m_path + u"-wal"_s));
            store.close();
            QVERIFY(!store.isOpen());
        }
        QCOMPARE(rawPragma(m_path, "PRAGMA user_version"),
                 QString::number(CheckpointStore::schemaVersion()));
        QCOMPARE(CheckpointStore::schemaVersion(), 8);
        // WAL is a property of the file: it stays after closing.
        QCOMPARE(rawPragma(m_path, "PRAGMA journal_mode"), u"wal"_s);

        CheckpointStore store;
        QVERIFY2(store.open(m_path), qPrintable(store.lastError()));
        const auto task = store.task(u"keep me"_s);
        QVERIFY2(task, qPrintable(store.lastError()));
        QCOMPARE(task->name, u"keep me"_s);
        QCOMPARE(task->profileJson, QByteArray("{\"version\": 1}"));
        QCOMPARE(task->state, TaskState::Failed);
        QCOMPARE(task->lastError, u"boom"_s);
        QVERIFY(task->planned);
        QCOMPARE(task->planStartNs, 5);
        QCOMPARE(task->planEndNs, 500);
        QCOMPARE(task->planScope, u"{\"database\":\"db\"}"_s);
        QCOMPARE(task->watermarkNs, 123456789012345678LL);
        QVERIFY(task->createdMs > 0);
        QVERIFY(task->updatedMs >= task->createdMs);
        QCOMPARE(store.units(task->id).size(), 2);
    }

    void openFailures()
    {
        CheckpointStore store;
        // A read-only open never creates a file.
        QVERIFY(!store.open(m_path, CheckpointStore::Mode::ReadOnly));
        QVERIFY(!store.lastError().isEmpty());
        QVERIFY(!QFile::exists(m_path));
        QVERIFY(!store.isOpen());

        // A folder that cannot be made: its parent is a file.
        QFile blocker(m_dir->filePath(u"file"_s));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        QVERIFY(!store.open(m_dir->filePath(u"file/sub/store.sqlite"_s)));
        QVERIFY(!store.lastError().isEmpty());

        // Not a database at all.
        QFile junk(m_dir->filePath(u"junk.sqlite"_s));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write(QByteArray(4096, 'x'));
        junk.close();
        QVERIFY(!store.open(junk.fileName()));
        QVERIFY2(store.lastError().contains(u"junk.sqlite"_s), qPrintable(store.lastError()));

        // Methods of a closed store fail cleanly.
        QCOMPARE(store.saveTask(u"x"_s, "{}"), std::nullopt);
        QVERIFY(!store.lastError().isEmpty());
        QVERIFY(store.tasks().isEmpty());
    }

    void newerSchemaIsRefused()
    {
        {
            CheckpointStore store;
            QVERIFY(store.open(m_path));
            newTask(store);
        }
        QVERIFY(rawExec(m_path, "PRAGMA user_version=9"));
        CheckpointStore store;
        QVERIFY(!store.open(m_path));
        QVERIFY2(store.lastError().contains(u"newer"_s), qPrintable(store.lastError()));
        QVERIFY(!store.isOpen());
        QVERIFY(!store.open(m_path, CheckpointStore::Mode::ReadOnly));
        QVERIFY2(store.lastError().contains(u"newer"_s), qPrintable(store.lastError()));
        // Refusing did not touch the version.
        QCOMPARE(rawPragma(m_path, "PRAGMA user_version"), u"9"_s);
    }

    void renamingsAreKeptOnceDecided()
    {
        CheckpointStore store;
        QVERIFY(store.open(m_path));
        const qint64 id = newTask(store);
        Renaming tag;
        tag.measurement = u"dup"_s;
        tag.kind = Renaming::Kind::Tag;
        tag.name = u"x"_s;
        tag.target = u"x_tag"_s;
        Renaming field;
        field.measurement = u"conflict"_s;
        field.kind = Renaming::Kind::Field;
        field.name = u"y"_s;
        field.type = u"integer"_s;
        field.firstType = u"float"_s;
        field.target = u"y_integer"_s;
        QVERIFY2(store.addRenamings(id, {tag, field}), qPrintable(store.lastError()));
        // The first decision stands.
        Renaming other = field;
        other.target = u"y_other"_s;
        QVERIFY2(store.addRenamings(id, {other}), qPrintable(store.lastError()));
        QCOMPARE(store.renamings(id), (QList<Renaming>{field, tag}));
        QVERIFY(store.resetTask(id));
        QVERIFY(store.renamings(id).isEmpty());
    }

    void migratesFromVersion1()
    {
        qint64 id = 0;
        {
            CheckpointStore store;
            QVERIFY(store.open(m_path));
            id = newTask(store, u"old"_s);
            store.addUnits(id, {unit(u"cpu"_s, 0, 10)});
        }
        // Version 2 is version 1 plus the estimates table, version 3 adds the leases, version 4
        // the verifications, version 5 the renamings, version 6 the health, version 7 the unit
        // measurements, version 8 the plan's scope: this is a file of
        // version 1.
        QVERIFY(rawExec(m_path, "DROP TABLE estimates; DROP TABLE leases; DROP TABLE "
                                "verifications; DROP TABLE renamings; DROP TABLE unit_measurements; " TSM_DROP_HEALTH_SQL
                                "PRAGMA user_version=1"));
        {
            // Read-only cannot upgrade, and says how to.
            CheckpointStore reader;
            QVERIFY(!reader.open(m_path, CheckpointStore::Mode::ReadOnly));
            QVERIFY2(reader.lastError().contains(u"old schema version 1"_s),
                     qPrintable(reader.lastError()));
        }
        CheckpointStore store;
        QVERIFY2(store.open(m_path), qPrintable(store.lastError()));
        QCOMPARE(rawPragma(m_path, "PRAGMA user_version"), u"8"_s);
        // What version 1 held is still there, and estimates and leases work.
        QCOMPARE(store.task(u"old"_s)->id, id);
        QCOMPARE(store.units(id).size(), 1);
        QVERIFY(store.estimates(id).isEmpty());
        QVERIFY2(store.setEstimate(id, u"cpu"_s, 42), qPrintable(store.lastError()));
        QCOMPARE(store.estimates(id).value(u"cpu"_s), 42);
        QVERIFY2(store.claimLease(id, Lease::thisRun())->granted, qPrintable(store.lastError()));
    }

    void migratesFromVersion3()
    {
        qint64 id = 0;
        {
            CheckpointStore store;
            QVERIFY(store.open(m_path));
            id = newTask(store, u"leased"_s);
            store.addUnits(id, {unit(u"cpu"_s, 0, 10)});
            QVERIFY(store.claimLease(id, Lease::thisRun())->granted);
        }
        // Version 4 is version 3 plus the verifications table, version 5 the renamings, version 6
        // the health: this is a file of version 3.
        QVERIFY(rawExec(m_path,
                        "DROP TABLE verifications; DROP TABLE renamings; DROP TABLE unit_measurements; " TSM_DROP_HEALTH_SQL
                        "PRAGMA user_version=3"));
        {
            CheckpointStore reader;
            QVERIFY(!reader.open(m_path, CheckpointStore::Mode::ReadOnly));
            QVERIFY2(reader.lastError().contains(u"old schema version 3"_s),
                     qPrintable(reader.lastError()));
        }
        CheckpointStore store;
        QVERIFY2(store.open(m_path), qPrintable(store.lastError()));
        QCOMPARE(rawPragma(m_path, "PRAGMA user_version"), u"8"_s);
        // The lease and the ledger of version 3 are kept; verifications work.
        QVERIFY(store.lease(id));
        QCOMPARE(store.units(id).size(), 1);
        QVERIFY(store.verification(id).isEmpty());
        QVERIFY(!store.verificationSummaries().contains(id));
        WindowCheck window;
        window.measurement = u"cpu"_s;
        window.start = 0;
        window.end = 10;
        window.sourceCount = 5;
        window.targetCount = 4;
        window.differs = true;
        window.unitIds = {store.units(id).first().id};
        window.checkedMs = 1000;
        QVERIFY2(store.setVerification(id, {window}), qPrintable(store.lastError()));
        QCOMPARE(store.verificationSummaries().value(id).differing, 1);
    }

    void verificationsReplaceAndRepair()
    {
        CheckpointStore store;
        QVERIFY(store.open(m_path));
        const qint64 id = newTask(store);
        store.addUnits(id, {unit(u"cpu"_s, 0, 10), unit(u"cpu"_s, 10, 20), unit(u"mem"_s, 0, 10)});
        const QList<UnitRecord> units = store.units(id);
        QList<UnitUpdate> done;
        for (const UnitRecord &u : units) {
            UnitUpdate d = unitUpdate(u.id, UnitStatus::Done);
            d.pointsWritten = 7;
            done.append(d);
        }
        QVERIFY(store.updateUnits(done));

        auto check = [](const QString &m, qint64 start, qint64 source, qint64 target,
                        qint64 unitId) {
            WindowCheck w;
            w.measurement = m;
            w.start = start;
            w.end = start + 10;
            w.sourceCount = source;
            w.targetCount = target;
            w.differs = source != target;
            w.detail = w.differs ? u"points %1/%2"_s.arg(source).arg(target) : QString();
            w.unitIds = {unitId};
            w.checkedMs = 5000;
            return w;
        };
        QVERIFY(store.setVerification(id, {check(u"cpu"_s, 0, 7, 7, units.at(0).id),
                                           check(u"cpu"_s, 10, 7, 3, units.at(1).id),
                                           check(u"mem"_s, 0, 7, 9, units.at(2).id)}));
        QCOMPARE(store.verification(id).size(), 3);
        const QList<WindowCheck> differing = store.verification(id, true);
        QCOMPARE(differing.size(), 2);
        QCOMPARE(differing.at(0).measurement, u"cpu"_s);
        QCOMPARE(differing.at(0).start, 10);
        QCOMPARE(differing.at(0).targetCount, 3);
        QCOMPARE(differing.at(0).detail, u"points 7/3"_s);
        QCOMPARE(differing.at(0).unitIds, QList<qint64>{units.at(1).id});
        QCOMPARE(differing.at(1).targetCount, 9);
        const VerificationSummary summary = store.verificationSummaries().value(id);
        QCOMPARE(summary.windows, 3);
        QCOMPARE(summary.differing, 2);
        QCOMPARE(summary.checkedMs, 5000);

        // A repair sets the differing windows' units pending with their counts cleared.
        QVERIFY(store.markUnitsPending(id, {units.at(1).id, units.at(2).id}));
        const UnitTotals totals = store.unitTotals(id);
        QCOMPARE(totals.done, 1);
        QCOMPARE(totals.pending, 2);
        QCOMPARE(totals.pointsWritten, 7);
        QCOMPARE(store.unfinishedUnits(id).size(), 2);

        // A new verification replaces the old one whole; a reset forgets it.
        QVERIFY(store.setVerification(id, {check(u"cpu"_s, 0, 7, 7, units.at(0).id)}));
        QCOMPARE(store.verification(id).size(), 1);
        QCOMPARE(store.verificationSummaries().value(id).differing, 0);
        QVERIFY(store.resetTask(id));
        QVERIFY(store.verification(id).isEmpty());
    }

    void measurementProgressAndEstimates()
    {
        CheckpointStore store;
        QVERIFY(store.open(m_path));
        const qint64 id = newTask(store);
        const qint64 other = newTask(store, u"other"_s);
        store.addUnits(id, {unit(u"mem"_s, 0, 1), unit(u"cpu"_s, 0, 1), unit(u"cpu"_s, 1, 2),
                            unit(u"cpu"_s, 2, 3), unit(u"mem"_s, 1, 2)});
        store.addUnits(other, {unit(u"cpu"_s, 0, 1)});
        const QList<UnitRecord> units = store.units(id);
        UnitUpdate cpuDone = unitUpdate(units.at(1).id, UnitStatus::Done);
        cpuDone.pointsRead = 10;
        cpuDone.pointsWritten = 8;
        cpuDone.pointsRejected = 2;
        UnitUpdate cpuFailed = unitUpdate(units.at(2).id, UnitStatus::Failed);
        cpuFailed.lastError = u"timeout"_s;
        UnitUpdate memDone = unitUpdate(units.at(0).id, UnitStatus::Done);
        memDone.pointsRead = 3;
        memDone.pointsWritten = 3;
        QVERIFY(store.updateUnits(
            {cpuDone, cpuFailed, memDone, unitUpdate(units.at(3).id, UnitStatus::Running)}));

        QVERIFY(store.setEstimate(id, u"cpu"_s, 100));
        QVERIFY(store.setEstimate(id, u"cpu"_s, 30)); // replaces
        QVERIFY(store.setEstimate(other, u"cpu"_s, 7));
        QVERIFY(!store.setEstimate(9999, u"cpu"_s, 1)); // no such task

        const QList<MeasurementProgress> list = store.measurementProgress(id);
        QCOMPARE(list.size(), 2);
        // Plan order: mem was added first.
        QCOMPARE(list.at(0).measurement, u"mem"_s);
        QCOMPARE(list.at(0).unitsTotal, 2);
        QCOMPARE(list.at(0).unitsDone, 1);
        QCOMPARE(list.at(0).pointsWritten, 3);
        QCOMPARE(list.at(0).estimatedPoints, kNotEstimated);
        QCOMPARE(list.at(0).lastError, QString());
        const MeasurementProgress &cpu = list.at(1);
        QCOMPARE(cpu.unitsTotal, 3);
        QCOMPARE(cpu.unitsDone, 1);
        QCOMPARE(cpu.unitsRunning, 1);
        QCOMPARE(cpu.unitsFailed, 1);
        QCOMPARE(cpu.pointsRead, 10);
        QCOMPARE(cpu.pointsWritten, 8);
        QCOMPARE(cpu.pointsRejected, 2);
        QCOMPARE(cpu.lastError, u"timeout"_s);
        QCOMPARE(cpu.estimatedPoints, 30);
        QCOMPARE(store.failedUnits(id).size(), 1);
        QCOMPARE(store.failedUnits(id).first().lastError, u"timeout"_s);

        // A reset forgets the estimates with the ledger; the other task keeps its own.
        QVERIFY(store.resetTask(id));
        QVERIFY(store.estimates(id).isEmpty());
        QCOMPARE(store.estimates(other).value(u"cpu"_s), 7);
        QVERIFY(store.deleteTask(other));
        QVERIFY(store.estimates(other).isEmpty());
    }

    void saveTaskUpsertsByName()
    {
        CheckpointStore store;
        QVERIFY(store.open(m_path));
        const auto a = store.saveTask(u"alpha"_s, "{\"a\":1}");
        QVERIFY2(a, qPrintable(store.lastError()));
        const qint64 created = store.task(*a)->createdMs;
        QVERIFY(store.setTaskState(*a, TaskState::Paused));
        // The update must carry a later time than the creation: wait for the clock to move on.
        QTRY_VERIFY(QDateTime::currentMSecsSinceEpoch() > created);
        const auto again = store.saveTask(u"alpha"_s, "{\"a\":2}");
        QCOMPARE(again, a);
        const auto b = store.saveTask(u"béta 🚀"_s, "{\"b\":1}");
        QVERIFY(b && *b != *a);

        const auto alpha = store.task(u"alpha"_s);
        QVERIFY(alpha);
        QCOMPARE(alpha->profileJson, QByteArray("{\"a\":2}"));
        QCOMPARE(alpha->createdMs, created);
        QVERIFY(alpha->updatedMs > created);
        QCOMPARE(alpha->state, TaskState::Paused); // saving the profile keeps the progress
        QCOMPARE(store.task(u"béta 🚀"_s)->id, *b);

        const QList<TaskRecord> all = store.tasks();
        QCOMPARE(all.size(), 2);
        QCOMPARE(all.at(0).name, u"alpha"_s);
        QCOMPARE(all.at(1).name, u"béta 🚀"_s);

        QCOMPARE(store.task(u"gamma"_s), std::nullopt);
        QVERIFY(store.lastError().contains(u"gamma"_s));
        QCOMPARE(store.task(qint64(999)), std::nullopt);
        QVERIFY(!store.setTaskState(999, TaskState::Running));
        QVERIFY(!store.lastError().isEmpty());
        QVERIFY(!store.setWatermark(999, 1));
        QVERIFY(!store.setPlan(999, true, 1, 2));
    }

    void addUnitsIsIdempotent()
    {
        CheckpointStore store;
        QVERIFY(store.open(m_path));
        const qint64 id = newTask(store);
        QList<UnitRecord> units;
        for (int i = 0; i < 10; ++i)
            units.append(unit(u"cpu"_s, i * 100, (i + 1) * 100));
        QCOMPARE(store.addUnits(id, units), std::optional<int>(10));
        QCOMPARE(store.addUnits(id, units), std::optional<int>(0));
        // Five old, five new.
        QList<UnitRecord> more = units.mid(5);
        for (int i = 10; i < 15; ++i)
            more.append(unit(u"cpu"_s, i * 100, (i + 1) * 100));
        QCOMPARE(store.addUnits(id, more), std::optional<int>(5));
        // Measurement and context are part of a unit's identity.
        QCOMPARE(store.addUnits(id, {unit(u"mem"_s, 0, 100), unit(u"cpu"_s, 0, 100, u"rp1"_s)}),
                 std::optional<int>(2));
        // Another task's ledger is separate.
        const qint64 other = newTask(store, u"other"_s);
        QCOMPARE(store.addUnits(other, units), std::optional<int>(10));
        QCOMPARE(store.units(id).size(), 17);
        QCOMPARE(store.addUnits(id, {}), std::optional<int>(0));
        // Units of a task that does not exist are refused.
        QCOMPARE(store.addUnits(12345, units), std::nullopt);
        QVERIFY(!store.lastError().isEmpty());
    }

    /// A plan of 100 000 units goes in at once, and again without duplicates. The CPU time is
    /// printed for information (a transaction per unit would take tens of seconds).
    void addManyUnits()
    {
        CheckpointStore store;
        QVERIFY(store.open(m_path));
        const qint64 id = newTask(store);
        QList<UnitRecord> units;
        units.reserve(100000);
        for (int i = 0; i < 100000; ++i)
            units.append(unit(u"m%1"_s.arg(i % 100), qint64(i) * 3600000000000LL,
                              qint64(i + 1) * 3600000000000LL));
        QElapsedTimer wall;
        wall.start();
        qint64 cpu = threadCpuMs();
        QCOMPARE(store.addUnits(id, units), std::optional<int>(100000));
        cpu = threadCpuMs() - cpu;
        qInfo("100000 units added in %lld ms CPU, %lld ms wall", cpu, wall.elapsed());
        QCOMPARE(store.unitTotals(id).total, 100000);
        cpu = threadCpuMs();
        QCOMPARE(store.addUnits(id, units), std::optional<int>(0));
        cpu = threadCpuMs() - cpu;
        qInfo("the same 100000 units again (none new) in %lld ms CPU", cpu);
    }

    void unitsRoundTripAndOrder()
    {
        CheckpointStore store;
        QVERIFY(store.open(m_path));
        const qint64 id = newTask(store);
        // Plan order is the planner's order, not the time order.
        UnitRecord first = unit(u"disk io"_s, 300, 400, u"autogen"_s);
        first.attempts = 2;
        first.pointsRead = 7;
        first.lastError = u"earlier"_s;
        QCOMPARE(store.addUnits(id, {first, unit(u"cpu"_s, 100, 200), unit(u"cpu"_s, 0, 100),
                                     unit(u"mem"_s, 0, 100)}),
                 std::optional<int>(4));
        const QList<UnitRecord> all = store.units(id);
        QCOMPARE(all.size(), 4);
        QCOMPARE(all.at(0).measurement, u"disk io"_s);
        QCOMPARE(all.at(0).context, u"autogen"_s);
        QCOMPARE(all.at(0).rangeStart, 300);
        QCOMPARE(all.at(0).rangeEnd, 400);
        QCOMPARE(all.at(0).attempts, 2);
        QCOMPARE(all.at(0).pointsRead, 7);
        QCOMPARE(all.at(0).lastError, u"earlier"_s);
        QCOMPARE(all.at(0).taskId, id);
        QCOMPARE(all.at(0).status, UnitStatus::Pending);
        QVERIFY(all.at(0).updatedMs > 0);
        QCOMPARE(all.at(1).rangeStart, 100);
        QCOMPARE(all.at(2).rangeStart, 0);

        QVERIFY(store.updateUnits({unitUpdate(all.at(1).id, UnitStatus::Done),
                                   unitUpdate(all.at(2).id, UnitStatus::Failed),
                                   unitUpdate(all.at(3).id, UnitStatus::Running)}));
        const QList<UnitRecord> unfinished = store.unfinishedUnits(id);
        QCOMPARE(unfinished.size(), 3);
        QCOMPARE(unfinished.at(0).id, all.at(0).id);
        QCOMPARE(unfinished.at(0).status, UnitStatus::Pending);
        QCOMPARE(unfinished.at(1).id, all.at(2).id);
        QCOMPARE(unfinished.at(1).status, UnitStatus::Failed);
        QCOMPARE(unfinished.at(2).id, all.at(3).id);
        QCOMPARE(unfinished.at(2).status, UnitStatus::Running);
    }

    /// Units of several measurements (a file's byte ranges) keep what they wrote of each: a
    /// unit's later outcome replaces its counts, a repair clears them, a reset drops them.
    void measurementCountsOfFileUnits()
    {
        CheckpointStore store;
        QVERIFY(store.open(m_path));
        const qint64 id = newTask(store);
        QVERIFY(store.addUnits(id, {unit(QString(), 0, 100), unit(QString(), 100, 200)}));
        const QList<UnitRecord> units = store.units(id);
        auto finished = [](qint64 unitId, QList<MeasurementCount> counts) {
            UnitUpdate u = unitUpdate(unitId, UnitStatus::Done);
            u.measurements = std::move(counts);
            return u;
        };
        QVERIFY2(store.updateUnits({finished(units.at(0).id, {{u"cpu"_s, 5, 1}, {u"mem"_s, 2, 0}}),
                                    finished(units.at(1).id, {{u"cpu"_s, 3, 0}})}),
                 qPrintable(store.lastError()));
        QCOMPARE(store.measurementCounts(id),
                 (QList<MeasurementCount>{{u"cpu"_s, 8, 1}, {u"mem"_s, 2, 0}}));
        // Read again after a crash: the second outcome replaces the first; none keeps it.
        QVERIFY(store.updateUnits({finished(units.at(1).id, {{u"cpu"_s, 4, 0}}),
                                   unitUpdate(units.at(0).id, UnitStatus::Done)}));
        QCOMPARE(store.measurementCounts(id),
                 (QList<MeasurementCount>{{u"cpu"_s, 9, 1}, {u"mem"_s, 2, 0}}));
        QVERIFY(store.markUnitsPending(id, {units.at(0).id}));
        QCOMPARE(store.measurementCounts(id), (QList<MeasurementCount>{{u"cpu"_s, 4, 0}}));
        QVERIFY(store.resetTask(id));
        QVERIFY(store.measurementCounts(id).isEmpty());
    }

    void requeueRunningUnits()
    {
        CheckpointStore store;
        QVERIFY(store.open(m_path));
        const qint64 id = newTask(store);
        const qint64 other = newTask(store, u"other"_s);
        store.addUnits(id, {unit(u"a"_s, 0, 1), unit(u"b"_s, 0, 1), unit(u"c"_s, 0, 1)});
        store.addUnits(other, {unit(u"a"_s, 0, 1)});
        const QList<UnitRecord> units = store.units(id);
        const qint64 otherUnit = store.units(other).first().id;
        QVERIFY(store.updateUnits({unitUpdate(units.at(0).id, UnitStatus::Running),
                                   unitUpdate(units.at(1).id, UnitStatus::Done),
                                   unitUpdate(units.at(2).id, UnitStatus::Running),
                                   unitUpdate(otherUnit, UnitStatus::Running)}));
        QVERIFY(store.requeueRunningUnits(id));
        const QList<UnitRecord> after = store.units(id);
        QCOMPARE(after.at(0).status, UnitStatus::Pending);
        QCOMPARE(after.at(1).status, UnitStatus::Done);
        QCOMPARE(after.at(2).status, UnitStatus::Pending);
        // Only this task's units.
        QCOMPARE(store.units(other).first().status, UnitStatus::Running);
        // Nothing to requeue is not an error.
        QVERIFY(store.requeueRunningUnits(id));
    }

    void updateUnits()
    {
        CheckpointStore store;
        QVERIFY(store.open(m_path));
        const qint64 id = newTask(store);
        store.addUnits(id, {unit(u"a"_s, 0, 1), unit(u"b"_s, 0, 1)});
        const qint64 a = store.units(id).at(0).id;
        const qint64 b = store.units(id).at(1).id;

        UnitUpdate start = unitUpdate(a, UnitStatus::Running);
        start.attemptsDelta = 1;
        QVERIFY(store.updateUnits({start}));
        UnitUpdate fail = unitUpdate(a, UnitStatus::Failed);
        fail.pointsRead = 100;
        fail.pointsWritten = 40;
        fail.lastError = u"HTTP 503: memory exceeds threshold"_s;
        QVERIFY(store.updateUnits({fail}));
        UnitRecord u = store.units(id).at(0);
        QCOMPARE(u.status, UnitStatus::Failed);
        QCOMPARE(u.attempts, 1);
        QCOMPARE(u.pointsRead, 100);
        QCOMPARE(u.pointsWritten, 40);
        QCOMPARE(u.pointsRejected, 0);
        QCOMPARE(u.lastError, u"HTTP 503: memory exceeds threshold"_s);

        // Retried: attempts add up; fields left at -1 / nullopt keep their value.
        start.attemptsDelta = 2;
        QVERIFY(store.updateUnits({start}));
        u = store.units(id).at(0);
        QCOMPARE(u.attempts, 3);
        QCOMPARE(u.status, UnitStatus::Running);
        QCOMPARE(u.pointsRead, 100);
        QCOMPARE(u.pointsWritten, 40);
        QCOMPARE(u.lastError, u"HTTP 503: memory exceeds threshold"_s);

        UnitUpdate done = unitUpdate(a, UnitStatus::Done);
        done.pointsRead = 120;
        done.pointsWritten = 118;
        done.pointsRejected = 2;
        done.lastError = QString(); // an empty text clears it
        QVERIFY(store.updateUnits({done}));
        u = store.units(id).at(0);
        QCOMPARE(u.status, UnitStatus::Done);
        QCOMPARE(u.pointsWritten, 118);
        QCOMPARE(u.pointsRejected, 2);
        QCOMPARE(u.lastError, QString());

        // All or nothing: an unknown unit fails the batch and the first change is undone.
        QVERIFY(!store.updateUnits(
            {unitUpdate(b, UnitStatus::Done), unitUpdate(987654, UnitStatus::Done)}));
        QVERIFY2(store.lastError().contains(u"987654"_s), qPrintable(store.lastError()));
        QCOMPARE(store.units(id).at(1).status, UnitStatus::Pending);
        QVERIFY(store.updateUnits({}));
    }

    void unitTotals()
    {
        CheckpointStore store;
        QVERIFY(store.open(m_path));
        const qint64 id = newTask(store);
        QCOMPARE(store.unitTotals(id).total, 0);
        QCOMPARE(store.unitTotals(id).pointsRead, 0);
        store.addUnits(id, {unit(u"a"_s, 0, 1), unit(u"b"_s, 0, 1), unit(u"c"_s, 0, 1),
                            unit(u"d"_s, 0, 1), unit(u"e"_s, 0, 1)});
        const QList<UnitRecord> units = store.units(id);
        UnitUpdate d1 = unitUpdate(units.at(0).id, UnitStatus::Done);
        d1.pointsRead = 10;
        d1.pointsWritten = 9;
        d1.pointsRejected = 1;
        UnitUpdate d2 = unitUpdate(units.at(1).id, UnitStatus::Done);
        d2.pointsRead = 5;
        d2.pointsWritten = 5;
        QVERIFY(store.updateUnits({d1, d2, unitUpdate(units.at(2).id, UnitStatus::Running),
                                   unitUpdate(units.at(3).id, UnitStatus::Failed)}));
        const UnitTotals t = store.unitTotals(id);
        QCOMPARE(t.total, 5);
        QCOMPARE(t.done, 2);
        QCOMPARE(t.running, 1);
        QCOMPARE(t.failed, 1);
        QCOMPARE(t.pending, 1);
        QCOMPARE(t.pointsRead, 15);
        QCOMPARE(t.pointsWritten, 14);
        QCOMPARE(t.pointsRejected, 1);
    }

    void samples()
    {
        CheckpointStore store;
        QVERIFY(store.open(m_path));
        const qint64 id = newTask(store);
        const qint64 other = newTask(store, u"other"_s);
        QCOMPARE(store.lastSample(id), std::nullopt);
        for (int i = 1; i <= 5; ++i) {
            ProgressSample s;
            s.taskId = id;
            s.timeMs = 1000 * i;
            s.pointsRead = 100 * i;
            s.pointsWritten = 90 * i;
            s.pointsRejected = i;
            s.unitsDone = i;
            s.unitsTotal = 5;
            s.retries = 2 * i;
            s.readersBusy = 3;
            s.writersBusy = 4;
            QVERIFY2(store.addSample(s), qPrintable(store.lastError()));
        }
        ProgressSample foreign;
        foreign.taskId = other;
        foreign.timeMs = 99999;
        QVERIFY(store.addSample(foreign));

        QCOMPARE(store.samples(id).size(), 5);
        const QList<ProgressSample> after = store.samples(id, 2000);
        QCOMPARE(after.size(), 3);
        QCOMPARE(after.at(0).timeMs, 3000);
        QCOMPARE(after.at(2).timeMs, 5000);
        const ProgressSample &s = after.at(1);
        QCOMPARE(s.taskId, id);
        QCOMPARE(s.pointsRead, 400);
        QCOMPARE(s.pointsWritten, 360);
        QCOMPARE(s.pointsRejected, 4);
        QCOMPARE(s.unitsDone, 4);
        QCOMPARE(s.unitsTotal, 5);
        QCOMPARE(s.retries, 8);
        QCOMPARE(s.readersBusy, 3);
        QCOMPARE(s.writersBusy, 4);
        QVERIFY(store.samples(id, 5000).isEmpty());
        const auto last = store.lastSample(id);
        QVERIFY(last);
        QCOMPARE(last->timeMs, 5000);
        QCOMPARE(last->pointsRead, 500);
    }

    void events()
    {
        CheckpointStore store;
        QVERIFY(store.open(m_path));
        const qint64 id = newTask(store);
        const qint64 other = newTask(store, u"other"_s);
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        QVERIFY(store.addEvent(id, EventLevel::Error, u"401: authorization failed"_s));
        QVERIFY(store.addEvent(id, EventLevel::Warn, u"retrying after 503"_s));
        QVERIFY(store.addEvent(other, EventLevel::Error, u"not mine"_s));
        QVERIFY(store.addEvent(id, EventLevel::Info, u"unit done ✓"_s));
        QVERIFY(store.addEvent(id, EventLevel::Debug, u"debug"_s));
        QVERIFY(store.addEvent(id, EventLevel::Trace, u"trace"_s));

        const QList<EventRecord> all = store.events(id);
        QCOMPARE(all.size(), 5);
        QCOMPARE(all.at(0).level, EventLevel::Error);
        QCOMPARE(all.at(0).message, u"401: authorization failed"_s);
        QCOMPARE(all.at(0).taskId, id);
        QVERIFY(all.at(0).timeMs >= before);
        QCOMPARE(all.at(2).message, u"unit done ✓"_s);
        for (int i = 1; i < all.size(); ++i)
            QVERIFY(all.at(i).id > all.at(i - 1).id);

        const QList<EventRecord> warnings = store.events(id, 0, EventLevel::Warn);
        QCOMPARE(warnings.size(), 2);
        QCOMPARE(warnings.at(1).level, EventLevel::Warn);
        const QList<EventRecord> tail = store.events(id, all.at(1).id);
        QCOMPARE(tail.size(), 3);
        QCOMPARE(tail.at(0).message, u"unit done ✓"_s);
        QCOMPARE(store.events(id, all.at(1).id, EventLevel::Info).size(), 1);
        QVERIFY(store.events(id, all.last().id).isEmpty());
    }

    void deleteAndReset()
    {
        CheckpointStore store;
        QVERIFY(store.open(m_path));
        const qint64 id = newTask(store);
        const qint64 keep = newTask(store, u"keep"_s);
        for (qint64 t : {id, keep}) {
            store.addUnits(t, {unit(u"a"_s, 0, 1)});
            ProgressSample s;
            s.taskId = t;
            s.timeMs = 1;
            store.addSample(s);
            store.addEvent(t, EventLevel::Info, u"x"_s);
            store.setPlan(t, true, 1, 2);
            store.setWatermark(t, 3);
            store.setTaskState(t, TaskState::Failed, u"bad"_s);
        }
        QVERIFY(store.resetTask(id));
        const auto reset = store.task(id);
        QVERIFY(reset);
        QCOMPARE(reset->state, TaskState::Idle);
        QCOMPARE(reset->lastError, QString());
        QVERIFY(!reset->planned);
        QCOMPARE(reset->watermarkNs, 0);
        QVERIFY(store.units(id).isEmpty());
        QVERIFY(store.samples(id).isEmpty());
        QVERIFY(store.events(id).isEmpty());
        QCOMPARE(reset->profileJson, QByteArray("{\"version\": 1}"));

        QVERIFY(store.deleteTask(id));
        QCOMPARE(store.task(id), std::nullopt);
        QVERIFY(!store.deleteTask(id));
        QVERIFY(!store.resetTask(id));
        // The other task is untouched.
        QCOMPARE(store.units(keep).size(), 1);
        QCOMPARE(store.samples(keep).size(), 1);
        QCOMPARE(store.events(keep).size(), 1);
        QCOMPARE(store.task(keep)->state, TaskState::Failed);
    }

    void leaseIsGrantedToOneLiveRunAtATime()
    {
        CheckpointStore store;
        QVERIFY(store.open(m_path));
        const qint64 id = newTask(store);
        const LeaseHolder first = Lease::thisRun();
        const auto granted = store.claimLease(id, first);
        QVERIFY2(granted && granted->granted && !granted->other, qPrintable(store.lastError()));

        // A second run, even in this very process, is refused and told who holds the task.
        const LeaseHolder second = Lease::thisRun();
        QVERIFY(second.token != first.token);
        const auto refused = store.claimLease(id, second);
        QVERIFY(refused && !refused->granted);
        QCOMPARE(refused->other->token, first.token);
        QVERIFY(refused->other->describe().contains(u"pid %1"_s.arg(first.pid)));
        QCOMPARE(store.lease(id)->token, first.token); // nothing changed

        // The holder claims again (a resumed step) and keeps it.
        QVERIFY(store.claimLease(id, first)->granted);
        // Released, the task is free for the second run.
        QVERIFY(store.releaseLease(id, first.token));
        QCOMPARE(store.lease(id), std::nullopt);
        QVERIFY(store.claimLease(id, second)->granted);
    }

    void leaseOfAGoneProcessIsTakenOverAndAFarOneIsNot()
    {
        CheckpointStore store;
        QVERIFY(store.open(m_path));
        const qint64 id = newTask(store);
        // A run killed on this host: its process is gone, its heartbeat still fresh.
        QProcess finished;
        finished.start(u"true"_s, {});
        QVERIFY(finished.waitForFinished());
        LeaseHolder killed = Lease::thisRun();
        killed.pid = finished.processId() > 0 ? finished.processId() : 999999;
        QVERIFY(!Lease::processAlive(killed.pid));
        QVERIFY(store.claimLease(id, killed)->granted);
        const auto takeover = store.claimLease(id, Lease::thisRun());
        QVERIFY(takeover && takeover->granted);
        QCOMPARE(takeover->other->token, killed.token);

        // A run on another host whose heartbeat is fresh is live, whatever its pid here.
        const qint64 other = newTask(store, u"other"_s);
        LeaseHolder far = killed;
        far.host = u"elsewhere.example"_s;
        QVERIFY(store.claimLease(other, far)->granted);
        QVERIFY(!store.claimLease(other, Lease::thisRun())->granted);
        // Its heartbeat gone stale, it is taken over.
        LeaseHolder stale = far;
        stale.heartbeatMs = QDateTime::currentMSecsSinceEpoch() - Lease::kStaleAfterMs - 1;
        QVERIFY(!Lease::isLive(stale, QDateTime::currentMSecsSinceEpoch()));
        far.heartbeatMs = QDateTime::currentMSecsSinceEpoch();
        QVERIFY(Lease::isLive(far, QDateTime::currentMSecsSinceEpoch()));
    }

    void requestsReachTheHolderThroughItsRenewals()
    {
        CheckpointStore store;
        QVERIFY(store.open(m_path));
        const qint64 id = newTask(store);
        QVERIFY(!store.requestRun(id, RunRequest::Pause)); // nobody runs it
        QVERIFY(store.lastError().contains(u"not running"_s));
        const LeaseHolder me = Lease::thisRun();
        QVERIFY(store.claimLease(id, me)->granted);
        QCOMPARE(store.renewLease(id, me.token), std::optional<RunRequest>(RunRequest::None));
        // Another process (a second connection) asks the run to stop.
        {
            CheckpointStore app;
            QVERIFY(app.open(m_path));
            QVERIFY(app.requestRun(id, RunRequest::Stop));
            QCOMPARE(app.leases().value(id).request, RunRequest::Stop);
        }
        QCOMPARE(store.renewLease(id, me.token), std::optional<RunRequest>(RunRequest::Stop));
        // A run whose lease was taken over learns it at its next renewal.
        QCOMPARE(store.renewLease(id, u"someone else"_s), std::nullopt);
        QVERIFY(store.lastError().contains(u"took"_s));
        // Deleting the task takes its lease with it.
        QVERIFY(store.deleteTask(id));
        QVERIFY(store.leases().isEmpty());
    }

    void readOnlySeesWritesAndNeverWrites()
    {
        CheckpointStore writer;
        QVERIFY(writer.open(m_path));
        const qint64 id = newTask(writer);

        CheckpointStore monitor;
        QVERIFY2(monitor.open(m_path, CheckpointStore::Mode::ReadOnly),
                 qPrintable(monitor.lastError()));
        QCOMPARE(monitor.tasks().size(), 1);
        QVERIFY(monitor.units(id).isEmpty());

        // Written while the monitor is open: it sees each commit.
        QCOMPARE(writer.addUnits(id, {unit(u"a"_s, 0, 1), unit(u"b"_s, 0, 1)}),
                 std::optional<int>(2));
        QVERIFY(writer.addEvent(id, EventLevel::Info, u"started"_s));
        QVERIFY(writer.setTaskState(id, TaskState::Running));
        QCOMPARE(monitor.units(id).size(), 2);
        QCOMPARE(monitor.events(id).size(), 1);
        QCOMPARE(monitor.task(id)->state, TaskState::Running);
        QVERIFY(writer.updateUnits({unitUpdate(writer.units(id).at(0).id, UnitStatus::Done)}));
        QCOMPARE(monitor.unitTotals(id).done, 1);

        // And it refuses every write.
        QCOMPARE(monitor.saveTask(u"intruder"_s, "{}"), std::nullopt);
        QVERIFY2(monitor.lastError().contains(u"read-only"_s), qPrintable(monitor.lastError()));
        QVERIFY(!monitor.setTaskState(id, TaskState::Stopped));
        QVERIFY(!monitor.addEvent(id, EventLevel::Error, u"no"_s));
        QCOMPARE(monitor.addUnits(id, {unit(u"z"_s, 0, 1)}), std::nullopt);
        QVERIFY(!monitor.updateUnits({unitUpdate(writer.units(id).at(1).id, UnitStatus::Done)}));
        QVERIFY(!monitor.requeueRunningUnits(id));
        QVERIFY(!monitor.deleteTask(id));
        QVERIFY(!monitor.resetTask(id));
        QVERIFY(!monitor.addSample(ProgressSample{id, 1, 0, 0, 0, 0, 0, 0, 0, 0}));
        QVERIFY(!monitor.setPlan(id, true, 0, 1));
        QVERIFY(!monitor.setWatermark(id, 1));
        QCOMPARE(writer.tasks().size(), 1);
        QCOMPARE(writer.task(id)->state, TaskState::Running);
        QCOMPARE(writer.units(id).size(), 2);
        QCOMPARE(writer.events(id).size(), 1);
        QVERIFY(writer.samples(id).isEmpty());
    }

    void readOnlyRefusesAFileWithoutSchema()
    {
        sqlite3 *db = nullptr;
        QCOMPARE(sqlite3_open(QFile::encodeName(m_path).constData(), &db), SQLITE_OK);
        QCOMPARE(sqlite3_exec(db, "CREATE TABLE unrelated (x)", nullptr, nullptr, nullptr),
                 SQLITE_OK);
        sqlite3_close(db);
        CheckpointStore monitor;
        QVERIFY(!monitor.open(m_path, CheckpointStore::Mode::ReadOnly));
        QVERIFY2(monitor.lastError().contains(u"not a tsmigrate"_s),
                 qPrintable(monitor.lastError()));
    }

    void failingStatementRollsBackTheCall()
    {
        CheckpointStore store;
        QVERIFY(store.open(m_path));
        const qint64 id = newTask(store);
        QCOMPARE(store.addUnits(id, {unit(u"cpu"_s, 0, 10), unit(u"mem"_s, 0, 10)}),
                 std::optional<int>(2));
        // Triggers make SQLite itself fail a statement halfway through a call's transaction.
        QVERIFY(rawExec(m_path, "CREATE TRIGGER poison_insert BEFORE INSERT ON units "
                                "WHEN NEW.measurement = 'poison' "
                                "BEGIN SELECT RAISE(ABORT, 'poisoned unit'); END; "
                                "CREATE TRIGGER poison_update BEFORE UPDATE ON units "
                                "WHEN NEW.status = 'failed' "
                                "BEGIN SELECT RAISE(ABORT, 'poisoned update'); END; "
                                "CREATE TRIGGER poison_delete BEFORE DELETE ON events "
                                "BEGIN SELECT RAISE(ABORT, 'poisoned delete'); END"));

        QCOMPARE(store.addUnits(id, {unit(u"disk"_s, 0, 10), unit(u"poison"_s, 0, 10)}),
                 std::nullopt);
        QVERIFY2(store.lastError().startsWith(u"Could not add 2 units to task %1: "_s.arg(id)),
                 qPrintable(store.lastError()));
        QVERIFY2(store.lastError().contains(u"poisoned unit"_s), qPrintable(store.lastError()));
        QVERIFY2(store.lastError().contains(m_path), qPrintable(store.lastError()));
        // All or nothing: the unit before the failing one went with it.
        QCOMPARE(store.units(id).size(), 2);

        const QList<UnitRecord> before = store.units(id);
        QVERIFY(!store.updateUnits({unitUpdate(before.at(0).id, UnitStatus::Done),
                                    unitUpdate(before.at(1).id, UnitStatus::Failed)}));
        QVERIFY2(store.lastError().contains(u"poisoned update"_s), qPrintable(store.lastError()));
        QCOMPARE(store.unitTotals(id).done, 0);

        QVERIFY(store.addEvent(id, EventLevel::Info, u"kept"_s));
        QVERIFY(!store.deleteTask(id));
        QVERIFY2(store.lastError().contains(u"poisoned delete"_s), qPrintable(store.lastError()));
        // The units, deleted before the events failed to be, are back.
        QCOMPARE(store.units(id).size(), 2);
        QVERIFY(store.task(id));

        // No transaction was left open: this connection writes again, another one at once
        // (a write lock still held would keep it waiting out the busy timeout, then fail).
        QCOMPARE(store.addUnits(id, {unit(u"disk"_s, 0, 10)}), std::optional<int>(1));
        CheckpointStore other;
        QVERIFY(other.open(m_path));
        QVERIFY2(other.setWatermark(id, 7), qPrintable(other.lastError()));
        QVERIFY2(other.updateUnits({unitUpdate(before.at(0).id, UnitStatus::Done)}),
                 qPrintable(other.lastError()));
        QCOMPARE(store.unitTotals(id).done, 1);
    }

    void refusalNamesTheCallAndTheStore()
    {
        {
            CheckpointStore writer;
            QVERIFY(writer.open(m_path));
            newTask(writer);
        }
        CheckpointStore monitor;
        QVERIFY(monitor.open(m_path, CheckpointStore::Mode::ReadOnly));
        QCOMPARE(monitor.saveTask(u"intruder"_s, "{}"), std::nullopt);
        QCOMPARE(monitor.lastError(),
                 u"Could not save task \"intruder\": the store %1 is open read-only"_s.arg(m_path));
        // A read after a refused write works and keeps the last error as it was.
        QCOMPARE(monitor.tasks().size(), 1);
        QVERIFY(monitor.lastError().contains(u"read-only"_s));

        CheckpointStore writer;
        QVERIFY(writer.open(m_path));
        QVERIFY(!writer.setTaskState(987654, TaskState::Running));
        QCOMPARE(writer.lastError(),
                 u"Could not set the state of task 987654 to running: no such task"_s);
        QCOMPARE(writer.addUnits(987654, {unit(u"cpu"_s, 0, 1)}), std::nullopt);
        QCOMPARE(writer.lastError(), u"Could not add 1 units to task 987654: no such task"_s);

        writer.close();
        QVERIFY(!writer.setWatermark(1, 1));
        QCOMPARE(writer.lastError(), u"Could not save the watermark of task 1: the store is not "
                                     u"open (%1)"_s.arg(m_path));
    }

    void corruptFileReportsThroughEachCall()
    {
        qint64 id = 0;
        {
            CheckpointStore store;
            QVERIFY(store.open(m_path));
            id = newTask(store);
        }
        // Page 1 holds the header and the schema; page 2 is the tasks table, created first.
        const int pageSize = rawPragma(m_path, "PRAGMA page_size").toInt();
        QVERIFY(pageSize > 0);
        QFile file(m_path);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY(file.seek(pageSize));
        QCOMPARE(file.write(QByteArray(pageSize, '\xff')), qint64(pageSize));
        file.close();

        CheckpointStore store;
        QVERIFY2(store.open(m_path), qPrintable(store.lastError()));
        QVERIFY(store.tasks().isEmpty());
        QVERIFY2(store.lastError().startsWith(u"Could not list the tasks: "_s),
                 qPrintable(store.lastError()));
        QVERIFY2(store.lastError().contains(u"malformed"_s), qPrintable(store.lastError()));
        QCOMPARE(store.task(id), std::nullopt);
        QVERIFY2(store.lastError().contains(u"malformed"_s), qPrintable(store.lastError()));
        QVERIFY(!store.setTaskState(id, TaskState::Running));
        QVERIFY2(store.lastError().contains(u"malformed"_s), qPrintable(store.lastError()));
        QCOMPARE(store.saveTask(u"another"_s, "{}"), std::nullopt);
        QVERIFY2(store.lastError().contains(u"malformed"_s), qPrintable(store.lastError()));
        QVERIFY(store.isOpen());
    }

    void failedUpgradeLeavesTheFileAsItWas()
    {
        {
            CheckpointStore store;
            QVERIFY(store.open(m_path));
            newTask(store, u"old"_s);
        }
        // A version-1 file that already has a table by the name version 2 creates.
        QVERIFY(rawExec(
            m_path,
            "DROP TABLE estimates; DROP TABLE leases; DROP TABLE "
            "verifications; DROP TABLE renamings; CREATE TABLE estimates (x); DROP TABLE unit_measurements; " TSM_DROP_HEALTH_SQL
            "PRAGMA user_version=1"));
        CheckpointStore store;
        QVERIFY(!store.open(m_path));
        QVERIFY(!store.isOpen());
        QVERIFY2(store.lastError().contains(u"CREATE TABLE estimates"_s),
                 qPrintable(store.lastError()));
        QVERIFY2(store.lastError().contains(u"already exists"_s), qPrintable(store.lastError()));
        QVERIFY2(store.lastError().contains(m_path), qPrintable(store.lastError()));
        QCOMPARE(rawPragma(m_path, "PRAGMA user_version"), u"1"_s);

        // Nothing was left locked, and the upgrade goes through once the clash is gone.
        QVERIFY(rawExec(m_path, "DROP TABLE estimates"));
        QVERIFY2(store.open(m_path), qPrintable(store.lastError()));
        QCOMPARE(rawPragma(m_path, "PRAGMA user_version"), u"8"_s);
        QVERIFY(store.task(u"old"_s));
    }

    void manyOpenABrandNewFileAtOnce()
    {
        // The app and a CLI started together on a store that does not exist yet: each creates
        // the file, switches it to WAL and brings the schema up while the others do the same.
        constexpr int kRounds = 40;
        constexpr int kOpeners = 12;
        for (int round = 0; round < kRounds; ++round) {
            const QString path = m_dir->filePath(u"new%1.sqlite"_s.arg(round));
            std::atomic<int> ready{0};
            QStringList errors[kOpeners];
            std::vector<std::thread> openers;
            for (int which = 0; which < kOpeners; ++which) {
                openers.emplace_back([&, which] {
                    ++ready;
                    while (ready.load() < kOpeners) // all start opening together
                        std::this_thread::yield();
                    CheckpointStore store;
                    if (!store.open(path) || !store.saveTask(u"t%1"_s.arg(which), "{}"))
                        errors[which].append(store.lastError());
                });
            }
            for (std::thread &t : openers)
                t.join();
            QStringList all;
            for (const QStringList &e : errors)
                all += e;
            QVERIFY2(all.isEmpty(), qPrintable(u"round %1: "_s.arg(round) + all.join(u"; "_s)));
            CheckpointStore check;
            QVERIFY(check.open(path, CheckpointStore::Mode::ReadOnly));
            QCOMPARE(check.tasks().size(), kOpeners);
        }
    }

    void twoWritersInTwoThreads()
    {
        {
            CheckpointStore setup;
            QVERIFY(setup.open(m_path));
            newTask(setup, u"t1"_s);
            newTask(setup, u"t2"_s);
        }
        constexpr int kRounds = 150;
        std::atomic<int> failures{0};
        QStringList errors[2];
        const auto work = [&](int which) {
            CheckpointStore store; // one connection per thread
            if (!store.open(m_path)) {
                errors[which].append(store.lastError());
                ++failures;
                return;
            }
            const qint64 id = store.task(which == 0 ? u"t1"_s : u"t2"_s)->id;
            for (int round = 0; round < kRounds; ++round) {
                QList<UnitRecord> batch;
                for (int i = 0; i < 20; ++i)
                    batch.append(unit(u"m"_s, round * 20 + i, round * 20 + i + 1));
                const auto added = store.addUnits(id, batch);
                const bool ok =
                    added == std::optional<int>(20) &&
                    store.addEvent(id, EventLevel::Info, u"round"_s) &&
                    store.setWatermark(id, round) &&
                    store.addSample(ProgressSample{id, round + 1, round, 0, 0, 0, 0, 0, 0, 0}) &&
                    store.updateUnits(
                        {unitUpdate(store.unfinishedUnits(id).first().id, UnitStatus::Done)});
                if (!ok) {
                    errors[which].append(store.lastError());
                    ++failures;
                    return;
                }
            }
        };
        std::thread first(work, 0);
        std::thread second(work, 1);
        first.join();
        second.join();
        QVERIFY2(failures == 0, qPrintable((errors[0] + errors[1]).join(u"; "_s)));

        CheckpointStore check;
        QVERIFY(check.open(m_path, CheckpointStore::Mode::ReadOnly));
        for (const TaskRecord &t : check.tasks()) {
            QCOMPARE(check.unitTotals(t.id).total, kRounds * 20);
            QCOMPARE(check.unitTotals(t.id).done, kRounds);
            QCOMPARE(check.events(t.id).size(), kRounds);
            QCOMPARE(check.samples(t.id).size(), kRounds);
            QCOMPARE(t.watermarkNs, kRounds - 1);
        }
    }
};

QTEST_GUILESS_MAIN(TestCheckpointStore)
#include "test_checkpointstore.moc"
