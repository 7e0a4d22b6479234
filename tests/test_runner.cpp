// The Runner's decisions with a source and a sink of the test's own, handed in through its
// connector factory: no server, no network.
#include "run/Pipeline.h"
#include "run/Recorder.h"
#include "run/Runner.h"
#include "support/TestProfiles.h"
#include "support/TestTime.h"

#include <CheckpointStore.h>
#include <QDateTime>
#include <QTemporaryDir>
#include <QtTest>
#include <TimeText.h>
#include <atomic>
#include <mutex>
#include <thread>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::test;

namespace {

constexpr int kPointsPerUnit = 7;

/** Plans one unit per hour of the range and reads kPointsPerUnit points of each; can break off
 *  its first reads as a cut answer does. */
class FakeSource : public Source
{
public:
    std::atomic<int> cutFirstReads{0};
    /// When set, every read waits until it is opened (or the run is cancelled).
    std::shared_ptr<std::atomic<bool>> gate;

    QString describe() const override { return u"fake source"_s; }
    ConnectionInfo checkConnection(const CancelToken &) override
    {
        return {u"Fake"_s, u"1"_s, QString()};
    }
    QStringList listDatabases(const CancelToken &) override { return {u"db"_s}; }
    QStringList listMeasurements(const QString &, const CancelToken &) override { return {u"m"_s}; }
    MeasurementSchema schema(const QString &, const QString &, const CancelToken &) override
    {
        return {};
    }
    std::optional<TimeRange> timeBounds(const QString &, const QString &,
                                        const CancelToken &) override
    {
        return std::nullopt;
    }
    QList<PlannedUnit> plan(const PlanRequest &request, const CancelToken &) override
    {
        QList<PlannedUnit> units;
        for (qint64 t = request.range.start; t < request.range.end; t += kHour)
            units.append({u"m"_s, QString(), t, std::min(t + kHour, request.range.end)});
        return units;
    }
    void read(const ReadUnit &unit, const PlanRequest &, const LpDialect &, BatchOutput &out,
              const CancelToken &cancel) override
    {
        if (cutFirstReads.fetch_sub(1) > 0)
            throw Error(ErrorKind::Protocol, u"the answer ended in the middle of a chunk"_s);
        while (gate && !gate->load()) {
            if (cancel.isCancelled())
                throw Error(ErrorKind::Cancelled, u"Cancelled"_s);
            std::this_thread::yield();
        }
        for (int i = 0; i < kPointsPerUnit; ++i) {
            if (cancel.isCancelled())
                throw Error(ErrorKind::Cancelled, u"Cancelled"_s);
            out.buffer() +=
                "m v=" + QByteArray::number(i) + "i " + QByteArray::number(unit.start + i) + '\n';
            out.lineAppended();
        }
    }
    PointCount count(const PlanRequest &, const CountWindow &, const CancelToken &) override
    {
        PointCount counted;
        counted.points = kPointsPerUnit;
        counted.fields.insert(u"v"_s, kPointsPerUnit);
        return counted;
    }
};

/** Keeps what it is given; can refuse the first writes for a transient reason, or the
 *  credentials at prepare(). */
class MemorySink : public Sink
{
public:
    std::atomic<int> failFirstWrites{0};
    bool refuseCredentials = false;
    /// When set, every write waits until it is opened (or the run is cancelled).
    std::shared_ptr<std::atomic<bool>> gate;
    /// Refuses the first line of every batch, as a target refuses a point it cannot hold.
    bool refuseFirstLines = false;
    std::mutex mutex;
    QByteArray written;

    QString describe() const override { return u"memory"_s; }
    LpDialect dialect() const override { return {}; }
    ConnectionInfo checkConnection(const CancelToken &) override
    {
        return {u"Memory"_s, u"1"_s, QString()};
    }
    void prepare(const CancelToken &) override
    {
        if (refuseCredentials)
            throw Error(ErrorKind::Auth, u"memory refused the credentials"_s);
    }
    WriteResult write(const Batch &batch, const CancelToken &cancel) override
    {
        while (gate && !gate->load()) {
            if (cancel.isCancelled())
                throw Error(ErrorKind::Cancelled, u"Cancelled"_s);
            std::this_thread::yield();
        }
        if (failFirstWrites.fetch_sub(1) > 0)
            throw Error(ErrorKind::Network, u"connection reset"_s);
        std::lock_guard<std::mutex> lock(mutex);
        WriteResult result;
        if (refuseFirstLines) {
            const qsizetype end = batch.lines.indexOf('\n');
            result.rejects.push_back({batch.lines.left(end), u"refused"_s, batch.shares[0].unitId});
            result.rejected = 1;
            written += batch.lines.mid(end + 1);
        } else {
            written += batch.lines;
        }
        result.written = batch.points - result.rejected;
        return result;
    }
    /// The lines kept whose time lies in the window ("m v=…i <time>").
    PointCount count(const CountWindow &window, const CancelToken &) override
    {
        std::lock_guard<std::mutex> lock(mutex);
        PointCount counted;
        counted.points = 0;
        for (const QByteArray &line : written.split('\n')) {
            const qint64 time = line.mid(line.lastIndexOf(' ') + 1).toLongLong();
            if (!line.isEmpty() && time >= window.start && time < window.end) {
                ++counted.points;
                ++counted.fields[u"v"_s];
            }
        }
        return counted;
    }
};

TaskProfile profile(const QString &start, const QString &end)
{
    // Any valid kinds: the factory below builds the fakes.
    TaskProfile p = lpfileToLpfile(u"fakes"_s, {}, {});
    p.task.start = start;
    p.task.end = end;
    p.advanced.readConcurrency = 2;
    p.advanced.writeConcurrency = 2;
    p.advanced.batchSize = 3;
    return p;
}

/// Has the runner build a FakeSource and a MemorySink, set up by the callbacks.
void install(Runner &runner, std::function<void(MemorySink &)> setUp = {},
             std::function<void(FakeSource &)> setUpSource = {})
{
    ConnectorFactory factory;
    factory.source = [setUpSource](const TaskProfile &) {
        auto source = std::make_unique<FakeSource>();
        if (setUpSource)
            setUpSource(*source);
        return std::unique_ptr<Source>(std::move(source));
    };
    factory.sink = [setUp](const TaskProfile &) {
        auto sink = std::make_unique<MemorySink>();
        if (setUp)
            setUp(*sink);
        return std::unique_ptr<Sink>(std::move(sink));
    };
    runner.setConnectorFactory(factory);
}

} // namespace

/** Runner: history through fakes, a transient failure retried, credentials refused, a pause. */
class TestRunner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void historyMovesEveryUnitThroughTheFactorysPieces()
    {
        QTemporaryDir dir;
        const QString state = dir.filePath(u"s.sqlite"_s);
        Runner runner(profile(u"2024-01-01T00:00:00Z"_s, u"2024-01-01T05:00:00Z"_s), state);
        QByteArray written;
        ConnectorFactory factory;
        factory.source = [](const TaskProfile &) { return std::make_unique<FakeSource>(); };
        factory.sink = [&written](const TaskProfile &) {
            struct Keeping : MemorySink
            {
                QByteArray *out = nullptr;
                ~Keeping() override { *out = MemorySink::written; }
            };
            auto sink = std::make_unique<Keeping>();
            sink->out = &written;
            return std::unique_ptr<Sink>(std::move(sink));
        };
        runner.setConnectorFactory(factory);
        runner.run();
        QCOMPARE(runner.outcome().status, RunOutcome::Status::Completed);
        QCOMPARE(written.count('\n'), 5 * kPointsPerUnit);

        CheckpointStore store;
        QVERIFY(store.open(state, CheckpointStore::Mode::ReadOnly));
        const UnitTotals totals = store.unitTotals(store.task(u"fakes"_s)->id);
        QCOMPARE(totals.total, 5);
        QCOMPARE(totals.done, 5);
        QCOMPARE(totals.pointsWritten, 5 * kPointsPerUnit);
    }

    void aUnitCutShortIsReadAgainInASecondPass()
    {
        QTemporaryDir dir;
        Runner runner(profile(u"2024-01-01T00:00:00Z"_s, u"2024-01-01T02:00:00Z"_s),
                      dir.filePath(u"s.sqlite"_s));
        install(runner, {}, [](FakeSource &source) { source.cutFirstReads = 1; });
        QStringList events;
        connect(&runner, &Runner::event, this,
                [&](int, const QString &message) { events.append(message); });
        runner.run();
        QCOMPARE(runner.outcome().status, RunOutcome::Status::Completed);
        QVERIFY2(events.count(u"Retrying 1 failed unit"_s) == 1, qPrintable(events.join(u'\n')));
    }

    void aTargetThatStaysDownStopsTheRunWithUnitsPending()
    {
        // The sink's own retries are exhausted: the run stops at once, nothing marked failed.
        QTemporaryDir dir;
        const QString state = dir.filePath(u"s.sqlite"_s);
        TaskProfile p = profile(u"2024-01-01T00:00:00Z"_s, u"2024-01-01T02:00:00Z"_s);
        p.advanced.retryForMinutes = 0; // give up at once
        Runner runner(p, state);
        install(runner, [](MemorySink &sink) { sink.failFirstWrites = 1000; });
        runner.run();
        QCOMPARE(runner.outcome().status, RunOutcome::Status::Failed);
        QCOMPARE(runner.outcome().errorKind, std::optional<ErrorKind>(ErrorKind::Network));
        CheckpointStore store;
        QVERIFY(store.open(state, CheckpointStore::Mode::ReadOnly));
        const auto task = store.task(u"fakes"_s);
        const UnitTotals totals = store.unitTotals(task->id);
        QCOMPARE(totals.done, 0);
        QCOMPARE(totals.failed, 0);
        QCOMPARE(totals.pending, 2);
        // Its health says so, with the reason.
        QCOMPARE(task->health, TaskHealth::Fatal);
        QCOMPARE(task->healthDetail, runner.outcome().message);
    }

    void aSecondRunOfTheTaskIsRefusedWhileTheFirstWorks()
    {
        QTemporaryDir dir;
        const QString state = dir.filePath(u"s.sqlite"_s);
        const TaskProfile p = profile(u"2024-01-01T00:00:00Z"_s, u"2024-01-01T02:00:00Z"_s);
        auto gate = std::make_shared<std::atomic<bool>>(false);
        Runner first(p, state);
        install(first, {}, [gate](FakeSource &source) { source.gate = gate; });
        std::thread working([&] { first.run(); });

        CheckpointStore store;
        // The run creates the file meanwhile: opened once its schema is in place.
        QTRY_VERIFY_WITH_TIMEOUT(store.isOpen() || store.open(state), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(store.task(u"fakes"_s) &&
                                     store.task(u"fakes"_s)->state == TaskState::Running,
                                 10000);
        const qint64 taskId = store.task(u"fakes"_s)->id;
        const auto events = store.events(taskId).size();
        Runner second(p, state);
        install(second);
        second.run();
        QCOMPARE(second.outcome().status, RunOutcome::Status::Failed);
        QCOMPARE(second.outcome().errorKind, std::optional<ErrorKind>(ErrorKind::Busy));
        QVERIFY2(second.outcome().message.contains(u"pid %1"_s.arg(QCoreApplication::applicationPid())),
                 qPrintable(second.outcome().message));
        // The refused run changed nothing: state, ledger and log are the first run's.
        QCOMPARE(store.task(taskId)->state, TaskState::Running);
        QCOMPARE(store.events(taskId).size(), events);

        gate->store(true);
        working.join();
        QCOMPARE(first.outcome().status, RunOutcome::Status::Completed);
        QCOMPARE(store.lease(taskId), std::nullopt); // released at the end
    }

    void aStopAskedThroughTheStateFileStopsTheRun()
    {
        QTemporaryDir dir;
        const QString state = dir.filePath(u"s.sqlite"_s);
        auto gate = std::make_shared<std::atomic<bool>>(false);
        Runner runner(profile(u"2024-01-01T00:00:00Z"_s, u"2024-01-01T02:00:00Z"_s), state);
        install(runner, {}, [gate](FakeSource &source) { source.gate = gate; });
        std::thread working([&] { runner.run(); });
        CheckpointStore store;
        QTRY_VERIFY_WITH_TIMEOUT(store.isOpen() || store.open(state), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(store.task(u"fakes"_s) &&
                                     store.lease(store.task(u"fakes"_s)->id),
                                 10000);
        // What the app does for a run of another process.
        QVERIFY(store.requestRun(store.task(u"fakes"_s)->id, RunRequest::Stop));
        working.join();
        QCOMPARE(runner.outcome().status, RunOutcome::Status::Stopped);
        QCOMPARE(store.task(u"fakes"_s)->state, TaskState::Stopped);
    }

    void aLeaseLeftByAKilledRunIsTakenOverAndSaidSo()
    {
        QTemporaryDir dir;
        const QString state = dir.filePath(u"s.sqlite"_s);
        const TaskProfile p = profile(u"2024-01-01T00:00:00Z"_s, u"2024-01-01T02:00:00Z"_s);
        {
            CheckpointStore store;
            QVERIFY(store.open(state));
            const qint64 id = *store.saveTask(p.name, "{}");
            LeaseHolder killed = Lease::thisRun();
            killed.program = u"tsmigrate-cli"_s;
            killed.pid = 999999; // no such process
            QVERIFY(!Lease::processAlive(killed.pid));
            QVERIFY(store.claimLease(id, killed)->granted);
        }
        Runner runner(p, state);
        install(runner);
        QStringList events;
        connect(&runner, &Runner::event, this,
                [&](int, const QString &message) { events.append(message); });
        runner.run();
        QCOMPARE(runner.outcome().status, RunOutcome::Status::Completed);
        QVERIFY2(events.filter(u"Took the task over from tsmigrate-cli, pid 999999"_s).size() == 1,
                 qPrintable(events.join(u'\n')));
    }

    void aTargetThatComesBackIsWaitedOut()
    {
        // advanced.retryFor (60 min by default): the pass is tried again after 1 s, then 2 s.
        QTemporaryDir dir;
        const QString state = dir.filePath(u"s.sqlite"_s);
        // One writer, so each refused write ends its own pass, whatever the machine's pace.
        TaskProfile p = profile(u"2024-01-01T00:00:00Z"_s, u"2024-01-01T02:00:00Z"_s);
        p.advanced.writeConcurrency = 1;
        Runner runner(p, state);
        install(runner, [](MemorySink &sink) { sink.failFirstWrites = 2; });
        QStringList events;
        connect(&runner, &Runner::event, this,
                [&](int, const QString &message) { events.append(message); });
        runner.run();
        QCOMPARE(runner.outcome().status, RunOutcome::Status::Completed);
        QVERIFY2(events.filter(u"connection reset; trying again at"_s).size() == 2,
                 qPrintable(events.join(u'\n')));
        CheckpointStore store;
        QVERIFY(store.open(state, CheckpointStore::Mode::ReadOnly));
        const auto task = store.task(u"fakes"_s);
        QCOMPARE(store.unitTotals(task->id).done, 2);
        // The health went to SinkError while the target was down, and back once it wrote.
        const qsizetype down =
            events.indexOf(u"Health: SinkError (the target cannot be reached; trying again)"_s);
        QVERIFY2(down >= 0, qPrintable(events.join(u'\n')));
        QVERIFY2(events.indexOf(u"Health: Ready"_s, down) > down, qPrintable(events.join(u'\n')));
        QCOMPARE(task->health, TaskHealth::Ready);
    }

    /// Writes refused in part, as many as advanced.bounceErrors within the window: Bounce.
    void writeErrorsMakeTheTaskBounce()
    {
        QTemporaryDir dir;
        const QString state = dir.filePath(u"s.sqlite"_s);
        TaskProfile p = profile(u"2024-01-01T00:00:00Z"_s, u"2024-01-01T01:00:00Z"_s);
        p.advanced.bounceErrors = 2;
        p.advanced.bounceWindowSeconds = 3600;
        Runner runner(p, state);
        install(runner, [](MemorySink &sink) { sink.refuseFirstLines = true; });
        QStringList events;
        connect(&runner, &Runner::event, this,
                [&](int, const QString &message) { events.append(message); });
        runner.run();
        QCOMPARE(runner.outcome().status, RunOutcome::Status::Completed);
        // One unit of 7 points in batches of 3: 3 writes, every one refused in part.
        QCOMPARE(runner.outcome().pointsRejected, 3);
        QVERIFY2(!events
                      .filter(QRegularExpression(u"^Health: Bounce \\([23] write errors in "
                                                 u"3600 s\\)$"_s))
                      .isEmpty(),
                 qPrintable(events.join(u'\n')));
    }

    /// A reader that finds the write queue full waits, and the wait is counted (the Busy
    /// health): the writes are held until it has happened, whatever the machine's pace.
    void aFullWriteQueueIsCounted()
    {
        FakeSource source;
        MemorySink sink;
        sink.gate = std::make_shared<std::atomic<bool>>(false);
        PipelineSettings settings;
        settings.readConcurrency = 1;
        settings.writeConcurrency = 1;
        settings.batchSize = 1;
        settings.maxQueuedBytes = 1; // one batch at a time
        QTemporaryDir dir;
        Recorder recorder(dir.filePath(u"rejects.lp"_s), EventLevel::Info);
        PlanRequest request;
        request.range = {0, kHour};
        Pipeline pipeline(source, sink, request, sink.dialect(), settings, recorder);
        ReadUnit unit;
        unit.id = 1;
        unit.measurement = u"m"_s;
        unit.start = 0;
        unit.end = kHour;
        CancelToken cancel;
        Pipeline::Result result;
        std::thread run([&] { result = pipeline.run({unit}, cancel); });
        QTRY_VERIFY_WITH_TIMEOUT(pipeline.counters().queueFullWaits.load() > 0, 30000);
        sink.gate->store(true);
        run.join();
        QCOMPARE(result.status, Pipeline::Result::Status::Finished);
        QCOMPARE(sink.written.count('\n'), kPointsPerUnit);
        QCOMPARE(pipeline.counters().sinkReconnects.load(), qint64(0));
        QCOMPARE(pipeline.counters().writeErrors.load(), qint64(0));
    }

    void refusedCredentialsFailBeforeAnyUnit()
    {
        QTemporaryDir dir;
        const QString state = dir.filePath(u"s.sqlite"_s);
        Runner runner(profile(u"2024-01-01T00:00:00Z"_s, u"2024-01-01T02:00:00Z"_s), state);
        install(runner, [](MemorySink &sink) { sink.refuseCredentials = true; });
        runner.run();
        QCOMPARE(runner.outcome().status, RunOutcome::Status::Failed);
        QCOMPARE(runner.outcome().errorKind, std::optional<ErrorKind>(ErrorKind::Auth));
        CheckpointStore store;
        QVERIFY(store.open(state, CheckpointStore::Mode::ReadOnly));
        const auto task = store.task(u"fakes"_s);
        QCOMPARE(task->state, TaskState::Failed);
        QCOMPARE(store.unitTotals(task->id).total, 0); // nothing was planned
    }

    void aPauseBeforeTheRunPausesItAndAResumeCompletes()
    {
        QTemporaryDir dir;
        const QString state = dir.filePath(u"s.sqlite"_s);
        const TaskProfile p = profile(u"2024-01-01T00:00:00Z"_s, u"2024-01-01T03:00:00Z"_s);
        {
            Runner runner(p, state);
            install(runner);
            runner.requestPause();
            runner.run();
            QCOMPARE(runner.outcome().status, RunOutcome::Status::Paused);
        }
        Runner again(p, state);
        install(again);
        again.run();
        QCOMPARE(again.outcome().status, RunOutcome::Status::Completed);
        CheckpointStore store;
        QVERIFY(store.open(state, CheckpointStore::Mode::ReadOnly));
        QCOMPARE(store.unitTotals(store.task(u"fakes"_s)->id).done, 3);
    }
};

QTEST_GUILESS_MAIN(TestRunner)
#include "test_runner.moc"
