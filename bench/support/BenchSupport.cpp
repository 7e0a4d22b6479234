#include "BenchSupport.h"

#include "http/HttpClient.h"
#include "support/InfluxdFixture.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <sched.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace tsm::bench {

bool startInflux(test::InfluxdFixture &influx, const QStringList &databases)
{
    if (!influx.start()) {
        std::fprintf(stderr, "influxd did not start: %s\n", qPrintable(influx.errorString()));
        return false;
    }
    for (const QString &db : databases)
        influx.query(u"CREATE DATABASE \"%1\""_s.arg(db));
    return true;
}

std::vector<QByteArray> generate(qint64 points, int batchSize, int series, qint64 t0)
{
    std::vector<QByteArray> batches;
    QByteArray batch;
    int inBatch = 0;
    const qint64 perSeries = points / series;
    for (qint64 i = 0; i < perSeries; ++i) {
        for (int s = 0; s < series; ++s) {
            const qint64 n = i * series + s;
            batch += "machine,host=h" + QByteArray::number(s) + ",dc=dc" +
                     QByteArray::number(s % 4) +
                     " temp=" + QByteArray::number(20 + (n % 1000) * 0.013, 'g', 10) +
                     ",load=" + QByteArray::number(n % 977) + "i,ok=" + (n % 3 ? "true" : "false");
            if (n % 4 == 0)
                batch += ",state=\"running step " + QByteArray::number(n % 50) + "\"";
            else
                batch += ",rpm=" + QByteArray::number(1000 + n % 5000) + "i";
            batch += ' ' + QByteArray::number(t0 + i * kStepNs) + '\n';
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

qint64 generatedEnd(qint64 points, int series, qint64 t0)
{
    return t0 + (points / series) * kStepNs;
}

bool post(const QString &url, const QString &db, const std::vector<QByteArray> &batches,
          int concurrency, bool gzip)
{
    std::atomic<size_t> next{0};
    std::atomic<bool> ok{true};
    std::vector<std::thread> threads;
    for (int t = 0; t < concurrency; ++t)
        threads.emplace_back([&] {
            HttpClient client;
            for (size_t i = next++; i < batches.size(); i = next++) {
                HttpRequest request;
                request.method = "POST";
                request.url = (url + u"/write?db="_s + db).toUtf8();
                request.body = batches[i];
                request.gzipBody = gzip;
                const HttpResponse response = client.perform(request);
                if (response.status != 204) {
                    std::fprintf(stderr, "write failed: %d %s\n", response.status,
                                 response.body.left(200).constData());
                    ok = false;
                }
            }
        });
    for (auto &t : threads)
        t.join();
    return ok;
}

std::vector<QByteArray> readRaw(const QString &url, const QString &db, qint64 start, qint64 end,
                                qint64 window, int concurrency, bool msgpack, bool keep,
                                qint64 *bytesRead)
{
    std::atomic<qint64> next{start};
    std::atomic<qint64> total{0};
    std::mutex mutex;
    std::vector<QByteArray> bodies;
    std::vector<std::thread> threads;
    for (int t = 0; t < concurrency; ++t)
        threads.emplace_back([&] {
            HttpClient client;
            for (qint64 s = next.fetch_add(window); s < end; s = next.fetch_add(window)) {
                HttpRequest request;
                const QString q =
                    u"SELECT * FROM \"machine\" WHERE time >= %1 AND time < %2 GROUP BY *"_s.arg(s)
                        .arg(std::min(end, s + window));
                request.url =
                    (url + u"/query?db="_s + db + u"&epoch=ns&chunked=true&q="_s).toUtf8() +
                    HttpClient::percentEncode(q);
                if (msgpack)
                    request.headers.append(
                        qMakePair(QByteArray("Accept"), QByteArray("application/x-msgpack")));
                QByteArray body;
                qint64 bytes = 0;
                request.onData = [&](const char *data, size_t size) {
                    bytes += qint64(size);
                    if (keep)
                        body.append(data, qsizetype(size));
                    return true;
                };
                client.perform(request);
                total += bytes;
                if (keep) {
                    std::lock_guard<std::mutex> lock(mutex);
                    bodies.push_back(std::move(body));
                }
            }
        });
    for (auto &t : threads)
        t.join();
    if (bytesRead)
        *bytesRead = total;
    return bodies;
}

double processCpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double threadCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
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

bool pinProcess(qint64 pid, const QList<int> &cpus)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int cpu : cpus)
        CPU_SET(cpu, &set);
    // Every thread of the process: they are the entries of /proc/PID/task.
    bool ok = true;
    const QDir tasks(u"/proc/%1/task"_s.arg(pid));
    for (const QString &tid : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot))
        ok = sched_setaffinity(pid_t(tid.toLongLong()), sizeof(set), &set) == 0 && ok;
    return ok;
}

ChildResult runChild(const QString &program, const QStringList &arguments)
{
    ChildResult result;
    std::vector<QByteArray> storage;
    storage.push_back(program.toLocal8Bit());
    for (const QString &a : arguments)
        storage.push_back(a.toLocal8Bit());
    std::vector<char *> argv;
    for (QByteArray &s : storage)
        argv.push_back(s.data());
    argv.push_back(nullptr);
    QElapsedTimer timer;
    timer.start();
    const pid_t pid = fork();
    if (pid < 0)
        return result;
    if (pid == 0) {
        execv(argv[0], argv.data());
        _exit(127);
    }
    int status = 0;
    rusage usage{};
    if (wait4(pid, &status, 0, &usage) != pid)
        return result;
    result.wallSeconds = double(timer.elapsed()) / 1000.0;
    result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.peakRssKiB = usage.ru_maxrss;
    result.cpuSeconds = double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                        double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    return result;
}

Args::Args(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i)
        m_args.append(QString::fromLocal8Bit(argv[i]));
}

bool Args::flag(const char *name) const
{
    return m_args.contains(u"--"_s + QLatin1String(name));
}

qint64 Args::number(const char *name, qint64 fallback) const
{
    const QString text = Args::text(name);
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    return ok ? value : fallback;
}

QString Args::text(const char *name, const QString &fallback) const
{
    const qsizetype i = m_args.indexOf(u"--"_s + QLatin1String(name));
    return i >= 0 && i + 1 < m_args.size() ? m_args.at(i + 1) : fallback;
}

QByteArray thousands(double value)
{
    QByteArray digits = QByteArray::number(qint64(value + 0.5));
    for (qsizetype i = digits.size() - 3; i > 0 && digits.at(i - 1) != '-'; i -= 3)
        digits.insert(i, ',');
    return digits;
}

} // namespace tsm::bench
