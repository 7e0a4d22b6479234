// tsm-emulator, the emulators as one standalone server: each kind starts on the port asked for
// and answers as the tests' emulators do; a tsmigrate-cli run migrates into the TDengine 3 one,
// which then counts the rows over /rest/sql; --data loads line protocol at start; SIGTERM ends
// it cleanly.
#include "http/HttpClient.h"
#include "support/InfluxdFixture.h"
#include "support/TestCli.h"
#include "support/TestProfiles.h"
#include "support/TestTime.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>
#include <TimeText.h>
#include <csignal>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::test;

namespace {

QString emulatorPath()
{
    return qEnvironmentVariable("TSM_EMULATOR");
}

/// A port nothing listens on just now.
quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

/// Starts tsm-emulator and returns the URL it says it listens on (empty when it did not).
QString startEmulator(QProcess &process, const QStringList &arguments)
{
    process.start(emulatorPath(), arguments);
    if (!process.waitForStarted())
        return QString();
    static const QRegularExpression listening(u"listening on (http://\\S+)"_s);
    QString printed;
    while (process.waitForReadyRead(60000)) {
        printed += QString::fromUtf8(process.readAllStandardOutput());
        const QRegularExpressionMatch m = listening.match(printed);
        if (m.hasMatch())
            return m.captured(1);
    }
    qWarning("tsm-emulator said: %s %s", qPrintable(printed),
             process.readAllStandardError().constData());
    return QString();
}

/// The first value of the answer to `sql` on a TDengine emulator's /rest/sql.
QJsonValue sqlValue(const QString &url, const QByteArray &sql)
{
    HttpClient client;
    HttpRequest request;
    request.method = "POST";
    request.url = url.toUtf8() + "/rest/sql";
    request.headers.emplaceBack("Authorization", "Basic " + QByteArray("root:taosdata").toBase64());
    request.body = sql;
    const HttpResponse response = client.perform(request);
    return QJsonDocument::fromJson(response.body).object().value(u"data"_s).toArray().at(0).toArray().at(0);
}

bool stop(QProcess &process)
{
    ::kill(pid_t(process.processId()), SIGTERM);
    return process.waitForFinished(60000) && process.exitStatus() == QProcess::NormalExit &&
           process.exitCode() == 0;
}

} // namespace

/** tsm-emulator started as a user would, and a migration run against it. */
class TestEmulatorTool : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!emulatorPath().isEmpty(), "TSM_EMULATOR is not set");
        QStandardPaths::setTestModeEnabled(true);
    }

    void tdengine3TakesARun()
    {
        QTemporaryDir dir;
        const qint64 t = (TimeText::nowNs() - kDay) / kSecond * kSecond;
        QDir().mkpath(dir.filePath(u"data"_s));
        QFile seed(dir.filePath(u"data/seeded.lp"_s));
        QVERIFY(seed.open(QIODevice::WriteOnly));
        seed.write("m,host=a v=1i " + QByteArray::number(t) + "\n");
        seed.close();
        const quint16 port = freePort();
        QProcess emulator;
        const QString url = startEmulator(
            emulator, {u"tdengine3"_s, u"--port"_s, QString::number(port), u"--data"_s,
                       dir.filePath(u"data"_s)});
        QCOMPARE(url, u"http://127.0.0.1:%1"_s.arg(port));
        QCOMPARE(sqlValue(url, "SELECT COUNT(*) FROM seeded.m").toInteger(), 1);

        QFile input(dir.filePath(u"in.lp"_s));
        QVERIFY(input.open(QIODevice::WriteOnly));
        input.write("cpu,host=a usage=1.5,note=\"two\nlines\" " + QByteArray::number(t) +
                    "\ncpu,host=b usage=2.5 " + QByteArray::number(t + kSecond) + "\n");
        input.close();
        TaskProfile profile = lpfileToLpfile(u"to emulator"_s, input.fileName(), QString());
        profile.target.type = u"tdengine3"_s;
        setServer(profile.target, url);
        profile.target.user = u"root"_s;
        profile.target.password = u"taosdata"_s;
        profile.target.database = u"dst"_s;
        profile.target.createDatabase = true;
        profile.task.start = TimeText::format(t - kDay);
        profile.task.end = TimeText::format(t + kDay);
        const QString profilePath = dir.filePath(u"p.json"_s);
        QVERIFY(saveProfile(profile, profilePath));
        const CliResult run =
            runCli({u"run"_s, profilePath, u"--state"_s, dir.filePath(u"s.sqlite"_s)});
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));
        QCOMPARE(sqlValue(url, "SELECT COUNT(*) FROM dst.cpu").toInteger(), 2);
        QCOMPARE(sqlValue(url, "SELECT COUNT(`note`) FROM dst.cpu").toInteger(), 1);
        QVERIFY(stop(emulator));
    }

    void tdengine2Answers()
    {
        QProcess emulator;
        const QString url = startEmulator(emulator, {u"tdengine2"_s, u"--port"_s, u"0"_s});
        QVERIFY(url.startsWith(u"http://127.0.0.1:"_s));
        HttpClient client;
        HttpRequest request;
        request.method = "POST";
        request.url = url.toUtf8() + "/rest/sql";
        request.headers.emplaceBack("Authorization",
                                    "Basic " + QByteArray("root:taosdata").toBase64());
        request.body = "SHOW DATABASES";
        const HttpResponse response = client.perform(request);
        QCOMPARE(response.status, 200);
        QCOMPARE(QJsonDocument::fromJson(response.body).object().value(u"status"_s).toString(),
                 u"succ"_s);
        QVERIFY(stop(emulator));
    }

    void influxdb2Answers()
    {
        TSM_SKIP_WITHOUT_INFLUXD();
        QProcess emulator;
        const QString url = startEmulator(emulator, {u"influxdb2"_s, u"--port"_s, u"0"_s});
        QVERIFY(url.startsWith(u"http://127.0.0.1:"_s));
        HttpClient client;
        HttpRequest request;
        request.url = url.toUtf8() + "/ping";
        QCOMPARE(client.perform(request).status, 204);
        QVERIFY(stop(emulator));
    }

    void refusesWhatItCannotDo()
    {
        QProcess emulator;
        emulator.start(emulatorPath(), {u"mysql"_s, u"--port"_s, u"0"_s});
        QVERIFY(emulator.waitForFinished(60000));
        QCOMPARE(emulator.exitCode(), 2);
        QVERIFY(QString::fromUtf8(emulator.readAllStandardError()).contains(u"Usage"_s));
    }
};

QTEST_GUILESS_MAIN(TestEmulatorTool)
#include "test_emulatortool.moc"
