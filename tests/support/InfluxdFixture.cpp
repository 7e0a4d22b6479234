#include "support/InfluxdFixture.h"

#include "http/HttpClient.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QStandardPaths>
#include <QTcpServer>
#include <csignal>
#include <sys/prctl.h>

using namespace Qt::StringLiterals;

namespace tsm::test {

namespace {

constexpr int StartTimeoutMs = 30000;
constexpr int StopTimeoutMs = 10000;

/// Two distinct free loopback ports: both listeners stay open until both are known.
bool freePorts(int &first, int &second)
{
    QTcpServer a;
    QTcpServer b;
    if (!a.listen(QHostAddress::LocalHost, 0) || !b.listen(QHostAddress::LocalHost, 0))
        return false;
    first = a.serverPort();
    second = b.serverPort();
    return true;
}

void fail(const QString &message)
{
    QTest::qFail(qPrintable(message), __FILE__, __LINE__);
}

} // namespace

InfluxdFixture::InfluxdFixture() : InfluxdFixture(Options{}) {}

InfluxdFixture::InfluxdFixture(Options options) : m_options(options)
{
    m_process.setProcessChannelMode(QProcess::SeparateChannels);
}

InfluxdFixture::~InfluxdFixture()
{
    stop();
}

QString InfluxdFixture::influxdPath()
{
    if (QFileInfo(u"/usr/bin/influxd"_s).isExecutable())
        return u"/usr/bin/influxd"_s;
    return QStandardPaths::findExecutable(u"influxd"_s);
}

QString InfluxdFixture::url() const
{
    return (m_options.tls ? u"https://127.0.0.1:%1"_s : u"http://127.0.0.1:%1"_s).arg(m_httpPort);
}

InfluxEndpoint InfluxdFixture::endpoint() const
{
    InfluxEndpoint endpoint;
    endpoint.baseUrl = url();
    endpoint.http.connectTimeoutMs = 5000;
    endpoint.http.idleTimeoutMs = 60000;
    endpoint.http.verifyTls = !m_options.tls;
    if (m_options.authEnabled) {
        endpoint.user = adminUser();
        endpoint.password = adminPassword();
    }
    return endpoint;
}

HttpOptions InfluxdFixture::httpOptions() const
{
    HttpOptions options;
    options.connectTimeoutMs = 2000;
    options.idleTimeoutMs = 60000;
    options.verifyTls = !m_options.tls; // self-signed
    if (m_options.authEnabled && m_userCreated) {
        options.basicUser = adminUser();
        options.basicPassword = adminPassword();
    }
    return options;
}

void InfluxdFixture::writeConfig()
{
    const QString root = m_dir.path();
    const QString config =
        u"reporting-disabled = true\n"
        u"bind-address = \"127.0.0.1:%1\"\n"
        u"[meta]\n"
        u"  dir = \"%3/meta\"\n"
        u"[data]\n"
        u"  dir = \"%3/data\"\n"
        u"  wal-dir = \"%3/wal\"\n"
        u"  query-log-enabled = false\n"
        u"[http]\n"
        u"  bind-address = \"127.0.0.1:%2\"\n"
        u"  auth-enabled = %4\n"
        u"  log-enabled = false\n"
        u"  https-enabled = %5\n"
        u"  https-certificate = \"%3/cert.pem\"\n"
        u"  https-private-key = \"%3/key.pem\"\n"
        u"[monitor]\n"
        u"  store-enabled = false\n"
        u"[continuous_queries]\n"
        u"  enabled = false\n"
        u"[subscriber]\n"
        u"  enabled = false\n"_s.arg(QString::number(m_rpcPort), QString::number(m_httpPort), root,
                                     m_options.authEnabled ? u"true"_s : u"false"_s,
                                     m_options.tls ? u"true"_s : u"false"_s);
    QFile file(root + u"/influxd.conf"_s);
    if (file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        file.write(config.toUtf8());
}

QString InfluxdFixture::logTail() const
{
    QFile file(m_dir.path() + u"/influxd.log"_s);
    if (!file.open(QIODevice::ReadOnly))
        return u"(no output)"_s;
    const QByteArray all = file.readAll();
    return QString::fromUtf8(all.right(4000));
}

bool InfluxdFixture::start()
{
    m_error.clear();
    if (!isInstalled()) {
        m_error = u"influxd is not installed"_s;
        return false;
    }
    if (!m_dir.isValid()) {
        m_error = u"cannot create a temporary folder: "_s + m_dir.errorString();
        return false;
    }
    if (isRunning())
        return true;
    const bool firstStart = m_httpPort == 0;
    for (const auto &folder : {u"meta"_s, u"data"_s, u"wal"_s})
        QDir(m_dir.path()).mkpath(folder);
    if (m_options.tls && !QFileInfo::exists(m_dir.path() + u"/cert.pem"_s)) {
        QProcess openssl;
        openssl.setProcessChannelMode(QProcess::MergedChannels);
        openssl.start(u"openssl"_s,
                      {u"req"_s, u"-x509"_s, u"-newkey"_s, u"rsa:2048"_s, u"-nodes"_s, u"-days"_s,
                       u"2"_s, u"-subj"_s, u"/CN=127.0.0.1"_s, u"-keyout"_s,
                       m_dir.path() + u"/key.pem"_s, u"-out"_s, m_dir.path() + u"/cert.pem"_s});
        if (!openssl.waitForFinished(60000) || openssl.exitCode() != 0) {
            m_error = u"cannot make a certificate with openssl: "_s +
                      QString::fromUtf8(openssl.readAll()) + openssl.errorString();
            return false;
        }
    }

    // A port picked as free may be taken by someone else before influxd binds it; pick again
    // then (only on the first start: a restart must keep the URL the code under test holds).
    for (int attempt = 1;; ++attempt) {
        if (firstStart && !freePorts(m_httpPort, m_rpcPort)) {
            m_error = u"no free loopback port"_s;
            return false;
        }
        writeConfig();
        QString failure;
        if (launch(failure))
            break;
        const bool portTaken = failure.contains(u"address already in use"_s);
        if (!firstStart || !portTaken || attempt >= 3) {
            m_error = failure;
            return false;
        }
    }

    if (m_options.authEnabled && !m_userCreated) {
        // Allowed without credentials while the server has no user at all.
        HttpClient client(httpOptions());
        HttpRequest request;
        request.method = "POST";
        request.url = url().toUtf8() + "/query";
        request.headers.emplaceBack("Content-Type", "application/x-www-form-urlencoded");
        request.body = "q=" + HttpClient::percentEncode(
                                  u"CREATE USER %1 WITH PASSWORD '%2' WITH ALL PRIVILEGES"_s.arg(
                                      adminUser(), adminPassword()));
        try {
            const HttpResponse response = client.perform(request);
            if (response.status != 200 || response.body.contains("\"error\"")) {
                m_error = u"cannot create the admin user: %1 %2"_s.arg(response.status)
                              .arg(QString::fromUtf8(response.body));
                return false;
            }
        } catch (const Error &error) {
            m_error = u"cannot create the admin user: "_s + error.message();
            return false;
        }
        m_userCreated = true;
    }
    return true;
}

bool InfluxdFixture::launch(QString &failure)
{
    const QString log = m_dir.path() + u"/influxd.log"_s;
    QFile::remove(log);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    // INFLUXDB_* variables override the config file; a developer's shell must not leak in.
    const QStringList keys = environment.keys();
    for (const QString &key : keys) {
        if (key.startsWith(u"INFLUXDB_"_s))
            environment.remove(key);
    }
    m_process.setProcessEnvironment(environment);
    // Into a file rather than a pipe: nobody reads a pipe while the test blocks, and a full
    // pipe would stall influxd.
    m_process.setStandardOutputFile(log, QIODevice::Append);
    m_process.setStandardErrorFile(log, QIODevice::Append);
    // When a test aborts, its destructor never runs: let the kernel stop influxd with it.
    m_process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
    m_process.start(influxdPath(), {u"run"_s, u"-config"_s, m_dir.path() + u"/influxd.conf"_s});
    if (!m_process.waitForStarted(5000)) {
        failure = u"cannot start %1: %2"_s.arg(influxdPath(), m_process.errorString());
        return false;
    }

    HttpOptions options;
    options.connectTimeoutMs = 1000;
    options.idleTimeoutMs = 5000;
    options.verifyTls = !m_options.tls;
    HttpClient client(options);
    HttpRequest ping;
    ping.url = url().toUtf8() + "/ping";
    QDeadlineTimer deadline(StartTimeoutMs);
    while (!deadline.hasExpired()) {
        try {
            if (client.perform(ping).status == 204)
                return true;
        } catch (const Error &) {
            // not listening yet
        }
        if (m_process.state() == QProcess::NotRunning || m_process.waitForFinished(100)) {
            failure = u"influxd exited with code %1 before answering /ping:\n%2"_s
                          .arg(m_process.exitCode())
                          .arg(logTail());
            return false;
        }
    }
    failure = u"influxd did not answer /ping on %1 within %2 s:\n%3"_s.arg(url())
                  .arg(StartTimeoutMs / 1000)
                  .arg(logTail());
    stop();
    return false;
}

void InfluxdFixture::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate();
    if (!m_process.waitForFinished(StopTimeoutMs)) {
        m_process.kill();
        m_process.waitForFinished(StopTimeoutMs);
    }
}

bool InfluxdFixture::query(const QString &statement, const QString &database)
{
    HttpClient client(httpOptions());
    HttpRequest request;
    request.method = "POST";
    request.url = url().toUtf8() + "/query";
    request.headers.emplaceBack("Content-Type", "application/x-www-form-urlencoded");
    request.body = "q=" + HttpClient::percentEncode(statement);
    if (!database.isEmpty())
        request.body += "&db=" + HttpClient::percentEncode(database);
    try {
        const HttpResponse response = client.perform(request);
        const QJsonObject root = QJsonDocument::fromJson(response.body).object();
        const QJsonObject first = root.value(u"results"_s).toArray().at(0).toObject();
        if (response.status == 200 && !root.contains(u"error"_s) && !first.contains(u"error"_s))
            return true;
        fail(u"influxd query \"%1\" failed: %2 %3"_s.arg(
            statement, QString::number(response.status), QString::fromUtf8(response.body)));
    } catch (const Error &error) {
        fail(u"influxd query \"%1\" failed: %2"_s.arg(statement, error.message()));
    }
    return false;
}

QJsonArray InfluxdFixture::select(const QString &statement, const QString &database)
{
    HttpClient client(httpOptions());
    HttpRequest request;
    request.url = url().toUtf8() + "/query?epoch=ns&q=" + HttpClient::percentEncode(statement);
    if (!database.isEmpty())
        request.url += "&db=" + HttpClient::percentEncode(database);
    try {
        const HttpResponse response = client.perform(request);
        const QJsonObject root = QJsonDocument::fromJson(response.body).object();
        const QJsonObject first = root.value(u"results"_s).toArray().at(0).toObject();
        if (response.status == 200 && !root.contains(u"error"_s) && !first.contains(u"error"_s)) {
            return first.value(u"series"_s).toArray().at(0).toObject().value(u"values"_s).toArray();
        }
        fail(u"influxd query \"%1\" failed: %2 %3"_s.arg(
            statement, QString::number(response.status), QString::fromUtf8(response.body)));
    } catch (const Error &error) {
        fail(u"influxd query \"%1\" failed: %2"_s.arg(statement, error.message()));
    }
    return {};
}

bool InfluxdFixture::write(const QString &database, const QByteArray &lines)
{
    HttpClient client(httpOptions());
    HttpRequest request;
    request.method = "POST";
    request.url = url().toUtf8() + "/write?db=" + HttpClient::percentEncode(database);
    request.body = lines;
    try {
        const HttpResponse response = client.perform(request);
        if (response.status == 204)
            return true;
        fail(u"influxd write to %1 failed: %2 %3"_s.arg(database, QString::number(response.status),
                                                        QString::fromUtf8(response.body)));
    } catch (const Error &error) {
        fail(u"influxd write to %1 failed: %2"_s.arg(database, error.message()));
    }
    return false;
}

bool InfluxdFixture::fill(const QString &database, const QByteArray &lines)
{
    const QString quoted = QString(database).replace(u'\\', u"\\\\"_s).replace(u'"', u"\\\""_s);
    return query(u"CREATE DATABASE \"%1\""_s.arg(quoted)) && write(database, lines);
}

} // namespace tsm::test
