// The cost of watching: the same InfluxDB 1.x → InfluxDB 1.x migration with the monitor window
// open on it (in the same process, polling the store and redrawing its charts) and without,
// alternated so that both see the same machine, each into a fresh database and state file.
//
//   bench_monitor [points] [rounds] [concurrency]     (defaults: 1000000 points, 3 rounds, 4)
#include "monitor/MonitorWindow.h"
#include "run/RunThread.h"
#include "support/BenchSupport.h"
#include "support/InfluxdFixture.h"
#include "support/TestProfiles.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTemporaryDir>
#include <algorithm>
#include <cstdio>
#include <thread>
#include <vector>

using namespace Qt::StringLiterals;
using namespace tsm;

namespace {

constexpr int kSeries = 100;

struct RunResult
{
    bool ok = false;
    double seconds = 0;
    double cpuSeconds = 0;
    int monitorRefreshes = 0;
};

/// One migration on a runner thread while this thread runs the event loop (and the monitor).
RunResult migrate(const TaskProfile &profile, const QString &statePath, bool watch)
{
    RunThread run(profile, statePath);
    QEventLoop loop;
    RunResult result;
    QObject::connect(&run, &RunThread::finished, &loop, [&](const RunOutcome &outcome) {
        result.ok = outcome.status == RunOutcome::Status::Completed;
        if (!result.ok)
            std::fprintf(stderr, "migration failed: %s\n", qPrintable(outcome.message));
        loop.quit();
    });
    std::unique_ptr<MonitorWindow> monitor;
    if (watch) {
        monitor = std::make_unique<MonitorWindow>(statePath, profile.name);
        monitor->show();
    }
    const double cpuBefore = bench::processCpuSeconds();
    QElapsedTimer timer;
    timer.start();
    run.start();
    loop.exec();
    result.seconds = timer.elapsed() / 1000.0;
    result.cpuSeconds = bench::processCpuSeconds() - cpuBefore;
    if (monitor)
        result.monitorRefreshes = monitor->refreshCount();
    return result;
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    return n == 0 ? 0 : (n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2);
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const qint64 points = argc > 1 ? QByteArray(argv[1]).toLongLong() : 1000000;
    const int rounds = argc > 2 ? QByteArray(argv[2]).toInt() : 3;
    const int concurrency = argc > 3 ? QByteArray(argv[3]).toInt() : 4;

    test::InfluxdFixture influx;
    if (!influx.start()) {
        std::fprintf(stderr, "influxd did not start: %s\n", qPrintable(influx.errorString()));
        return 1;
    }
    influx.query(u"CREATE DATABASE src"_s);
    std::printf("loading %lld points (%d series, 4 fields each)\n", points, kSeries);
    if (!bench::post(influx.url(), u"src"_s, bench::generate(points, 5000, kSeries), concurrency)) {
        std::fprintf(stderr, "loading the source failed\n");
        return 1;
    }

    QTemporaryDir dir;
    std::vector<double> plain, watched, plainCpu, watchedCpu;
    std::printf("\n%-6s %-10s %10s %14s %10s %10s\n", "round", "monitor", "seconds", "points/s",
                "CPU s", "refreshes");
    for (int round = 1; round <= rounds; ++round) {
        // Alternate which goes first, so neither always meets a warmer cache.
        for (int k = 0; k < 2; ++k) {
            const bool watch = (round + k) % 2 == 0;
            const QString name = u"run%1%2"_s.arg(round).arg(watch ? u"w"_s : u"p"_s);
            TaskProfile profile =
                test::influxToInflux(name, influx.url(), u"src"_s, influx.url(), name);
            profile.advanced.readConcurrency = concurrency;
            profile.advanced.writeConcurrency = concurrency;
            profile.advanced.batchSize = 5000;
            const RunResult r = migrate(profile, dir.filePath(name + u".sqlite"_s), watch);
            if (!r.ok)
                return 1;
            (watch ? watched : plain).push_back(r.seconds);
            (watch ? watchedCpu : plainCpu).push_back(r.cpuSeconds);
            std::printf("%-6d %-10s %10.2f %14.0f %10.2f %10d\n", round, watch ? "open" : "none",
                        r.seconds, points / r.seconds, r.cpuSeconds, r.monitorRefreshes);
            std::fflush(stdout);
        }
    }
    const double p = median(plain), w = median(watched);
    const double pBest = *std::min_element(plain.begin(), plain.end());
    const double wBest = *std::min_element(watched.begin(), watched.end());
    std::printf("\n%-28s %12s %12s %8s\n", "", "without", "with", "ratio");
    std::printf("%-28s %10.2f s %10.2f s %7.1f%%\n", "time, median", p, w, 100.0 * w / p);
    std::printf("%-28s %10.2f s %10.2f s %7.1f%%\n", "time, best", pBest, wBest,
                100.0 * wBest / pBest);
    std::printf("%-28s %10.2f s %10.2f s %7.1f%%\n", "tsmigrate CPU, median", median(plainCpu),
                median(watchedCpu), 100.0 * median(watchedCpu) / median(plainCpu));
    // What watching itself costs, whatever else the machine does: CPU per second watched.
    std::vector<double> perSecond;
    for (size_t i = 0; i < watched.size() && i < plain.size(); ++i)
        perSecond.push_back((watchedCpu[i] - median(plainCpu)) / watched[i]);
    std::printf("monitor CPU per second watched: %.1f ms (median)\n", 1000.0 * median(perSecond));
    std::printf("%lld points, concurrency %d, batch size 5000, %d rounds, %d cores\n", points,
                concurrency, rounds, int(std::thread::hardware_concurrency()));
    return 0;
}
