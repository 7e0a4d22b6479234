// End-to-end InfluxDB 1.x → InfluxDB 1.x against the limit measured in the same run: the same
// windows read raw (msgpack, chunked, output discarded) while the same points, pre-encoded as
// line protocol, are posted into another database, with the same batch size and concurrency.
//
//   bench_migration [points] [concurrency]      (defaults: 1000000 points, 4)
#include "core/Runner.h"
#include "http/HttpClient.h"
#include "support/InfluxdFixture.h"
#include "support/TestProfiles.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <atomic>
#include <cstdio>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace Qt::StringLiterals;
using namespace tsm;

namespace {

constexpr qint64 kT0 = 1700000000000000000LL;
constexpr qint64 kStepNs = 10LL * 1000000000LL; // one point per series every 10 s
constexpr int kSeries = 100;

double cpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double processCpuSeconds(qint64 pid)
{
    QFile stat(u"/proc/%1/stat"_s.arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray text = stat.readAll();
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of /proc/PID/stat (11 and 12 after the name).
    return (fields.value(11).toDouble() + fields.value(12).toDouble()) /
           double(sysconf(_SC_CLK_TCK));
}

/// Batches of `batchSize` lines: 4 fields per point, a quarter of them with a string.
std::vector<QByteArray> generate(qint64 points, int batchSize)
{
    std::vector<QByteArray> batches;
    QByteArray batch;
    int inBatch = 0;
    const qint64 perSeries = points / kSeries;
    for (qint64 i = 0; i < perSeries; ++i) {
        for (int s = 0; s < kSeries; ++s) {
            const qint64 n = i * kSeries + s;
            batch += "machine,host=h" + QByteArray::number(s) + ",dc=dc" +
                     QByteArray::number(s % 4) +
                     " temp=" + QByteArray::number(20 + (n % 1000) * 0.013, 'g', 10) +
                     ",load=" + QByteArray::number(n % 977) + "i,ok=" + (n % 3 ? "true" : "false");
            if (n % 4 == 0)
                batch += ",state=\"running step " + QByteArray::number(n % 50) + "\"";
            else
                batch += ",rpm=" + QByteArray::number(1000 + n % 5000) + "i";
            batch += ' ' + QByteArray::number(kT0 + i * kStepNs) + '\n';
            if (++inBatch == batchSize) {
                batches.push_back(std::move(batch));
                batch = QByteArray();
                inBatch = 0;
            }
        }
    }
    if (inBatch)
        batches.push_back(std::move(batch));
    return batches;
}

void post(const QString &url, const QString &db, const std::vector<QByteArray> &batches,
          int concurrency)
{
    std::atomic<size_t> next{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < concurrency; ++t)
        threads.emplace_back([&] {
            HttpClient client;
            for (size_t i = next++; i < batches.size(); i = next++) {
                HttpRequest request;
                request.method = "POST";
                request.url = (url + u"/write?db="_s + db).toUtf8();
                request.body = batches[i];
                request.gzipBody = true;
                const HttpResponse response = client.perform(request);
                if (response.status != 204)
                    std::fprintf(stderr, "write failed: %d %s\n", response.status,
                                 response.body.left(200).constData());
            }
        });
    for (auto &t : threads)
        t.join();
}

void readRaw(const QString &url, const QString &db, qint64 start, qint64 end, qint64 window,
             int concurrency)
{
    std::atomic<qint64> next{start};
    std::vector<std::thread> threads;
    for (int t = 0; t < concurrency; ++t)
        threads.emplace_back([&] {
            HttpClient client;
            for (qint64 s = next.fetch_add(window); s < end; s = next.fetch_add(window)) {
                HttpRequest request;
                const QString q =
                    u"SELECT * FROM \"machine\" WHERE time >= %1 AND time < %2 GROUP BY *"_s.arg(s)
                        .arg(s + window);
                request.url =
                    (url + u"/query?db="_s + db + u"&epoch=ns&chunked=true&q="_s).toUtf8() +
                    HttpClient::percentEncode(q);
                request.headers.append(
                    qMakePair(QByteArray("Accept"), QByteArray("application/x-msgpack")));
                qint64 bytes = 0;
                request.onData = [&bytes](const char *, size_t size) {
                    bytes += qint64(size);
                    return true;
                };
                client.perform(request);
            }
        });
    for (auto &t : threads)
        t.join();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const qint64 points = argc > 1 ? QByteArray(argv[1]).toLongLong() : 1000000;
    const int concurrency = argc > 2 ? QByteArray(argv[2]).toInt() : 4;
    const int batchSize = 5000;

    test::InfluxdFixture influx;
    if (!influx.start()) {
        std::fprintf(stderr, "influxd did not start: %s\n", qPrintable(influx.errorString()));
        return 1;
    }
    const QString url = influx.url();
    for (const char *db : {"src", "limit", "dst"})
        influx.query(u"CREATE DATABASE \""_s + QLatin1String(db) + u"\""_s);

    std::printf("generating %lld points (%d series, 4 fields each)\n", points, kSeries);
    const std::vector<QByteArray> batches = generate(points, batchSize);
    QElapsedTimer timer;
    timer.start();
    post(url, u"src"_s, batches, concurrency);
    std::printf("loaded the source in %.1f s\n", timer.elapsed() / 1000.0);

    const qint64 end = kT0 + (points / kSeries) * kStepNs;
    const qint64 window = 3600LL * 1000000000LL;
    const qint64 serverPid = influx.processId();

    // The limit: raw reads and pre-encoded writes at the same time.
    const double serverBefore = processCpuSeconds(serverPid);
    timer.restart();
    std::thread reader([&] { readRaw(url, u"src"_s, kT0, end, window, concurrency); });
    post(url, u"limit"_s, batches, concurrency);
    reader.join();
    const double limitSeconds = timer.elapsed() / 1000.0;
    const double limitServerCpu = processCpuSeconds(serverPid) - serverBefore;

    // tsmigrate itself, in this process.
    QTemporaryDir dir;
    TaskProfile profile = test::influxToInflux(u"bench"_s, url, u"src"_s, url, u"dst"_s);
    profile.advanced.readConcurrency = concurrency;
    profile.advanced.writeConcurrency = concurrency;
    profile.advanced.batchSize = batchSize;
    Runner runner(profile, dir.filePath(u"state.sqlite"_s));
    const double cpuBefore = cpuSeconds();
    const double serverBefore2 = processCpuSeconds(serverPid);
    timer.restart();
    runner.run();
    const double runSeconds = timer.elapsed() / 1000.0;
    const double ownCpu = cpuSeconds() - cpuBefore;
    const double serverCpu = processCpuSeconds(serverPid) - serverBefore2;
    if (runner.outcome().status != RunOutcome::Status::Completed) {
        std::fprintf(stderr, "migration failed: %s\n", qPrintable(runner.outcome().message));
        return 1;
    }

    std::printf("\n%-44s %10s %14s\n", "", "seconds", "points/s");
    std::printf("%-44s %10.2f %14.0f\n", "limit (raw read + pre-encoded write at once)",
                limitSeconds, points / limitSeconds);
    std::printf("%-44s %10.2f %14.0f\n", "tsmigrate influxdb1 -> influxdb1", runSeconds,
                points / runSeconds);
    std::printf("\nthroughput vs limit:            %.0f%%\n", 100.0 * limitSeconds / runSeconds);
    std::printf("tsmigrate CPU per million points: %.2f s\n", ownCpu / (points / 1e6));
    std::printf(
        "tsmigrate CPU / influxd CPU:      %.0f%% (influxd %.1f s; during the limit run %.1f s)\n",
        100.0 * ownCpu / serverCpu, serverCpu, limitServerCpu);
    std::printf("concurrency %d, batch size %d, window 60 min, %d cores\n", concurrency, batchSize,
                int(std::thread::hardware_concurrency()));
    return 0;
}
