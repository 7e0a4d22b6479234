#pragma once

#include <QString>
#include <QStringList>

namespace tsm::test {

/**
 * An independent view of what a database holds, for comparing a migration's source and target
 * point by point: every field value as "measurement|tags|time|field|type|value", sorted. It
 * queries shard group by shard group (a query across shards coerces or drops values whose type
 * differs between them) in msgpack, which keeps int64, float64, string and bool apart, and
 * decodes with its own code, not the engine's.
 */
class InfluxDump
{
public:
    /// `baseUrl` like "http://127.0.0.1:8086"; Basic auth when user is not empty.
    InfluxDump(QString baseUrl, QString user = {}, QString password = {});

    /// Every value of every measurement of `database`; on failure returns {} and sets error().
    QStringList dump(const QString &database);
    /// Number of points (distinct series + time) in `database`.
    static qint64 pointCount(const QStringList &dump);
    QString error() const { return m_error; }

private:
    QByteArray get(const QString &database, const QString &statement, bool msgpack);

    QString m_baseUrl;
    QString m_user;
    QString m_password;
    QString m_error;
};

/// Compares two dumps; empty when equal, else a description of the first differences.
QString compareDumps(const QStringList &expected, const QStringList &actual);

/// A test step: `targetDb` of `target` holds exactly the values of `sourceDb` of `source`, and
/// the source has `points` points; records a test failure otherwise.
void verifyCopy(InfluxDump &source, const QString &sourceDb, InfluxDump &target,
                const QString &targetDb, qint64 points);
/// The same, source and target on one server.
void verifyCopy(InfluxDump &dump, const QString &sourceDb, const QString &targetDb, qint64 points);

} // namespace tsm::test
