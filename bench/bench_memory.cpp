// Peak resident memory of `tsmigrate-cli run` at the documented defaults (read concurrency 50,
// write concurrency 50, batch 5000), InfluxDB 1.x -> InfluxDB 1.x, for 1 million and for 10
// million points of the same data: memory must not grow with the data (goal <= 200 MB).
//
//   bench_memory [--points 10000000] [--small 1000000] [--smoke]
#include "support/BenchSupport.h"
#include "support/InfluxdFixture.h"
#include "support/TestProfiles.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <TimeText.h>
#include <cstdio>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::bench;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const Args args(argc, argv);
    const bool smoke = args.flag("smoke");
    const qint64 points = args.number("points", smoke ? 40000 : 10000000);
    const qint64 small = args.number("small", smoke ? 4000 : 1000000);
    QString cli = qEnvironmentVariable("TSM_CLI");
    if (cli.isEmpty())
        cli = QCoreApplication::applicationDirPath() + u"/../app/tsmigrate-cli"_s;

    test::InfluxdFixture influx;
    if (!startInflux(influx, {u"src"_s}))
        return 1;
    // Loaded in slices, so this program's own memory stays small too.
    const qint64 slice = 500000;
    QElapsedTimer timer;
    timer.start();
    for (qint64 done = 0; done < points; done += slice) {
        const qint64 n = std::min(slice, points - done);
        if (!post(influx.url(), u"src"_s, generate(n, 5000, 100, kT0 + (done / 100) * kStepNs), 4))
            return 1;
    }
    std::printf("loaded %s points in %.0f s\n", thousands(double(points)).constData(),
                double(timer.elapsed()) / 1000.0);

    QTemporaryDir dir;
    std::printf("\n%-34s %12s %10s %10s %12s\n", "tsmigrate-cli run, defaults 50/50/5000",
                "peak RSS", "seconds", "CPU s", "points/s");
    long peaks[2] = {0, 0};
    int i = 0;
    for (const qint64 n : {small, points}) {
        TaskProfile p = test::influxToInflux(u"memory %1"_s.arg(n), influx.url(), u"src"_s,
                                             influx.url(), u"dst%1"_s.arg(n));
        const TaskProfile defaults = TaskProfile::withDefaults();
        p.advanced = defaults.advanced;
        p.advanced.logLevel = u"warn"_s;
        p.task.start = TimeText::format(kT0);
        p.task.end = TimeText::format(generatedEnd(n));
        const QString path = dir.filePath(u"p%1.json"_s.arg(n));
        if (!test::saveProfile(p, path))
            return 1;
        const ChildResult r =
            runChild(cli, {u"run"_s, path, u"--state"_s, dir.filePath(u"state.sqlite"_s)});
        if (r.exitCode != 0) {
            std::fprintf(stderr, "tsmigrate-cli exited with %d\n", r.exitCode);
            return 1;
        }
        peaks[i++] = r.peakRssKiB;
        std::printf("%-34s %9.1f MB %10.1f %10.1f %12s\n",
                    qPrintable(u"%1 points"_s.arg(QString::fromLatin1(thousands(double(n))))),
                    double(r.peakRssKiB) / 1024.0, r.wallSeconds, r.cpuSeconds,
                    thousands(double(n) / r.wallSeconds).constData());
    }
    std::printf("\npeak RSS %s points / %s points: %.2fx (flat = does not grow with the data); "
                "goal <= 200 MB\n",
                thousands(double(points)).constData(), thousands(double(small)).constData(),
                double(peaks[1]) / double(peaks[0]));
    return 0;
}
