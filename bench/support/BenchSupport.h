#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <vector>

namespace tsm::test {
class InfluxdFixture;
}

namespace tsm::bench {

/// Starts influxd and creates `databases`; prints why and returns false when it did not start.
bool startInflux(test::InfluxdFixture &influx, const QStringList &databases);

/// The benchmark data: `series` series of measurement "machine", one point per series every
/// 10 s from kT0, 4 fields per point (a float, an integer, a boolean, and a string in a quarter
/// of the points, otherwise a second integer), in batches of `batchSize` lines.
constexpr qint64 kT0 = 1700000000000000000LL;
constexpr qint64 kStepNs = 10LL * 1000000000LL;
constexpr int kFieldsPerPoint = 4;
std::vector<QByteArray> generate(qint64 points, int batchSize, int series = 100, qint64 t0 = kT0);
/// End of the generated range (exclusive).
qint64 generatedEnd(qint64 points, int series = 100, qint64 t0 = kT0);

/// POSTs the batches to /write?db=`db` with `concurrency` connections; false on any failure.
bool post(const QString &url, const QString &db, const std::vector<QByteArray> &batches,
          int concurrency, bool gzip = true);

/// Reads "machine" of `db` in [start, end) in windows of `window` ns with `concurrency`
/// connections, as the engine does (msgpack or JSON, chunked, epoch=ns); returns the bodies
/// when `keep`, else discards them. `bytesRead` receives the total.
std::vector<QByteArray> readRaw(const QString &url, const QString &db, qint64 start, qint64 end,
                                qint64 window, int concurrency, bool msgpack, bool keep,
                                qint64 *bytesRead = nullptr);

/// CPU seconds (user + sys) of this process, of the calling thread, and of another process.
double processCpuSeconds();
double threadCpuSeconds();
double processCpuSeconds(qint64 pid);
/// Pins a process (all its threads) to the given CPUs; false when the kernel refuses.
bool pinProcess(qint64 pid, const QList<int> &cpus);

/// Runs a program to its end; returns its exit code (-1 when it could not run), its peak
/// resident set size in KiB, and its CPU seconds.
struct ChildResult
{
    int exitCode = -1;
    long peakRssKiB = 0;
    double cpuSeconds = 0;
    double wallSeconds = 0;
};
ChildResult runChild(const QString &program, const QStringList &arguments);

/// Command-line options shared by the benchmarks: `--name value` pairs and `--flag`s.
class Args
{
public:
    Args(int argc, char **argv);
    bool flag(const char *name) const;
    qint64 number(const char *name, qint64 fallback) const;
    QString text(const char *name, const QString &fallback = {}) const;

private:
    QStringList m_args;
};

/// "1,234,567"
QByteArray thousands(double value);

} // namespace tsm::bench
