#pragma once

#include "influx/InfluxApi.h"

#include <QByteArray>
#include <QJsonArray>
#include <QProcess>
#include <QStandardPaths>
#include <QString>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

/// Skips the calling test function (or the whole test case from initTestCase) when influxd is
/// not installed; fails it instead under CI (CI set), where a skipped test would hide a missing
/// install step.
#define TSM_SKIP_WITHOUT_INFLUXD()                                                                 \
    do {                                                                                           \
        if (!tsm::test::InfluxdFixture::isInstalled()) {                                           \
            if (qEnvironmentVariableIsSet("CI"))                                                   \
                QFAIL("influxd is not installed (packaging/deps.sh installs Debian's influxdb)");  \
            QSKIP("influxd is not installed (expected /usr/bin/influxd from the Debian package "   \
                  "influxdb): this test needs a real InfluxDB 1.x");                               \
        }                                                                                          \
    } while (false)

/// initTestCase of a test whose functions share one influxd: skips as above, keeps the standard
/// paths to the test, and starts `fixture` (a std::unique_ptr<InfluxdFixture>) with the Options
/// given after it, if any.
#define TSM_START_SHARED_INFLUXD(fixture, ...)                                                     \
    do {                                                                                           \
        TSM_SKIP_WITHOUT_INFLUXD();                                                                \
        QStandardPaths::setTestModeEnabled(true);                                                  \
        fixture = std::make_unique<tsm::test::InfluxdFixture>(__VA_ARGS__);                        \
        QVERIFY2(fixture->start(), qPrintable(fixture->errorString()));                            \
    } while (false)

namespace tsm::test {

/**
 * A real influxd 1.x for one test: its own temporary folder and free loopback ports, started
 * and stopped (and restarted on the same data) on demand. Everything here blocks: tests run no
 * event loop while they wait.
 */
class InfluxdFixture
{
public:
    struct Options
    {
        /// Turn on [http] auth-enabled and create the admin user adminUser()/adminPassword().
        bool authEnabled = false;
        /// Serve https (a self-signed certificate made with openssl) instead of http.
        bool tls = false;

        static Options withAuthentication()
        {
            Options options;
            options.authEnabled = true;
            return options;
        }
    };

    InfluxdFixture();
    explicit InfluxdFixture(Options options);
    ~InfluxdFixture();
    InfluxdFixture(const InfluxdFixture &) = delete;
    InfluxdFixture &operator=(const InfluxdFixture &) = delete;

    static QString influxdPath();
    static bool isInstalled() { return !influxdPath().isEmpty(); }

    /// Starts influxd (again, on the same data and ports after stop()) and waits until /ping
    /// answers. False, with errorString() holding influxd's output, when it did not come up.
    bool start();
    /// SIGTERM, then SIGKILL after 10 s.
    void stop();
    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }
    /// The influxd process id (benchmarks read its CPU time).
    qint64 processId() const { return m_process.processId(); }
    QString errorString() const { return m_error; }

    QString url() const;
    int port() const { return m_httpPort; }
    QString adminUser() const { return QStringLiteral("admin"); }
    QString adminPassword() const { return QStringLiteral("x"); }
    /// An endpoint for the code under test, with the admin credentials when auth is on.
    InfluxEndpoint endpoint() const;

    /// POSTs an InfluxQL statement; records a test failure and returns false on any error.
    bool query(const QString &statement, const QString &database = {});
    /// Runs a SELECT/SHOW (epoch=ns) and returns the rows of the first series ([] when none);
    /// records a test failure on any error.
    QJsonArray select(const QString &statement, const QString &database = {});
    /// POST /write; records a test failure unless the answer is 204.
    bool write(const QString &database, const QByteArray &lines);
    /// Creates `database` and writes `lines` into it; records a test failure on any error.
    bool fill(const QString &database, const QByteArray &lines);

private:
    bool launch(QString &failure);
    void writeConfig();
    QString logTail() const;
    HttpOptions httpOptions() const;

    Options m_options;
    QTemporaryDir m_dir;
    QProcess m_process;
    int m_httpPort = 0;
    int m_rpcPort = 0;
    bool m_userCreated = false;
    QString m_error;
};

} // namespace tsm::test
