// TDengine 2.x as a source, end to end through tsmigrate-cli: the TDengine 2.x emulator into the
// TDengine 3 emulator with schema sync always (types, tag values and subtable names identical)
// and none (existing tables reused; a missing one named), the silent row cap of the built-in
// httpd, and into a line-protocol file (types mapped as documented). The two REST servers of 2.x
// as they write values: taosAdapter (2.4+) in full, the built-in httpd of 2.0–2.3 with BOOL as
// 0/1 (read as booleans) and FLOAT/DOUBLE rounded (refused unless accepted). Also the time to
// sync the schema of 10 000 subtables, printed for information. Schema sync only (tables, no
// rows), the list of subtables (task.tables) and sparse reading of super tables (source.sparse).
#include "emulators/TDengine2Emulator.h"
#include "emulators/TDengine3Emulator.h"
#include "lp/LineParser.h"
#include "sinks/TDengineSqlSink.h"
#include "sources/TDengine2Source.h"
#include "support/FaultProxy.h"
#include "support/InfluxdFixture.h"
#include "support/TestCli.h"
#include "support/TestProfiles.h"
#include "support/TestTime.h"

#include <CheckpointStore.h>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <TimeText.h>
#include <algorithm>
#include <csignal>
#include <cstring>
#include <limits>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::test;

namespace {

using Col = TDengine2Emulator::Column;

/// Sixty days ago at midnight, in milliseconds: inside TDengine 3's default KEEP.
qint64 baseMs()
{
    static const qint64 base =
        (TimeText::nowNs() / 1000000 - 60 * kMsPerDay) / kMsPerDay * kMsPerDay;
    return base;
}

QList<Col> meterColumns()
{
    return {{u"ts"_s, u"TIMESTAMP"_s, 0}, {u"current"_s, u"FLOAT"_s, 0},
            {u"voltage"_s, u"INT"_s, 0},  {u"phase"_s, u"DOUBLE"_s, 0},
            {u"ok"_s, u"BOOL"_s, 0},      {u"note"_s, u"BINARY"_s, 16},
            {u"label"_s, u"NCHAR"_s, 8},  {u"big"_s, u"BIGINT UNSIGNED"_s, 0},
            {u"tiny"_s, u"TINYINT"_s, 0}, {u"seen"_s, u"TIMESTAMP"_s, 0}};
}

QList<Col> meterTags()
{
    return {{u"location"_s, u"BINARY"_s, 24},
            {u"groupid"_s, u"INT"_s, 0},
            {u"ratio"_s, u"FLOAT"_s, 0},
            {u"city"_s, u"NCHAR"_s, 10}};
}

/// The source: database "power" (ms) with super table meters (every type), three subtables,
/// two of them with the same tag values, one with NULL tags; a subtable "bulk" of 12 000 rows
/// in one window; and a super table "empty" whose subtable has no rows.
void fill(TDengine2Emulator &td)
{
    td.createDatabase(u"power"_s, u"ms"_s);
    td.createStable(u"power"_s, u"meters"_s, meterColumns(), meterTags());
    td.createSubtable(u"power"_s, u"meters"_s, u"d1001"_s,
                      QJsonArray{u"California.SanFrancisco"_s, 2, 0.5, u"旧金山"_s});
    td.createSubtable(u"power"_s, u"meters"_s, u"d1002"_s,
                      QJsonArray{u"California.SanFrancisco"_s, 2, 0.5, u"旧金山"_s});
    td.createSubtable(u"power"_s, u"meters"_s, u"d1003"_s,
                      QJsonArray{QJsonValue(), 3, QJsonValue(), QJsonValue()});
    const qint64 t = baseMs();
    td.insert(u"power"_s, u"d1001"_s, t,
              QJsonArray{10.3, 219, 0.31, true, u"it's \"q\""_s, u"电流"_s,
                         qint64(9007199254740993LL), -128, t - 5});
    td.insert(u"power"_s, u"d1001"_s, t + 1,
              QJsonArray{QJsonValue(), 220, QJsonValue(), false, QJsonValue(), QJsonValue(),
                         QJsonValue(), 127, QJsonValue()});
    // Same time and tags as d1001's first row: a different subtable, so a different point.
    td.insert(u"power"_s, u"d1002"_s, t,
              QJsonArray{11.75, 221, -1e-300, true, u"b"_s, u"x"_s, 0, 0, QJsonValue()});
    td.insert(u"power"_s, u"d1003"_s, t + 3600000,
              QJsonArray{-0.1, -2147483648LL, 1.5e300, false, u""_s, u""_s, 1, 1, t});
    td.createStable(u"power"_s, u"bulk"_s, {{u"ts"_s, u"TIMESTAMP"_s, 0}, {u"v"_s, u"BIGINT"_s, 0}},
                    {{u"id"_s, u"INT"_s, 0}});
    td.createSubtable(u"power"_s, u"bulk"_s, u"b1"_s, QJsonArray{1});
    for (qint64 i = 0; i < 12000; ++i)
        td.insert(u"power"_s, u"b1"_s, t + 7200000 + i, QJsonArray{i});
    td.createStable(u"power"_s, u"empty"_s,
                    {{u"ts"_s, u"TIMESTAMP"_s, 0}, {u"v"_s, u"DOUBLE"_s, 0}},
                    {{u"id"_s, u"BIGINT"_s, 0}});
    td.createSubtable(u"power"_s, u"empty"_s, u"e1"_s, QJsonArray{7});
}

constexpr float kPiF = 3.14159265358979323846f;
constexpr double kPi = 3.14159265358979323846;

/// Database "plant" (ms): super table switches with BOOL tags and columns, and super table
/// precise with FLOAT and DOUBLE values that a fixed number of decimals cannot carry.
void fillTypes(TDengine2Emulator &td)
{
    td.createDatabase(u"plant"_s, u"ms"_s);
    td.createStable(
        u"plant"_s, u"switches"_s,
        {{u"ts"_s, u"TIMESTAMP"_s, 0}, {u"on"_s, u"BOOL"_s, 0}, {u"level"_s, u"INT"_s, 0}},
        {{u"active"_s, u"BOOL"_s, 0}, {u"site"_s, u"BINARY"_s, 8}});
    td.createSubtable(u"plant"_s, u"switches"_s, u"s1"_s, QJsonArray{true, u"a"_s});
    td.createSubtable(u"plant"_s, u"switches"_s, u"s2"_s, QJsonArray{false, u"b"_s});
    const qint64 t = baseMs();
    td.insert(u"plant"_s, u"s1"_s, t, QJsonArray{true, 1});
    td.insert(u"plant"_s, u"s1"_s, t + 1, QJsonArray{false, 2});
    td.insert(u"plant"_s, u"s2"_s, t, QJsonArray{false, 3});
    td.createStable(
        u"plant"_s, u"precise"_s,
        {{u"ts"_s, u"TIMESTAMP"_s, 0}, {u"f"_s, u"FLOAT"_s, 0}, {u"d"_s, u"DOUBLE"_s, 0}},
        {{u"id"_s, u"INT"_s, 0}});
    td.createSubtable(u"plant"_s, u"precise"_s, u"p1"_s, QJsonArray{1});
    td.insert(u"plant"_s, u"p1"_s, t, QJsonArray{double(kPiF), kPi});
    td.insert(u"plant"_s, u"p1"_s, t + 1,
              QJsonArray{double(std::numeric_limits<float>::max()), 1e-300});
    td.insert(u"plant"_s, u"p1"_s, t + 2, QJsonArray{u"-0"_s, u"-0"_s}); // Qt keeps no -0.0
    td.insert(u"plant"_s, u"p1"_s, t + 3,
              QJsonArray{double(std::numeric_limits<float>::denorm_min()),
                         std::numeric_limits<double>::max()});
}

/// The points of a line-protocol file by "subtable time".
QMap<QString, lp::Point> readLpFile(const QString &path)
{
    QMap<QString, lp::Point> points;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return points;
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        lp::Point point;
        if (!lp::parseLine(std::string_view(line.constData(), size_t(line.size())), point, nullptr))
            continue;
        QString subtable;
        for (const auto &[k, v] : point.tags)
            if (k == "tbname")
                subtable = QString::fromStdString(v);
        points.insert(u"%1 %2"_s.arg(subtable).arg(point.time), point);
    }
    return points;
}

/// The field `key` of `point`; a string field "missing" when there is none.
lp::Field fieldOf(const lp::Point &point, const char *key)
{
    for (const lp::Field &f : point.fields)
        if (f.key == key)
            return f;
    lp::Field missing;
    missing.type = FieldType::String;
    missing.s = "missing";
    return missing;
}

/// Same bits: -0.0 is not 0.0 here.
bool sameDouble(double a, double b)
{
    return std::memcmp(&a, &b, sizeof a) == 0;
}

TaskProfile profile(const QString &name, const QString &sourceUrl, const QString &targetType,
                    const QString &targetUrl)
{
    TaskProfile p = TaskProfile::withDefaults();
    p.name = name;
    p.source.type = u"tdengine2"_s;
    setServer(p.source, sourceUrl);
    p.target.type = targetType;
    if (!targetUrl.isEmpty())
        setServer(p.target, targetUrl);
    p.target.user = u"root"_s;
    p.target.password = u"taosdata"_s;
    p.target.database = u"dst"_s;
    p.target.createDatabase = true;
    p.task.bucket = u"power"_s;
    p.task.start = TimeText::format((baseMs() - kMsPerDay) * 1000000);
    p.task.end = TimeText::format((baseMs() + kMsPerDay) * 1000000);
    p.task.windowMinutes = 60;
    p.advanced.readConcurrency = 3;
    p.advanced.writeConcurrency = 2;
    p.advanced.batchSize = 1000;
    p.advanced.retryAttempts = 2;
    return p;
}

QString typeOf(const TDengine3Emulator &td, const QString &stable, const QString &column)
{
    for (const auto &c : td.columns(u"dst"_s, stable))
        if (c.name == column)
            return c.type +
                   (c.type == u"VARCHAR"_s || c.type == u"NCHAR"_s ? u"(%1)"_s.arg(c.length)
                                                                   : QString()) +
                   (c.tag ? u" TAG"_s : QString());
    return QString();
}

/** Collects what a source reads. */
class Collector : public BatchOutput
{
public:
    QByteArray &buffer() override { return batch.lines; }
    void lineAppended() override { ++batch.points; }
    void reject(const QByteArray &description, const QString &reason) override
    {
        rejects.append(QString::fromUtf8(description) + u": "_s + reason);
    }
    Batch batch;
    QStringList rejects;
};

/** The tables of fillTypes() on a TDengine 2.x of `version`, a TDengine 3 to migrate them into,
 *  a folder for the task, and the profile of task `name` reading `measurements` (all when
 *  empty) of the database plant. */
struct TypedTables
{
    TypedTables(const QString &version, const QString &name, const QStringList &measurements = {})
        : source(version)
    {
        fillTypes(source);
        p = profile(name, source.url(), u"tdengine3"_s, target.url());
        p.task.bucket = u"plant"_s;
        p.task.measurements = measurements;
    }

    TDengine2Emulator source;
    TDengine3Emulator target;
    QTemporaryDir dir;
    TaskProfile p;
};

/// `tsmigrate-cli run` of the profile p.json of `dir`, with the state file s.sqlite there too.
CliResult runTask(const QTemporaryDir &dir, const QStringList &environment = {})
{
    return runCli({u"run"_s, dir.filePath(u"p.json"_s), u"--state"_s, dir.filePath(u"s.sqlite"_s)},
                  300000, environment);
}

/// runTask() of `p`, saved as the profile p.json of `dir` first.
CliResult runTask(const TaskProfile &p, const QTemporaryDir &dir)
{
    if (!saveProfile(p, dir.filePath(u"p.json"_s)))
        return {-1, u"could not save the profile in "_s + dir.path()};
    return runTask(dir);
}

/// `p` as the task `name` that writes the same data into the line-protocol file out.lp of
/// `dir`.
void toLpFile(TaskProfile &p, const QString &name, const QTemporaryDir &dir)
{
    p.name = name;
    p.target.type = u"lpfile"_s;
    p.target.path = dir.filePath(u"out.lp"_s);
    p.target.database = QString();
}

/// Database "power" (ms) for a sparse task killed mid-way: super table sensors, 240 subtables
/// with two rows in each of 8 hours, and super table meters, 100 subtables with one row an
/// hour; every hour of each holds rows, so each of the 16 units has something to write. Returns
/// every row as the line a line-protocol file target gets for it.
QStringList fillHours(TDengine2Emulator &td)
{
    td.createDatabase(u"power"_s, u"ms"_s);
    td.createStable(
        u"power"_s, u"sensors"_s,
        {{u"ts"_s, u"TIMESTAMP"_s, 0}, {u"v"_s, u"DOUBLE"_s, 0}, {u"n"_s, u"BIGINT"_s, 0}},
        {{u"site"_s, u"BINARY"_s, 16}, {u"idx"_s, u"INT"_s, 0}});
    td.createStable(
        u"power"_s, u"meters"_s,
        {{u"ts"_s, u"TIMESTAMP"_s, 0}, {u"current"_s, u"INT"_s, 0}, {u"note"_s, u"BINARY"_s, 12}},
        {{u"zone"_s, u"NCHAR"_s, 8}});
    const qint64 t = baseMs();
    QStringList lines;
    for (int i = 0; i < 240; ++i) {
        const QString name = u"s%1"_s.arg(i, 3, 10, QLatin1Char('0'));
        const QString site = u"site%1"_s.arg(i % 7);
        td.createSubtable(u"power"_s, u"sensors"_s, name, QJsonArray{site, i});
        for (int hour = 0; hour < 8; ++hour)
            for (int k = 0; k < 2; ++k) {
                const qint64 ms = t + hour * 3600000LL + i * 1000 + k * 500000;
                const double v = i + hour * 0.25 + k * 0.5;
                const qint64 n = hour * 1000 + i * 2 + k;
                td.insert(u"power"_s, name, ms, QJsonArray{v, n});
                lines.append(u"sensors,tbname=%1,site=%2,idx=%3 v=%4,n=%5i %6"_s.arg(name, site)
                                 .arg(i)
                                 .arg(v)
                                 .arg(n)
                                 .arg(ms * 1000000));
            }
    }
    for (int i = 0; i < 100; ++i) {
        const QString name = u"m%1"_s.arg(i, 3, 10, QLatin1Char('0'));
        const QString zone = u"z%1"_s.arg(i % 3);
        td.createSubtable(u"power"_s, u"meters"_s, name, QJsonArray{zone});
        for (int hour = 0; hour < 8; ++hour) {
            const qint64 ms = t + hour * 3600000LL + 1800000 + i * 10;
            const int current = i * hour - 50;
            const QString note = u"n%1-%2"_s.arg(hour).arg(i);
            td.insert(u"power"_s, name, ms, QJsonArray{current, note});
            lines.append(u"meters,tbname=%1,zone=%2 current=%3i,note=\"%4\" %5"_s.arg(name, zone)
                             .arg(current)
                             .arg(note)
                             .arg(ms * 1000000));
        }
    }
    lines.sort();
    return lines;
}

/// The point lines of the line-protocol file at `path`, sorted.
QStringList sortedLines(const QString &path)
{
    QStringList lines;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return lines;
    for (const QByteArray &line : file.readAll().split('\n'))
        if (!line.isEmpty() && !line.startsWith('#'))
            lines.append(QString::fromUtf8(line));
    lines.sort();
    return lines;
}

/// The lines of `all` (as fillHours() writes them) whose measurement and time fall in a unit of
/// `units`.
QStringList linesOf(const QStringList &all, const QList<UnitRecord> &units)
{
    QStringList picked;
    for (const QString &line : all) {
        const QString measurement = line.section(u',', 0, 0);
        const qint64 time = line.section(u' ', -1).toLongLong();
        for (const UnitRecord &unit : units)
            if (unit.measurement == measurement && unit.rangeStart <= time &&
                time < unit.rangeEnd) {
                picked.append(line);
                break;
            }
    }
    return picked;
}

/// The first difference between two sorted lists of lines, empty when they are equal.
QString firstDifference(const QStringList &expected, const QStringList &actual)
{
    for (qsizetype i = 0; i < std::max(expected.size(), actual.size()); ++i) {
        const QString e = expected.value(i, u"(none)"_s);
        const QString a = actual.value(i, u"(none)"_s);
        if (e != a)
            return u"%1 lines expected, %2 found; line %3: expected %4, found %5"_s
                .arg(expected.size())
                .arg(actual.size())
                .arg(i)
                .arg(e, a);
    }
    return {};
}

} // namespace

/** TDengine 2.x as a source: its emulator, the source, schema sync and runs through the CLI. */
class TestTDengine2Source : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY2(!cliPath().isEmpty(), "TSM_CLI is not set"); }

    void schemaAlwaysKeepsTypesNamesAndTags()
    {
        TDengine2Emulator source;
        fill(source);
        TDengine3Emulator target;
        QTemporaryDir dir;
        const QString profilePath = dir.filePath(u"p.json"_s);
        QVERIFY(saveProfile(profile(u"always"_s, source.url(), u"tdengine3"_s, target.url()),
                            profilePath));
        const CliResult run = runTask(dir);
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));
        // Verified at the end: COUNT(*) and COUNT(column) per subtable and window on both sides.
        QVERIFY2(run.output.contains(u"windows agree"_s), qPrintable(run.output));

        // Super tables with the same column and tag types (BINARY is VARCHAR in TDengine 3).
        QCOMPARE(target.stables(u"dst"_s), (QStringList{u"bulk"_s, u"empty"_s, u"meters"_s}));
        const QStringList expected{u"ts TIMESTAMP"_s,
                                   u"current FLOAT"_s,
                                   u"voltage INT"_s,
                                   u"phase DOUBLE"_s,
                                   u"ok BOOL"_s,
                                   u"note VARCHAR(16)"_s,
                                   u"label NCHAR(8)"_s,
                                   u"big BIGINT UNSIGNED"_s,
                                   u"tiny TINYINT"_s,
                                   u"seen TIMESTAMP"_s,
                                   u"location VARCHAR(24) TAG"_s,
                                   u"groupid INT TAG"_s,
                                   u"ratio FLOAT TAG"_s,
                                   u"city NCHAR(10) TAG"_s};
        QStringList got;
        for (const auto &c : target.columns(u"dst"_s, u"meters"_s))
            got.append(c.name + u' ' + typeOf(target, u"meters"_s, c.name));
        QCOMPARE(got, expected);

        // Subtables with the same names and tag values; NULL tags stay NULL; the subtable
        // without rows exists too.
        const auto children = target.childTables(u"dst"_s, u"meters"_s);
        QCOMPARE(children.keys(), (QStringList{u"d1001"_s, u"d1002"_s, u"d1003"_s}));
        const QMap<QString, QString> sf{{u"location"_s, u"California.SanFrancisco"_s},
                                        {u"groupid"_s, u"2"_s},
                                        {u"ratio"_s, u"0.5"_s},
                                        {u"city"_s, u"旧金山"_s}};
        QCOMPARE(children.value(u"d1001"_s), sf);
        QCOMPARE(children.value(u"d1002"_s), sf);
        QCOMPARE(children.value(u"d1003"_s), (QMap<QString, QString>{{u"groupid"_s, u"3"_s}}));
        QCOMPARE(target.childTables(u"dst"_s, u"empty"_s).keys(), QStringList{u"e1"_s});

        // Values exact, NULLs kept, timestamps in nanoseconds.
        const qint64 t = baseMs() * 1000000;
        QMap<QString, QMap<qint64, QMap<QString, lp::Field>>> rows;
        for (const auto &row : target.rows(u"dst"_s, u"meters"_s))
            rows[row.childTable][row.ts] = row.values;
        QCOMPARE(rows.value(u"d1001"_s).size(), 2);
        const auto first = rows.value(u"d1001"_s).value(t);
        QCOMPARE(float(first.value(u"current"_s).f), 10.3f); // FLOAT: a float's value
        QCOMPARE(first.value(u"voltage"_s).i, 219);
        QCOMPARE(first.value(u"phase"_s).f, 0.31);
        QCOMPARE(first.value(u"ok"_s).b, true);
        QCOMPARE(QString::fromStdString(first.value(u"note"_s).s), u"it's \"q\""_s);
        QCOMPARE(QString::fromStdString(first.value(u"label"_s).s), u"电流"_s);
        QCOMPARE(first.value(u"big"_s).u, quint64(9007199254740993ULL));
        QCOMPARE(first.value(u"tiny"_s).i, -128);
        QCOMPARE(first.value(u"seen"_s).i, t - 5 * 1000000);
        const auto second = rows.value(u"d1001"_s).value(t + 1000000);
        QCOMPARE(second.keys(), (QStringList{u"ok"_s, u"tiny"_s, u"voltage"_s}));
        QCOMPARE(rows.value(u"d1002"_s).value(t).value(u"current"_s).f, 11.75);
        QCOMPARE(rows.value(u"d1002"_s).value(t).value(u"phase"_s).f, -1e-300);
        const auto third = rows.value(u"d1003"_s).value(t + 3600LL * 1000000000);
        QCOMPARE(third.value(u"voltage"_s).i, -2147483648LL);
        QCOMPARE(third.value(u"phase"_s).f, 1.5e300);
        QCOMPARE(QString::fromStdString(third.value(u"note"_s).s), QString());

        // 12 000 rows of one subtable in one window, more than a page: all of them.
        QCOMPARE(target.rows(u"dst"_s, u"bulk"_s).size(), 12000);
        QCOMPARE(target.rowCount(u"dst"_s), 12004);

        // A second run finds everything done and changes nothing.
        const CliResult again = runTask(dir);
        QVERIFY2(again.exitCode == 0, qPrintable(again.output));
        QCOMPARE(target.rowCount(u"dst"_s), 12004);
    }

    void smallRowCapStillReadsEverything()
    {
        // A built-in httpd configured with a lower restfulRowLimit than the pages asked for:
        // answers are cut silently, and paging on the timestamp still reads every row.
        TDengine2Emulator source(u"2.3.6.0"_s);
        fill(source);
        source.setRowLimit(2500);
        TDengine3Emulator target;
        QTemporaryDir dir;
        TaskProfile p = profile(u"cap"_s, source.url(), u"tdengine3"_s, target.url());
        p.task.measurements = {u"bulk"_s};
        const CliResult run = runTask(p, dir);
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));
        QVERIFY(source.truncatedAnswers() > 0);
        QCOMPARE(target.rows(u"dst"_s, u"bulk"_s).size(), 12000);
    }

    void schemaNoneUsesExistingTablesAndNamesMissingOnes()
    {
        TDengine2Emulator source;
        fill(source);
        TDengine3Emulator target;
        target.createDatabase(u"dst"_s, u"ms"_s); // as fine as the source: fine
        TDengineRest rest(TDengineEndpoint{target.url(), {}, u"root"_s, u"taosdata"_s}, {});
        CancelToken cancel;
        rest.query(u"CREATE STABLE dst.bulk (ts TIMESTAMP, v BIGINT, extra DOUBLE) TAGS (id INT, "
                   u"site BINARY(8))"_s,
                   cancel);
        rest.query(u"CREATE TABLE dst.b1 USING dst.bulk TAGS (1, 'x')"_s, cancel);

        QTemporaryDir dir;
        TaskProfile p = profile(u"none"_s, source.url(), u"tdengine3"_s, target.url());
        p.task.schemaSync = u"none"_s;
        p.task.measurements = {u"bulk"_s};
        const CliResult run = runTask(p, dir);
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));
        // The existing tables were used as they are: no DDL was sent.
        const auto bulk = target.rows(u"dst"_s, u"bulk"_s);
        QCOMPARE(bulk.size(), 12000);
        QCOMPARE(bulk.front().ts, baseMs() + 7200000); // milliseconds, as the database keeps them
        QCOMPARE(bulk.front().values.value(u"v"_s).i, 0);
        QVERIFY(!bulk.front().values.contains(u"extra"_s));
        int ddl = 0;
        for (const QString &statement : target.statements())
            ddl += statement.startsWith(u"CREATE"_s) ? 1 : 0;
        QCOMPARE(ddl, 2); // the two of this test

        // meters exists, but only one of its subtables: the run stops naming the others.
        rest.query(u"CREATE STABLE dst.meters (ts TIMESTAMP, current FLOAT, voltage INT, phase "
                   u"DOUBLE, ok BOOL, note BINARY(16), label NCHAR(8), big BIGINT UNSIGNED, "
                   u"tiny TINYINT, seen TIMESTAMP) TAGS (location BINARY(24), groupid INT, "
                   u"ratio FLOAT, city NCHAR(10))"_s,
                   cancel);
        rest.query(u"CREATE TABLE dst.d1001 USING dst.meters TAGS ('a', 1, 1.0, 'b')"_s, cancel);
        p.name = u"none-missing"_s;
        p.task.measurements = {u"meters"_s};
        p.advanced.readConcurrency = 1;
        const CliResult missing = runTask(p, dir);
        QVERIFY2(missing.exitCode == 2, qPrintable(missing.output));
        QVERIFY2(missing.output.contains(u"Subtables missing in database \"dst\""_s) &&
                     missing.output.contains(u": d1002, d1003."_s),
                 qPrintable(missing.output));
        // Nothing was lost: once the subtables exist, the same task completes.
        rest.query(u"CREATE TABLE dst.d1002 USING dst.meters TAGS ('a', 1, 1.0, 'b') dst.d1003 "
                   u"USING dst.meters TAGS (NULL, 3, NULL, NULL)"_s,
                   cancel);
        const CliResult resumed = runTask(dir);
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.output));
        QCOMPARE(target.rows(u"dst"_s, u"meters"_s).size(), 4);

        // A missing super table is named before anything is written.
        p.name = u"none-nostable"_s;
        p.task.measurements = {u"empty"_s};
        const CliResult noStable = runTask(p, dir);
        QCOMPARE(noStable.exitCode, 2);
        QVERIFY2(noStable.output.contains(u"Super tables missing"_s) &&
                     noStable.output.contains(u"empty"_s),
                 qPrintable(noStable.output));

        // A super table whose column types differ is refused with the column named.
        rest.query(u"CREATE STABLE dst.empty (ts TIMESTAMP, v FLOAT) TAGS (id BIGINT)"_s, cancel);
        p.name = u"none-different"_s;
        const CliResult different = runTask(p, dir);
        QCOMPARE(different.exitCode, 2);
        QVERIFY2(different.output.contains(u"\"v\" is FLOAT, the source's is DOUBLE"_s),
                 qPrintable(different.output));

        // A source finer than the target database would lose digits: refused, saying so.
        source.createDatabase(u"micro"_s, u"us"_s);
        source.createStable(u"micro"_s, u"bulk"_s,
                            {{u"ts"_s, u"TIMESTAMP"_s, 0}, {u"v"_s, u"BIGINT"_s, 0}},
                            {{u"id"_s, u"INT"_s, 0}});
        p.name = u"none-micro"_s;
        p.task.bucket = u"micro"_s;
        p.task.measurements = {u"bulk"_s};
        const CliResult micro = runTask(p, dir);
        QCOMPARE(micro.exitCode, 2);
        QVERIFY2(micro.output.contains(u"precision 'ms', coarser than the source's 'us'"_s),
                 qPrintable(micro.output));
    }

    void toLineProtocolFileMapsTypes()
    {
        TDengine2Emulator source;
        fill(source);
        QTemporaryDir dir;
        TaskProfile p = profile(u"file"_s, source.url(), u"lpfile"_s, QString());
        p.target.path = dir.filePath(u"out.lp"_s);
        p.target.database = QString();
        p.task.measurements = {u"meters"_s};
        const CliResult run = runTask(p, dir);
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));
        QVERIFY2(run.output.contains(u"windows agree"_s), qPrintable(run.output));
        QFile file(p.target.path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QMap<QString, lp::Point> points; // "subtable time" -> point
        for (const QByteArray &line : file.readAll().split('\n')) {
            if (line.isEmpty() || line.startsWith('#'))
                continue;
            lp::Point point;
            QString why;
            QVERIFY2(
                lp::parseLine(std::string_view(line.constData(), size_t(line.size())), point, &why),
                qPrintable(why));
            QString subtable;
            for (const auto &[k, v] : point.tags)
                if (k == "tbname")
                    subtable = QString::fromStdString(v);
            points.insert(u"%1 %2"_s.arg(subtable).arg(point.time), point);
        }
        QCOMPARE(points.size(), 4);
        const qint64 t = baseMs() * 1000000;
        const lp::Point first = points.value(u"d1001 %1"_s.arg(t));
        QCOMPARE(first.measurement, std::string("meters"));
        const std::vector<std::pair<std::string, std::string>> tags{
            {"tbname", "d1001"},
            {"location", "California.SanFrancisco"},
            {"groupid", "2"},
            {"ratio", "0.5"},
            {"city", "旧金山"}};
        QCOMPARE(first.tags, tags);
        QMap<QString, QPair<FieldType, QString>> fields;
        for (const lp::Field &f : first.fields) {
            QString value;
            switch (f.type) {
            case FieldType::Float:
                value = QString::number(f.f, 'g', 17);
                break;
            case FieldType::Integer:
                value = QString::number(f.i);
                break;
            case FieldType::Unsigned:
                value = QString::number(f.u);
                break;
            case FieldType::String:
                value = QString::fromStdString(f.s);
                break;
            case FieldType::Boolean:
                value = f.b ? u"true"_s : u"false"_s;
                break;
            }
            fields.insert(QString::fromStdString(f.key), {f.type, value});
        }
        QCOMPARE(fields.value(u"current"_s), qMakePair(FieldType::Float, u"10.300000000000001"_s));
        QCOMPARE(fields.value(u"voltage"_s), qMakePair(FieldType::Integer, u"219"_s));
        QCOMPARE(fields.value(u"phase"_s).first, FieldType::Float);
        QCOMPARE(fields.value(u"ok"_s), qMakePair(FieldType::Boolean, u"true"_s));
        QCOMPARE(fields.value(u"note"_s), qMakePair(FieldType::String, u"it's \"q\""_s));
        QCOMPARE(fields.value(u"label"_s), qMakePair(FieldType::String, u"电流"_s));
        QCOMPARE(fields.value(u"big"_s), qMakePair(FieldType::Unsigned, u"9007199254740993"_s));
        QCOMPARE(fields.value(u"tiny"_s), qMakePair(FieldType::Integer, u"-128"_s));
        QCOMPARE(fields.value(u"seen"_s),
                 qMakePair(FieldType::Integer, QString::number(t - 5000000)));
        // Two subtables with the same tags and time stay two points; NULL tags are left out.
        QVERIFY(points.contains(u"d1002 %1"_s.arg(t)));
        const lp::Point third = points.value(u"d1003 %1"_s.arg(t + 3600LL * 1000000000));
        QCOMPARE(third.tags, (std::vector<std::pair<std::string, std::string>>{{"tbname", "d1003"},
                                                                               {"groupid", "3"}}));
    }

    void intoRealInfluxDb()
    {
        // TDengine 2.x into a real InfluxDB 1.6.7: super table → measurement, the subtable's
        // name and the tags → tags, columns → fields of the documented types (1.x OSS has no
        // unsigned type: BIGINT UNSIGNED becomes an integer).
        TSM_SKIP_WITHOUT_INFLUXD();
        TDengine2Emulator source;
        fill(source);
        InfluxdFixture influx;
        QVERIFY2(influx.start(), qPrintable(influx.errorString()));
        QTemporaryDir dir;
        TaskProfile p = profile(u"influx"_s, source.url(), u"influxdb1"_s, influx.url());
        p.target.user.clear();
        p.target.password.clear();
        p.task.measurements = {u"meters"_s};
        const CliResult run = runTask(p, dir);
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));
        // Verified: the subtable is the tag tbname in InfluxDB, counted per field.
        QVERIFY2(run.output.contains(u"windows agree"_s), qPrintable(run.output));

        QStringList fields;
        for (const QJsonValue &row : influx.select(u"SHOW FIELD KEYS FROM meters"_s, u"dst"_s))
            fields.append(row.toArray().at(0).toString() + u' ' + row.toArray().at(1).toString());
        QCOMPARE(fields, (QStringList{u"big integer"_s, u"current float"_s, u"label string"_s,
                                      u"note string"_s, u"ok boolean"_s, u"phase float"_s,
                                      u"seen integer"_s, u"tiny integer"_s, u"voltage integer"_s}));
        QStringList tags;
        for (const QJsonValue &row : influx.select(u"SHOW TAG KEYS FROM meters"_s, u"dst"_s))
            tags.append(row.toArray().at(0).toString());
        QCOMPARE(tags,
                 (QStringList{u"city"_s, u"groupid"_s, u"location"_s, u"ratio"_s, u"tbname"_s}));
        // Four points: d1001 and d1002 share tags and time but stay apart through tbname.
        const QJsonArray rows = influx.select(
            u"SELECT tbname, big, current, voltage FROM meters WHERE time >= %1"_s.arg(
                (baseMs() - 1) * 1000000),
            u"dst"_s);
        QCOMPARE(rows.size(), 4);
        const QJsonArray first = rows.at(0).toArray();
        QCOMPARE(first.at(0).toInteger(), baseMs() * 1000000);
        QCOMPARE(first.at(1).toString(), u"d1001"_s);
        QCOMPARE(first.at(2).toInteger(), 9007199254740993LL);
        QCOMPARE(first.at(3).toDouble(), 10.3);
        QCOMPARE(rows.at(1).toArray().at(1).toString(), u"d1002"_s);
    }

    void schemaSyncOfTenThousandSubtables()
    {
        TDengine2Emulator source;
        source.createDatabase(u"fleet"_s, u"ms"_s);
        source.createStable(u"fleet"_s, u"sensors"_s,
                            {{u"ts"_s, u"TIMESTAMP"_s, 0}, {u"v"_s, u"DOUBLE"_s, 0}},
                            {{u"site"_s, u"BINARY"_s, 16}, {u"n"_s, u"INT"_s, 0}});
        constexpr int kSubtables = 10000;
        for (int i = 0; i < kSubtables; ++i)
            source.createSubtable(u"fleet"_s, u"sensors"_s, u"s%1"_s.arg(i),
                                  QJsonArray{u"site%1"_s.arg(i % 37), i});
        TDengine3Emulator target;
        const TDengineEndpoint targetEndpoint{target.url(), {}, u"root"_s, u"taosdata"_s};
        TDengineSqlSink sink(targetEndpoint, {}, u"dst"_s, true);
        TDengine2Source reader(TDengineEndpoint{source.url(), {}, u"root"_s, u"taosdata"_s}, {});
        CancelToken cancel;
        sink.prepare(cancel);
        const int statementsBefore = int(target.statements().size());
        QElapsedTimer timer;
        timer.start();
        sink.syncSchema(reader, u"fleet"_s, {}, true, cancel);
        const qint64 ms = timer.elapsed();
        const int statements = int(target.statements().size()) - statementsBefore;
        qInfo("schema sync of %d subtables: %lld ms, %d statements to TDengine 3, %d to TDengine "
              "2.x",
              kSubtables, ms, statements, int(source.statements().size()));
        const auto children = target.childTables(u"dst"_s, u"sensors"_s);
        QCOMPARE(children.size(), kSubtables);
        QCOMPARE(children.value(u"s4242"_s),
                 (QMap<QString, QString>{{u"site"_s, u"site24"_s}, {u"n"_s, u"4242"_s}}));
        // DDL in batches: far fewer statements than subtables, on both sides.
        QVERIFY2(statements <= kSubtables / 100, qPrintable(QString::number(statements)));
        QVERIFY(source.statements().size() <= kSubtables / 100);

        // Planning: one statement per page of subtables as well.
        const qint64 t = baseMs();
        for (int i = 0; i < kSubtables; ++i)
            source.insert(u"fleet"_s, u"s%1"_s.arg(i), t + i, QJsonArray{i * 0.5});
        PlanRequest request;
        request.database = u"fleet"_s;
        request.range = TimeRange{(t - kMsPerDay) * 1000000, (t + kMsPerDay) * 1000000};
        request.windowNs = 3600LL * 1000000000;
        const int before = int(source.statements().size());
        timer.restart();
        const QList<PlannedUnit> units = reader.plan(request, cancel);
        const qint64 planMs = timer.elapsed();
        const int planStatements = int(source.statements().size()) - before;
        qInfo("planning %d subtables: %lld ms, %d statements", kSubtables, planMs, planStatements);
        QCOMPARE(units.size(), kSubtables);
        QVERIFY(planStatements <= kSubtables / 100);

        // The whole migration of 10 000 one-row subtables, for information.
        QTemporaryDir dir;
        const QString profilePath = dir.filePath(u"p.json"_s);
        TaskProfile p = profile(u"fleet"_s, source.url(), u"tdengine3"_s, target.url());
        p.task.bucket = u"fleet"_s;
        p.advanced.readConcurrency = 8;
        QVERIFY(saveProfile(p, profilePath));
        timer.restart();
        const CliResult run = runTask(dir);
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));
        qInfo("migrating %d subtables of one row each (sync, plan, 10000 units): %lld ms",
              kSubtables, timer.elapsed());
        QCOMPARE(target.rowCount(u"dst"_s), kSubtables);
    }

    void wholeSuperTableWindowsAndLaterSubtables()
    {
        // A unit without a subtable (what a realtime poll of a super table reads) covers every
        // subtable with data in its window; a subtable the source gained after the sync is
        // created from the point's tags with schema sync always.
        TDengine2Emulator source;
        fill(source);
        TDengine3Emulator target;
        TDengineSqlSink sink(TDengineEndpoint{target.url(), {}, u"root"_s, u"taosdata"_s}, {},
                             u"dst"_s, true);
        TDengine2Source reader(TDengineEndpoint{source.url(), {}, u"root"_s, u"taosdata"_s}, {});
        CancelToken cancel;
        sink.prepare(cancel);
        sink.syncSchema(reader, u"power"_s, {u"meters"_s}, true, cancel);
        QCOMPARE(target.childTables(u"dst"_s, u"meters"_s).size(), 3);

        const qint64 t = baseMs();
        source.createSubtable(u"power"_s, u"meters"_s, u"d1004"_s,
                              QJsonArray{u"LA"_s, 5, 1.25, u"洛杉矶"_s});
        source.insert(u"power"_s, u"d1004"_s, t + 10,
                      QJsonArray{1.5, 1, 2.5, true, u"n"_s, u"l"_s, 3, 4, QJsonValue()});
        // Above INT64_MAX the JSON answer cannot carry an unsigned value exactly: rejected with
        // the reason, never altered.
        source.insert(
            u"power"_s, u"d1004"_s, t + 11,
            QJsonArray{1.5, 1, 2.5, true, u"n"_s, u"l"_s, 18446744073709551615.0, 4, QJsonValue()});
        ReadUnit unit;
        unit.id = 1;
        unit.measurement = u"meters"_s;
        unit.start = t * 1000000;
        unit.end = (t + 60000) * 1000000;
        PlanRequest request;
        request.database = u"power"_s;
        Collector out;
        reader.read(unit, request, sink.dialect(), out, cancel);
        QCOMPARE(out.rejects.size(), 1);
        QVERIFY2(out.rejects.front().contains(u"\"big\" holds 1.8446744073709552e+19"_s),
                 qPrintable(out.rejects.front()));

        QVERIFY(out.batch.lines.contains("tbname=d1004"));
        out.batch.shares.push_back({1, 0, out.batch.points});
        const WriteResult written = sink.write(out.batch, cancel);
        QCOMPARE(written.written, 4);
        QCOMPARE(target.childTables(u"dst"_s, u"meters"_s).value(u"d1004"_s),
                 (QMap<QString, QString>{{u"location"_s, u"LA"_s},
                                         {u"groupid"_s, u"5"_s},
                                         {u"ratio"_s, u"1.25"_s},
                                         {u"city"_s, u"洛杉矶"_s}}));
        QCOMPARE(target.rowCount(u"dst"_s), 4);
    }

    void builtInHttpdBooleansArriveAsBooleans()
    {
        // The built-in httpd of 2.0–2.3 sends BOOL as 0 and 1; tags and columns still arrive as
        // booleans, in TDengine 3 and in line protocol.
        TypedTables tables(u"2.3.6.0"_s, u"bools"_s, {u"switches"_s});
        auto &[source, target, dir, p] = tables;
        const CliResult run = runTask(p, dir);
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));
        QCOMPARE(typeOf(target, u"switches"_s, u"active"_s), u"BOOL TAG"_s);
        const auto children = target.childTables(u"dst"_s, u"switches"_s);
        QCOMPARE(children.value(u"s1"_s).value(u"active"_s), u"true"_s);
        QCOMPARE(children.value(u"s2"_s).value(u"active"_s), u"false"_s);
        QMap<QString, QMap<qint64, QMap<QString, lp::Field>>> rows;
        for (const auto &row : target.rows(u"dst"_s, u"switches"_s))
            rows[row.childTable][row.ts] = row.values;
        const qint64 t = baseMs() * 1000000;
        QCOMPARE(rows.value(u"s1"_s).size(), 2);
        QCOMPARE(rows.value(u"s1"_s).value(t).value(u"on"_s).type, FieldType::Boolean);
        QCOMPARE(rows.value(u"s1"_s).value(t).value(u"on"_s).b, true);
        QCOMPARE(rows.value(u"s1"_s).value(t + 1000000).value(u"on"_s).b, false);
        QCOMPARE(rows.value(u"s2"_s).value(t).value(u"on"_s).b, false);

        toLpFile(p, u"bools-file"_s, dir);
        const CliResult file = runTask(p, dir);
        QVERIFY2(file.exitCode == 0, qPrintable(file.output));
        const QMap<QString, lp::Point> points = readLpFile(p.target.path);
        QCOMPARE(points.size(), 3);
        const lp::Point s2 = points.value(u"s2 %1"_s.arg(t));
        QCOMPARE(s2.tags, (std::vector<std::pair<std::string, std::string>>{
                              {"tbname", "s2"}, {"active", "false"}, {"site", "b"}}));
        QCOMPARE(fieldOf(s2, "on").type, FieldType::Boolean);
        QCOMPARE(fieldOf(s2, "on").b, false);
        const lp::Point s1 = points.value(u"s1 %1"_s.arg(t));
        QCOMPARE(s1.tags.at(1), (std::pair<std::string, std::string>{"active", "true"}));
        QCOMPARE(fieldOf(s1, "on").type, FieldType::Boolean);
        QCOMPARE(fieldOf(s1, "on").b, true);
    }

    void builtInHttpdRoundedFloatsRefusedUnlessAccepted()
    {
        // Before 2.4 the built-in httpd writes FLOAT with 5 decimals and DOUBLE with 9: check and
        // schema say so, a task with such columns is refused naming them, the source side and
        // why, and with source.acceptRoundedFloats it runs and says the values are rounded.
        TypedTables tables(u"2.3.6.0"_s, u"rounded"_s);
        auto &[source, target, dir, p] = tables;
        const QString profilePath = dir.filePath(u"p.json"_s);
        QVERIFY(saveProfile(p, profilePath));

        const CliResult check = runCli({u"check"_s, profilePath});
        QVERIFY2(check.exitCode == 0, qPrintable(check.output));
        QVERIFY2(check.output.contains(u"REST by taosd's built-in HTTP server"_s) &&
                     check.output.contains(u"source: note — TDengine 2.3.6.0: before 2.4"_s) &&
                     check.output.contains(u"FLOAT with 5 decimals and DOUBLE with 9"_s) &&
                     check.output.contains(u"refused unless source.acceptRoundedFloats"_s),
                 qPrintable(check.output));
        const CliResult schema = runCli({u"schema"_s, profilePath});
        QVERIFY2(schema.exitCode == 0, qPrintable(schema.output));
        QVERIFY2(schema.output.contains(u"note: TDengine 2.3.6.0: before 2.4"_s) &&
                     schema.output.contains(u"f (float), d (float)"_s),
                 qPrintable(schema.output));

        const CliResult refused = runTask(dir);
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.output.contains(
                     u"Source super table \"precise\" of database \"plant\": column \"f\" "
                     u"(FLOAT), column \"d\" (DOUBLE) cannot be read exactly from TDengine "
                     u"2.3.6.0"_s) &&
                     refused.output.contains(u"writes FLOAT with 5 decimals and DOUBLE with 9 "
                                             u"(1e-300 arrives as 0, pi as 3.141592654)"_s) &&
                     refused.output.contains(u"source.acceptRoundedFloats"_s),
                 qPrintable(refused.output));
        QVERIFY(!target.stables(u"dst"_s).contains(u"precise"_s)); // refused before any DDL

        // Accepted: the task says so and the values arrive as the server rounded them.
        p.source.acceptRoundedFloats = true;
        p.task.measurements = {u"precise"_s};
        const CliResult accepted = runTask(p, dir);
        QVERIFY2(accepted.exitCode == 0, qPrintable(accepted.output));
        QVERIFY2(accepted.output.contains(u"warn: Source: TDengine 2.3.6.0"_s) &&
                     accepted.output.contains(u"migrated rounded so, as source.acceptRoundedFloats "
                                              u"accepts"_s),
                 qPrintable(accepted.output));
        QMap<qint64, QMap<QString, lp::Field>> rows;
        for (const auto &row : target.rows(u"dst"_s, u"precise"_s))
            rows[row.ts] = row.values;
        QCOMPARE(rows.size(), 4);
        const qint64 t = baseMs() * 1000000;
        QCOMPARE(float(rows.value(t).value(u"f"_s).f), 3.14159f);
        QCOMPARE(rows.value(t).value(u"d"_s).f, 3.141592654);
        QCOMPARE(rows.value(t + 1000000).value(u"d"_s).f, 0.0); // 1e-300
        QCOMPARE(rows.value(t + 3000000).value(u"d"_s).f, std::numeric_limits<double>::max());
    }

    void taosAdapterFloatsArriveExact()
    {
        // taosAdapter (2.4+) writes the shortest text of each float: 1e-300, π, -0 and FLOAT's
        // maximum arrive as they were, in TDengine 3 and in line protocol.
        TypedTables tables(u"2.4.0.16"_s, u"floats"_s, {u"precise"_s});
        auto &[source, target, dir, p] = tables;
        const CliResult run = runTask(p, dir);
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));
        QMap<qint64, QMap<QString, lp::Field>> rows;
        for (const auto &row : target.rows(u"dst"_s, u"precise"_s))
            rows[row.ts] = row.values;
        QCOMPARE(rows.size(), 4);
        const qint64 t = baseMs(); // the rows are a millisecond apart; dst is in nanoseconds
        auto f = [&](qint64 ms) { return float(rows.value(ms * 1000000).value(u"f"_s).f); };
        auto d = [&](qint64 ms) { return rows.value(ms * 1000000).value(u"d"_s).f; };
        QCOMPARE(f(t), kPiF);
        QVERIFY(sameDouble(d(t), kPi));
        QCOMPARE(f(t + 1), std::numeric_limits<float>::max());
        QVERIFY(sameDouble(d(t + 1), 1e-300));
        QVERIFY(std::signbit(f(t + 2)) && f(t + 2) == 0.0f);
        QVERIFY(sameDouble(d(t + 2), -0.0));
        QCOMPARE(f(t + 3), std::numeric_limits<float>::denorm_min());
        QVERIFY(sameDouble(d(t + 3), std::numeric_limits<double>::max()));

        toLpFile(p, u"floats-file"_s, dir);
        const CliResult file = runTask(p, dir);
        QVERIFY2(file.exitCode == 0, qPrintable(file.output));
        const QMap<QString, lp::Point> points = readLpFile(p.target.path);
        QCOMPARE(points.size(), 4);
        auto point = [&](qint64 ms) { return points.value(u"p1 %1"_s.arg(ms * 1000000)); };
        QCOMPARE(float(fieldOf(point(t), "f").f), kPiF);
        QVERIFY(sameDouble(fieldOf(point(t), "d").f, kPi));
        QCOMPARE(float(fieldOf(point(t + 1), "f").f), std::numeric_limits<float>::max());
        QVERIFY(sameDouble(fieldOf(point(t + 1), "d").f, 1e-300));
        QVERIFY(std::signbit(fieldOf(point(t + 2), "f").f));
        QVERIFY(sameDouble(fieldOf(point(t + 2), "d").f, -0.0));
        QCOMPARE(float(fieldOf(point(t + 3), "f").f), std::numeric_limits<float>::denorm_min());
        QVERIFY(sameDouble(fieldOf(point(t + 3), "d").f, std::numeric_limits<double>::max()));
    }

    void strictEmulators()
    {
        // TDengine 3 refuses what TDengine refuses.
        TDengine3Emulator target;
        target.createDatabase(u"dst"_s, u"ms"_s); // as fine as the source: fine
        TDengineRest rest(TDengineEndpoint{target.url(), {}, u"root"_s, u"taosdata"_s}, {});
        CancelToken cancel;
        rest.query(u"CREATE STABLE dst.m (ts TIMESTAMP, v TINYINT, s NCHAR(2)) TAGS (t INT)"_s,
                   cancel);
        QCOMPARE(rest.query(u"INSERT INTO dst.nosuch VALUES (1, 2, 'x')"_s, cancel, {0x2603}).code,
                 0x2603);
        rest.query(u"CREATE TABLE dst.c USING dst.m TAGS (1)"_s, cancel);
        // A value that does not fit is a syntax error to TDengine's insert parser.
        QCOMPARE(rest.query(u"INSERT INTO dst.c VALUES (1, 'abc', 'x')"_s, cancel, {0x2600}).code,
                 0x2600);
        QCOMPARE(rest.query(u"INSERT INTO dst.c VALUES (1, 300, 'x')"_s, cancel, {0x2600}).code,
                 0x2600);
        QCOMPARE(rest.query(u"INSERT INTO dst.c VALUES (1, 3, 'xyz')"_s, cancel, {0x2653}).code,
                 0x2653);
        QCOMPARE(rest.query(u"CREATE TABLE dst.d USING dst.m TAGS ('a')"_s, cancel, {0x2600}).code,
                 0x2600);

        // TDengine 2.x: numeric type codes, errors as HTTP 200, the three time formats.
        TDengine2Emulator source;
        fill(source);
        TDengineRest two(TDengineEndpoint{source.url(), {}, u"root"_s, u"taosdata"_s}, {});
        const QString sql = u"SELECT ts, voltage FROM power.d1001 LIMIT 1"_s;
        const SqlResult t = two.query(sql, cancel, {}, "/rest/sqlt");
        QCOMPARE(t.columns.at(0).second, u"TIMESTAMP"_s);
        QCOMPARE(t.columns.at(1).second, u"INT"_s);
        QCOMPARE(t.rows.at(0).toArray().at(0).toInteger(), baseMs());
        const SqlResult local = two.query(sql, cancel, {}, "/rest/sql");
        QCOMPARE(local.rows.at(0).toArray().at(0).toString(),
                 QDateTime::fromMSecsSinceEpoch(baseMs(), Qt::UTC)
                     .toString(u"yyyy-MM-dd HH:mm:ss.zzz"_s));
        // taosAdapter (2.4+): Go's RFC3339Nano, BOOL as true/false, floats in full.
        const SqlResult utc = two.query(sql, cancel, {}, "/rest/sqlutc");
        QCOMPARE(
            utc.rows.at(0).toArray().at(0).toString(),
            QDateTime::fromMSecsSinceEpoch(baseMs(), Qt::UTC).toString(u"yyyy-MM-ddTHH:mm:ssZ"_s));
        fillTypes(source);
        const QString floats = u"SELECT ts, f, d FROM plant.p1"_s;
        const QJsonArray exact = two.query(floats, cancel, {}, "/rest/sqlt").rows;
        QCOMPARE(exact.at(0).toArray().at(1).toDouble(), 3.1415927); // shortest float32 text
        QCOMPARE(exact.at(0).toArray().at(2).toDouble(), kPi);
        QCOMPARE(exact.at(1).toArray().at(2).toDouble(), 1e-300);
        const QJsonValue on = two.query(u"SELECT ts, on FROM plant.s1"_s, cancel, {}, "/rest/sqlt")
                                  .rows.at(0)
                                  .toArray()
                                  .at(1);
        QVERIFY(on.isBool() && on.toBool());

        // taosd's built-in httpd (before 2.4): "%z" offsets, BOOL as 0/1, 5 and 9 decimals.
        source.setServerVersion(u"2.3.6.0"_s);
        QCOMPARE(source.restServer(), TDengine2Emulator::RestServer::BuiltInHttpd);
        QVERIFY(two.query(sql, cancel, {}, "/rest/sqlutc")
                    .rows.at(0)
                    .toArray()
                    .at(0)
                    .toString()
                    .endsWith(u".000+0000"_s));
        const QJsonArray rounded = two.query(floats, cancel, {}, "/rest/sqlt").rows;
        QCOMPARE(rounded.at(0).toArray().at(1).toDouble(), 3.14159);
        QCOMPARE(rounded.at(0).toArray().at(2).toDouble(), 3.141592654);
        QCOMPARE(rounded.at(1).toArray().at(1).toDouble(), 3.40282e+38);
        QCOMPARE(rounded.at(1).toArray().at(2).toDouble(), 0.0);
        QCOMPARE(rounded.at(3).toArray().at(1).toDouble(), 0.0); // FLOAT's smallest
        // DOUBLE's maximum as 1.797693135e+308, above it: read as the largest double.
        QCOMPARE(rounded.at(3).toArray().at(2).toDouble(), std::numeric_limits<double>::max());
        QCOMPARE(two.query(u"SELECT ts, on FROM plant.s1"_s, cancel, {}, "/rest/sqlt")
                     .rows.at(0)
                     .toArray()
                     .at(1)
                     .toInteger(),
                 1);
        QCOMPARE(two.query(u"SELECT TBNAME, active FROM plant.switches"_s, cancel, {}, "/rest/sqlt")
                     .rows.at(1)
                     .toArray()
                     .at(1)
                     .toInteger(-1),
                 0);
        QCOMPARE(two.query(u"SELECT * FROM power.nosuch"_s, cancel, {0x0362}, "/rest/sqlt").code,
                 0x0362);
        try {
            two.query(u"SELECT * FROM nodb.x"_s, cancel, {}, "/rest/sqlt");
            QFAIL("an unknown database was answered");
        } catch (const Error &error) {
            QCOMPARE(error.kind(), ErrorKind::NotFound);
        }
    }

    /// Following a TDengine 2.x database with the controls of taosX's form: a back-fill of an
    /// hour (retro), a poll interval of a second and an out-of-order wait of a second. The row
    /// from within the hour arrives, the older one does not, a row written later is followed.
    void realtimeBackFillThenFollow()
    {
        TDengine2Emulator source;
        source.createDatabase(u"power"_s, u"ms"_s);
        source.createStable(u"power"_s, u"meters"_s,
                            {{u"ts"_s, u"TIMESTAMP"_s, 0},
                             {u"current"_s, u"FLOAT"_s, 0},
                             {u"voltage"_s, u"INT"_s, 0}},
                            {{u"location"_s, u"BINARY"_s, 24}, {u"groupid"_s, u"INT"_s, 0}});
        source.createSubtable(u"power"_s, u"meters"_s, u"d1001"_s, QJsonArray{u"SF"_s, 2});
        const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
        const qint64 older = nowMs - 2 * 3600000;
        const qint64 inside = nowMs - 30 * 60000;
        source.insert(u"power"_s, u"d1001"_s, older, QJsonArray{1.5, 1});
        source.insert(u"power"_s, u"d1001"_s, inside, QJsonArray{2.5, 2});
        TDengine3Emulator target;
        QTemporaryDir dir;
        TaskProfile p = profile(u"td2 follow"_s, source.url(), u"tdengine3"_s, target.url());
        p.task.start = TimeText::format((nowMs - kMsPerDay) * 1000000);
        p.task.end.clear();
        p.task.mode = u"realtime"_s;
        p.task.delaySeconds = 1;
        QVERIFY(saveProfile(p, dir.filePath(u"p.json"_s)));

        CliRun run;
        QVERIFY(run.start(dir.filePath(u"p.json"_s), dir.filePath(u"s.sqlite"_s),
                          {u"--set"_s, u"task.retro=1h"_s, u"--set"_s, u"task.pollSeconds=1"_s}));
        QTRY_COMPARE_WITH_TIMEOUT(target.rowCount(u"dst"_s), qint64(1), 30000);
        const qint64 later = QDateTime::currentMSecsSinceEpoch();
        source.insert(u"power"_s, u"d1001"_s, later, QJsonArray{3.5, 3});
        QTRY_COMPARE_WITH_TIMEOUT(target.rowCount(u"dst"_s), qint64(2), 30000);
        run.interrupt();
        QVERIFY(run.process().waitForFinished(30000));
        const QString output = run.readOutput();
        QVERIFY2(run.process().exitCode() == 5, qPrintable(output));
        QVERIFY2(output.contains(u"every 1 s"_s), qPrintable(output));
        QList<qint64> times;
        for (const TDengine3Emulator::Row &row : target.rows(u"dst"_s, u"meters"_s))
            times.append(row.ts);
        std::sort(times.begin(), times.end());
        QCOMPARE(times, (QList<qint64>{inside * 1000000, later * 1000000}));
    }

    /// advanced.onRefused with a row that cannot be carried (every column NULL): stop ends the
    /// task at it (exit 1) naming the super table, the reason and the rejects file; continue
    /// records it and migrates the rest (exit 6).
    void refusedRowStopsOrNot()
    {
        TDengine2Emulator source;
        fill(source);
        source.insert(u"power"_s, u"d1003"_s, baseMs() + 60000,
                      QJsonArray{QJsonValue(), QJsonValue(), QJsonValue(), QJsonValue(),
                                 QJsonValue(), QJsonValue(), QJsonValue(), QJsonValue(),
                                 QJsonValue()});
        QTemporaryDir dir;
        TaskProfile p = profile(u"refused rows"_s, source.url(), u"lpfile"_s, QString());
        p.target.path = dir.filePath(u"out.lp"_s);
        p.target.database = QString();
        p.task.measurements = {u"meters"_s};
        p.advanced.rejectsFile = dir.filePath(u"refused rows.lp"_s);
        p.advanced.onRefused = u"stop"_s;
        const CliResult stopped = runTask(p, dir);
        QVERIFY2(stopped.exitCode == 1, qPrintable(stopped.output));
        const QString failure = stopped.output.mid(stopped.output.lastIndexOf(u"error: "_s));
        QVERIFY2(failure.contains(u"A point of measurement \"meters\" cannot be written to the "
                                  u"target"_s) &&
                     failure.contains(u"every column of the row is NULL"_s) &&
                     failure.contains(p.advanced.rejectsFile),
                 qPrintable(failure));
        QFile rejects(p.advanced.rejectsFile);
        QVERIFY(rejects.open(QIODevice::ReadOnly));
        QVERIFY(rejects.readAll().contains("meters subtable d1003 ts="));
        rejects.close();

        p.advanced.onRefused = u"continue"_s;
        const CliResult continued = runTask(p, dir);
        QVERIFY2(continued.exitCode == 6, qPrintable(continued.output));
        QFile out(p.target.path);
        QVERIFY(out.open(QIODevice::ReadOnly));
        int rows = 0;
        for (const QByteArray &line : out.readAll().split('\n'))
            rows += line.startsWith("meters,") ? 1 : 0;
        QCOMPARE(rows, 4); // every row of fill() but the NULL one
    }

    void wrongCredentialsStopTheTask()
    {
        TDengine2Emulator source;
        fill(source);
        source.setCredentials(u"reader"_s, u"secret"_s);
        QTemporaryDir dir;
        TaskProfile p = profile(u"auth"_s, source.url(), u"lpfile"_s, QString());
        p.target.path = dir.filePath(u"out.lp"_s);
        p.source.user = u"reader"_s;
        p.source.password = u"wrong"_s;
        const CliResult run = runTask(p, dir);
        QCOMPARE(run.exitCode, 4);
        QVERIFY2(run.output.contains(u"refused the credentials of user \"reader\""_s),
                 qPrintable(run.output));
        const CliResult good = runTask(dir, {u"TSMIGRATE_SOURCE_PASSWORD=secret"_s});
        QVERIFY2(good.exitCode == 0, qPrintable(good.output));
    }

    void schemaOnlyCreatesTablesAndMovesNoData()
    {
        TDengine2Emulator source;
        fill(source);
        TDengine3Emulator target;
        QTemporaryDir dir;
        TaskProfile p = profile(u"only"_s, source.url(), u"tdengine3"_s, target.url());
        p.task.schemaSync = u"only"_s;
        p.advanced.verify = true;
        QVERIFY(saveProfile(p, dir.filePath(u"p.json"_s)));

        // The plan says so and reads nothing.
        const CliResult plan = runCli({u"plan"_s, dir.filePath(u"p.json"_s)});
        QVERIFY2(plan.exitCode == 0 && plan.output.contains(u"Schema sync only"_s),
                 qPrintable(plan.output));

        const int readsBefore = int(source.statements().size());
        const CliResult run = runTask(dir);
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));
        QVERIFY2(run.output.contains(u"Schema sync only: 3 super tables and 5 subtables created "
                                     u"or found in database \"dst\"; no data was moved"_s),
                 qPrintable(run.output));
        QVERIFY2(!run.output.contains(u"Verified"_s), qPrintable(run.output));
        // Every table exists, with its tags, and holds no row.
        QCOMPARE(target.stables(u"dst"_s), (QStringList{u"bulk"_s, u"empty"_s, u"meters"_s}));
        QCOMPARE(target.childTables(u"dst"_s, u"meters"_s).keys(),
                 (QStringList{u"d1001"_s, u"d1002"_s, u"d1003"_s}));
        QCOMPARE(target.childTables(u"dst"_s, u"meters"_s).value(u"d1003"_s),
                 (QMap<QString, QString>{{u"groupid"_s, u"3"_s}}));
        QCOMPARE(target.childTables(u"dst"_s, u"bulk"_s).keys(), QStringList{u"b1"_s});
        QCOMPARE(target.rowCount(u"dst"_s), 0);
        // No row of the source was read: no statement other than listings and descriptions.
        for (const QString &statement : source.statements().mid(readsBefore))
            QVERIFY2(!statement.contains(u"FIRST("_s) && !statement.contains(u"COUNT("_s) &&
                         !statement.contains(u" WHERE "_s),
                     qPrintable(statement));

        const CliResult status = runCli(
            {u"status"_s, u"--state"_s, dir.filePath(u"s.sqlite"_s), u"--task"_s, u"only"_s});
        QVERIFY2(status.output.contains(u"only: completed"_s, Qt::CaseInsensitive) &&
                     status.output.contains(u"schema sync only"_s) &&
                     status.output.contains(u"no data was moved"_s),
                 qPrintable(status.output));

        // Nothing moved, nothing to compare.
        const CliResult verify = runCli({u"verify"_s, dir.filePath(u"p.json"_s), u"--state"_s,
                                         dir.filePath(u"s.sqlite"_s)});
        QVERIFY2(verify.exitCode == 0 && verify.output.contains(u"nothing to verify"_s),
                 qPrintable(verify.output));

        // A target without tables of its own has nothing to create: refused on the field.
        TaskProfile file = p;
        toLpFile(file, u"only-file"_s, dir);
        const CliResult refused = runTask(file, dir);
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.output.contains(u"task.schemaSync"_s) &&
                     refused.output.contains(u"Line-protocol file target has no table structure"_s),
                 qPrintable(refused.output));
        QVERIFY(!QFile::exists(dir.filePath(u"out.lp"_s)));
    }

    void tableListMigratesOnlyListedSubtables()
    {
        TDengine2Emulator source;
        fill(source);
        TDengine3Emulator target;
        QTemporaryDir dir;
        TaskProfile p = profile(u"tables"_s, source.url(), u"tdengine3"_s, target.url());
        p.task.measurements = {u"bulk"_s};
        p.advanced.verify = true;
        QVERIFY(saveProfile(p, dir.filePath(u"p.json"_s)));
        // Set on the command line, as a list.
        const QStringList state{u"--state"_s, dir.filePath(u"s.sqlite"_s)};
        const CliResult run = runCli(QStringList{u"run"_s, dir.filePath(u"p.json"_s), u"--set"_s,
                                                 u"task.tables=meters.d1001,meters.d1003"_s} +
                                         state,
                                     300000);
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));
        QVERIFY2(run.output.contains(u"windows agree"_s), qPrintable(run.output));
        // bulk whole, of meters only the two listed subtables; empty not at all.
        QCOMPARE(target.stables(u"dst"_s), (QStringList{u"bulk"_s, u"meters"_s}));
        QCOMPARE(target.childTables(u"dst"_s, u"meters"_s).keys(),
                 (QStringList{u"d1001"_s, u"d1003"_s}));
        QStringList tables;
        for (const auto &row : target.rows(u"dst"_s, u"meters"_s))
            tables.append(row.childTable);
        tables.sort();
        QCOMPARE(tables, (QStringList{u"d1001"_s, u"d1001"_s, u"d1003"_s}));
        QCOMPARE(target.rows(u"dst"_s, u"bulk"_s).size(), 12000);

        // A table the super table does not have, or one of another super table, is refused
        // before anything is written, naming it.
        for (const QString &wrong : {u"meters.d9"_s, u"bulk.d1001"_s, u"nosuch.d1001"_s}) {
            TDengine3Emulator fresh;
            TaskProfile bad = profile(u"bad"_s, source.url(), u"tdengine3"_s, fresh.url());
            bad.task.tables = {u"meters.d1002"_s, wrong};
            QTemporaryDir badDir;
            const CliResult refused = runTask(bad, badDir);
            QCOMPARE(refused.exitCode, 2);
            QVERIFY2(refused.output.contains(u"Source table"_s) &&
                         refused.output.contains(wrong.section(u'.', 0, 0)) &&
                         refused.output.contains(u"task.tables"_s),
                     qPrintable(refused.output));
            QVERIFY(fresh.stables(u"dst"_s).isEmpty());
        }
        // Not super_table.table: refused by the profile's validation.
        TaskProfile malformed = p;
        malformed.task.tables = {u"d1001"_s};
        QTemporaryDir malformedDir;
        const CliResult invalid = runTask(malformed, malformedDir);
        QCOMPARE(invalid.exitCode, 2);
        QVERIFY2(invalid.output.contains(u"\"d1001\" is not super_table.table"_s),
                 qPrintable(invalid.output));
    }

    void sparseReadsWindowsOfSuperTables()
    {
        // 400 subtables of three rows each within one window, and a subtable of 12 000 rows:
        // per subtable that is a query each; sparse, a handful per window, and the same points.
        TDengine2Emulator source;
        fill(source);
        const qint64 t = baseMs();
        source.createStable(u"power"_s, u"sensors"_s,
                            {{u"ts"_s, u"TIMESTAMP"_s, 0}, {u"v"_s, u"DOUBLE"_s, 0}},
                            {{u"site"_s, u"BINARY"_s, 16}});
        constexpr int kSubtables = 400;
        for (int i = 0; i < kSubtables; ++i) {
            const QString name = u"s%1"_s.arg(i, 3, 10, QLatin1Char('0'));
            source.createSubtable(u"power"_s, u"sensors"_s, name,
                                  QJsonArray{u"site%1"_s.arg(i % 7)});
            for (int k = 0; k < 3; ++k)
                source.insert(u"power"_s, name, t + 600000 + k * 1000 + i % 5,
                              QJsonArray{i + k * 0.5});
        }
        QTemporaryDir dir;
        TaskProfile p = profile(u"dense"_s, source.url(), u"lpfile"_s, QString());
        p.task.measurements = {u"sensors"_s, u"bulk"_s, u"meters"_s};
        p.advanced.verify = true;
        toLpFile(p, u"dense"_s, dir);
        p.target.path = dir.filePath(u"dense.lp"_s);
        int before = int(source.statements().size());
        const CliResult dense = runTask(p, dir);
        QVERIFY2(dense.exitCode == 0, qPrintable(dense.output));
        const int denseQueries = int(source.statements().size()) - before;

        p.name = u"sparse"_s;
        p.source.sparse = true;
        p.target.path = dir.filePath(u"sparse.lp"_s);
        before = int(source.statements().size());
        const CliResult sparse = runTask(p, dir);
        QVERIFY2(sparse.exitCode == 0, qPrintable(sparse.output));
        const QStringList sparseStatements = source.statements().mid(before);
        // Verified per super table window: COUNT over the super table, not per subtable.
        QVERIFY2(sparse.output.contains(u"windows agree"_s), qPrintable(sparse.output));
        int superTableCounts = 0;
        for (const QString &statement : sparseStatements) {
            superTableCounts +=
                statement.startsWith(u"SELECT COUNT(*), COUNT(v) FROM power.sensors WHERE"_s);
            QVERIFY2(!statement.contains(u"FROM power.s0"_s), qPrintable(statement));
        }
        QVERIFY(superTableCounts > 0);
        qInfo("per subtable: %d source statements, sparse: %d", denseQueries,
              int(sparseStatements.size()));
        QVERIFY2(sparseStatements.size() * 10 < denseQueries,
                 qPrintable(u"%1 vs %2"_s.arg(sparseStatements.size()).arg(denseQueries)));

        // The same points, with the same tags, both ways: 400 × 3 + 12 000 + 4.
        const auto densePoints = readLpFile(dir.filePath(u"dense.lp"_s));
        const auto sparsePoints = readLpFile(dir.filePath(u"sparse.lp"_s));
        QCOMPARE(densePoints.size(), kSubtables * 3 + 12000 + 4);
        QCOMPARE(sparsePoints.keys(), densePoints.keys());
        for (auto it = densePoints.cbegin(); it != densePoints.cend(); ++it) {
            const lp::Point &other = sparsePoints.value(it.key());
            QCOMPARE(other.tags, it.value().tags);
            QCOMPARE(other.fields.size(), it.value().fields.size());
        }

        // A second run has every unit done and reads no row again.
        before = int(source.statements().size());
        const CliResult again = runTask(p, dir);
        QVERIFY2(again.exitCode == 0, qPrintable(again.output));
        for (const QString &statement : source.statements().mid(before))
            QVERIFY2(!statement.contains(u"TBNAME FROM"_s), qPrintable(statement));
    }

    void sparseReadsAnswersCutByTheRowLimit()
    {
        // A built-in httpd whose restfulRowLimit is below what a window holds: the answer that
        // brings fewer rows than counted is read again in halves, down to one instant, whose
        // subtables are then read one by one. Nothing is lost.
        TDengine2Emulator source(u"2.3.6.0"_s);
        source.createDatabase(u"power"_s, u"ms"_s);
        source.createStable(u"power"_s, u"sensors"_s,
                            {{u"ts"_s, u"TIMESTAMP"_s, 0}, {u"v"_s, u"INT"_s, 0}},
                            {{u"n"_s, u"INT"_s, 0}});
        const qint64 t = baseMs();
        for (int i = 0; i < 9; ++i) {
            source.createSubtable(u"power"_s, u"sensors"_s, u"s%1"_s.arg(i), QJsonArray{i});
            source.insert(u"power"_s, u"s%1"_s.arg(i), t, QJsonArray{i}); // nine at one instant
            for (int k = 1; k <= 3; ++k)
                source.insert(u"power"_s, u"s%1"_s.arg(i), t + k * 1000 + i, QJsonArray{k});
        }
        source.setRowLimit(5);
        TDengine3Emulator target;
        QTemporaryDir dir;
        TaskProfile p = profile(u"cut"_s, source.url(), u"tdengine3"_s, target.url());
        p.source.sparse = true;
        p.advanced.verify = true;
        const CliResult run = runTask(p, dir);
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));
        QVERIFY(source.truncatedAnswers() > 0);
        QCOMPARE(target.rows(u"dst"_s, u"sensors"_s).size(), 36);
        QVERIFY2(run.output.contains(u"Verified: 1 window agrees"_s), qPrintable(run.output));
        bool perSubtable = false;
        for (const QString &statement : source.statements())
            perSubtable = perSubtable || statement.contains(u"FROM power.s4 WHERE"_s);
        QVERIFY(perSubtable);
    }

    void sparseKilledAndResumed()
    {
        // 16 sparse units (2 super tables x 8 hours, 340 subtables) into a line-protocol file,
        // which appends: a unit read twice would be there twice. The proxy holds the source at
        // the 7th unit's rows, so the run is surely part-way when it is killed (SIGKILL), and
        // every line in the file then belongs to a unit the ledger has done.
        TDengine2Emulator source;
        const QStringList expected = fillHours(source);
        QCOMPARE(expected.size(), 240 * 8 * 2 + 100 * 8);
        FaultProxy proxy(source.url());
        FaultProxy::Rule hold;
        hold.bodyContains = ", TBNAME FROM";
        hold.action = FaultProxy::Action::Hold;
        hold.skip = 6;
        hold.times = 1;
        proxy.addRule(hold);

        QTemporaryDir dir;
        const QString state = dir.filePath(u"s.sqlite"_s);
        const QString profilePath = dir.filePath(u"p.json"_s);
        TaskProfile p = profile(u"sparse resume"_s, proxy.url(), u"lpfile"_s, QString());
        toLpFile(p, u"sparse resume"_s, dir);
        p.source.sparse = true;
        p.advanced.readConcurrency = 1; // the units whose rows were read are the ones done
        p.advanced.batchSize = 100;
        p.advanced.verify = true;
        QVERIFY(saveProfile(p, profilePath));

        CliRun run;
        QVERIFY(run.start(profilePath, state));
        QProcess &process = run.process();
        QVERIFY2(proxy.waitTripped(120000), qPrintable(run.readOutput()));
        auto unitReads = [&source](qsizetype from) {
            QStringList reads;
            for (const QString &statement : source.statements().mid(from))
                if (statement.contains(u", TBNAME FROM"_s))
                    reads.append(statement);
            return reads;
        };
        QCOMPARE(unitReads(0).size(), 6);
        CheckpointStore watcher;
        QVERIFY2(waitForUnitsDone(process, watcher, state, p.name, 6),
                 qPrintable(run.readOutput()));
        const auto task = watcher.task(p.name);
        QVERIFY(task);
        const UnitTotals before = watcher.unitTotals(task->id);
        QCOMPARE(before.total, 16);
        QCOMPARE(before.done, 6);
        QList<UnitRecord> doneBefore;
        for (const UnitRecord &unit : watcher.units(task->id))
            if (unit.status == UnitStatus::Done)
                doneBefore.append(unit);
        // The file holds the rows of the done units, each once, and nothing else.
        QString diff = firstDifference(linesOf(expected, doneBefore), sortedLines(p.target.path));
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
        ::kill(pid_t(process.processId()), SIGKILL);
        QVERIFY(process.waitForFinished());
        QCOMPARE(process.exitStatus(), QProcess::CrashExit);
        // The held read goes on to the source, for a run that is gone: counted before the mark.
        const qsizetype held = source.statements().size();
        proxy.up();
        QTRY_COMPARE_WITH_TIMEOUT(source.statements().size(), held + 1, 30000);
        QVERIFY(source.statements().constLast().contains(u", TBNAME FROM"_s));

        const qsizetype mark = source.statements().size();
        const CliResult second = runTask(dir);
        QVERIFY2(second.exitCode == 0, qPrintable(second.output));
        QVERIFY2(second.output.contains(u"windows agree"_s), qPrintable(second.output));

        // Every row once: nothing lost, nothing read twice.
        diff = firstDifference(expected, sortedLines(p.target.path));
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
        // The units done before the kill were not read again, the others at most once more.
        const UnitTotals after = watcher.unitTotals(task->id);
        QCOMPARE(after.total, before.total);
        QCOMPARE(after.done, after.total);
        QCOMPARE(after.pointsWritten, qint64(expected.size()));
        QHash<qint64, UnitRecord> done;
        for (const UnitRecord &unit : doneBefore)
            done.insert(unit.id, unit);
        for (const UnitRecord &unit : watcher.units(task->id)) {
            if (done.contains(unit.id)) {
                QCOMPARE(unit.attempts, done[unit.id].attempts);
                QCOMPARE(unit.updatedMs, done[unit.id].updatedMs);
                QCOMPARE(unit.pointsWritten, done[unit.id].pointsWritten);
            }
            QVERIFY2(unit.attempts <= 2,
                     qPrintable(u"unit %1 read %2 times"_s.arg(unit.id).arg(unit.attempts)));
        }
        const QStringList secondReads = unitReads(mark);
        QCOMPARE(secondReads.size(), 16 - 6);
        for (const UnitRecord &unit : doneBefore) {
            const QString window =
                u"FROM power.%1 WHERE ts >= %2 AND ts < %3"_s.arg(unit.measurement)
                    .arg(unit.rangeStart / 1000000)
                    .arg(unit.rangeEnd / 1000000);
            for (const QString &statement : secondReads)
                QVERIFY2(!statement.contains(window), qPrintable(statement));
        }
    }

    void schemaCommandListsSuperTables()
    {
        TDengine2Emulator source;
        fill(source);
        QTemporaryDir dir;
        const QString profilePath = dir.filePath(u"p.json"_s);
        TaskProfile p = profile(u"schema"_s, source.url(), u"lpfile"_s, QString());
        p.target.path = dir.filePath(u"out.lp"_s);
        QVERIFY(saveProfile(p, profilePath));
        const CliResult schema = runCli({u"schema"_s, profilePath});
        QVERIFY2(schema.exitCode == 0, qPrintable(schema.output));
        QVERIFY2(schema.output.contains(u"meters"_s) && schema.output.contains(u"bulk"_s) &&
                     schema.output.contains(u"location"_s),
                 qPrintable(schema.output));
        const CliResult check = runCli({u"check"_s, profilePath});
        QVERIFY2(check.output.contains(u"TDengine 2.4.0.16"_s), qPrintable(check.output));
    }
};

QTEST_GUILESS_MAIN(TestTDengine2Source)
#include "test_tdengine2source.moc"
