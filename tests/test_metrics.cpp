// tsmigrate-cli run --metrics: the Prometheus endpoint of a run against a real influxd, scraped
// while the run goes on (writes held by a proxy, then the target gone, then following new data)
// and after it, each time equal to what tsmigrate-cli status --json says; and how the endpoint
// refuses what it does not serve.
#include "support/FaultProxy.h"
#include "support/InfluxdFixture.h"
#include "support/TestCli.h"
#include "support/TestData.h"
#include "support/TestProfiles.h"
#include "support/TestTime.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>
#include <QUrl>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::test;

namespace {

constexpr int kPoints = 57600;

struct HttpAnswer
{
    int status = 0;
    QByteArray head;
    QByteArray body;
};

/// One request on a connection of its own; the server closes it after its answer.
HttpAnswer request(const QUrl &url, const QByteArray &method, const QByteArray &path,
                   const QByteArray &headers = "Host: 127.0.0.1\r\nUser-Agent: test\r\n")
{
    QTcpSocket socket;
    socket.connectToHost(url.host(), quint16(url.port()));
    if (!socket.waitForConnected(10000))
        return {};
    socket.write(method + ' ' + path + " HTTP/1.1\r\n" + headers + "\r\n");
    QByteArray all;
    while (socket.state() == QAbstractSocket::ConnectedState && socket.waitForReadyRead(10000))
        all += socket.readAll();
    all += socket.readAll();
    HttpAnswer answer;
    const qsizetype end = all.indexOf("\r\n\r\n");
    answer.head = all.left(end);
    answer.body = end < 0 ? QByteArray() : all.mid(end + 4);
    const QList<QByteArray> statusLine = answer.head.left(answer.head.indexOf("\r\n")).split(' ');
    if (statusLine.size() >= 2 && statusLine[0] == "HTTP/1.1")
        answer.status = statusLine[1].toInt();
    return answer;
}

/// The samples of a scrape, "name{labels}" → value; the comment lines left out.
QMap<QString, qint64> samplesOf(const QByteArray &text)
{
    QMap<QString, qint64> samples;
    for (const QByteArray &line : text.split('\n')) {
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const qsizetype space = line.lastIndexOf(' ');
        samples.insert(QString::fromUtf8(line.left(space)), line.mid(space + 1).toLongLong());
    }
    return samples;
}

/// What status --json says of the task, in the metrics' names (the lag left out: it moves with
/// the clock).
QMap<QString, qint64> statusAsSamples(const QJsonObject &task)
{
    const QString label = u"task=\"%1\""_s.arg(task[u"name"_s].toString());
    auto key = [&](const char *name) { return QString::fromLatin1(name) + u'{' + label + u'}'; };
    QMap<QString, qint64> samples{
        {key("tsmigrate_points_read_total"), task[u"pointsRead"_s].toInteger()},
        {key("tsmigrate_points_written_total"), task[u"pointsWritten"_s].toInteger()},
        {key("tsmigrate_points_rejected_total"), task[u"pointsRejected"_s].toInteger()},
        {key("tsmigrate_units_done"), task[u"unitsDone"_s].toInteger()},
        {key("tsmigrate_units_planned"), task[u"unitsTotal"_s].toInteger()},
        {key("tsmigrate_units_failed"), task[u"unitsFailed"_s].toInteger()},
        {key("tsmigrate_retries_total"), task[u"retries"_s].toInteger()},
    };
    samples.insert(
        u"tsmigrate_task_state{%1,state=\"%2\"}"_s.arg(label, task[u"state"_s].toString()), 1);
    samples.insert(
        u"tsmigrate_task_health{%1,health=\"%2\"}"_s.arg(label, task[u"health"_s].toString()), 1);
    return samples;
}

/// The scrape's samples that status --json has a figure for.
QMap<QString, qint64> comparable(const QMap<QString, qint64> &scraped,
                                 const QMap<QString, qint64> &status)
{
    QMap<QString, qint64> picked;
    for (auto it = status.cbegin(); it != status.cend(); ++it)
        picked.insert(it.key(), scraped.value(it.key(), -1));
    return picked;
}

QJsonObject statusJson(const QString &state, const QString &task)
{
    const CliResult status =
        runCli({u"status"_s, u"--json"_s, u"--state"_s, state, u"--task"_s, task});
    if (status.exitCode != 0)
        return {};
    // The output is stdout and stderr: the document starts at its first brace.
    const QByteArray json = status.output.mid(status.output.indexOf(u'{')).toUtf8();
    const QJsonArray tasks = QJsonDocument::fromJson(json)[u"tasks"_s].toArray();
    return tasks.size() == 1 ? tasks.first().toObject() : QJsonObject();
}

} // namespace

/** The metrics endpoint of a run, against status. */
class TestMetrics : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    /// Waits for the run to name where its metrics are.
    static QUrl metricsUrl(CliRun &run, QString &output)
    {
        static const QRegularExpression named(u"Metrics at (http://\\S+)"_s);
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 30000 && run.process().state() == QProcess::Running) {
            run.process().waitForReadyRead(200);
            output += run.readOutput();
            if (const QRegularExpressionMatch m = named.match(output); m.hasMatch())
                return QUrl(m.captured(1));
        }
        return {};
    }

    /// A scrape and status --json between two scrapes that agree with each other (the run may
    /// move on between them: then it is tried again). Fails the test when status disagrees.
    static QMap<QString, qint64> agreement(const QUrl &url, const QString &state,
                                           const QString &task)
    {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 60000) {
            const HttpAnswer before = request(url, "GET", "/metrics");
            const QJsonObject status = statusJson(state, task);
            const HttpAnswer after = request(url, "GET", "/metrics");
            if (before.status != 200 || status.isEmpty() || before.body != after.body) {
                QThread::msleep(100);
                continue;
            }
            const QMap<QString, qint64> expected = statusAsSamples(status);
            const QMap<QString, qint64> scraped = comparable(samplesOf(before.body), expected);
            if (scraped != expected) {
                qWarning().noquote()
                    << "scraped:" << before.body << "status:" << QJsonDocument(status).toJson();
                QTest::qFail("the metrics and status disagree", __FILE__, __LINE__);
                return {};
            }
            return samplesOf(before.body);
        }
        const HttpAnswer last = request(url, "GET", "/metrics");
        qWarning().noquote() << "last scrape:" << last.status << last.head << last.body
                             << "status:"
                             << runCli({u"status"_s, u"--json"_s, u"--state"_s, state,
                                        u"--task"_s, task})
                                    .output;
        QTest::qFail("no two scrapes agreed within a minute", __FILE__, __LINE__);
        return {};
    }

    /// Scrapes until the sample named `key` is 1 (a state or health), or `timeoutMs` passes.
    static bool waitForSample(const QUrl &url, const QString &key, int timeoutMs)
    {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < timeoutMs) {
            if (samplesOf(request(url, "GET", "/metrics").body).value(key) == 1)
                return true;
            QThread::msleep(200);
        }
        return false;
    }

    /// Only GET and HEAD of /metrics: 404 for another path, 405 (with Allow) for another
    /// method, 400 for what is not HTTP.
    static void refusesWhatItDoesNotServe(const QUrl &url)
    {
        QCOMPARE(request(url, "GET", "/").status, 404);
        QCOMPARE(request(url, "GET", "/metrics/x").status, 404);
        const HttpAnswer post = request(url, "POST", "/metrics");
        QCOMPARE(post.status, 405);
        QVERIFY2(post.head.contains("Allow: GET, HEAD"), post.head);
        QCOMPARE(request(url, "BREW", "/metrics").status, 405);
        QCOMPARE(request(url, "GET", "metrics").status, 400);
        const HttpAnswer head = request(url, "HEAD", "/metrics");
        QCOMPARE(head.status, 200);
        QVERIFY(head.body.isEmpty());
        QVERIFY(head.head.contains("Content-Length: "));
        QCOMPARE(request(url, "GET", "/metrics?x=1").status, 200);
        QCOMPARE(request(url, "GET", "/metrics", {}).status, 200); // no header at all
    }

    QString lpProfile(const QString &name)
    {
        TaskProfile profile = lpfileSince2020(name, sourceDir() + u"/resources/sample.lp"_s,
                                              m_dir.filePath(name + u".out.lp"_s));
        const QString path = m_dir.filePath(name + u".json"_s);
        return saveProfile(profile, path) ? path : QString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        TSM_INIT_CLI_TEST_CASE();
        QVERIFY(m_dir.isValid());
    }

    /// A wrong address, or one that cannot be listened on, is a usage error before anything
    /// runs: the store has no trace of the task.
    void addressErrors_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<QString>("message");
        QTest::newRow("no port") << u"127.0.0.1"_s << u"is not HOST:PORT"_s;
        QTest::newRow("port out of range") << u"127.0.0.1:70000"_s << u"out of range"_s;
        QTest::newRow("host name") << u"example.com:9101"_s << u"is not an IP address"_s;
        QTest::newRow("empty host") << u":9101"_s << u"is not HOST:PORT"_s;
        QTest::newRow("not local") << u"192.0.2.1:0"_s << u"cannot listen on 192.0.2.1:0"_s;
    }
    void addressErrors()
    {
        QFETCH(QString, address);
        QFETCH(QString, message);
        const QString profile = lpProfile(u"address"_s);
        QVERIFY(!profile.isEmpty());
        const QString state = m_dir.filePath(u"address.sqlite"_s);
        const CliResult run =
            runCli({u"run"_s, profile, u"--state"_s, state, u"--metrics"_s, address});
        QVERIFY2(run.exitCode == 2, qPrintable(run.output));
        QVERIFY2(run.output.contains(u"--metrics"_s) && run.output.contains(message),
                 qPrintable(run.output));
        QVERIFY(!QFileInfo::exists(state));
    }

    void portInUse()
    {
        QTcpServer taken;
        QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
        const QString profile = lpProfile(u"taken"_s);
        const CliResult run =
            runCli({u"run"_s, profile, u"--state"_s, m_dir.filePath(u"taken.sqlite"_s),
                    u"--metrics"_s, u"127.0.0.1:%1"_s.arg(taken.serverPort())});
        QVERIFY2(run.exitCode == 2, qPrintable(run.output));
        QVERIFY2(run.output.contains(u"cannot listen on 127.0.0.1:%1"_s.arg(taken.serverPort())),
                 qPrintable(run.output));
    }

    /// During the run (writes held: mid-way however fast the machine; then the target gone;
    /// then following with nothing new) and after it, the endpoint says what status says.
    void countersAgreeWithStatus()
    {
        InfluxdFixture influx;
        QVERIFY2(influx.start(), qPrintable(influx.errorString()));
        QVERIFY(influx.fill(
            u"src"_s, seriesLines(4, kPoints / 4, 1700000000000000000LL, kSecond, [](int s, int i) {
                return "meter,site=s" + QByteArray::number(s) + " kwh=" + QByteArray::number(i) +
                       'i';
            })));
        FaultProxy proxy(influx.url());
        proxy.tripAfter("/write", 60, FaultProxy::Fault::Hold);
        const auto letGo = qScopeGuard([&] { proxy.up(); }); // nothing held when the test ends

        TaskProfile profile = oneAtATime(
            influxToInflux(u"metered"_s, influx.url(), u"src"_s, proxy.url(), u"dst"_s), 2, 100);
        profile.task.mode = u"both"_s;
        profile.task.end.clear();
        profile.task.delaySeconds = 1;
        profile.advanced.idleSeconds = 1;
        profile.advanced.retryAttempts = 2;
        const QString profilePath = m_dir.filePath(u"metered.json"_s);
        QVERIFY(saveProfile(profile, profilePath));
        const QString state = m_dir.filePath(u"metered.sqlite"_s);

        CliRun run;
        QVERIFY(run.start(profilePath, state, {u"--metrics"_s, u"127.0.0.1:0"_s}));
        QString output;
        const QUrl url = metricsUrl(run, output);
        QVERIFY2(url.isValid() && url.port() > 0, qPrintable(output));
        QCOMPARE(url.host(), u"127.0.0.1"_s);
        QCOMPARE(url.path(), u"/metrics"_s);

        // Mid-way: the 61st write is held.
        QVERIFY(proxy.waitTripped());
        const QString task = u"task=\"metered\""_s;
        auto sample = [&](const char *name) {
            return QString::fromLatin1(name) + u'{' + task + u'}';
        };
        QMap<QString, qint64> during = agreement(url, state, u"metered"_s);
        QVERIFY(!QTest::currentTestFailed());
        QVERIFY2(during.value(sample("tsmigrate_units_done")) <
                     during.value(sample("tsmigrate_units_planned")),
                 "the run should be mid-way");
        QCOMPARE(during.value(u"tsmigrate_task_state{%1,state=\"running\"}"_s.arg(task)), 1);

        // The format: each family with its HELP and TYPE, the content type of the text format.
        const HttpAnswer scrape = request(url, "GET", "/metrics");
        QVERIFY2(scrape.head.contains("Content-Type: text/plain; version=0.0.4"), scrape.head);
        for (const char *family :
             {"tsmigrate_points_read_total counter", "tsmigrate_points_written_total counter",
              "tsmigrate_points_rejected_total counter", "tsmigrate_units_done gauge",
              "tsmigrate_units_planned gauge", "tsmigrate_retries_total counter",
              "tsmigrate_task_state gauge", "tsmigrate_task_health gauge"}) {
            QVERIFY2(scrape.body.contains("# TYPE "_ba + family + '\n'), family);
            const QByteArray name = QByteArray(family).split(' ').first();
            QVERIFY2(scrape.body.contains("# HELP "_ba + name + ' '), family);
        }
        QCOMPARE(
            samplesOf(scrape.body).value(u"tsmigrate_task_health{%1,health=\"Ready\"}"_s.arg(task)),
            1);
        refusesWhatItDoesNotServe(url);
        QVERIFY(!QTest::currentTestFailed());

        // The target gone: its writes reset. The task's health is SinkError, and says so in
        // status too, while the counters still agree.
        FaultProxy::Rule reset;
        reset.path = "/write";
        reset.action = FaultProxy::Action::ResetBefore;
        proxy.addRule(reset);
        proxy.release();
        QVERIFY(waitForSample(url, u"tsmigrate_task_health{%1,health=\"SinkError\"}"_s.arg(task),
                              120000));
        const CliResult statusText =
            runCli({u"status"_s, u"--state"_s, state, u"--task"_s, u"metered"_s});
        QVERIFY2(statusText.output.contains(u"health: SinkError"_s), qPrintable(statusText.output));
        agreement(url, state, u"metered"_s);
        QVERIFY(!QTest::currentTestFailed());

        // The target back: the history completes, then the run follows and finds nothing new.
        proxy.up();
        QVERIFY(
            waitForSample(url, u"tsmigrate_task_health{%1,health=\"Idle\"}"_s.arg(task), 180000));
        const QMap<QString, qint64> following = agreement(url, state, u"metered"_s);
        QVERIFY(!QTest::currentTestFailed());
        QCOMPARE(following.value(sample("tsmigrate_points_written_total")), qint64(kPoints));
        QCOMPARE(following.value(sample("tsmigrate_points_read_total")), qint64(kPoints));
        QCOMPARE(following.value(sample("tsmigrate_units_done")),
                 following.value(sample("tsmigrate_units_planned")));
        QVERIFY(following.value(sample("tsmigrate_retries_total")) > 0);
        QVERIFY(following.contains(sample("tsmigrate_follow_lag_seconds")));

        // After the run: status keeps the figures the last scrape showed.
        run.interrupt();
        QVERIFY(run.process().waitForFinished(60000));
        QCOMPARE(run.process().exitCode(), 5);
        const QJsonObject after = statusJson(state, u"metered"_s);
        QCOMPARE(after[u"state"_s].toString(), u"paused"_s);
        QMap<QString, qint64> expected = statusAsSamples(after);
        QMap<QString, qint64> last = comparable(following, expected);
        for (const QString &key : expected.keys())
            if (key.startsWith(u"tsmigrate_task_"_s)) {
                expected.remove(key);
                last.remove(key);
            }
        QCOMPARE(last, expected);
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "test_metrics.moc"
