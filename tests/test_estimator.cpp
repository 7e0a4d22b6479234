// The estimate of a task's points: counted at the source, recorded in the state file for the
// monitor and `tsmigrate-cli status`, without holding the migration up.
#include "run/Estimator.h"
#include "run/Runner.h"
#include "sources/InfluxSource.h"
#include "sources/LpFileSource.h"
#include "support/InfluxdFixture.h"
#include "support/TestData.h"
#include "support/TestProfiles.h"
#include "support/TestRecords.h"
#include "support/TestTime.h"

#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::test;

namespace {

constexpr qint64 kT0 = 1700000000000000000LL;

/// cpu: 4 series × 100 points; sparse: 100 points, only every other one with field a.
void fill(InfluxdFixture &influx)
{
    auto cpu = [](int s, int i) {
        return "cpu,host=h" + QByteArray::number(s) + " v=" + QByteArray::number(i) + 'i';
    };
    auto sparse = [](int, int i) {
        return "sparse " + (i % 2 ? QByteArray() : "a=1i,") + "b=" + QByteArray::number(i);
    };
    QVERIFY(influx.fill(u"src"_s, seriesLines(4, 100, kT0, kSecond, cpu) +
                                      seriesLines(1, 100, kT0, kSecond, sparse)));
}

} // namespace

class TestEstimator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void countsWithinTheRange()
    {
        TSM_SKIP_WITHOUT_INFLUXD();
        InfluxdFixture influx;
        QVERIFY2(influx.start(), qPrintable(influx.errorString()));
        fill(influx);
        InfluxSource source(influx.endpoint(), RetryPolicy{});
        CancelToken cancel;
        PlanRequest request;
        request.database = u"src"_s;
        request.range = TimeRange{kT0, kT0 + 1000 * kSecond};
        QCOMPARE(source.estimatePoints(request, u"cpu"_s, cancel), std::optional<qint64>(400));
        // Points lacking a field still count, through the field they have.
        QCOMPARE(source.estimatePoints(request, u"sparse"_s, cancel), std::optional<qint64>(100));
        QCOMPARE(source.estimatePoints(request, u"absent"_s, cancel), std::optional<qint64>(0));
        request.range = TimeRange{kT0 + 10 * kSecond, kT0 + 40 * kSecond}; // end excluded
        QCOMPARE(source.estimatePoints(request, u"cpu"_s, cancel), std::optional<qint64>(120));
    }

    void aRunRecordsItsEstimates()
    {
        TSM_SKIP_WITHOUT_INFLUXD();
        InfluxdFixture influx;
        QVERIFY2(influx.start(), qPrintable(influx.errorString()));
        fill(influx);
        QTemporaryDir dir;
        const QString state = dir.filePath(u"state.sqlite"_s);
        Runner runner(influxToInflux(u"counted"_s, influx.url(), u"src"_s, influx.url(), u"dst"_s),
                      state);
        runner.run();
        QCOMPARE(runner.outcome().status, RunOutcome::Status::Completed);
        CheckpointStore store;
        QVERIFY(store.open(state, CheckpointStore::Mode::ReadOnly));
        const auto task = store.task(u"counted"_s);
        QVERIFY(task);
        const QHash<QString, qint64> estimates = store.estimates(task->id);
        QCOMPARE(estimates.size(), 2);
        QCOMPARE(estimates.value(u"cpu"_s), 400);
        QCOMPARE(estimates.value(u"sparse"_s), 100);
        QCOMPARE(store.unitTotals(task->id).pointsWritten, 500);
    }

    void whatCannotBeCountedSaysSo()
    {
        QTemporaryDir dir;
        const QString state = dir.filePath(u"state.sqlite"_s);
        const QString path = dir.filePath(u"in.lp"_s);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("m v=1i 1\n");
        file.close();
        CheckpointStore store;
        QVERIFY(store.open(state));
        const auto id = store.saveTask(u"file"_s, "{}");
        QVERIFY(id);
        QVERIFY(store.addUnits(*id, {unit(u"m"_s, 0, 9)}));

        // A line-protocol file cannot count without reading: "cannot", not "not yet".
        LpFileSource source(path);
        CancelToken run;
        {
            Estimator estimator(source, PlanRequest{}, state, *id, run);
            estimator.start();
            estimator.wait();
        }
        QCOMPARE(store.estimates(*id).value(u"m"_s, kNotEstimated), kCannotEstimate);
    }

    void aFailedCountIsAWarningAndIsAskedAgain()
    {
        TSM_SKIP_WITHOUT_INFLUXD();
        QTemporaryDir dir;
        const QString state = dir.filePath(u"state.sqlite"_s);
        CheckpointStore store;
        QVERIFY(store.open(state));
        const auto id = store.saveTask(u"unreachable"_s, "{}");
        QVERIFY(id);
        QVERIFY(store.addUnits(*id, {unit(u"cpu"_s, 0, 9)}));

        InfluxdFixture influx;
        QVERIFY2(influx.start(), qPrintable(influx.errorString()));
        fill(influx);
        const InfluxEndpoint endpoint = influx.endpoint();
        influx.stop();
        PlanRequest request;
        request.database = u"src"_s;
        request.range = TimeRange{kT0, kT0 + 1000 * kSecond};
        CancelToken run;
        {
            InfluxSource down(endpoint, RetryPolicy{1, 10, 10, 10});
            Estimator estimator(down, request, state, *id, run);
            estimator.start();
            estimator.wait();
        }
        QCOMPARE(store.estimates(*id).value(u"cpu"_s, kNotEstimated), kCannotEstimate);
        const QList<EventRecord> warnings = store.events(*id, 0, EventLevel::Warn);
        QCOMPARE(warnings.size(), 1);
        QVERIFY2(warnings.first().message.startsWith(u"Cannot estimate the points of \"cpu\""_s),
                 qPrintable(warnings.first().message));

        // The next run asks again, and gets the count.
        QVERIFY2(influx.start(), qPrintable(influx.errorString()));
        {
            InfluxSource up(influx.endpoint(), RetryPolicy{});
            Estimator estimator(up, request, state, *id, run);
            estimator.start();
            estimator.wait();
        }
        QCOMPARE(store.estimates(*id).value(u"cpu"_s), 400);
    }
};

QTEST_GUILESS_MAIN(TestEstimator)
#include "test_estimator.moc"
