// How far behind a following task keeps the target: points are written into a real influxd at a
// steady rate, stamped with the moment they are written, while a realtime task follows them into
// another database of the same server. For every batch the bench notes when the target first
// holds it; the lag is that moment minus the batch's time. The baseline, measured in the same
// run by the same poller, is how long the source itself takes to show a batch just written.
//
//   bench_follow [points/s] [seconds] [delay s] [poll s]   (defaults: 2000, 20, 1, and half
//                                                            the delay, 1 to 5 s)
//   bench_follow --smoke                             (200 points/s for 3 s: does it run)
#include "run/RunThread.h"
#include "support/InfluxdFixture.h"
#include "support/TestProfiles.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QTemporaryDir>
#include <algorithm>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

using namespace Qt::StringLiterals;
using namespace tsm;

namespace {

constexpr int kTickMs = 100;
constexpr int kSeries = 10;

qint64 countIn(test::InfluxdFixture &influx, const QString &database)
{
    const QJsonArray rows = influx.select(u"SELECT count(n) FROM m"_s, database);
    return rows.isEmpty() ? 0 : rows.at(0).toArray().at(1).toInteger();
}

struct Stats
{
    double median = 0, p95 = 0, max = 0;
};

Stats stats(std::vector<qint64> values)
{
    Stats s;
    if (values.empty())
        return s;
    std::sort(values.begin(), values.end());
    s.median = double(values[values.size() / 2]);
    s.p95 = double(values[std::min(values.size() - 1, values.size() * 95 / 100)]);
    s.max = double(values.back());
    return s;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const bool smoke = argc > 1 && qstrcmp(argv[1], "--smoke") == 0;
    const int rate = smoke ? 200 : argc > 1 ? std::max(10, std::atoi(argv[1])) : 2000;
    const int seconds = smoke ? 3 : argc > 2 ? std::max(3, std::atoi(argv[2])) : 20;
    const int delay = !smoke && argc > 3 ? std::clamp(std::atoi(argv[3]), 1, 30) : 1;
    // Half the delay by default: how often a task followed before the interval was an option.
    const int poll =
        !smoke && argc > 4 ? std::clamp(std::atoi(argv[4]), 1, 3600) : std::clamp(delay / 2, 1, 5);
    const int perTick = std::max(1, rate * kTickMs / 1000);

    test::InfluxdFixture influx;
    if (!influx.start()) {
        std::fprintf(stderr, "influxd: %s\n", qPrintable(influx.errorString()));
        return 1;
    }
    influx.query(u"CREATE DATABASE src"_s);
    influx.query(u"CREATE DATABASE dst"_s);
    QTemporaryDir dir;
    TaskProfile profile =
        test::influxToInflux(u"follow"_s, influx.url(), u"src"_s, influx.url(), u"dst"_s);
    profile.task.mode = u"realtime"_s;
    profile.task.start = u"2020-01-01T00:00:00Z"_s;
    profile.task.end.clear();
    profile.task.delaySeconds = delay;
    profile.task.pollSeconds = poll;

    auto runner = std::make_unique<RunThread>(profile, dir.filePath(u"state.sqlite"_s));
    runner->start();
    std::this_thread::sleep_for(std::chrono::milliseconds(1500)); // let it take its origin

    struct Batch
    {
        qint64 writtenMs;
        qint64 cumulative;
        qint64 inSourceMs = -1;
        qint64 inTargetMs = -1;
    };
    std::vector<Batch> batches;
    qint64 counter = 0;
    QElapsedTimer clock;
    clock.start();
    const qint64 writeUntil = qint64(seconds) * 1000;
    const qint64 giveUp = writeUntil + 30000 + qint64(delay) * 1000;
    for (qint64 tick = 0; clock.elapsed() < giveUp; ++tick) {
        const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
        if (clock.elapsed() < writeUntil) {
            QByteArray lines;
            for (int i = 0; i < perTick; ++i, ++counter)
                lines += "m,host=h" + QByteArray::number(counter % kSeries) +
                         " n=" + QByteArray::number(counter) + "i " +
                         QByteArray::number(nowMs * 1000000LL + counter % 1000000) + '\n';
            if (!influx.write(u"src"_s, lines)) {
                std::fprintf(stderr, "write: %s\n", qPrintable(influx.errorString()));
                break;
            }
            batches.push_back({nowMs, counter});
        }
        const qint64 inSource = countIn(influx, u"src"_s);
        const qint64 inTarget = countIn(influx, u"dst"_s);
        const qint64 seenMs = QDateTime::currentMSecsSinceEpoch();
        bool all = true;
        for (Batch &b : batches) {
            if (b.inSourceMs < 0 && inSource >= b.cumulative)
                b.inSourceMs = seenMs;
            if (b.inTargetMs < 0 && inTarget >= b.cumulative)
                b.inTargetMs = seenMs;
            all = all && b.inTargetMs >= 0;
        }
        if (all && clock.elapsed() >= writeUntil)
            break;
        const qint64 next = (tick + 1) * kTickMs;
        if (next > clock.elapsed())
            std::this_thread::sleep_for(std::chrono::milliseconds(next - clock.elapsed()));
    }
    runner->requestStop();
    runner.reset();

    std::vector<qint64> sourceLag, targetLag;
    qint64 missing = 0;
    for (const Batch &b : batches) {
        if (b.inSourceMs >= 0)
            sourceLag.push_back(b.inSourceMs - b.writtenMs);
        if (b.inTargetMs >= 0)
            targetLag.push_back(b.inTargetMs - b.writtenMs);
        else
            ++missing;
    }
    const Stats base = stats(sourceLag);
    const Stats follow = stats(targetLag);
    std::printf("%lld points in %zu batches over %d s (%d points/s asked, %.0f written), delay "
                "%d s, poll every %d ms\n",
                counter, batches.size(), seconds, rate, double(counter) / seconds, delay, kTickMs);
    std::printf("%-44s %8s %8s %8s\n", "", "median", "p95", "max");
    std::printf("%-44s %7.2fs %7.2fs %7.2fs\n", "baseline: written -> visible in the source",
                base.median / 1000, base.p95 / 1000, base.max / 1000);
    std::printf("%-44s %7.2fs %7.2fs %7.2fs\n", "follow lag: written -> visible in the target",
                follow.median / 1000, follow.p95 / 1000, follow.max / 1000);
    std::printf("follow lag minus the delay: median %.2f s; median lag / delay = %.2f\n",
                follow.median / 1000 - delay, follow.median / 1000 / delay);
    if (missing > 0)
        std::printf("%lld batches never reached the target\n", missing);
    return missing > 0 ? 1 : 0;
}
