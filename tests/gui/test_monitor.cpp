// The monitor window: it reads the checkpoint store, so it shows a task that tsmigrate-cli ran
// (or runs) in another process exactly as the store and `tsmigrate-cli status` report it.
#include "MainWindow.h"
#include "monitor/MonitorWindow.h"
#include "support/InfluxdFixture.h"
#include "support/TestCli.h"
#include "support/TestData.h"
#include "support/TestProfiles.h"
#include "support/TestTime.h"
#include "support/gui/WidgetDriver.h"

#include <ProfileJson.h>
#include <Progress.h>
#include <QAbstractItemModel>
#include <QAction>
#include <QAreaSeries>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineSeries>
#include <QPushButton>
#include <QRegularExpression>
#include <QScreen>
#include <QSignalSpy>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::test;

namespace {

constexpr qint64 kT0 = 1700000000000000000LL;

/// Three measurements, one with a space in its name: 4×3600 + 2×1800 + 300 = 18,300 points.
void fillSmall(InfluxdFixture &influx)
{
    const QByteArray lp = seriesLines(4, 3600, kT0, kSecond,
                                      [](int s, int i) {
                                          return "cpu,host=h" + QByteArray::number(s) +
                                                 " usage=" + QByteArray::number(i * 0.25) +
                                                 ",n=" + QByteArray::number(i) + 'i';
                                      }) +
                          seriesLines(2, 1800, kT0, 2 * kSecond,
                                      [](int s, int i) {
                                          return "mem,host=h" + QByteArray::number(s) +
                                                 " free=" + QByteArray::number(i) + 'i';
                                      }) +
                          seriesLines(1, 300, kT0, 12 * kSecond, [](int, int i) {
                              return "disk\\ io read=" + QByteArray::number(i) + "i,state=\"ok\"";
                          });
    QVERIFY(influx.fill(u"src"_s, lp));
}

/// 57,600 points of one measurement over 80 hours: in one-minute windows, long enough to watch.
void fillLarge(InfluxdFixture &influx)
{
    QVERIFY(influx.fill(u"src"_s, seriesLines(4, 14400, kT0, 20 * kSecond, [](int s, int i) {
                            return "meter,site=s" + QByteArray::number(s) +
                                   " kwh=" + QByteArray::number(i * 0.5);
                        })));
}

/// Selects the task in the main window's list and opens its monitor through the action.
MonitorWindow *openMonitor(MainWindow &window, const QString &name)
{
    auto *table = window.findChild<QTableView *>(u"taskTableView"_s);
    auto *action = window.findChild<QAction *>(u"openMonitorAction"_s);
    if (!table || !action)
        return nullptr;
    if (!QTest::qWaitFor([&] { return window.model()->indexOf(name) >= 0; }, 10000))
        return nullptr;
    table->selectRow(window.model()->indexOf(name));
    if (!action->isEnabled())
        return nullptr;
    action->trigger();
    return window.monitor(name);
}

/// The monitor's per-measurement table, raw values by measurement and column.
QHash<QString, QList<QVariant>> tableRows(MonitorWindow *monitor)
{
    QHash<QString, QList<QVariant>> rows;
    const QAbstractItemModel *model =
        monitor->findChild<QTableView *>(u"measurementTableView"_s)->model();
    for (int r = 0; r < model->rowCount(); ++r) {
        QList<QVariant> values;
        for (int c = 0; c < model->columnCount(); ++c)
            values.append(model->index(r, c).data(Qt::UserRole));
        rows.insert(model->index(r, 0).data().toString(), values);
    }
    return rows;
}

QString labelText(MonitorWindow *monitor, const QString &name)
{
    const auto *label = monitor->findChild<QLabel *>(name);
    return label ? label->text() : u"(no label %1)"_s.arg(name);
}

} // namespace

/** The monitor window against tasks run by tsmigrate-cli on a real influxd. */
class TestMonitor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { TSM_INIT_CLI_TEST_CASE(); }

    void showsACompletedCliRun()
    {
        InfluxdFixture influx;
        QVERIFY2(influx.start(), qPrintable(influx.errorString()));
        fillSmall(influx);
        QTemporaryDir dir;
        const QString state = dir.filePath(u"state.sqlite"_s);
        const QString profilePath = dir.filePath(u"task.json"_s);
        // A few seconds: a few samples.
        const TaskProfile profile = oneAtATime(
            influxToInflux(u"watched"_s, influx.url(), u"src"_s, influx.url(), u"dst"_s), 5, 5);
        QVERIFY(saveProfile(profile, profilePath));
        const CliResult run = runCli({u"run"_s, profilePath, u"--state"_s, state});
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));

        MainWindow window(state);
        window.show();
        MonitorWindow *monitor = openMonitor(window, u"watched"_s);
        QVERIFY(monitor);
        QVERIFY(QTest::qWaitForWindowExposed(monitor));
        // The estimate is written by the run; once shown, everything the run left is shown.
        QTRY_VERIFY_WITH_TIMEOUT(monitor->figures().estimatedTotal >= 0, 10000);

        CheckpointStore store;
        QVERIFY(store.open(state, CheckpointStore::Mode::ReadOnly));
        const auto task = store.task(u"watched"_s);
        QVERIFY(task);
        const QList<ProgressSample> samples = store.samples(task->id);
        QVERIFY(!samples.isEmpty());

        // The charts' series hold the samples.
        QCOMPARE(monitor->samples().size(), samples.size());
        const QList<QPointF> written = monitor->writtenSeries()->points();
        const QList<QPointF> writeRate = monitor->writeRateSeries()->points();
        const QList<QPointF> readRate = monitor->readRateSeries()->points();
        QCOMPARE(written.size(), samples.size());
        QCOMPARE(writeRate.size(), samples.size());
        QCOMPARE(readRate.size(), samples.size());
        for (qsizetype i = 0; i < samples.size(); ++i) {
            QCOMPARE(qint64(written.at(i).x()), samples.at(i).timeMs);
            QCOMPARE(qint64(written.at(i).y()), samples.at(i).pointsWritten);
            if (i > 0) {
                const qint64 dt = samples.at(i).timeMs - samples.at(i - 1).timeMs;
                const double expected =
                    (samples.at(i).pointsWritten - samples.at(i - 1).pointsWritten) * 1000.0 /
                    double(dt);
                QVERIFY(qAbs(writeRate.at(i).y() - expected) < 1e-6);
            }
        }
        QCOMPARE(qint64(written.last().y()), 18300);

        // The per-measurement table matches the ledger.
        struct Sums
        {
            qint64 total = 0, done = 0, written = 0, rejected = 0;
        };
        QHash<QString, Sums> ledger;
        for (const UnitRecord &u : store.units(task->id)) {
            Sums &s = ledger[u.measurement];
            ++s.total;
            s.done += u.status == UnitStatus::Done;
            s.written += u.pointsWritten;
            s.rejected += u.pointsRejected;
        }
        QCOMPARE(ledger.size(), 3);
        const auto rows = tableRows(monitor);
        QCOMPARE(rows.size(), ledger.size());
        const QHash<QString, qint64> counts{
            {u"cpu"_s, 14400}, {u"mem"_s, 3600}, {u"disk io"_s, 300}};
        for (auto it = ledger.cbegin(); it != ledger.cend(); ++it) {
            QVERIFY2(rows.contains(it.key()), qPrintable(it.key()));
            const QList<QVariant> &row = rows.value(it.key());
            QCOMPARE(row.at(1).toString(), u"done"_s);
            QCOMPARE(row.at(2).toLongLong(), it->done);
            QCOMPARE(row.at(3).toDouble(), 1.0);
            QCOMPARE(row.at(4).toLongLong(), it->written);
            QCOMPARE(row.at(5).toLongLong(), counts.value(it.key())); // the source's count
            QCOMPARE(row.at(6).toLongLong(), it->rejected);
            QCOMPARE(it->written, counts.value(it.key()));
        }

        // The figures match tsmigrate-cli status.
        const CliResult status =
            runCli({u"status"_s, u"--state"_s, state, u"--task"_s, u"watched"_s});
        QCOMPARE(status.exitCode, 0);
        const QRegularExpression line(
            uR"(watched: (\w+), [^(]*\((\d+)/(\d+) units done, (\d+) failed\), (\d+) points )"
            uR"(written, (\d+) rejected)"_s);
        const QRegularExpressionMatch m = line.match(status.output);
        QVERIFY2(m.hasMatch(), qPrintable(status.output));
        const MonitorFigures &f = monitor->figures();
        QCOMPARE(f.state, m.captured(1));
        QCOMPARE(labelText(monitor, u"stateValueLabel"_s), m.captured(1));
        QCOMPARE(f.unitsDone, m.captured(2).toLongLong());
        QCOMPARE(f.unitsTotal, m.captured(3).toLongLong());
        QCOMPARE(f.pointsWritten, m.captured(5).toLongLong());
        QCOMPARE(f.pointsRejected, m.captured(6).toLongLong());
        QCOMPARE(f.estimatedTotal, 18300);
        QVERIFY2(status.output.contains(u"estimated at the source: 18300 points"_s),
                 qPrintable(status.output));
        QCOMPARE(f.etaSeconds, -1); // nothing left to wait for
        QCOMPARE(labelText(monitor, u"etaValueLabel"_s), u"done"_s);
        QVERIFY2(labelText(monitor, u"messageLabel"_s).startsWith(u"Completed"_s),
                 qPrintable(labelText(monitor, u"messageLabel"_s)));
        QCOMPARE(monitor->estimateSeries()->count(), 2);
        QCOMPARE(qint64(monitor->estimateSeries()->at(0).y()), 18300);

        // The log holds the run's events; the level filter hides the info ones.
        auto *log = monitor->findChild<QTableView *>(u"eventTableView"_s);
        const int all = log->model()->rowCount();
        QCOMPARE(all, int(store.events(task->id).size()));
        QVERIFY(all > 0);
        auto *level = monitor->findChild<QComboBox *>(u"logLevelComboBox"_s);
        level->setCurrentIndex(level->findText(u"warn"_s));
        QCOMPARE(log->model()->rowCount(), int(store.events(task->id, 0, EventLevel::Warn).size()));
        level->setCurrentIndex(level->findText(u"trace"_s));
        QCOMPARE(log->model()->rowCount(), all);

        // Sorting by points written, largest first.
        auto *table = monitor->findChild<QTableView *>(u"measurementTableView"_s);
        table->sortByColumn(4, Qt::DescendingOrder);
        QCOMPARE(table->model()->index(0, 0).data().toString(), u"cpu"_s);
        QCOMPARE(table->model()->index(2, 0).data().toString(), u"disk io"_s);

        // One monitor per task: opening again brings the same window forward.
        QCOMPARE(openMonitor(window, u"watched"_s), monitor);

        // Exports: the samples as CSV, the charts as PNG.
        QString target, suggested;
        MonitorWindow::chooseExportFile() = [&](QWidget *, const QString &, const QString &,
                                                const QString &s) {
            suggested = s;
            return target;
        };
        QSignalSpy exported(monitor, &MonitorWindow::exported);
        target = dir.filePath(u"samples.csv"_s);
        monitor->findChild<QPushButton *>(u"exportCsvButton"_s)->click();
        QTRY_COMPARE(exported.count(), 1);
        QCOMPARE(exported.at(0).at(0).toString(), target);
        QFile csv(target);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = csv.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), samples.size() + 1);
        QVERIFY(lines.first().startsWith("time,points_read,points_written"));
        QCOMPARE(lines.last().split(',').at(2).toLongLong(), samples.last().pointsWritten);
        // <task>-<time>.csv beside the state file is proposed.
        QVERIFY2(QRegularExpression(u"^%1/watched-\\d{8}-\\d{6}\\.csv$"_s.arg(
                                        QRegularExpression::escape(dir.path())))
                     .match(suggested)
                     .hasMatch(),
                 qPrintable(suggested));
        // A name typed without its suffix gets it, so the file opens as what it is.
        target = dir.filePath(u"charts"_s);
        monitor->findChild<QPushButton *>(u"exportPngButton"_s)->click();
        QTRY_COMPARE(exported.count(), 2);
        QCOMPARE(exported.at(1).at(0).toString(), target + u".png"_s);
        QVERIFY(suggested.endsWith(u".png"_s));
        QImage image(target + u".png"_s);
        QVERIFY(image.width() > 600 && image.height() > 200);
        target = dir.filePath(u"no/such/folder/x.png"_s);
        monitor->findChild<QPushButton *>(u"exportPngButton"_s)->click();
        QTRY_COMPARE(exported.count(), 3);
        QVERIFY(exported.at(2).at(0).toString().isEmpty());
        QVERIFY2(exported.at(2).at(1).toString().contains(target), "the error names the file");

        screenshot(monitor, u"11-monitor-completed"_s);
    }

    void growsWhileTheCliRuns()
    {
        InfluxdFixture influx;
        QVERIFY2(influx.start(), qPrintable(influx.errorString()));
        fillLarge(influx);
        QTemporaryDir dir;
        const QString state = dir.filePath(u"state.sqlite"_s);
        const QString profilePath = dir.filePath(u"task.json"_s);
        // 4800 windows of a minute.
        const TaskProfile profile = oneAtATime(
            influxToInflux(u"live"_s, influx.url(), u"src"_s, influx.url(), u"dst"_s), 1, 5);
        QVERIFY(saveProfile(profile, profilePath));

        CliRun run;
        QVERIFY(run.start(profilePath, state));
        QProcess &cli = run.process();
        CheckpointStore watcher;
        QVERIFY2(waitForUnitsDone(cli, watcher, state, u"live"_s, 2), qPrintable(run.readOutput()));

        MainWindow window(state);
        window.show();
        MonitorWindow *monitor = openMonitor(window, u"live"_s);
        QVERIFY(monitor);
        QTRY_VERIFY_WITH_TIMEOUT(!monitor->samples().isEmpty(), 5000);
        // New samples show within 2 s, again and again.
        for (int round = 0; round < 3; ++round) {
            const qsizetype before = monitor->writtenSeries()->count();
            const qint64 writtenBefore = monitor->figures().pointsWritten;
            QTRY_VERIFY_WITH_TIMEOUT(monitor->writtenSeries()->count() > before, 2000);
            QVERIFY(monitor->writeRateSeries()->count() == monitor->writtenSeries()->count());
            QVERIFY(monitor->figures().pointsWritten >= writtenBefore);
            QVERIFY2(cli.state() == QProcess::Running, "the run ended before it could be watched");
        }
        QCOMPARE(monitor->figures().state, u"running"_s);
        QVERIFY(monitor->figures().writeRate > 0);
        // From the recent rate: it is known, and the total is estimated by now.
        QTRY_VERIFY_WITH_TIMEOUT(monitor->figures().etaSeconds >= 0, 5000);
        QCOMPARE(monitor->figures().estimatedTotal, 57600);
        QVERIFY2(labelText(monitor, u"messageLabel"_s).startsWith(u"Running"_s),
                 qPrintable(labelText(monitor, u"messageLabel"_s)));
        screenshot(monitor, u"9-monitor-running"_s);

        // Stopped with Ctrl-C: the monitor says so, and keeps the history.
        run.interrupt();
        QVERIFY(cli.waitForFinished(30000));
        QTRY_COMPARE_WITH_TIMEOUT(monitor->figures().state, u"paused"_s, 5000);
        QCOMPARE(labelText(monitor, u"etaValueLabel"_s), u"—"_s);
        QVERIFY(monitor->writtenSeries()->count() >= 3);
    }

    void failsMidRun()
    {
        InfluxdFixture source;
        InfluxdFixture target;
        QVERIFY2(source.start(), qPrintable(source.errorString()));
        QVERIFY2(target.start(), qPrintable(target.errorString()));
        fillLarge(source);
        // "alarm" is read first; the target already has its field as a string: rejected.
        QByteArray alarms;
        for (int i = 0; i < 10; ++i)
            alarms += "alarm level=" + QByteArray::number(i) + "i " +
                      QByteArray::number(kT0 + i * kSecond) + '\n';
        QVERIFY(source.write(u"src"_s, alarms));
        QVERIFY(target.fill(u"dst"_s, "alarm level=\"high\" " + QByteArray::number(kT0) + '\n'));

        QTemporaryDir dir;
        const QString state = dir.filePath(u"state.sqlite"_s);
        const QString profilePath = dir.filePath(u"task.json"_s);
        TaskProfile profile = oneAtATime(
            influxToInflux(u"breaks"_s, source.url(), u"src"_s, target.url(), u"dst"_s), 1, 10);
        profile.advanced.retryAttempts = 1;
        profile.advanced.retryForMinutes = 0; // fail at once instead of waiting the outage out
        profile.advanced.rejectsFile = dir.filePath(u"refused/alarms.lp"_s); // where asked
        QVERIFY(saveProfile(profile, profilePath));
        CliRun run;
        QVERIFY(run.start(profilePath, state));
        QProcess &cli = run.process();
        CheckpointStore watcher;
        QVERIFY2(waitForUnitsDone(cli, watcher, state, u"breaks"_s, 5),
                 qPrintable(run.readOutput()));
        MonitorWindow monitor(state, u"breaks"_s);
        monitor.show();
        QTRY_VERIFY_WITH_TIMEOUT(!monitor.samples().isEmpty(), 5000);

        target.stop(); // the target goes away in the middle of the run
        QVERIFY(cli.waitForFinished(120000));
        const QString output = run.readOutput();
        QVERIFY2(cli.exitCode() != 0, qPrintable(output));
        QTRY_COMPARE_WITH_TIMEOUT(monitor.figures().state, u"failed"_s, 5000);

        const auto task = watcher.task(u"breaks"_s);
        QVERIFY(task);
        QVERIFY(!task->lastError.isEmpty());
        const QString message = labelText(&monitor, u"messageLabel"_s);
        QVERIFY2(message.startsWith(u"Failed at"_s) && message.contains(task->lastError),
                 qPrintable(message));
        QVERIFY(monitor.figures().pointsWritten > 0);
        QCOMPARE(monitor.figures().pointsRejected, 10);
        QCOMPARE(monitor.samples().size(), watcher.samples(task->id).size());
        // The failed units with their errors, and the rejects file.
        const QList<UnitRecord> failed = watcher.failedUnits(task->id);
        auto *table = monitor.findChild<QTableWidget *>(u"failedUnitsTableWidget"_s);
        QTRY_COMPARE(table->rowCount(), int(failed.size()));
        for (int row = 0; row < table->rowCount(); ++row)
            QCOMPARE(table->item(row, 3)->text(), failed.at(row).lastError);
        const QString rejects = labelText(&monitor, u"rejectsLinkLabel"_s);
        QVERIFY2(rejects.contains(dir.filePath(u"refused/alarms.lp"_s)) &&
                     rejects.contains(u"<a href=\"file://"_s),
                 qPrintable(rejects));
        screenshot(&monitor, u"10-monitor-failed"_s);
    }

    void longHistoryAndRanges()
    {
        // Three hours of samples, one a second, with one burst: the history of a task that ran
        // yesterday.
        QTemporaryDir dir;
        const QString state = dir.filePath(u"state.sqlite"_s);
        const int count = 3 * 3600;
        const qint64 t0 = QDateTime::currentMSecsSinceEpoch() - 86400000LL;
        {
            CheckpointStore store;
            QVERIFY(store.open(state));
            const auto id = store.saveTask(u"yesterday"_s, "{}");
            QVERIFY(id);
            qint64 written = 0;
            for (int i = 0; i < count; ++i) {
                written += i == 5000 ? 900000 : 1000;
                ProgressSample p;
                p.taskId = *id;
                p.timeMs = t0 + i * 1000LL;
                p.pointsRead = written;
                p.pointsWritten = written;
                QVERIFY(store.addSample(p));
            }
            QVERIFY(store.setTaskState(*id, TaskState::Completed));
        }
        MonitorWindow monitor(state, u"yesterday"_s);
        monitor.show();
        QTRY_COMPARE_WITH_TIMEOUT(monitor.samples().size(), count, 10000);
        const auto maxY = [](QLineSeries *series) {
            qreal m = 0;
            for (const QPointF &p : series->points())
                m = std::max(m, p.y());
            return m;
        };
        // All: thinned out, the burst and both ends kept.
        QLineSeries *written = monitor.writtenSeries();
        QVERIFY2(written->count() <= 2000 && written->count() >= 1000,
                 qPrintable(QString::number(written->count())));
        QCOMPARE(qint64(written->at(0).x()), t0);
        QCOMPARE(qint64(written->at(written->count() - 1).x()), t0 + (count - 1) * 1000LL);
        QCOMPARE(qint64(maxY(written)), monitor.samples().last().pointsWritten);
        QCOMPARE(maxY(monitor.writeRateSeries()), 900000.0);
        // The last 5 minutes: those samples, every one.
        auto *range = monitor.findChild<QComboBox *>(u"rangeComboBox"_s);
        range->setCurrentIndex(range->findData(int(MonitorWindow::Range::LastFiveMinutes)));
        QCOMPARE(written->count(), 301);
        QCOMPARE(qint64(written->at(0).x()), t0 + (count - 301) * 1000LL);
        QCOMPARE(maxY(monitor.writeRateSeries()), 1000.0);
        // The last hour: 3601 samples, thinned out again.
        range->setCurrentIndex(range->findData(int(MonitorWindow::Range::LastHour)));
        QVERIFY(written->count() <= 2000);
        QCOMPARE(qint64(written->at(0).x()), t0 + (count - 3601) * 1000LL);
        // Elapsed: three hours of samples.
        QCOMPARE(monitor.figures().elapsedMs, qint64(count - 1) * 1000 + 1000);
    }

    void breaksTheLinesBetweenRuns()
    {
        // Two runs of ten samples a second apart, a minute's pause between them.
        QTemporaryDir dir;
        const QString state = dir.filePath(u"state.sqlite"_s);
        const qint64 t0 = QDateTime::currentMSecsSinceEpoch() - 3600000LL;
        const qint64 resumed = t0 + 9000 + 60000;
        {
            CheckpointStore store;
            QVERIFY(store.open(state));
            const auto id = store.saveTask(u"paused once"_s, "{}");
            QVERIFY(id);
            for (int i = 0; i < 20; ++i) {
                ProgressSample p;
                p.taskId = *id;
                p.timeMs = i < 10 ? t0 + i * 1000LL : resumed + (i - 10) * 1000LL;
                p.pointsRead = p.pointsWritten = 1000LL * (i < 10 ? i : i - 1);
                QVERIFY(store.addSample(p));
            }
            QVERIFY(store.setTaskState(*id, TaskState::Completed));
        }
        MonitorWindow monitor(state, u"paused once"_s);
        monitor.show();
        QTRY_COMPARE_WITH_TIMEOUT(monitor.samples().size(), 20, 10000);
        // No line of the throughput chart spans the pause above zero: it falls to 0 at the end
        // of the first run and stays there until the second.
        for (QLineSeries *series : {monitor.writeRateSeries(), monitor.readRateSeries()}) {
            const QList<QPointF> points = series->points();
            bool spansPause = false;
            for (qsizetype i = 1; i < points.size(); ++i) {
                if (points.at(i).x() - points.at(i - 1).x() <= Progress::kRunGapMs)
                    continue;
                spansPause = true;
                QCOMPARE(points.at(i - 1).y(), 0.0);
                QCOMPARE(points.at(i).y(), 0.0);
            }
            QVERIFY(spansPause);
            QCOMPARE(points.at(9).y(), 1000.0); // the first run's last rate, kept
        }
        // The cumulative line stays flat across it.
        const QList<QPointF> written = monitor.writtenSeries()->points();
        for (qsizetype i = 1; i < written.size(); ++i)
            if (written.at(i).x() - written.at(i - 1).x() > Progress::kRunGapMs)
                QCOMPARE(written.at(i).y(), written.at(i - 1).y());
        // The pause is shaded, from the last sample of one run to the first of the next.
        const QList<QPointF> band = monitor.rateIdleSeries()->upperSeries()->points();
        QCOMPARE(band.size(), 4);
        QCOMPARE(qint64(band.first().x()), t0 + 9000);
        QCOMPARE(qint64(band.last().x()), resumed);
        QVERIFY(band.at(1).y() > 0);
    }

    void fitsTheScreenAndClosesWithKeys()
    {
        QTemporaryDir dir;
        const QString state = dir.filePath(u"state.sqlite"_s);
        {
            CheckpointStore store;
            QVERIFY(store.open(state));
            QVERIFY(store.saveTask(u"keys"_s, "{}"));
        }
        MainWindow window(state);
        window.show();
        for (const QKeySequence &keys :
             {QKeySequence(Qt::Key_Escape), QKeySequence(Qt::CTRL | Qt::Key_W)}) {
            MonitorWindow *monitor = openMonitor(window, u"keys"_s);
            QVERIFY(monitor);
            QVERIFY(QTest::qWaitForWindowExposed(monitor));
            // Within the part of the screen windows may take.
            const QRect available = monitor->screen()->availableGeometry();
            QVERIFY2(available.contains(monitor->frameGeometry()),
                     qPrintable(u"%1x%2 on %3x%4"_s.arg(monitor->frameGeometry().width())
                                    .arg(monitor->frameGeometry().height())
                                    .arg(available.width())
                                    .arg(available.height())));
            monitor->activateWindow();
            QVERIFY(QTest::qWaitForWindowActive(monitor));
            // From wherever the focus is: here the measurement table.
            auto *table = monitor->findChild<QTableView *>(u"measurementTableView"_s);
            table->setFocus();
            QTest::keySequence(table, keys);
            QTRY_VERIFY2(!monitor->isVisible(), qPrintable(keys.toString()));
            QTRY_VERIFY(!window.monitor(u"keys"_s));
        }
    }

    void noSamplesAndFailure()
    {
        InfluxdFixture influx;
        QVERIFY2(influx.start(), qPrintable(influx.errorString()));
        QTemporaryDir dir;
        const QString state = dir.filePath(u"state.sqlite"_s);

        // A task saved but never run.
        {
            CheckpointStore store;
            QVERIFY(store.open(state));
            const TaskProfile idle =
                influxToInflux(u"never run"_s, influx.url(), u"src"_s, influx.url(), u"dst"_s);
            QVERIFY(store.saveTask(idle.name, ProfileJson::toJson(idle, false)));
        }
        {
            MonitorWindow monitor(state, u"never run"_s);
            monitor.show();
            QTRY_VERIFY(monitor.refreshCount() > 0);
            QCOMPARE(monitor.figures().state, u"idle"_s);
            QVERIFY2(labelText(&monitor, u"messageLabel"_s).contains(u"has not run yet"_s),
                     qPrintable(labelText(&monitor, u"messageLabel"_s)));
            QCOMPARE(monitor.writtenSeries()->count(), 0);
            QCOMPARE(monitor.estimateSeries()->count(), 0);
            QCOMPARE(labelText(&monitor, u"totalValueLabel"_s), u"—"_s);
            QCOMPARE(labelText(&monitor, u"elapsedValueLabel"_s), u"—"_s);
            QCOMPARE(
                monitor.findChild<QTableView *>(u"measurementTableView"_s)->model()->rowCount(), 0);
        }

        // A task that failed: its source database does not exist.
        const QString profilePath = dir.filePath(u"task.json"_s);
        const TaskProfile failing =
            influxToInflux(u"failing"_s, influx.url(), u"nosuchdb"_s, influx.url(), u"dst"_s);
        QVERIFY(saveProfile(failing, profilePath));
        const CliResult run = runCli({u"run"_s, profilePath, u"--state"_s, state});
        QVERIFY2(run.exitCode != 0, qPrintable(run.output));
        {
            MonitorWindow monitor(state, u"failing"_s);
            monitor.show();
            QTRY_VERIFY(monitor.refreshCount() > 0);
            QCOMPARE(monitor.figures().state, u"failed"_s);
            const QString message = labelText(&monitor, u"messageLabel"_s);
            QVERIFY2(message.contains(u"Failed"_s) && message.contains(u"nosuchdb"_s),
                     qPrintable(message));
            QVERIFY2(labelText(&monitor, u"lastErrorLabel"_s).contains(u"nosuchdb"_s),
                     qPrintable(labelText(&monitor, u"lastErrorLabel"_s)));
            QCOMPARE(monitor.writtenSeries()->count(), 0);
            // The log has the error too.
            auto *log = monitor.findChild<QTableView *>(u"eventTableView"_s);
            auto *level = monitor.findChild<QComboBox *>(u"logLevelComboBox"_s);
            level->setCurrentIndex(level->findText(u"error"_s));
            QVERIFY(log->model()->rowCount() >= 1);
            QVERIFY(log->model()->index(0, 2).data().toString().contains(u"nosuchdb"_s));
        }

        // Units that failed (as a run leaves them when a server keeps refusing a window): each
        // with its last error, the measurement marked failed.
        {
            CheckpointStore store;
            QVERIFY(store.open(state));
            const auto id = store.saveTask(u"units failed"_s, "{}");
            QVERIFY(id);
            UnitRecord a, b, c;
            a.measurement = b.measurement = u"cpu"_s;
            c.measurement = u"mem"_s;
            a.rangeStart = kT0;
            a.rangeEnd = b.rangeStart = kT0 + 60 * kSecond;
            b.rangeEnd = c.rangeEnd = kT0 + 120 * kSecond;
            c.rangeStart = kT0;
            QVERIFY(store.addUnits(*id, {a, b, c}));
            const QList<UnitRecord> units = store.units(*id);
            UnitUpdate failA;
            failA.unitId = units.at(0).id;
            failA.status = UnitStatus::Failed;
            failA.attemptsDelta = 2;
            failA.lastError = u"partial write: field type conflict"_s;
            UnitUpdate doneB{units.at(1).id, UnitStatus::Done, 1, 5, 5, 0, std::nullopt, {}};
            UnitUpdate failC;
            failC.unitId = units.at(2).id;
            failC.status = UnitStatus::Failed;
            failC.attemptsDelta = 3;
            failC.lastError = u"timeout after 30 s"_s;
            QVERIFY(store.updateUnits({failA, doneB, failC}));
            QVERIFY(store.setTaskState(*id, TaskState::Failed, u"2 of 3 read units failed"_s));
        }
        {
            MonitorWindow monitor(state, u"units failed"_s);
            QTRY_VERIFY(monitor.refreshCount() > 0);
            auto *failedTable = monitor.findChild<QTableWidget *>(u"failedUnitsTableWidget"_s);
            QCOMPARE(failedTable->rowCount(), 2);
            QCOMPARE(failedTable->item(0, 0)->text(), u"cpu"_s);
            QCOMPARE(failedTable->item(0, 2)->text(), u"2"_s);
            QCOMPARE(failedTable->item(0, 3)->text(), u"partial write: field type conflict"_s);
            QVERIFY2(failedTable->item(0, 1)->text().startsWith(u"2023-11-14T22:13:20Z"_s),
                     qPrintable(failedTable->item(0, 1)->text()));
            QCOMPARE(failedTable->item(1, 3)->text(), u"timeout after 30 s"_s);
            const auto rows = tableRows(&monitor);
            QCOMPARE(rows.value(u"cpu"_s).at(1).toString(), u"failed"_s);
            QCOMPARE(rows.value(u"cpu"_s).at(7).toString(),
                     u"partial write: field type conflict"_s);
            QCOMPARE(rows.value(u"cpu"_s).at(4).toLongLong(), 5);
            QCOMPARE(rows.value(u"mem"_s).at(7).toString(), u"timeout after 30 s"_s);
            QCOMPARE(monitor.figures().unitsDone, 1);
            QCOMPARE(monitor.figures().unitsTotal, 3);
            // The source never counted: not "estimating" for ever once the task is over.
            QCOMPARE(labelText(&monitor, u"totalValueLabel"_s), u"not estimated"_s);
        }

        // Several monitors open at once, one per task.
        {
            MainWindow window(state);
            window.show();
            // Nothing selected, nothing to monitor.
            QTRY_COMPARE(window.model()->rowCount(), 3);
            QVERIFY(!window.findChild<QAction *>(u"openMonitorAction"_s)->isEnabled());
            MonitorWindow *idle = openMonitor(window, u"never run"_s);
            MonitorWindow *failed = openMonitor(window, u"failing"_s);
            QVERIFY(idle && failed && idle != failed);
            QVERIFY(idle->isVisible() && failed->isVisible());
            QTRY_VERIFY(idle->refreshCount() > 0 && failed->refreshCount() > 0);
            QCOMPARE(idle->figures().state, u"idle"_s);
            QCOMPARE(failed->figures().state, u"failed"_s);
            // Closing one leaves the other; opening it again makes a new one.
            idle->close();
            QTRY_VERIFY(!window.monitor(u"never run"_s));
            QCOMPARE(window.monitor(u"failing"_s), failed);
            QVERIFY(openMonitor(window, u"never run"_s));
        }

        // A state file that is not there, or a task it does not hold.
        {
            MonitorWindow monitor(dir.filePath(u"missing.sqlite"_s), u"x"_s);
            QTRY_VERIFY(monitor.refreshCount() > 0);
            QVERIFY(labelText(&monitor, u"messageLabel"_s).contains(u"does not exist"_s));
        }
        {
            MonitorWindow monitor(state, u"nobody"_s);
            QTRY_VERIFY(monitor.refreshCount() > 0);
            QVERIFY(labelText(&monitor, u"messageLabel"_s).contains(u"no task named"_s));
        }
    }
};

QTEST_MAIN(TestMonitor)
#include "test_monitor.moc"
