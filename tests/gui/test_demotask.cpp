// A new user's first minute: the demo task is in the list of a new store, Start runs it with no
// server, and the output file holds every point of the bundled sample.
#include "DemoTask.h"
#include "MainWindow.h"
#include "monitor/MeasurementTableModel.h"
#include "monitor/MonitorWindow.h"
#include "support/gui/WidgetDriver.h"

#include <QAction>
#include <QFile>
#include <QLineSeries>
#include <QMap>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::test;

namespace {

/// Points in a line-protocol file: lines that are neither empty, comments nor DDL.
qint64 pointLines(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    qint64 points = 0;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        if (!line.isEmpty() && !line.startsWith('#') && !line.startsWith("CREATE "))
            ++points;
    }
    return points;
}

/// Points per measurement of a line-protocol file, its names unescaped as the monitor shows them.
QMap<QString, qint64> pointsByMeasurement(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QMap<QString, qint64> points;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        if (line.isEmpty() || line.startsWith('#') || line.startsWith("CREATE "))
            continue;
        QByteArray name;
        for (qsizetype i = 0; i < line.size() && line[i] != ',' && line[i] != ' '; ++i) {
            if (line[i] == '\\' && i + 1 < line.size())
                ++i;
            name += line[i];
        }
        ++points[QString::fromUtf8(name)];
    }
    return points;
}

} // namespace

/** The bundled demo task, from a new store to its output file. */
class TestDemoTask : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void startTheDemo()
    {
        QTemporaryDir dir;
        const QString store = dir.filePath(u"tasks.sqlite"_s);
        QCOMPARE(DemoTask::seed(store), QString());
        // Seeding again (the app only seeds a new store, but twice must not harm) keeps one task.
        QCOMPARE(DemoTask::seed(store), QString());

        MainWindow window(store);
        window.show();
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), 1, 10000);
        QCOMPARE(window.model()->row(0)->name, DemoTask::name());
        triggerOnTask(window, u"startAction"_s);
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->row(0)->state, u"completed"_s, 60000);

        const QString sample = dir.filePath(u"demo/sample.lp"_s);
        const QString output = dir.filePath(u"demo/demo-output.lp"_s);
        // The sample the app carries, so the test holds from any working directory.
        const qint64 expected = pointLines(u":/demo/sample.lp"_s);
        QVERIFY(expected > 1000);
        QCOMPARE(pointLines(sample), expected);
        QCOMPARE(pointLines(output), expected);
        QCOMPARE(window.model()->row(0)->pointsWritten, expected);

        // Its monitor: the run took less than a second, and still has a rate and a name.
        triggerOnTask(window, u"openMonitorAction"_s);
        MonitorWindow *monitor = window.monitor(DemoTask::name());
        QVERIFY(monitor);
        QTRY_VERIFY(monitor->refreshCount() > 0 && monitor->samples().size() >= 2);
        QCOMPARE(monitor->samples().last().pointsWritten, expected);
        double fastest = 0;
        for (const QPointF &p : monitor->writeRateSeries()->points())
            fastest = std::max(fastest, p.y());
        QVERIFY2(fastest > 0, "a throughput above 0 points/s");
        // The file is read by byte ranges, and still each measurement has its progress: what
        // was written of it, of the points the file holds of it.
        const QAbstractItemModel *rows =
            monitor->findChild<QTableView *>(u"measurementTableView"_s)->model();
        const QMap<QString, qint64> perMeasurement = pointsByMeasurement(u":/demo/sample.lp"_s);
        QCOMPARE(perMeasurement.size(), 4);
        QTRY_COMPARE(rows->rowCount(), 1 + perMeasurement.size());
        QMap<QString, qint64> shown;
        for (int row = 0; row < rows->rowCount(); ++row) {
            auto text = [&](int column) { return rows->index(row, column).data().toString(); };
            QCOMPARE(text(MeasurementTableModel::State), u"done"_s);
            QCOMPARE(text(MeasurementTableModel::Progress), u"100%"_s);
            const QString name = text(MeasurementTableModel::Measurement);
            const qint64 written = rows->index(row, MeasurementTableModel::Written)
                                       .data(MeasurementTableModel::SortRole)
                                       .toLongLong();
            QCOMPARE(rows->index(row, MeasurementTableModel::Estimated)
                         .data(MeasurementTableModel::SortRole)
                         .toLongLong(),
                     written);
            if (name == u"all measurements"_s)
                QCOMPARE(written, expected);
            else
                shown.insert(name, written);
        }
        QCOMPARE(shown, perMeasurement);
    }
};

QTEST_MAIN(TestDemoTask)
#include "test_demotask.moc"
