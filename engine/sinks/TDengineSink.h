#pragma once

#include "core/Sink.h"
#include "tdengine/SuperTable.h"
#include "tdengine/TDengineRest.h"

#include <QHash>
#include <limits>
#include <mutex>
#include <optional>
#include <string_view>

namespace tsm {

/** What TDengine reports about one database (SHOW DATABASES, columns matched by name). */
struct TDengineDatabaseInfo
{
    QString name;
    QString precision;      ///< "ms", "us" or "ns"
    QString keepText;       ///< as shown, e.g. "3650d,3650d,3650d" or "5256000m,5256000m,5256000m"
    qint64 keepMinutes = 0; ///< the longest of the KEEP values: older rows are refused
};

/**
 * Writes to TDengine 3.x through taosAdapter: InfluxDB line protocol on the schemaless endpoint
 * POST /influxdb/v1/write (nanosecond timestamps into a nanosecond database), SQL on /rest/sql
 * for the database and for counts. Each point is checked against TDengine's limits and naming
 * rules and re-encoded the way its parser reads it before it is sent; a point TDengine would
 * refuse or alter goes to the rejects with the reason instead. A refused request is bisected to
 * the lines TDengine refused (schemaless writes are idempotent but not atomic across lines).
 */
class TDengineSink : public Sink
{
public:
    TDengineSink(TDengineEndpoint endpoint, RetryPolicy retry, QString database,
                 bool createDatabase);

    /// The task's time range [start, end): prepare() refuses to start when its start is older
    /// than the database keeps (TDengine would refuse every older point), and a new database is
    /// created with a KEEP that covers it.
    void setTaskRange(const TimeRange &range) { m_taskRange = range; }
    /// Compress write bodies with gzip (taosAdapter decompresses them); on by default except
    /// towards this machine.
    void setCompressRequests(bool compress) { m_gzip = compress; }

    QString describe() const override;
    LpDialect dialect() const override;
    ConnectionInfo checkConnection(const CancelToken &cancel) override;
    void prepare(const CancelToken &cancel) override;
    /// Stops (Error Config) when two of the task's measurements (`measurements`, or all of
    /// the source's when empty) become one super table; write() checks the ones it meets later.
    void syncSchema(Source &source, const QString &database, const QStringList &measurements,
                    bool create, const CancelToken &cancel) override;
    WriteResult write(const Batch &batch, const CancelToken &cancel) override;

    /// The database (precision, KEEP, or that the run would create it) and what would stop the
    /// run; sets the limits refusal() checks against.
    TargetFacts inspect(const CancelToken &cancel) override;
    QString tableNameOf(const QString &measurement) const override
    {
        return superTableName(measurement);
    }
    QString tableNaming() const override;
    QStringList namingNotes() const override;
    /// Names and counts over TDengine's limits, a tag and a field of one name, a field of two
    /// types, a row of numbers too long: the checks of convertLine() on the whole schema.
    QList<TargetProblem> schemaProblems(const MeasurementSchema &schema) const override;
    /// convertLine()'s reason.
    QString refusal(std::string_view line) const override;

    /// Rows of super table `stable` (a TDengine name, see superTableName()) with
    /// start <= _ts < end. A super table that does not exist has none.
    qint64 count(const QString &stable, const TimeRange &range, const CancelToken &cancel);
    /// The window's measurement as its super table (`.` → `_`): COUNT(*) for the points and
    /// COUNT(column) for each field column, over `_ts`.
    PointCount count(const CountWindow &window, const CancelToken &cancel) override;

    /// The database as TDengine reports it, or nothing when it does not exist.
    std::optional<TDengineDatabaseInfo> databaseInfo(const CancelToken &cancel);

    /// The super table a measurement becomes: '.' replaced by '_' (smlDot2Underline), case kept.
    static QString superTableName(const QString &measurement);
    /// The longest KEEP in minutes from SHOW DATABASES' text ("3650d,3650d,3650d",
    /// "5256000m,...", "3650"); -1 when unreadable.
    static qint64 parseKeepMinutes(const QString &keep);
    /// Why `database` cannot be used on the schemaless endpoint (empty when it can).
    static QString databaseNameProblem(const QString &database);
    /// Largest row in bytes TDengine `version` accepts (49151 before 3.0.5.0, then 65531).
    static int maxRowBytes(const QString &version);

    /// Re-encodes one line-protocol line for TDengine's schemaless parser, or says why TDengine
    /// would refuse or alter the point. `oldestNs` is the first time the database keeps.
    struct Limits
    {
        int maxRowBytes = 65531;
        qint64 oldestNs = std::numeric_limits<qint64>::min();
        std::string childTableTag; ///< table_name_key; empty = TDengine's hash names
        qint64 placeholderNs = 1;  ///< where a line of a time up to 1970 goes (SqlStrings)
    };
    /// What of a point goes by SQL: string values the schemaless endpoint cannot carry
    /// (TDengineLimits::needsSql()), which the line sent carries with each CR and LF as a space
    /// (making the column as wide as the value); or, for a time up to 1970, which schemaless
    /// writing refuses, every value: the line then goes at `placeholder` (making the tables and
    /// columns), SQL writes the row at its time and deletes the placeholder's row.
    struct SqlStrings
    {
        QString childTable;
        qint64 time = 0;
        std::vector<std::pair<std::string, QString>> values; ///< field key, SQL literal
        std::optional<qint64> placeholder;
    };
    /// `sql`: where a point's SqlStrings go; without it such a point is taken as it is.
    static bool convertLine(std::string_view line, const Limits &limits, QByteArray &out,
                            QString *why, std::string *measurement = nullptr,
                            SqlStrings *sql = nullptr);
    /// The child table TDengine's schemaless writing puts a point of super table `stable` with
    /// these tags (unescaped) in: the value of tag `tagKey`, '.' → '_' and cut to 192 bytes,
    /// when the point has it (smlParseTableName, clientSmlLine.c), else "t_" + the MD5 of
    /// "stable,k1=v1,k2=v2" over the other tags sorted by key, case-insensitively and shorter
    /// first on a tie (buildChildTableName and compareKv, tname.c).
    static QString childTableName(const QString &stable,
                                  std::vector<std::pair<std::string, std::string>> tags,
                                  const std::string &tagKey);
    /// The tag whose value names child tables (taosAdapter's table_name_key); empty: hashes.
    void setChildTableTag(const QString &tag);
    /// The longest KEEP, in days, a nanosecond database can compute: TDengine works out the
    /// oldest time it accepts as now − KEEP in int64 nanoseconds (TSDB_MAX_KEEP_NS).
    static constexpr int kMaxKeepDaysNs = 365 * 292;

protected:
    /// Throw Error(Config) when the database cannot take the task's points (line protocol
    /// carries nanoseconds: anything but 'ns' would cut digits off).
    virtual void checkPrecision(const TDengineDatabaseInfo &info) const;
    TDengineRest &rest() { return m_rest; }
    /// The target's DESCRIBE of `table` (cached), or nothing when it does not exist.
    std::optional<SuperTableDef> describeTable(const QString &table, const CancelToken &cancel);
    /// COUNT(*) and COUNT(column) of each of the definition's columns but the first (the
    /// timestamp) in `table` of the target database, where start <= timestamp < end (in the
    /// database's units); a table that does not exist holds nothing.
    PointCount countRows(const SuperTableDef &def, const QString &table, qint64 start, qint64 end,
                         const CancelToken &cancel);
    /// The target database as TDengine names it (lower case).
    const QString &database() const { return m_database; }

private:
    HttpResponse post(const QByteArray &lines, const CancelToken &cancel);
    /// A point of a batch of which some goes by SQL.
    struct SqlPoint
    {
        qint64 line = 0;  ///< in the batch
        QByteArray sent;  ///< the line sent to the schemaless endpoint
        QByteArray original;
        SqlStrings strings;
    };
    /// Writes with SQL on /rest/sql what goes by SQL of the points in `sql` whose lines were
    /// stored (not among `result`'s rejects from `firstReject` on); a point whose statement
    /// TDengine refuses becomes a reject.
    void writeSqlStrings(const Batch &batch, const std::vector<SqlPoint> &sql, size_t firstReject,
                         WriteResult &result, const CancelToken &cancel);
    /// Best effort, after the SQL of a point written at a placeholder time was refused.
    void deletePlaceholder(const QString &table, qint64 time, const CancelToken &cancel);
    QString where() const { return m_rest.where(); }
    QString serverVersion(const CancelToken &cancel);
    /// "database x exists (precision ns, KEEP 3650 days)" and the like.
    QString databaseSummary(const std::optional<TDengineDatabaseInfo> &info) const;
    void checkKeep(const TDengineDatabaseInfo &info) const;
    /// KEEP in days for a database this task creates, 0 for TDengine's default (3650).
    int keepDaysToCreate() const;
    /// Records that `measurement` is written to its super table; throws Error(Config) when
    /// another measurement already is. Called with m_mutex held.
    void claimSuperTable(const QString &measurement);

    TDengineRest m_rest;
    QString m_database; ///< lower-cased: TDengine folds plain identifiers
    QString m_databaseAsGiven;
    bool m_createDatabase;
    std::optional<TimeRange> m_taskRange;
    bool m_gzip = false; ///< compress write bodies (not to a server on this machine)

    mutable std::mutex m_mutex; ///< guards what prepare() learnt, read by writers
    QString m_version;
    Limits m_limits;
    qint64 m_keepMinutes = 0;                ///< the database's KEEP; 0 when unknown
    QHash<QString, QString> m_measurementOf; ///< super table -> the measurement written to it
    QHash<QString, std::optional<SuperTableDef>> m_described; ///< counted tables, by name
    QString m_childTableTag;
};

} // namespace tsm
