// Large and awkward inputs, each against a baseline measured in the same run:
//
//   import   a line-protocol file into InfluxDB 1.x, plain and gzip, against InfluxDB's own
//            importer (`influx -import -precision ns`, Debian's influxdb-client) on the same
//            file: wall time and CPU of each process, on a quiet machine and with one core kept
//            busy by another process (a shell loop, as `stress-ng --cpu 1` would).
//   dense    InfluxDB 1.x -> InfluxDB 1.x: the same number of points as 100,000 series x 20
//            points within 200 seconds (one read window holds them all) against 100 series x
//            20,000 points; the time per point of the two.
//   large    the scaling table: 10 million points, 1 million series, ten years of sparse range,
//            each run by `tsmigrate-cli run` as a child: wall time, CPU and peak RSS.
//
//   bench_large [--points 2000000] [--concurrency 4] [--only import,dense,large]
//               [--large-points 10000000] [--large-series 1000000] [--smoke]
#include "support/BenchSupport.h"
#include "support/InfluxdFixture.h"
#include "support/TestProfiles.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <TimeText.h>
#include <algorithm>
#include <cstdio>
#include <utility>
#include <zlib.h>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::bench;

namespace {

constexpr int kBatchSize = 5000;

/** Keeps one core busy while it lives. */
class BusyCore
{
public:
    BusyCore() { m_process.start(u"sh"_s, {u"-c"_s, u"while :; do :; done"_s}); }
    ~BusyCore()
    {
        m_process.kill();
        m_process.waitForFinished();
    }

private:
    QProcess m_process;
};

/// Writes the batches as an export file of database `db` (what `influx -import` reads), plain
/// or gzip (level 6, gzip's default).
bool writeExport(const QString &path, const QString &db, const std::vector<QByteArray> &batches,
                 bool gzip)
{
    const QByteArray header = "# DML\n# CONTEXT-DATABASE: " + db.toUtf8() + "\n";
    if (gzip) {
        gzFile out = gzopen(QFile::encodeName(path).constData(), "wb6");
        if (!out)
            return false;
        bool ok = gzwrite(out, header.constData(), unsigned(header.size())) > 0;
        for (const QByteArray &b : batches)
            ok = ok && gzwrite(out, b.constData(), unsigned(b.size())) > 0;
        return gzclose(out) == Z_OK && ok;
    }
    QFile out(path);
    if (!out.open(QIODevice::WriteOnly))
        return false;
    bool ok = out.write(header) == header.size();
    for (const QByteArray &b : batches)
        ok = ok && out.write(b) == b.size();
    return ok;
}

QString cliPath()
{
    const QString cli = qEnvironmentVariable("TSM_CLI");
    return cli.isEmpty() ? QCoreApplication::applicationDirPath() + u"/../app/tsmigrate-cli"_s
                         : cli;
}

/// Runs `profile` with `tsmigrate-cli run` as a child (verification off unless asked).
ChildResult runCli(TaskProfile profile, const QTemporaryDir &dir, int concurrency)
{
    static int number = 0;
    ++number;
    profile.advanced.logLevel = u"warn"_s;
    if (concurrency > 0) {
        profile.advanced.readConcurrency = concurrency;
        profile.advanced.writeConcurrency = concurrency;
    }
    profile.advanced.batchSize = kBatchSize;
    const QString path = dir.filePath(u"task%1.json"_s.arg(number));
    if (!test::saveProfile(profile, path))
        return {};
    return runChild(cliPath(), {u"run"_s, path, u"--state"_s,
                                dir.filePath(u"state%1.sqlite"_s.arg(number))});
}

/// Points of measurement "machine" in `db`, or -1.
qint64 countPoints(test::InfluxdFixture &influx, const QString &db)
{
    const QJsonArray rows = influx.select(u"SELECT count(load) FROM machine"_s, db);
    return rows.isEmpty() ? -1 : qint64(rows.at(0).toArray().at(1).toDouble());
}

struct Figures
{
    double wall = 1e9;
    double cpu = 1e9;
    bool ok = true;
    void add(const ChildResult &r, qint64 counted, qint64 expected)
    {
        const bool complete = counted == expected;
        if (r.exitCode != 0 || !complete)
            std::fprintf(stderr, "exit code %d, %lld of %lld points arrived\n", r.exitCode,
                         counted, expected);
        wall = std::min(wall, r.wallSeconds);
        cpu = std::min(cpu, r.cpuSeconds);
        ok = ok && r.exitCode == 0 && complete;
    }
};

bool benchImport(test::InfluxdFixture &influx, qint64 points, int concurrency, bool smoke)
{
    const QString influxCli = QStandardPaths::findExecutable(u"influx"_s);
    if (influxCli.isEmpty()) {
        std::printf("\n[import] skipped: no `influx` (Debian package influxdb-client)\n");
        return true;
    }
    QTemporaryDir dir;
    const std::vector<QByteArray> batches = generate(points, kBatchSize);
    const QString plain = dir.filePath(u"export.lp"_s);
    const QString gzip = dir.filePath(u"export.lp.gz"_s);
    if (!writeExport(plain, u"imp"_s, batches, false) || !writeExport(gzip, u"imp"_s, batches, true))
        return false;
    std::printf("\n[import] line-protocol file (%s points, %.0f MB, gzip %.0f MB) -> InfluxDB 1.x: "
                "tsmigrate (write concurrency %d) against `influx -import -precision ns`\n",
                thousands(double(points)).constData(), double(QFileInfo(plain).size()) / 1e6,
                double(QFileInfo(gzip).size()) / 1e6, concurrency);
    std::printf("  %-28s %10s %10s %10s %10s %8s %8s\n", "", "import s", "CPU s", "tsmigrate s",
                "CPU s", "speed", "CPU");
    const QString port = QString::number(influx.port());
    bool ok = true;
    auto fresh = [&] {
        influx.query(u"DROP DATABASE imp"_s);
        influx.query(u"CREATE DATABASE imp"_s);
    };
    for (const bool busy : {false, true}) {
        for (const bool gz : {false, true}) {
            const QString file = gz ? gzip : plain;
            TaskProfile p = test::lpfileToLpfile(u"import"_s, file, QString());
            p.task.bucket = u"imp"_s;
            p.task.start = TimeText::format(kT0);
            p.task.end = TimeText::format(generatedEnd(points));
            p.target = test::influxToInflux(u"x"_s, influx.url(), u"imp"_s, influx.url(), u"imp"_s)
                           .target;
            p.advanced.verify = false; // the importer does not verify either
            QStringList importArgs{u"-host"_s, u"127.0.0.1"_s, u"-port"_s, port, u"-import"_s,
                                   u"-path"_s, file, u"-precision"_s, u"ns"_s};
            if (gz)
                importArgs << u"-compressed"_s;
            Figures importer, ours;
            std::unique_ptr<BusyCore> load;
            if (busy)
                load = std::make_unique<BusyCore>();
            for (int round = 0; round < (smoke ? 1 : 2); ++round) {
                // Alternated, so neither profits from going second.
                for (const bool first : {round % 2 == 0, round % 2 != 0}) {
                    fresh();
                    const ChildResult r =
                        first ? runChild(influxCli, importArgs) : runCli(p, dir, concurrency);
                    (first ? importer : ours).add(r, countPoints(influx, u"imp"_s), points);
                }
            }
            load.reset();
            ok = ok && importer.ok && ours.ok;
            const QString what =
                u"%1%2"_s.arg(gz ? u"gzip"_s : u"plain"_s, busy ? u", one core busy"_s : u""_s);
            std::printf("  %-28s %10.2f %10.2f %10.2f %10.2f %7.2fx %7.2fx%s\n", qPrintable(what),
                        importer.wall, importer.cpu, ours.wall, ours.cpu,
                        importer.wall / ours.wall, ours.cpu / importer.cpu,
                        importer.ok && ours.ok ? "" : "  (INCOMPLETE)");
        }
    }
    std::printf("  speed: importer's wall time / tsmigrate's (goal >= 1.2x with one core busy); "
                "CPU: tsmigrate's / importer's (goal <= 1.0x plain, <= 1.5x gzip)\n");
    return ok;
}

bool benchDense(test::InfluxdFixture &influx, qint64 points, int concurrency)
{
    std::printf("\n[dense] InfluxDB 1.x -> InfluxDB 1.x, %s points, concurrency %d\n",
                thousands(double(points)).constData(), concurrency);
    QTemporaryDir dir;
    const int denseSeries = int(std::min<qint64>(100000, points / 20));
    double perPoint[2] = {0, 0};
    bool ok = true;
    int i = 0;
    for (const int series : {100, denseSeries}) {
        const QString db = u"dense%1"_s.arg(series);
        influx.query(u"CREATE DATABASE "_s + db);
        if (!post(influx.url(), db, generate(points, kBatchSize, series), concurrency))
            return false;
        TaskProfile p = test::influxToInflux(u"dense"_s, influx.url(), db, influx.url(),
                                             db + u"_copy"_s);
        p.task.bucket = db;
        p.task.start = TimeText::format(kT0);
        p.task.end = TimeText::format(generatedEnd(points, series));
        p.advanced.verify = false;
        const ChildResult r = runCli(p, dir, concurrency);
        const bool complete = countPoints(influx, db + u"_copy"_s) == points;
        ok = ok && r.exitCode == 0 && complete;
        perPoint[i++] = r.wallSeconds / double(points);
        std::printf("  %7d series x %6lld points (%s of range) %8.2f s %8.2f CPU s %12s "
                    "points/s%s\n",
                    series, points / series,
                    qPrintable(u"%1 s"_s.arg((generatedEnd(points, series) - kT0) / 1000000000LL)),
                    r.wallSeconds, r.cpuSeconds,
                    thousands(double(points) / r.wallSeconds).constData(),
                    complete ? "" : "  (INCOMPLETE)");
    }
    std::printf("  time per point, dense / 100 series: %.2fx (goal <= 1.5x)\n",
                perPoint[1] / perPoint[0]);
    return ok;
}

bool benchLarge(test::InfluxdFixture &influx, qint64 points, qint64 series, bool smoke)
{
    std::printf("\n[large] tsmigrate-cli run at the defaults (50 readers, 50 writers, batch 5000)"
                "\n  %-44s %10s %10s %10s %12s\n",
                "", "seconds", "CPU s", "peak RSS", "points/s");
    QTemporaryDir dir;
    bool ok = true;
    auto load = [&](const QString &db, qint64 n, int nSeries, qint64 t0) {
        influx.query(u"CREATE DATABASE "_s + db);
        const qint64 slice = std::max<qint64>(nSeries, 500000 / nSeries * nSeries);
        for (qint64 done = 0; done < n; done += slice) {
            const qint64 part = std::min(slice, n - done);
            if (!post(influx.url(), db,
                      generate(part, kBatchSize, nSeries, t0 + (done / nSeries) * kStepNs), 4))
                return false;
        }
        return true;
    };
    auto run = [&](const char *what, const QString &db, qint64 moved, const QString &start,
                   const QString &end) {
        TaskProfile p =
            test::influxToInflux(u"large"_s, influx.url(), db, influx.url(), db + u"_copy"_s);
        p.task.bucket = db;
        p.task.start = start;
        p.task.end = end;
        p.advanced = TaskProfile::withDefaults().advanced;
        p.advanced.verify = false;
        const ChildResult r = runCli(p, dir, 0);
        const bool complete = countPoints(influx, db + u"_copy"_s) == moved;
        ok = ok && r.exitCode == 0 && complete;
        std::printf("  %-44s %10.1f %10.1f %7.0f MB %12s%s\n", what, r.wallSeconds, r.cpuSeconds,
                    double(r.peakRssKiB) / 1024.0,
                    thousands(double(moved) / r.wallSeconds).constData(),
                    complete ? "" : "  (INCOMPLETE)");
    };
    const QByteArray pointsText = thousands(double(points));
    if (points > 0) {
        if (!load(u"many"_s, points, 100, kT0))
            return false;
        run(qPrintable(u"%1 points, 100 series"_s.arg(QString::fromLatin1(pointsText))),
            u"many"_s, points, TimeText::format(kT0), TimeText::format(generatedEnd(points)));
    }

    // InfluxDB keeps at most 100,000 values a tag (max-values-per-tag): the series are
    // host x rack, a thousand of each at most.
    const qint64 seriesPoints = series * 2;
    influx.query(u"CREATE DATABASE wide"_s);
    for (int i = 0; i < 2; ++i) {
        std::vector<QByteArray> batches;
        QByteArray batch;
        for (qint64 s = 0; s < series; ++s) {
            batch += "machine,host=h" + QByteArray::number(s % 1000) + ",rack=r" +
                     QByteArray::number(s / 1000) + " load=" + QByteArray::number(s) + "i " +
                     QByteArray::number(kT0 + i * kStepNs) + '\n';
            if ((s + 1) % kBatchSize == 0 || s + 1 == series)
                batches.push_back(std::exchange(batch, QByteArray()));
        }
        if (!post(influx.url(), u"wide"_s, batches, 4))
            return false;
    }
    run(qPrintable(u"%1 series x 2 points"_s.arg(QString::fromLatin1(thousands(double(series))))),
        u"wide"_s, seriesPoints, TimeText::format(kT0),
        TimeText::format(kT0 + 2 * kStepNs));

    // Ten years, data on three days.
    const QList<qint64> days{1456790400000000000LL, 1594771200000000000LL, 1764460800000000000LL};
    const qint64 perDay = smoke ? 3000 : 100000;
    for (qint64 day : days)
        if (!load(u"sparse"_s, perDay, 100, day))
            return false;
    run("10 years, data on 3 days", u"sparse"_s, perDay * 3, u"2016-01-01T00:00:00Z"_s,
        u"2026-01-01T00:00:00Z"_s);
    return ok;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const Args args(argc, argv);
    const bool smoke = args.flag("smoke");
    const qint64 points = args.number("points", smoke ? 20000 : 2000000);
    const int concurrency = int(args.number("concurrency", 4));
    const QStringList only = args.text("only", u"import,dense,large"_s).split(u',');

    test::InfluxdFixture influx;
    if (!startInflux(influx, {}))
        return 1;
    bool ok = true;
    if (only.contains(u"import"_s))
        ok = benchImport(influx, points, concurrency, smoke) && ok;
    if (only.contains(u"dense"_s))
        ok = benchDense(influx, points, concurrency) && ok;
    if (only.contains(u"large"_s))
        ok = benchLarge(influx, args.number("large-points", smoke ? 20000 : 10000000),
                        args.number("large-series", smoke ? 2000 : 1000000), smoke) &&
             ok;
    return ok ? 0 : 1;
}
