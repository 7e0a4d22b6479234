// What verification compares: counts per field and per point with the target's rejects allowed
// for, and the line-protocol file's own windows (its units are byte ranges), counted line by line
// as the file source reads them, on the source side and the target side.
#include "core/Count.h"
#include "sinks/LpFileSink.h"
#include "sources/LpFileSource.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tsm;

namespace {

constexpr qint64 kHour = 3600LL * 1000000000LL;

PointCount counted(qint64 points, QMap<QString, qint64> fields)
{
    PointCount c;
    c.points = points;
    c.fields = std::move(fields);
    return c;
}

} // namespace

class TestCounts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void perFieldAndPerPoint()
    {
        const PointCount source = counted(-1, {{u"a"_s, 10}, {u"b"_s, 4}});
        QVERIFY(!compareCounts(source, counted(-1, {{u"a"_s, 10}, {u"b"_s, 4}}), 0).differs);
        // A lost field shows although the fullest field is complete.
        const CountComparison lost = compareCounts(source, counted(-1, {{u"a"_s, 10}}), 0);
        QVERIFY(lost.differs);
        QCOMPARE(lost.differences, QStringList{u"b 4/0"_s});
        // A field only the target has, and extra values.
        QCOMPARE(compareCounts(source, counted(10, {{u"a"_s, 11}, {u"b"_s, 4}, {u"c"_s, 1}}), 0)
                     .differences,
                 (QStringList{u"a 10/11"_s, u"c 0/1"_s}));
        // Points compare where both sides count them.
        QCOMPARE(compareCounts(counted(10, {{u"a"_s, 10}}), counted(9, {{u"a"_s, 10}}), 0)
                     .differences,
                 QStringList{u"points 10/9"_s});
        // Points the target refused (in the rejects file) are no difference; more missing are.
        QVERIFY(!compareCounts(counted(10, {{u"a"_s, 10}}), counted(8, {{u"a"_s, 8}}), 2).differs);
        QVERIFY(compareCounts(counted(10, {{u"a"_s, 10}}), counted(7, {{u"a"_s, 7}}), 2).differs);
        QVERIFY(compareCounts(counted(10, {{u"a"_s, 10}}), counted(11, {{u"a"_s, 11}}), 2).differs);
        // What is shown: the points, else the fullest field.
        QCOMPARE(source.shown(), 10);
        QCOMPARE(counted(3, {{u"a"_s, 10}}).shown(), 3);
        PointCount sum = counted(0, {});
        sum += counted(2, {{u"a"_s, 2}});
        sum += counted(3, {{u"a"_s, 1}, {u"b"_s, 3}});
        QCOMPARE(sum.points, 5);
        QCOMPARE(sum.fields.value(u"a"_s), 3);
    }

    /// A file source's windows: per measurement and window length from the range's start,
    /// counted line by line, naming the byte-range units whose lines they hold; lines of units
    /// not done, rejected lines and other databases are left out.
    void fileSourceWindows()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"in.lp"_s);
        QByteArray text = "# DML\n# CONTEXT-DATABASE: db\n";
        for (int i = 0; i < 30; ++i)
            text += "cpu,host=a usage=" + QByteArray::number(i) + (i % 3 == 0 ? ",n=1i" : "") +
                    " " + QByteArray::number(i * kHour / 10) + "\n";
        text += "mem free=1i " + QByteArray::number(kHour / 2) + "\n";
        text += "cpu,host=a time=1 " + QByteArray::number(kHour / 2) + "\n"; // rejected by read
        text += "# CONTEXT-DATABASE: other\ncpu,host=z usage=1 5\n";
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(text);
        file.close();

        LpFileSource source(path, 200);
        PlanRequest request;
        request.database = u"db"_s;
        request.range = TimeRange{0, 3 * kHour};
        request.windowNs = kHour;
        CancelToken cancel;
        const QList<PlannedUnit> planned = source.plan(request, cancel);
        QVERIFY(planned.size() > 2);
        QList<ReadUnit> done;
        for (qsizetype i = 0; i < planned.size(); ++i) {
            ReadUnit unit;
            static_cast<PlannedUnit &>(unit) = planned.at(i);
            unit.id = i + 1;
            done.append(unit);
        }
        const QList<CountWindow> windows = source.countWindows(request, done, cancel);
        QCOMPARE(windows.size(), 4); // cpu in three hours, mem in one
        qint64 lines = 0;
        for (const CountWindow &w : windows) {
            QCOMPARE(w.end - w.start, kHour);
            QVERIFY(!w.unitIds.isEmpty());
            const PointCount c = source.count(request, w, cancel);
            lines += c.points;
            if (w.measurement == u"cpu"_s) {
                QCOMPARE(c.points, 10);
                QCOMPARE(c.fields.value(u"usage"_s), 10);
                QVERIFY(c.fields.value(u"n"_s) >= 3);
            }
        }
        QCOMPARE(lines, 31);
        // Counted again by a pass of its own, as a file target is.
        const QList<PointCount> again = source.countLines(request, windows, cancel);
        for (qsizetype i = 0; i < windows.size(); ++i)
            QCOMPARE(again.at(i).points, source.count(request, windows.at(i), cancel).points);

        // Only done units count: without the first unit its lines are not in any window.
        const QList<CountWindow> partial = source.countWindows(request, done.mid(1), cancel);
        qint64 partialLines = 0;
        for (const CountWindow &w : partial) {
            QVERIFY(!w.unitIds.contains(1));
            partialLines += source.count(request, w, cancel).points;
        }
        QVERIFY(partialLines < lines);
    }

    /// A file target counts its own lines (gzip too, closed first), a subtable as tag tbname.
    void fileTargetCountsItsLines()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"out.lp.gz"_s);
        LpFileSink sink(path, true, u"copy"_s);
        CancelToken cancel;
        sink.prepare(cancel);
        Batch batch;
        for (int i = 0; i < 20; ++i) {
            batch.lines += "meters,tbname=d" + QByteArray::number(i % 2) +
                           " v=1i " + QByteArray::number(i * kHour / 10) + "\n";
            batch.countLine(1);
        }
        QCOMPARE(sink.write(batch, cancel).written, 20);
        sink.flush();
        CountWindow d0;
        d0.measurement = u"meters"_s;
        d0.subtable = u"d0"_s;
        d0.start = 0;
        d0.end = kHour;
        CountWindow d1 = d0;
        d1.subtable = u"d1"_s;
        CountWindow all = d0;
        all.subtable.clear();
        all.end = 2 * kHour;
        sink.prepareCount({d0, d1, all}, cancel);
        QCOMPARE(sink.count(d0, cancel).points, 5);
        QCOMPARE(sink.count(d1, cancel).points, 5);
        QCOMPARE(sink.count(all, cancel).points, 20);
        QCOMPARE(sink.count(all, cancel).fields.value(u"v"_s), 20);
    }
};

QTEST_GUILESS_MAIN(TestCounts)
#include "test_counts.moc"
