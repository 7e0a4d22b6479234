#include "core/Error.h"
#include "lp/LineParser.h"
#include "sinks/LpFileSink.h"
#include "sources/LpFileSource.h"
#include "support/CollectingOutput.h"
#include "support/TestBatches.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>
#include <memory>
#include <zlib.h>

using namespace Qt::StringLiterals;
using namespace tsm;

namespace {

/** Collects what a source reads, split into lines the way sinks split batches. */
class CollectingOutput : public test::CollectingOutput
{
public:
    QList<QByteArray> lines() const
    {
        QList<QByteArray> result;
        const size_t size = size_t(text.size());
        size_t from = 0;
        while (from < size) {
            const size_t end = lp::lineEnd(text.constData(), size, from);
            result.append(text.mid(qsizetype(from), qsizetype(end - from)));
            from = end + 1;
        }
        return result;
    }
};

void writeFile(const QString &path, const QByteArray &data)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(data), data.size());
}

/// Gzip with one member per part (concatenated members are valid gzip).
void writeGzip(const QString &path, const QList<QByteArray> &parts)
{
    QFile::remove(path);
    for (const QByteArray &part : parts) {
        gzFile gz = gzopen(QFile::encodeName(path).constData(), "ab");
        QVERIFY(gz);
        QCOMPARE(gzwrite(gz, part.constData(), unsigned(part.size())), int(part.size()));
        QCOMPARE(gzclose(gz), Z_OK);
    }
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QByteArray();
    return file.readAll();
}

QByteArray gunzip(const QString &path)
{
    QByteArray result;
    gzFile gz = gzopen(QFile::encodeName(path).constData(), "rb");
    if (!gz)
        return result;
    char buf[65536];
    int n = 0;
    while ((n = gzread(gz, buf, sizeof(buf))) > 0)
        result.append(buf, n);
    gzclose(gz);
    return result;
}

/// Plans with `request` and reads every unit in order.
CollectingOutput readAll(LpFileSource &source, const PlanRequest &request,
                         LpDialect dialect = LpDialect{true}, QList<PlannedUnit> *planned = nullptr)
{
    CancelToken cancel;
    const QList<PlannedUnit> units = source.plan(request, cancel);
    if (planned)
        *planned = units;
    CollectingOutput out;
    qint64 id = 1;
    for (const PlannedUnit &p : units) {
        ReadUnit unit;
        static_cast<PlannedUnit &>(unit) = p;
        unit.id = id++;
        source.read(unit, request, dialect, out, cancel);
    }
    return out;
}

/// An `influx_inspect export` file with two databases and a DDL section.
QByteArray exportFile()
{
    return "# INFLUXDB EXPORT: 1677-09-21T00:12:43Z - 2262-04-11T23:47:16Z\n"
           "# DDL\n"
           "CREATE DATABASE db1 WITH NAME autogen\n"
           "CREATE DATABASE db2 WITH NAME autogen\n"
           "# DML\n"
           "# CONTEXT-DATABASE:db1\n"
           "# CONTEXT-RETENTION-POLICY:autogen\n"
           "# writing tsm data\n"
           "cpu,host=a usage=1.5 1000\n"
           "cpu,host=b usage=2.5,count=3i 2000\n"
           "mem,host=a free=10i 1500\n"
           "# CONTEXT-DATABASE: db2\n"
           "# CONTEXT-RETENTION-POLICY: autogen\n"
           "cpu,host=c,zone=z1 usage=9 3000\n"
           "disk,path=/ used=5u,ok=true,label=\"x\" 4000\n";
}

/// Many lines, some with quoted newlines and odd names, to cut into small units.
QByteArray varietyFile(int count)
{
    QByteArray data;
    for (int i = 0; i < count; ++i) {
        switch (i % 5) {
        case 0:
            data += "cpu,host=h" + QByteArray::number(i % 7) + " v=" + QByteArray::number(i) + " " +
                    QByteArray::number(1000 + i) + "\n";
            break;
        case 1:
            data += "log msg=\"line one\nline two " + QByteArray::number(i) + "\" " +
                    QByteArray::number(1000 + i) + "\n";
            break;
        case 2:
            data += "# comment " + QByteArray::number(i) + "\n\n";
            break;
        case 3:
            data += "we\\ ird\\,name,t\\=k=v\\ 1 s=\"q\\\"uote\\\\\",n=" + QByteArray::number(i) +
                    "i " + QByteArray::number(1000 + i) + "\r\n";
            break;
        default:
            data += "cpu,host=h1 v=" + QByteArray::number(i) + ".5\n";
            break;
        }
    }
    return data;
}

/// The data lines of `data`, as the source must pass them on (no comments, no CR).
QList<QByteArray> dataLines(const QByteArray &data)
{
    QList<QByteArray> result;
    const size_t size = size_t(data.size());
    size_t from = 0;
    while (from < size) {
        const size_t end = lp::lineEnd(data.constData(), size, from);
        QByteArray line = data.mid(qsizetype(from), qsizetype(end - from));
        from = end + 1;
        if (line.endsWith('\r'))
            line.chop(1);
        const std::string_view v(line.constData(), size_t(line.size()));
        if (lp::isBlankLine(v) || lp::isCommentLine(v) || line.startsWith("CREATE "))
            continue;
        result.append(line);
    }
    return result;
}

} // namespace

/** Line-protocol files as a source and as a sink. */
class TestLpFile : public QObject
{
    Q_OBJECT

private slots:
    void readsPlainAndGzip_data();
    void readsPlainAndGzip();
    void inspectExportContexts();
    void smallUnitsCoverEveryLineOnce_data();
    void smallUnitsCoverEveryLineOnce();
    void filtersByMeasurementAndTime();
    void pointsByMeasurementAreWhatIsRead();
    void rejectsMalformedLines();
    void reencodesUnsignedForTargetsWithout();
    void rejectsTimeAsTagOrFieldKey();
    void unbalancedQuoteIsContained();
    void checkConnection();
    void sinkSourceRoundTrip_data();
    void sinkSourceRoundTrip();
    void sinkAppendsOnSecondRun_data();
    void sinkAppendsOnSecondRun();
    void flushIsDurable_data();
    void flushIsDurable();
    void gzipResumeAfterKill();
    void readsTheFileOnce_data() { readsPlainAndGzip_data(); }
    void readsTheFileOnce();
    void truncatedGzipIsAnError();
    void tornLastLineOfPlainFile();
    void sampleFileIsClean();
};

// moc's preprocessor trips over raw string literals; it only needs the class above.
#ifndef Q_MOC_RUN

void TestLpFile::readsPlainAndGzip_data()
{
    QTest::addColumn<bool>("gzip");
    QTest::newRow("plain") << false;
    QTest::newRow("gzip") << true;
}

void TestLpFile::readsPlainAndGzip()
{
    QFETCH(bool, gzip);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QByteArray data = varietyFile(60);
    // A gzip file named .lp: detection goes by the magic bytes, not the suffix.
    const QString path = dir.filePath(u"data.lp"_s);
    if (gzip)
        writeGzip(path, {data.left(777), data.mid(777)});
    else
        writeFile(path, data);

    LpFileSource source(path);
    const ConnectionInfo info = source.checkConnection(CancelToken());
    QCOMPARE(info.product, u"line-protocol file"_s);
    QVERIFY2(info.detail.contains(gzip ? u"gzip"_s : u"plain"_s), qPrintable(info.detail));

    CollectingOutput out = readAll(source, PlanRequest());
    QVERIFY(out.rejects.isEmpty());
    QCOMPARE(out.lines(), dataLines(data));
    QCOMPARE(out.appended, qint64(dataLines(data).size()));
    QCOMPARE(out.appended, qint64(48)); // 60 lines, 12 of them comments
}

void TestLpFile::inspectExportContexts()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"export.lp"_s);
    writeFile(path, exportFile());
    LpFileSource source(path);
    CancelToken cancel;

    QCOMPARE(source.listDatabases(cancel), (QStringList{u"db1"_s, u"db2"_s}));
    QCOMPARE(source.listMeasurements(u"db1"_s, cancel), (QStringList{u"cpu"_s, u"mem"_s}));
    QCOMPARE(source.listMeasurements(u"db2"_s, cancel), (QStringList{u"cpu"_s, u"disk"_s}));
    QCOMPARE(source.listMeasurements(QString(), cancel),
             (QStringList{u"cpu"_s, u"disk"_s, u"mem"_s}));

    const MeasurementSchema cpu1 = source.schema(u"db1"_s, u"cpu"_s, cancel);
    QCOMPARE(cpu1.tagKeys, QStringList{u"host"_s});
    QCOMPARE(cpu1.fields.size(), 2);
    QCOMPARE(cpu1.fields[0].name, u"count"_s);
    QCOMPARE(cpu1.fields[0].types, QList<FieldType>{FieldType::Integer});
    QCOMPARE(cpu1.fields[1].name, u"usage"_s);
    QCOMPARE(cpu1.fields[1].types, QList<FieldType>{FieldType::Float});
    const MeasurementSchema cpu2 = source.schema(u"db2"_s, u"cpu"_s, cancel);
    QCOMPARE(cpu2.tagKeys, (QStringList{u"host"_s, u"zone"_s}));
    const MeasurementSchema disk = source.schema(u"db2"_s, u"disk"_s, cancel);
    QCOMPARE(disk.fields.size(), 3);
    QCOMPARE(disk.fields[0].name, u"label"_s);
    QCOMPARE(disk.fields[0].types, QList<FieldType>{FieldType::String});
    QCOMPARE(disk.fields[1].types, QList<FieldType>{FieldType::Boolean});
    QCOMPARE(disk.fields[2].types, QList<FieldType>{FieldType::Unsigned});

    QCOMPARE(source.timeBounds(u"db1"_s, u"cpu"_s, cancel)->start, qint64(1000));
    QCOMPARE(source.timeBounds(u"db1"_s, u"cpu"_s, cancel)->end, qint64(2001));
    QCOMPARE(source.timeBounds(u"db1"_s, QString(), cancel)->end, qint64(2001));
    QCOMPARE(source.timeBounds(QString(), QString(), cancel)->end, qint64(4001));
    QVERIFY(!source.timeBounds(u"db1"_s, u"disk"_s, cancel).has_value());

    PlanRequest request;
    request.database = u"db2"_s;
    CollectingOutput out = readAll(source, request);
    QCOMPARE(out.lines(), (QList<QByteArray>{"cpu,host=c,zone=z1 usage=9 3000",
                                             "disk,path=/ used=5u,ok=true,label=\"x\" 4000"}));
    request.database = u"db1"_s;
    out = readAll(source, request);
    QCOMPARE(out.lines().size(), 3);
    QCOMPARE(out.lines().first(), QByteArray("cpu,host=a usage=1.5 1000"));
    request.retentionPolicy = u"other"_s;
    out = readAll(source, request);
    QVERIFY(out.lines().isEmpty());
    QVERIFY(out.rejects.isEmpty());
}

void TestLpFile::smallUnitsCoverEveryLineOnce_data()
{
    QTest::addColumn<bool>("gzip");
    QTest::addColumn<bool>("reverse");
    QTest::newRow("plain") << false << false;
    QTest::newRow("plain, units read backwards") << false << true;
    QTest::newRow("gzip") << true << false;
    QTest::newRow("gzip, units read backwards") << true << true;
}

void TestLpFile::smallUnitsCoverEveryLineOnce()
{
    QFETCH(bool, gzip);
    QFETCH(bool, reverse);
    QTemporaryDir dir;
    const QString path = dir.filePath(gzip ? u"v.lp.gz"_s : u"v.lp"_s);
    QByteArray data = exportFile() + varietyFile(400);
    if (gzip)
        writeGzip(path, {data});
    else
        writeFile(path, data);

    LpFileSource source(path, 97);
    CancelToken cancel;
    PlanRequest request;
    QList<PlannedUnit> units = source.plan(request, cancel);
    QVERIFY2(units.size() > 50, qPrintable(QString::number(units.size())));
    for (int i = 1; i < units.size(); ++i) {
        QVERIFY(units[i].start > units[i - 1].start);
        QVERIFY(units[i].start >= units[i - 1].end);
        QVERIFY(units[i].end > units[i].start);
    }
    // The plan reads nothing but the size: the first unit starts at the first line, the others
    // at byte offsets; a reader finds their first lines, and the context (the db2 marker) in
    // force there, whatever order the units are read in.
    QCOMPARE(units.first().context, u"\n\n1"_s);
    for (int i = 1; i < units.size(); ++i)
        QVERIFY(units[i].context.isEmpty());

    QList<QList<QByteArray>> perUnit(units.size());
    for (int k = 0; k < units.size(); ++k) {
        const int i = reverse ? int(units.size()) - 1 - k : k;
        ReadUnit unit;
        static_cast<PlannedUnit &>(unit) = units[i];
        unit.id = i + 1;
        CollectingOutput out;
        source.read(unit, request, LpDialect{true}, out, cancel);
        QVERIFY(out.rejects.isEmpty());
        perUnit[i] = out.lines();
    }
    QList<QByteArray> all;
    for (const QList<QByteArray> &lines : perUnit)
        all += lines;
    QCOMPARE(all, dataLines(data));

    // Filtering by database uses the context recorded at each unit's start.
    request.database = u"db1"_s;
    const CollectingOutput db1 = readAll(source, request);
    const QList<QByteArray> db1Lines = db1.lines();
    QCOMPARE(db1Lines.size(), 3);
}

void TestLpFile::filtersByMeasurementAndTime()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"f.lp"_s);
    writeFile(path, "cpu v=1 100\n"
                    "mem v=2 150\n"
                    "cpu v=3 200\n"
                    "cpu v=4\n"
                    "cpu\\ load v=5 250\n"
                    "cpu v=6 300\n");
    LpFileSource source(path, 8);

    PlanRequest request;
    request.measurements = {u"cpu"_s};
    request.range = TimeRange{150, 300};
    CollectingOutput out = readAll(source, request);
    // A line without a timestamp is kept: the target stamps it at write time.
    QCOMPARE(out.lines(), (QList<QByteArray>{"cpu v=3 200", "cpu v=4"}));

    request.measurements = {u"cpu load"_s, u"mem"_s};
    request.range = TimeRange{};
    QList<PlannedUnit> planned;
    out = readAll(source, request, LpDialect{true}, &planned);
    QCOMPARE(out.lines(), (QList<QByteArray>{"mem v=2 150", "cpu\\ load v=5 250"}));
    // The plan does not read the file: every unit is planned, and reading keeps what is asked.
    QCOMPARE(planned.size(), 10); // 74 bytes in units of 8

    request.measurements.clear();
    request.range = TimeRange{1000, 2000};
    out = readAll(source, request, LpDialect{true}, &planned);
    QCOMPARE(out.lines(), QList<QByteArray>{"cpu v=4"});
}

/// The points of each measurement a task of the file reads, as the monitor shows them: from the
/// catalog when the range holds the whole file, counted again when it cuts into it.
void TestLpFile::pointsByMeasurementAreWhatIsRead()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"f.lp"_s);
    writeFile(path, "cpu v=1 100\n"
                    "mem v=2 150\n"
                    "cpu v=3 200\n"
                    "cpu v=4\n"
                    "cpu\\ load v=5 250\n"
                    "cpu v=6 300\n"
                    "not a line\n");
    LpFileSource source(path, 8);
    CancelToken cancel;
    auto readPerMeasurement = [&](const PlanRequest &request) {
        QHash<QString, qint64> points;
        for (const QByteArray &line : readAll(source, request).lines())
            ++points[line.startsWith("cpu\\ load") ? u"cpu load"_s
                                                   : QString::fromLatin1(line.split(' ').first())];
        return points;
    };
    PlanRequest request;
    const QHash<QString, qint64> all{{u"cpu"_s, 4}, {u"mem"_s, 1}, {u"cpu load"_s, 1}};
    QCOMPARE(*source.pointsByMeasurement(request, cancel), all);
    QCOMPARE(readPerMeasurement(request), all);
    // Every timed line in range, but a line without a time: read, and counted.
    request.range = TimeRange{100, 301};
    QCOMPARE(*source.pointsByMeasurement(request, cancel), all);
    QCOMPARE(readPerMeasurement(request), all);
    request.measurements = {u"cpu"_s};
    request.range = TimeRange{150, 300};
    const QHash<QString, qint64> cut{{u"cpu"_s, 2}};
    QCOMPARE(*source.pointsByMeasurement(request, cancel), cut);
    QCOMPARE(readPerMeasurement(request), cut);
}

void TestLpFile::rejectsMalformedLines()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"bad.lp"_s);
    writeFile(path, "# header\n"
                    "cpu v=1 100\n"
                    "cpu,host v=2 200\n"
                    "cpu v=abc 300\n"
                    "mem free=1.1.1 400\n"
                    "cpu v=4 400\n");
    LpFileSource source(path);
    CollectingOutput out = readAll(source, PlanRequest());
    QCOMPARE(out.lines(), (QList<QByteArray>{"cpu v=1 100", "cpu v=4 400"}));
    QCOMPARE(out.rejects.size(), 3);
    QCOMPARE(out.rejects[0].first, QByteArray("cpu,host v=2 200"));
    QCOMPARE(out.rejects[0].second, u"line 3: missing tag value"_s);
    QCOMPARE(out.rejects[1].second, u"line 4: invalid boolean"_s);
    QCOMPARE(out.rejects[2].second, u"line 5: invalid number"_s);

    // With a measurement filter only the malformed lines of those measurements are reported.
    PlanRequest request;
    request.measurements = {u"mem"_s};
    out = readAll(source, request);
    QVERIFY(out.lines().isEmpty());
    QCOMPARE(out.rejects.size(), 1);
    QCOMPARE(out.rejects[0].second, u"line 5: invalid number"_s);
}

void TestLpFile::reencodesUnsignedForTargetsWithout()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"u.lp"_s);
    writeFile(path, "m,t=a small=5u,big=18446744073709551615u,s=\"x y\" 10\n"
                    "m,t=a plain=1i 20\n"
                    "m\\=x,t=a\\\\,b u=7u,\\\"k=0u\n");
    LpFileSource source(path);
    CollectingOutput out = readAll(source, PlanRequest(), LpDialect{false});
    QCOMPARE(out.lines(), (QList<QByteArray>{"m,t=a small=5i,big=18446744073709551616,s=\"x y\" 10",
                                             "m,t=a plain=1i 20",
                                             // names the encoder would refuse keep their bytes
                                             "m\\=x,t=a\\\\,b u=7i,\\\"k=0i"}));
    out = readAll(source, PlanRequest(), LpDialect{true});
    QCOMPARE(out.lines().first(),
             QByteArray("m,t=a small=5u,big=18446744073709551615u,s=\"x y\" 10"));
}

void TestLpFile::rejectsTimeAsTagOrFieldKey()
{
    // InfluxDB drops a field named time (the point when it is the only field) and refuses a tag
    // named time: such lines are rejected with a reason instead of vanishing on the target.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"time.lp"_s);
    writeFile(path, "cpu,host=a v=1 100\n"
                    "cpu,time=x v=2 200\n"
                    "cpu v=3,time=4i 300\n"
                    "cpu time=5 400\n"
                    "cpu,host=a uptime=6,response_time=7,time_zone=\"utc\",timex=1 500\n"
                    "time,host=time v=8,s=\"x,time=y time=z\" 600\n"
                    "cpu,ti\\me=a,time\\ x=b t\\ime=9 700\n"
                    "cpu,a=b \ttime=1i,v=10 800\n"
                    "mem,time=x v=11 900\n"
                    "cpu,host=b v=12 1000\n");
    LpFileSource source(path);
    PlanRequest request;
    request.measurements = {u"cpu"_s, u"time"_s};
    const CollectingOutput out = readAll(source, request);
    QCOMPARE(out.lines(), (QList<QByteArray>{
                              "cpu,host=a v=1 100",
                              "cpu,host=a uptime=6,response_time=7,time_zone=\"utc\",timex=1 500",
                              "time,host=time v=8,s=\"x,time=y time=z\" 600",
                              "cpu,ti\\me=a,time\\ x=b t\\ime=9 700",
                              "cpu,host=b v=12 1000",
                          }));
    QCOMPARE(out.appended, qint64(5));
    QCOMPARE(out.rejects.size(), 4); // mem is not asked for
    const QList<QByteArray> rejected = {"cpu,time=x v=2 200", "cpu v=3,time=4i 300",
                                        "cpu time=5 400", "cpu,a=b \ttime=1i,v=10 800"};
    const int lineNumbers[] = {2, 3, 4, 8};
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(out.rejects[i].first, rejected[i]);
        QCOMPARE(
            out.rejects[i].second,
            u"\"time\" cannot be a tag or field key in InfluxDB (line %1)"_s.arg(lineNumbers[i]));
    }
}

void TestLpFile::unbalancedQuoteIsContained()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"open.lp"_s);
    QByteArray data = "a v=1 1\nm s=\"never closed 2\n";
    for (int i = 0; i < 40; ++i)
        data += "n v=" + QByteArray::number(i) + " " + QByteArray::number(10 + i) + "\n";
    writeFile(path, data);

    // As InfluxDB would: the open quote swallows the rest of the file.
    LpFileSource whole(path, 64);
    CollectingOutput out = readAll(whole, PlanRequest());
    QCOMPARE(out.lines(), QList<QByteArray>{"a v=1 1"});
    QCOMPARE(out.rejects.size(), 1);
    QCOMPARE(out.rejects[0].second, u"line 2: unbalanced quotes"_s);

    // With a cap on the line length only the broken line is lost, whatever the unit size.
    for (qint64 unitBytes : {qint64(16), qint64(1000)}) {
        LpFileSource capped(path, unitBytes);
        capped.setMaxLineBytes(100);
        out = readAll(capped, PlanRequest());
        QCOMPARE(out.lines().size(), 41);
        QCOMPARE(out.lines()[1], QByteArray("n v=0 10"));
        QCOMPARE(out.rejects.size(), 1);
        QCOMPARE(out.rejects[0].first, QByteArray("m s=\"never closed 2"));
        QCOMPARE(out.rejects[0].second, u"line 2: unbalanced quotes"_s);
    }
}

void TestLpFile::checkConnection()
{
    QTemporaryDir dir;
    LpFileSource missing(dir.filePath(u"nope.lp"_s));
    try {
        missing.checkConnection(CancelToken());
        QFAIL("no error for a missing file");
    } catch (const Error &e) {
        QCOMPARE(e.kind(), ErrorKind::Config);
        QVERIFY(e.message().contains(u"nope.lp"_s));
    }
    LpFileSource folder(dir.path());
    QVERIFY_THROWS_EXCEPTION(Error, folder.checkConnection(CancelToken()));

    const QString broken = dir.filePath(u"broken.lp.gz"_s);
    writeFile(broken, QByteArray("\x1f\x8b\x08\x00garbage that is not deflate", 31));
    LpFileSource bad(broken);
    QVERIFY_THROWS_EXCEPTION(Error, bad.checkConnection(CancelToken()));

    LpFileSink sink(dir.filePath(u"sub/dir/out.lp"_s), false, QString());
    const ConnectionInfo info = sink.checkConnection(CancelToken());
    QCOMPARE(info.product, u"line-protocol file"_s);
    QCOMPARE(sink.dialect().unsignedSupported, true);
}

void TestLpFile::sinkSourceRoundTrip_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("compress");
    QTest::newRow("plain") << u"out/data.lp"_s << false;
    QTest::newRow("gzip by flag") << u"out/data.lp"_s << true;
    QTest::newRow("gzip by name") << u"out/data.lp.gz"_s << false;
}

void TestLpFile::sinkSourceRoundTrip()
{
    QFETCH(QString, name);
    QFETCH(bool, compress);
    QTemporaryDir dir;
    const QString path = dir.filePath(name);
    const QList<QByteArray> lines = dataLines(varietyFile(50));
    {
        LpFileSink sink(path, compress, u"demo"_s);
        CancelToken cancel;
        sink.checkConnection(cancel);
        sink.prepare(cancel);
        const Batch batch = test::makeBatch(lines, {});
        const WriteResult result = sink.write(batch, cancel);
        QCOMPARE(result.written, batch.points);
        QCOMPARE(result.rejected, qint64(0));
        sink.flush();
    }
    const QByteArray raw = readFile(path);
    const bool gzip = raw.startsWith("\x1f\x8b");
    QCOMPARE(gzip, compress || name.endsWith(u".gz"_s));
    const QByteArray text = gzip ? gunzip(path) : raw;
    QVERIFY(
        text.startsWith("# DML\n# CONTEXT-DATABASE: demo\n# CONTEXT-RETENTION-POLICY: autogen\n"));

    LpFileSource source(path, 200);
    QCOMPARE(source.listDatabases(CancelToken()), QStringList{u"demo"_s});
    PlanRequest request;
    request.database = u"demo"_s;
    const CollectingOutput out = readAll(source, request);
    QVERIFY(out.rejects.isEmpty());
    QCOMPARE(out.lines(), lines);
}

void TestLpFile::sinkAppendsOnSecondRun_data()
{
    QTest::addColumn<bool>("compress");
    QTest::newRow("plain") << false;
    QTest::newRow("gzip") << true;
}

void TestLpFile::sinkAppendsOnSecondRun()
{
    QFETCH(bool, compress);
    QTemporaryDir dir;
    const QString path = dir.filePath(compress ? u"a.lp.gz"_s : u"a.lp"_s);
    auto run = [&](const QByteArray &lines, qint64 points) {
        LpFileSink sink(path, compress, u"db"_s);
        sink.prepare(CancelToken());
        Batch batch;
        batch.lines = lines;
        batch.points = points;
        sink.write(batch, CancelToken());
        sink.flush();
    };
    run("a v=1 1\nb v=2 2\n", 2);
    run("c v=3 3\n", 1);
    const QByteArray text = compress ? gunzip(path) : readFile(path);
    QCOMPARE(text, QByteArray("# DML\n# CONTEXT-DATABASE: db\n# CONTEXT-RETENTION-POLICY: autogen\n"
                              "a v=1 1\nb v=2 2\nc v=3 3\n"));
    // A second run without the compress flag follows the existing gzip file.
    if (compress) {
        LpFileSink again(path, false, u"db"_s);
        again.prepare(CancelToken());
        QVERIFY(again.isCompressed());
    }
}

void TestLpFile::flushIsDurable_data()
{
    QTest::addColumn<bool>("compress");
    QTest::newRow("plain") << false;
    QTest::newRow("gzip") << true;
}

void TestLpFile::flushIsDurable()
{
    QFETCH(bool, compress);
    QTemporaryDir dir;
    const QString path = dir.filePath(u"live.lp"_s);
    auto sink = std::make_unique<LpFileSink>(path, compress, QString());
    sink->prepare(CancelToken());
    Batch batch;
    batch.lines = "m v=1 1\nm v=2 2\n";
    batch.points = 2;
    sink->write(batch, CancelToken());
    sink->flush();

    // The sink is still open; another reader sees everything flushed.
    const QByteArray text = compress ? gunzip(path) : readFile(path);
    QCOMPARE(text, batch.lines);
    if (compress) {
        // A gzip stream without its end is an unfinished file, not a short one: the source
        // says so rather than migrate part of it as if it were all.
        try {
            LpFileSource live(path);
            readAll(live, PlanRequest());
            QFAIL("a gzip file still being written was read as complete");
        } catch (const Error &e) {
            QCOMPARE(e.kind(), ErrorKind::Io);
            QVERIFY2(e.message().contains(path) && e.message().contains(u"cut short"_s),
                     qPrintable(e.message()));
        }
        sink.reset(); // closed: the stream ends
    }
    LpFileSource source(path);
    const CollectingOutput out = readAll(source, PlanRequest());
    QCOMPARE(out.lines(), (QList<QByteArray>{"m v=1 1", "m v=2 2"}));
}

void TestLpFile::gzipResumeAfterKill()
{
    // A gzip sink killed after flush() leaves a member without a trailer, maybe followed by
    // part of a later block; a resumed sink must keep what was flushed and stay readable.
    QTemporaryDir dir;
    const QString live = dir.filePath(u"live.lp.gz"_s);
    QByteArray afterFirstFlush;
    QByteArray afterSecondFlush;
    QByteArray first;
    QByteArray second;
    for (int i = 0; i < 200; ++i)
        first += "m,host=h" + QByteArray::number(i % 9) + " v=" + QByteArray::number(i) + " " +
                 QByteArray::number(i) + "\n";
    for (int i = 200; i < 400; ++i)
        second += "n,k=" + QByteArray::number(i * 7919 % 1000) + " s=\"" +
                  QByteArray::number(i * 104729) + "\" " + QByteArray::number(i) + "\n";
    {
        LpFileSink sink(live, true, QString());
        sink.prepare(CancelToken());
        Batch a;
        a.lines = first;
        a.points = 200;
        sink.write(a, CancelToken());
        sink.flush();
        afterFirstFlush = readFile(live);
        Batch b;
        b.lines = second;
        b.points = 200;
        sink.write(b, CancelToken());
        sink.flush();
        afterSecondFlush = readFile(live);
    }
    QVERIFY(afterSecondFlush.size() > afterFirstFlush.size() + 4);

    const QString killed = dir.filePath(u"killed.lp.gz"_s);
    const qsizetype torn =
        afterFirstFlush.size() + (afterSecondFlush.size() - afterFirstFlush.size()) / 2;
    writeFile(killed, afterSecondFlush.left(torn));
    {
        LpFileSink sink(killed, true, QString());
        sink.prepare(CancelToken());
        Batch c;
        c.lines = "z v=1 1\n";
        c.points = 1;
        sink.write(c, CancelToken());
    }
    // zlib reads it to the end without error, and the data is whole lines.
    const QByteArray text = gunzip(killed);
    QVERIFY(text.startsWith(first));
    QVERIFY(text.endsWith("\nz v=1 1\n"));
    LpFileSource source(killed);
    const CollectingOutput out = readAll(source, PlanRequest());
    QVERIFY(out.rejects.isEmpty());
    QCOMPARE(out.lines().last(), QByteArray("z v=1 1"));
    QVERIFY(out.lines().size() >= 201);
    QVERIFY(first.startsWith(out.lines().first()));
}

void TestLpFile::readsTheFileOnce()
{
    QFETCH(bool, gzip);
    QTemporaryDir dir;
    const QString path = dir.filePath(gzip ? u"once.lp.gz"_s : u"once.lp"_s);
    // Varied enough that gzip keeps it above a megabyte: more than the plan's sample.
    QByteArray data = exportFile();
    for (int i = 0; i < 120000; ++i)
        data += "m,host=h" + QByteArray::number(i % 97) + " v=" +
                QByteArray::number(double(i) * 1.000123457, 'g', 17) + ",n=" +
                QByteArray::number(i * 7919LL % 1000003) + "i " +
                QByteArray::number(1000000000LL * i + i % 1000) + "\n";
    data += varietyFile(50);
    if (gzip)
        writeGzip(path, {data});
    else
        writeFile(path, data);
    if (gzip)
        QVERIFY2(QFileInfo(path).size() > 1024 * 1024, "the file must be larger than the sample");

    constexpr qint64 kUnit = 256 * 1024;
    LpFileSource source(path, kUnit);
    QList<PlannedUnit> units;
    // The plan reads at most a sample (of a gzip file, to check its recorded size)...
    CancelToken cancel;
    units = source.plan(PlanRequest(), cancel);
    const qint64 planned = source.readBytes();
    QVERIFY2(planned < data.size() / 2, qPrintable(QString::number(planned)));
    QCOMPARE(units.size(), (data.size() + kUnit - 1) / kUnit);
    // ...and reading the units in order reads every byte once.
    CollectingOutput out;
    qint64 id = 1;
    for (const PlannedUnit &p : units) {
        ReadUnit unit;
        static_cast<PlannedUnit &>(unit) = p;
        unit.id = id++;
        source.read(unit, PlanRequest(), LpDialect{true}, out, cancel);
    }
    QCOMPARE(out.lines(), dataLines(data));
    QCOMPARE(source.readBytes() - planned, qint64(data.size()));
}

void TestLpFile::truncatedGzipIsAnError()
{
    QTemporaryDir dir;
    QByteArray text;
    for (int i = 0; i < 20000; ++i)
        text += "m,host=h" + QByteArray::number(i % 7) + " v=" + QByteArray::number(i * 1.25) +
                ",n=" + QByteArray::number(i) + "i " + QByteArray::number(1000000000LL * i) + '\n';
    const QString whole = dir.filePath(u"whole.lp.gz"_s);
    writeGzip(whole, {text});
    const QByteArray compressed = readFile(whole);
    const QString cut = dir.filePath(u"cut.lp.gz"_s);
    writeFile(cut, compressed.left(compressed.size() * 6 / 10));

    // Planning reads the whole file: it stops at the cut, names the file and where it ends.
    LpFileSource source(cut);
    try {
        readAll(source, PlanRequest());
        QFAIL("a gzip file cut at 60% was read as complete");
    } catch (const Error &e) {
        QCOMPARE(e.kind(), ErrorKind::Io);
        QVERIFY2(e.message().contains(cut) && e.message().contains(u"cut short"_s) &&
                     e.message().contains(u"in line "_s) && e.message().contains(u"byte "_s),
                 qPrintable(e.message()));
    }

    // A unit planned on the whole file and read from a cut one fails the same way, and the
    // torn line never reaches the output.
    LpFileSource planned(whole, 64 * 1024);
    CancelToken cancel;
    const QList<PlannedUnit> units = planned.plan(PlanRequest(), cancel);
    QVERIFY(units.size() > 2);
    QVERIFY(QFile::remove(whole));
    QVERIFY(QFile::copy(cut, whole));
    CollectingOutput out;
    bool failed = false;
    qint64 id = 1;
    for (const PlannedUnit &p : units) {
        ReadUnit unit;
        static_cast<PlannedUnit &>(unit) = p;
        unit.id = id++;
        try {
            planned.read(unit, PlanRequest(), LpDialect{true}, out, cancel);
        } catch (const Error &e) {
            QCOMPARE(e.kind(), ErrorKind::Io);
            failed = true;
            break;
        }
    }
    QVERIFY(failed);
    QVERIFY(out.rejects.isEmpty());
    const QList<QByteArray> lines = out.lines();
    QVERIFY(!lines.isEmpty());
    for (const QByteArray &line : lines)
        QVERIFY2(text.contains(line + '\n'), line.constData()); // whole lines of the file only
}

void TestLpFile::tornLastLineOfPlainFile()
{
    QTemporaryDir dir;
    // A last line without its newline is normal when it reads as a point...
    const QString complete = dir.filePath(u"complete.lp"_s);
    writeFile(complete, "m v=1 1\nm v=2 2");
    LpFileSource fine(complete);
    QCOMPARE(readAll(fine, PlanRequest()).lines(), (QList<QByteArray>{"m v=1 1", "m v=2 2"}));

    // ...but one that cannot be read is a file cut in the middle of a line: an error, not a
    // rejected point.
    const QString torn = dir.filePath(u"torn.lp"_s);
    writeFile(torn, "m v=1 1\nm,host=a s=\"unfini");
    LpFileSource cut(torn);
    try {
        readAll(cut, PlanRequest());
        QFAIL("a torn last line was taken for a point or a reject");
    } catch (const Error &e) {
        QCOMPARE(e.kind(), ErrorKind::Io);
        QVERIFY2(e.message().contains(torn) && e.message().contains(u"line 2"_s),
                 qPrintable(e.message()));
    }
}

void TestLpFile::sampleFileIsClean()
{
    QString root = qEnvironmentVariable("TSM_SOURCE_DIR");
    if (root.isEmpty())
        root = QFileInfo(QStringLiteral(__FILE__)).absolutePath() + u"/.."_s;
    const QString path = QDir(root).filePath(u"resources/sample.lp"_s);
    QVERIFY2(QFile::exists(path), qPrintable(path));
    LpFileSource source(path, 64 * 1024);
    CancelToken cancel;
    QCOMPARE(source.listDatabases(cancel), QStringList{u"demo"_s});
    const QStringList measurements = source.listMeasurements(u"demo"_s, cancel);
    QVERIFY2(measurements.size() >= 4, qPrintable(measurements.join(u", "_s)));
    QVERIFY(measurements.contains(u"cpu"_s));
    QVERIFY(measurements.contains(u"weather"_s));
    const auto bounds = source.timeBounds(u"demo"_s, QString(), cancel);
    QVERIFY(bounds.has_value());
    QVERIFY(bounds->start >= 1704067200000000000LL); // 2024-01-01
    QVERIFY(bounds->end <= 1704326400000000000LL);   // 2024-01-04
    PlanRequest request;
    request.database = u"demo"_s;
    const CollectingOutput out = readAll(source, request);
    QVERIFY(out.rejects.isEmpty());
    QVERIFY(out.appended >= 2000);
    QVERIFY(out.appended <= 5000);
}

#endif // Q_MOC_RUN

QTEST_GUILESS_MAIN(TestLpFile)
#include "test_lpfile.moc"
