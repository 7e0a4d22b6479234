// tsm-emulator: the strict emulators the tests use, as one standalone server, so that the
// TDengine target can be tried without a TDengine and an outside test suite can run against the
// same server the tests do. A test tool: it keeps its data in memory (InfluxDB 2.x: in the
// influxd it starts) and has none of a real server's durability.
//
//   tsm-emulator tdengine3|tdengine2|influxdb2 --port P [--data DIR]
//
// --data DIR loads each DIR/<name>.lp at start: into the TDengine 3 database <name> through
// its schemaless endpoint, into the InfluxDB 2.x bucket <name>. It prints the URL it listens on
// and runs until SIGINT or SIGTERM.
#include "emulators/Influx2Emulator.h"
#include "emulators/TDengine2Emulator.h"
#include "emulators/TDengine3Emulator.h"
#include "http/HttpClient.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QSocketNotifier>
#include <QTextStream>
#include <csignal>
#include <memory>
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace tsm::test;

namespace {

int g_signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(g_signalPipe[1], &byte, 1);
}

/// SIGINT and SIGTERM end the event loop, so that the servers (and an influxd) are stopped.
void quitOnSignals(QCoreApplication &app)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalPipe) != 0)
        return;
    auto *notifier = new QSocketNotifier(g_signalPipe[0], QSocketNotifier::Read, &app);
    QObject::connect(notifier, &QSocketNotifier::activated, &app, [&app] { app.quit(); });
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
}

/// The DIR/<name>.lp files of --data, by name.
QList<QPair<QString, QByteArray>> dataFiles(const QString &dir, QString &error)
{
    QList<QPair<QString, QByteArray>> files;
    if (dir.isEmpty())
        return files;
    const QDir folder(dir);
    if (!folder.exists()) {
        error = u"--data: %1 is not a folder"_s.arg(dir);
        return files;
    }
    for (const QString &name : folder.entryList({u"*.lp"_s}, QDir::Files, QDir::Name)) {
        QFile file(folder.filePath(name));
        if (!file.open(QIODevice::ReadOnly)) {
            error = u"--data: cannot read %1: %2"_s.arg(file.fileName(), file.errorString());
            return files;
        }
        files.append({name.chopped(3), file.readAll()});
    }
    return files;
}

/// Writes line protocol into a database of the TDengine 3 emulator, as a client would.
QString loadTDengine3(TDengine3Emulator &td, const QString &database, const QByteArray &lines)
{
    td.createDatabase(database);
    tsm::HttpClient client;
    tsm::HttpRequest request;
    request.method = "POST";
    request.url = td.url().toUtf8() + "/influxdb/v1/write?precision=ns&db=" +
                  tsm::HttpClient::percentEncode(database);
    request.headers.emplaceBack("Authorization", "Basic " + QByteArray("root:taosdata").toBase64());
    request.body = lines;
    const tsm::HttpResponse response = client.perform(request);
    if (response.status != 204)
        return u"%1.lp: %2 %3"_s.arg(database).arg(response.status).arg(
            QString::fromUtf8(response.body));
    return QString();
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"tsm-emulator"_s);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"A strict emulator of TDengine 3 (taosAdapter), TDengine 2.x or InfluxDB 2.x, for "
        u"trying tsmigrate and for tests. Not a database: it keeps its data in memory."_s);
    parser.addHelpOption();
    parser.addPositionalArgument(u"kind"_s, u"tdengine3, tdengine2 or influxdb2"_s);
    const QCommandLineOption port(u"port"_s, u"Listen on 127.0.0.1:<port> (0: a free one)."_s,
                                  u"port"_s, u"0"_s);
    const QCommandLineOption data(u"data"_s,
                                  u"Load each <dir>/<name>.lp into the database (bucket) "
                                  u"<name> at start (tdengine3, influxdb2)."_s,
                                  u"dir"_s);
    parser.addOption(port);
    parser.addOption(data);
    parser.process(app);
    QTextStream out(stdout);
    QTextStream err(stderr);
    const QStringList kinds{u"tdengine3"_s, u"tdengine2"_s, u"influxdb2"_s};
    if (parser.positionalArguments().size() != 1 ||
        !kinds.contains(parser.positionalArguments().first())) {
        err << "Usage: tsm-emulator tdengine3|tdengine2|influxdb2 --port P [--data DIR]\n";
        return 2;
    }
    const QString kind = parser.positionalArguments().first();
    bool ok = false;
    const uint wanted = parser.value(port).toUInt(&ok);
    if (!ok || wanted > 65535) {
        err << "--port: a number from 0 to 65535\n";
        return 2;
    }
    QString error;
    const auto files = dataFiles(parser.value(data), error);
    if (kind == u"tdengine2"_s && !files.isEmpty())
        error = u"--data: the TDengine 2.x emulator starts empty (its tables are typed)"_s;
    if (!error.isEmpty()) {
        err << error << '\n';
        return 2;
    }

    std::unique_ptr<TDengine3Emulator> td3;
    std::unique_ptr<TDengine2Emulator> td2;
    std::unique_ptr<Influx2Emulator> influx2;
    QString url;
    QString note;
    if (kind == u"tdengine3"_s) {
        td3 = std::make_unique<TDengine3Emulator>(quint16(wanted));
        url = td3->port() ? td3->url() : QString();
        for (const auto &[name, lines] : files)
            if (error.isEmpty() && !url.isEmpty())
                error = loadTDengine3(*td3, name, lines);
        note = u"user root, password taosdata"_s;
    } else if (kind == u"tdengine2"_s) {
        td2 = std::make_unique<TDengine2Emulator>(u"2.4.0.16"_s, quint16(wanted));
        url = td2->port() ? td2->url() : QString();
        note = u"user root, password taosdata"_s;
    } else {
        Influx2Emulator::Options options;
        options.port = quint16(wanted);
        influx2 = std::make_unique<Influx2Emulator>(options);
        if (!influx2->start()) {
            err << "Cannot start the influxd behind the emulator: " << influx2->errorString()
                << '\n';
            return 1;
        }
        url = influx2->url().endsWith(u":0"_s) ? QString() : influx2->url();
        for (const auto &[name, lines] : files) {
            influx2->addBucket(name);
            if (error.isEmpty() && !influx2->influxd().write(influx2->storageDatabase(name), lines))
                error = u"%1.lp: influxd refused the lines"_s.arg(name);
        }
        note = u"organization ID %1, token %2"_s.arg(influx2->options().orgId, influx2->token());
    }
    if (url.isEmpty()) {
        err << "Cannot listen on 127.0.0.1:" << wanted << '\n';
        return 1;
    }
    if (!error.isEmpty()) {
        err << error << '\n';
        return 1;
    }
    // Before the line that says it is ready: a signal sent at once must find the handler.
    quitOnSignals(app);
    out << "tsm-emulator " << kind << " listening on " << url << " (" << note << ")" << Qt::endl;
    return app.exec();
}
