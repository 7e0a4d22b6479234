// TDengine 2.x with many subtables of little data each, read per subtable and sparse
// (source.sparse), measured in the same run against the same TDengine 2.x emulator:
//
//   sparse   one super table of --subtables subtables (10,000) with --rows rows (3) each, all in
//            one window, migrated into a line-protocol file twice: planned and read per subtable
//            (a FIRST/LAST span and a query for each subtable) and sparse (one unit per window,
//            read with queries over the super table). Wall time, statements the source received,
//            points, and the ratios per subtable / sparse.
//
// Verification is off: both runs measure the migration alone (verifying per subtable costs one
// more query per subtable).
//
//   bench_tdengine2 [--subtables 10000] [--rows 3] [--smoke]
#include "emulators/TDengine2Emulator.h"
#include "run/Runner.h"
#include "support/TestProfiles.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QTemporaryDir>
#include <TimeText.h>
#include <algorithm>
#include <cstdio>
#include <cstdlib>

using namespace Qt::StringLiterals;
using namespace tsm;

namespace {

struct Figures
{
    bool ok = false;
    double seconds = 0;
    int statements = 0;
    qint64 points = 0;
};

qint64 linesOf(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    return file.readAll().count('\n');
}

/// Migrates the super table into a file of `dir`, per subtable or sparse.
Figures migrate(test::TDengine2Emulator &source, const QTemporaryDir &dir, bool sparse,
                qint64 startMs)
{
    const QString name = sparse ? u"sparse"_s : u"per-subtable"_s;
    TaskProfile p = TaskProfile::withDefaults();
    p.name = name;
    p.source.type = u"tdengine2"_s;
    test::setServer(p.source, source.url());
    p.source.sparse = sparse;
    p.target.type = u"lpfile"_s;
    p.target.path = dir.filePath(name + u".lp"_s);
    p.task.bucket = u"fleet"_s;
    p.task.start = TimeText::format((startMs - 3600000) * 1000000);
    p.task.end = TimeText::format((startMs + 3600000) * 1000000);
    p.task.windowMinutes = 60;
    p.advanced.readConcurrency = 8;
    p.advanced.logLevel = u"warn"_s;
    p.advanced.verify = false;

    const int before = int(source.statements().size());
    Runner runner(p, dir.filePath(name + u".sqlite"_s));
    QElapsedTimer timer;
    timer.start();
    runner.run();
    Figures f;
    f.seconds = double(timer.elapsed()) / 1000.0;
    f.statements = int(source.statements().size()) - before;
    f.ok = runner.outcome().status == RunOutcome::Status::Completed;
    f.points = linesOf(p.target.path);
    if (!f.ok)
        std::fprintf(stderr, "%s failed: %s\n", qPrintable(name),
                     qPrintable(runner.outcome().message));
    return f;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(u"tsm.*.debug=false"_s); // a line per request otherwise
    int subtables = 10000;
    int rows = 3;
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg = argv[i];
        if (arg == "--smoke")
            subtables = 300;
        else if (arg == "--subtables" && i + 1 < argc)
            subtables = std::max(1, std::atoi(argv[++i]));
        else if (arg == "--rows" && i + 1 < argc)
            rows = std::clamp(std::atoi(argv[++i]), 1, 60);
    }

    test::TDengine2Emulator source;
    source.createDatabase(u"fleet"_s, u"ms"_s);
    source.createStable(u"fleet"_s, u"sensors"_s,
                        {{u"ts"_s, u"TIMESTAMP"_s, 0}, {u"v"_s, u"DOUBLE"_s, 0}},
                        {{u"site"_s, u"BINARY"_s, 16}, {u"n"_s, u"INT"_s, 0}});
    // A week ago at the start of an hour; each subtable's rows a minute apart within that hour.
    const qint64 startMs = (TimeText::nowNs() / 1000000 - 7 * 86400000LL) / 3600000 * 3600000;
    for (int i = 0; i < subtables; ++i) {
        const QString name = u"s%1"_s.arg(i);
        source.createSubtable(u"fleet"_s, u"sensors"_s, name,
                              QJsonArray{u"site%1"_s.arg(i % 37), i});
        for (int k = 0; k < rows; ++k)
            source.insert(u"fleet"_s, name, startMs + k * 60000 + i % 1000,
                          QJsonArray{i + k * 0.5});
    }
    QTemporaryDir dir;
    std::printf("[sparse] TDengine 2.x emulator, %d subtables x %d rows in one window -> "
                "line-protocol file\n",
                subtables, rows);
    const Figures dense = migrate(source, dir, false, startMs);
    const Figures sparse = migrate(source, dir, true, startMs);
    const qint64 expected = qint64(subtables) * rows;
    for (const auto &[label, f] : {std::pair{"per subtable", dense}, std::pair{"sparse", sparse}})
        std::printf("  %-13s %8.2f s  %6d source queries  %8lld points\n", label, f.seconds,
                    f.statements, static_cast<long long>(f.points));
    if (sparse.seconds > 0 && sparse.statements > 0)
        std::printf("  ratio per subtable / sparse: time %.1fx, queries %.1fx\n",
                    dense.seconds / sparse.seconds, double(dense.statements) / sparse.statements);
    const bool ok = dense.ok && sparse.ok && dense.points == expected && sparse.points == expected;
    if (!ok)
        std::fprintf(stderr, "expected %lld points in each file\n",
                     static_cast<long long>(expected));
    return ok ? 0 : 1;
}
