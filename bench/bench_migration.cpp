// End-to-end migrations against real influxd 1.x processes, each compared with a baseline
// measured in the same run:
//
//   e2e      InfluxDB 1.x -> InfluxDB 1.x against the limit: the same windows read raw (msgpack,
//            chunked, same concurrency, output discarded) WHILE the same points, pre-encoded as
//            line protocol, are posted into another database with the same batch size and
//            concurrency. Also tsmigrate's CPU per million points and its share of influxd's.
//   lpfile   InfluxDB 1.x -> line-protocol file against the raw read limit alone.
//   twostep  the documented two-step path (export everything to a line-protocol file, then post
//            the file) against the pipelined migration, first with source and target in one
//            influxd, then with source and target influxd pinned to different cores, so reads
//            and writes do not compete, as on two machines.
//   gzip     posting the same batches with and without gzip request bodies.
//   sparse   ten years of range with data on three days: planning and run overhead beyond the
//            limit of moving the same points.
//   scaling  throughput for read concurrency 1, 2, 4, 8, 50 and write concurrency 1, 2, 4, 8.
//   verify   the migration (without its verification) against verifying it afterwards: counting
//            every read window in source and target, and the ratio of the two.
//   ratelimit the migration with advanced.maxPointsPerSecond set so that it should take
//            --ratelimit-seconds (30; 3 with --smoke): the achieved rate against the limit
//            (goal: within 5%), and the same migration without a limit as the baseline.
//
// Runs other than [verify] leave the verification at the end of a history off, so that they
// measure the migration alone.
//
//   bench_migration [--points 2000000] [--concurrency 4] [--scaling-points 500000]
//                   [--only e2e,gzip,lpfile,twostep,sparse,scaling,verify,ratelimit]
//                   [--ratelimit-seconds 30] [--smoke]
#include "connectors/Connectors.h"
#include "run/Runner.h"
#include "run/Verifier.h"
#include "support/BenchSupport.h"
#include "support/InfluxdFixture.h"
#include "support/TestProfiles.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QTemporaryDir>
#include <cstdio>
#include <thread>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::bench;

namespace {

constexpr qint64 kHourNs = 3600LL * 1000000000LL;
constexpr int kBatchSize = 5000;

struct RunFigures
{
    bool ok = false;
    double seconds = 0;
    double ownCpu = 0;
    double serverCpu = 0;
    QString message;
};

/// Runs `profile` to its end in this process, measuring wall time, own CPU and the CPU of the
/// influxd processes `serverPids`.
RunFigures runTask(const TaskProfile &profile, const QList<qint64> &serverPids,
                   const QString &statePath = QString())
{
    QTemporaryDir dir;
    Runner runner(profile, statePath.isEmpty() ? dir.filePath(u"state.sqlite"_s) : statePath);
    double serverBefore = 0;
    for (qint64 pid : serverPids)
        serverBefore += processCpuSeconds(pid);
    const double cpuBefore = processCpuSeconds();
    QElapsedTimer timer;
    timer.start();
    runner.run();
    RunFigures f;
    f.seconds = double(timer.elapsed()) / 1000.0;
    f.ownCpu = processCpuSeconds() - cpuBefore;
    for (qint64 pid : serverPids)
        f.serverCpu += processCpuSeconds(pid);
    f.serverCpu -= serverBefore;
    f.ok = runner.outcome().status == RunOutcome::Status::Completed;
    f.message = runner.outcome().message;
    if (!f.ok)
        std::fprintf(stderr, "migration failed: %s\n", qPrintable(f.message));
    return f;
}

TaskProfile influxProfile(const QString &sourceUrl, const QString &sourceDb,
                          const QString &targetUrl, const QString &targetDb, int readConcurrency,
                          int writeConcurrency)
{
    TaskProfile p = test::influxToInflux(u"bench"_s, sourceUrl, u"src"_s, targetUrl, targetDb);
    p.task.bucket = sourceDb;
    p.advanced.readConcurrency = readConcurrency;
    p.advanced.writeConcurrency = writeConcurrency;
    p.advanced.batchSize = kBatchSize;
    p.advanced.logLevel = u"warn"_s;
    p.advanced.verify = false; // the migration alone; [verify] measures the verification
    return p;
}

/// The limit: raw reads of `sourceDb` while posting `batches` into `limitDb`.
double measureLimit(const QString &sourceUrl, const QString &sourceDb, const QString &targetUrl,
                    const QString &limitDb, const std::vector<QByteArray> &batches, qint64 start,
                    qint64 end, int concurrency)
{
    QElapsedTimer timer;
    timer.start();
    std::thread reader(
        [&] { readRaw(sourceUrl, sourceDb, start, end, kHourNs, concurrency, true, false); });
    post(targetUrl, limitDb, batches, concurrency, false); // plain, as tsmigrate posts on loopback
    reader.join();
    return double(timer.elapsed()) / 1000.0;
}

void row(const char *what, double seconds, qint64 points)
{
    std::printf("  %-58s %8.2f s %12s points/s\n", what, seconds,
                thousands(double(points) / seconds).constData());
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const Args args(argc, argv);
    const bool smoke = args.flag("smoke");
    const qint64 points = args.number("points", smoke ? 20000 : 2000000);
    const int concurrency = int(args.number("concurrency", 4));
    const qint64 scalingPoints = args.number("scaling-points", smoke ? 10000 : 500000);
    const QStringList only =
        args.text("only", u"e2e,gzip,lpfile,twostep,sparse,scaling,verify,ratelimit"_s)
            .split(u',');
    const int cores = int(std::thread::hardware_concurrency());
    bool ok = true;

    std::printf("tsmigrate benchmarks: %s points (100 series, 4 fields, a quarter with a string), "
                "batch %d, %d cores\n",
                thousands(double(points)).constData(), kBatchSize, cores);
    const std::vector<QByteArray> batches = generate(points, kBatchSize);
    const qint64 end = generatedEnd(points);

    test::InfluxdFixture influx;
    if (!startInflux(influx, {u"src"_s}))
        return 1;
    const QString url = influx.url();
    const qint64 pid = influx.processId();
    if (!post(url, u"src"_s, batches, concurrency))
        return 1;
    int runNumber = 0;
    auto freshDb = [&](const QString &prefix) { return u"%1_%2"_s.arg(prefix).arg(++runNumber); };

    if (only.contains(u"e2e"_s)) {
        std::printf("\n[e2e] InfluxDB 1.x -> InfluxDB 1.x, concurrency %d (one influxd)\n",
                    concurrency);
        const QString limitDb = freshDb(u"limit"_s);
        influx.query(u"CREATE DATABASE "_s + limitDb);
        const double serverBefore = processCpuSeconds(pid);
        const double limit =
            measureLimit(url, u"src"_s, url, limitDb, batches, kT0, end, concurrency);
        const double limitServerCpu = processCpuSeconds(pid) - serverBefore;
        const RunFigures run = runTask(
            influxProfile(url, u"src"_s, url, freshDb(u"dst"_s), concurrency, concurrency), {pid});
        ok = ok && run.ok;
        row("limit: raw msgpack reads WHILE posting pre-encoded points", limit, points);
        row("tsmigrate", run.seconds, points);
        std::printf("  throughput vs limit: %.0f%% (goal >= 90%%)\n", 100.0 * limit / run.seconds);
        std::printf("  tsmigrate CPU: %.2f s per million points; %.0f%% of influxd's CPU for the "
                    "same migration (goal <= 15%%; influxd %.1f s, %.1f s during the limit)\n",
                    run.ownCpu / (double(points) / 1e6), 100.0 * run.ownCpu / run.serverCpu,
                    run.serverCpu, limitServerCpu);
    }

    if (only.contains(u"gzip"_s)) {
        std::printf("\n[gzip] posting the same batches with and without gzip request bodies, "
                    "concurrency %d\n",
                    concurrency);
        for (const bool gzip : {false, true, true, false}) { // alternated: no order bias
            const QString db = freshDb(gzip ? u"gzip"_s : u"plain"_s);
            influx.query(u"CREATE DATABASE "_s + db);
            const double cpuBefore = processCpuSeconds();
            const double serverBefore = processCpuSeconds(pid);
            QElapsedTimer timer;
            timer.start();
            ok = post(url, db, batches, concurrency, gzip) && ok;
            const double seconds = double(timer.elapsed()) / 1000.0;
            row(gzip ? "gzip bodies (level 1)" : "plain bodies", seconds, points);
            std::printf("  %-58s client CPU %.2f s, influxd CPU %.2f s\n", "",
                        processCpuSeconds() - cpuBefore, processCpuSeconds(pid) - serverBefore);
        }
    }

    if (only.contains(u"lpfile"_s)) {
        std::printf("\n[lpfile] InfluxDB 1.x -> line-protocol file, read concurrency %d\n",
                    concurrency);
        QElapsedTimer timer;
        timer.start();
        qint64 bytes = 0;
        readRaw(url, u"src"_s, kT0, end, kHourNs, concurrency, true, false, &bytes);
        const double readLimit = double(timer.elapsed()) / 1000.0;
        QTemporaryDir dir;
        TaskProfile p = influxProfile(url, u"src"_s, url, u"unused"_s, concurrency, concurrency);
        p.target = TaskProfile::withDefaults().target;
        p.target.type = u"lpfile"_s;
        p.target.path = dir.filePath(u"out.lp"_s);
        const RunFigures run = runTask(p, {pid});
        ok = ok && run.ok;
        row("read limit: raw msgpack reads alone, output discarded", readLimit, points);
        row("tsmigrate -> .lp file (fsynced)", run.seconds, points);
        std::printf("  throughput vs read limit: %.0f%% (goal >= 90%%); file %.0f MB; tsmigrate "
                    "CPU %.2f s, influxd CPU %.2f s\n",
                    100.0 * readLimit / run.seconds, double(QFileInfo(p.target.path).size()) / 1e6,
                    run.ownCpu, run.serverCpu);
    }

    if (only.contains(u"twostep"_s)) {
        std::printf("\n[twostep] export to a line-protocol file, then post the file, against the "
                    "pipelined migration\n");
        auto twoStep = [&](const QString &sourceUrl, const QString &targetUrl,
                           const QList<qint64> &pids, const QString &targetDb) {
            QTemporaryDir dir;
            TaskProfile exportTask =
                influxProfile(sourceUrl, u"src"_s, targetUrl, targetDb, concurrency, concurrency);
            exportTask.name = u"export"_s;
            exportTask.target = TaskProfile::withDefaults().target;
            exportTask.target.type = u"lpfile"_s;
            exportTask.target.path = dir.filePath(u"export.lp"_s);
            const RunFigures first = runTask(exportTask, pids);
            TaskProfile importTask = exportTask;
            importTask.name = u"import"_s;
            importTask.source = TaskProfile::withDefaults().source;
            importTask.source.type = u"lpfile"_s;
            importTask.source.path = exportTask.target.path;
            importTask.target =
                influxProfile(sourceUrl, u"src"_s, targetUrl, targetDb, concurrency, concurrency)
                    .target;
            const RunFigures second = runTask(importTask, pids);
            ok = ok && first.ok && second.ok;
            return first.seconds + second.seconds;
        };
        {
            const double twoSteps = twoStep(url, url, {pid}, freshDb(u"twostep"_s));
            const RunFigures pipelined = runTask(
                influxProfile(url, u"src"_s, url, freshDb(u"dst"_s), concurrency, concurrency),
                {pid});
            ok = ok && pipelined.ok;
            std::printf("  source and target in one influxd (they share both cores):\n");
            row("two steps (export file, then post it)", twoSteps, points);
            row("tsmigrate pipelined", pipelined.seconds, points);
            std::printf("  pipelined / two-step throughput: %.2fx\n", twoSteps / pipelined.seconds);
        }
        if (cores >= 2) {
            test::InfluxdFixture source, target;
            if (!startInflux(source, {u"src"_s}) || !startInflux(target, {}))
                return 1;
            pinProcess(source.processId(), {0});
            pinProcess(target.processId(), {1});
            post(source.url(), u"src"_s, batches, concurrency);
            const QList<qint64> pids{source.processId(), target.processId()};
            const double twoSteps = twoStep(source.url(), target.url(), pids, u"twostep"_s);
            const RunFigures pipelined = runTask(influxProfile(source.url(), u"src"_s, target.url(),
                                                               u"dst"_s, concurrency, concurrency),
                                                 pids);
            ok = ok && pipelined.ok;
            std::printf("  source influxd pinned to core 0, target influxd to core 1:\n");
            row("two steps (export file, then post it)", twoSteps, points);
            row("tsmigrate pipelined", pipelined.seconds, points);
            std::printf("  pipelined / two-step throughput: %.2fx\n", twoSteps / pipelined.seconds);
        }
    }

    if (only.contains(u"sparse"_s)) {
        // Three days with data spread over ten years: 2016-03-01, 2020-07-15, 2025-11-30.
        const qint64 sparsePoints = std::max<qint64>(points / 10, 3000);
        const QList<qint64> days{1456790400000000000LL, 1594771200000000000LL,
                                 1764460800000000000LL};
        std::vector<QByteArray> all;
        for (qint64 day : days)
            for (QByteArray &b : generate(sparsePoints / 3, kBatchSize, 100, day))
                all.push_back(std::move(b));
        influx.query(u"CREATE DATABASE sparse"_s);
        post(url, u"sparse"_s, all, concurrency);
        const qint64 moved = (sparsePoints / 3 / 100) * 100 * 3;
        std::printf("\n[sparse] 2016-01-01 .. 2026-01-01 with %s points on three days\n",
                    thousands(double(moved)).constData());
        const QString limitDb = freshDb(u"limit"_s);
        influx.query(u"CREATE DATABASE "_s + limitDb);
        QElapsedTimer timer;
        timer.start();
        std::thread reader([&] {
            for (qint64 day : days)
                readRaw(url, u"sparse"_s, day, day + 86400LL * 1000000000LL, kHourNs, concurrency,
                        true, false);
        });
        post(url, limitDb, all, concurrency, false);
        reader.join();
        const double limit = double(timer.elapsed()) / 1000.0;

        TaskProfile p =
            influxProfile(url, u"sparse"_s, url, freshDb(u"dst"_s), concurrency, concurrency);
        p.task.start = u"2016-01-01T00:00:00Z"_s;
        p.task.end = u"2026-01-01T00:00:00Z"_s;
        timer.restart();
        {
            auto source = Connectors::createSource(p);
            PlanRequest request;
            request.database = p.task.bucket;
            request.range = TimeRange{1451606400000000000LL, 1767225600000000000LL};
            request.windowNs = qint64(p.task.windowMinutes) * 60 * 1000000000LL;
            CancelToken cancel;
            const int units = int(source->plan(request, cancel).size());
            std::printf("  planning alone: %d read units in %.3f s\n", units,
                        double(timer.elapsed()) / 1000.0);
        }
        const RunFigures run = runTask(p, {pid});
        ok = ok && run.ok;
        row("limit: raw reads of the three days WHILE posting them", limit, moved);
        row("tsmigrate over ten years (planning included)", run.seconds, moved);
        std::printf("  overhead beyond the limit: %.2f s (goal < 2 s)\n", run.seconds - limit);
    }

    if (only.contains(u"verify"_s)) {
        std::printf("\n[verify] InfluxDB 1.x -> InfluxDB 1.x, concurrency %d: the migration, then "
                    "its verification (COUNT(*) per read window on both sides)\n",
                    concurrency);
        QTemporaryDir dir;
        const QString state = dir.filePath(u"state.sqlite"_s);
        const TaskProfile p =
            influxProfile(url, u"src"_s, url, freshDb(u"dst"_s), concurrency, concurrency);
        const RunFigures run = runTask(p, {pid}, state);
        const double serverBefore = processCpuSeconds(pid);
        const double cpuBefore = processCpuSeconds();
        QElapsedTimer timer;
        timer.start();
        VerifyReport report;
        try {
            CancelToken cancel;
            report = Verifier::verifyTask(p, state, ConnectorFactory(), cancel);
        } catch (const Error &error) {
            std::fprintf(stderr, "verification failed: %s\n", qPrintable(error.message()));
            ok = false;
        }
        const double verifySeconds = double(timer.elapsed()) / 1000.0;
        ok = ok && run.ok && report.agrees() && report.windows > 0;
        row("migration (verification off)", run.seconds, points);
        std::printf("  %-58s %8.2f s %12s windows (%s)\n", "verification (both sides counted)",
                    verifySeconds, thousands(double(report.windows)).constData(),
                    qPrintable(report.summary()));
        std::printf("  verification / migration: %.1f%% of the migration's time; tsmigrate CPU "
                    "%.2f s, influxd CPU %.2f s while verifying\n",
                    100.0 * verifySeconds / run.seconds, processCpuSeconds() - cpuBefore,
                    processCpuSeconds(pid) - serverBefore);
    }

    if (only.contains(u"ratelimit"_s)) {
        const qint64 seconds = args.number("ratelimit-seconds", smoke ? 3 : 30);
        const qint64 limit = std::max<qint64>(1, points / seconds);
        std::printf("\n[ratelimit] InfluxDB 1.x -> InfluxDB 1.x, concurrency %d, at most %s "
                    "points/s (advanced.maxPointsPerSecond): should take %lld s\n",
                    concurrency, thousands(double(limit)).constData(), seconds);
        TaskProfile p =
            influxProfile(url, u"src"_s, url, freshDb(u"dst"_s), concurrency, concurrency);
        const RunFigures free = runTask(p, {pid}); // the baseline: what moves without a limit
        p.target.database = freshDb(u"dst"_s);
        p.advanced.maxPointsPerSecond = int(limit);
        const RunFigures run = runTask(p, {pid});
        ok = ok && free.ok && run.ok;
        const double freeRate = double(points) / free.seconds;
        const double achieved = double(points) / run.seconds;
        row("baseline: the same migration without a limit", free.seconds, points);
        row("with the rate limit (planning included)", run.seconds, points);
        std::printf("  achieved %s points/s against the limit of %s: %.1f%% (goal 95-105%%)%s\n",
                    thousands(achieved).constData(), thousands(double(limit)).constData(),
                    100.0 * achieved / double(limit),
                    freeRate < 1.1 * double(limit)
                        ? "; the limit is not below what moves without it, so it cannot show"
                        : "");
    }

    if (only.contains(u"scaling"_s)) {
        std::printf("\n[scaling] %s points, points/s by read (rows) and write (columns) "
                    "concurrency\n",
                    thousands(double(scalingPoints)).constData());
        influx.query(u"CREATE DATABASE scaling"_s);
        post(url, u"scaling"_s, generate(scalingPoints, kBatchSize), concurrency);
        const QList<int> reads = smoke ? QList<int>{1, 4} : QList<int>{1, 2, 4, 8, 50};
        const QList<int> writes = smoke ? QList<int>{1, 4} : QList<int>{1, 2, 4, 8};
        std::printf("  | read \\ write |");
        for (int w : writes)
            std::printf(" %9d |", w);
        std::printf("\n  |---|");
        for (qsizetype i = 0; i < writes.size(); ++i)
            std::printf("---|");
        std::printf("\n");
        for (int r : reads) {
            std::printf("  | %12d |", r);
            for (int w : writes) {
                const RunFigures run =
                    runTask(influxProfile(url, u"scaling"_s, url, freshDb(u"s"_s), r, w), {pid});
                ok = ok && run.ok;
                std::printf(" %9s |", thousands(double(scalingPoints) / run.seconds).constData());
                std::fflush(stdout);
            }
            std::printf("\n");
        }
    }
    return ok ? 0 : 1;
}
