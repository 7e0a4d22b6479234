#pragma once

#include "core/Source.h"
#include "lp/LineParser.h"
#include "tdengine/SuperTable.h"
#include "tdengine/TDengineRest.h"

#include <QHash>
#include <QMap>
#include <atomic>
#include <mutex>

namespace tsm {

/**
 * Reads TDengine 2.x through its REST interface (the built-in httpd of taosd or taosAdapter 2.x,
 * port 6041): every statement on POST /rest/sqlt, whose timestamps are integers in the
 * database's precision (read from SHOW DATABASES), answers parsed by TDengineRest.
 *
 * Measurements are super tables (SHOW db.STABLES), their columns and tags come from DESCRIBE,
 * their subtables and tag values from SELECT TBNAME, tags… FROM stb. A read unit is one subtable
 * over one time window (`measurement` = super table, `context` = subtable), planned only where
 * the subtable has data (FIRST/LAST per subtable, GROUP BY TBNAME); a unit without a subtable
 * reads every subtable with data in its window (what a realtime poll of a super table asks). Every
 * listing and every read is paged, because the built-in httpd silently cuts an answer at
 * restfulRowLimit (10240 rows by default): data by keyset on the timestamp, listings by
 * OFFSET/SOFFSET. A page shorter than asked ends the listing only once the server has shown that it
 * returns full pages; before that, only an empty page does.
 *
 * Points become line protocol: super table → measurement, the subtable's name → tag `tbname`
 * (two subtables may have the same tag values, and a TDengine 3 target writes by name), non-NULL
 * tags → tags (as text), non-NULL columns → fields typed by the column (BOOL boolean, TINYINT…
 * BIGINT and TIMESTAMP columns integer, the unsigned types unsigned, FLOAT/DOUBLE float,
 * BINARY/NCHAR/JSON string), the timestamp converted to nanoseconds.
 *
 * Which program serves the REST interface matters for the values, and the server version says
 * which (SELECT SERVER_VERSION(); taosAdapter is part of the server from 2.4.0.0). taosAdapter
 * writes every value in full and BOOL as true/false. Before 2.4, taosd's built-in httpd writes
 * BOOL as 0/1, read here as booleans, and FLOAT with 5 decimals and DOUBLE with 9
 * (src/plugins/http/src/httpJson.c, httpJsonFloat/httpJsonDouble): super tables with FLOAT or
 * DOUBLE columns or tags are refused from such a server, naming them, unless the task accepts
 * the rounding (source.acceptRoundedFloats); notes() says which applies.
 *
 * What is read: the super tables of the task (task.measurements) whole, and of the others only
 * the subtables listed as "stable.table" (task.tables); neither list = every super table. A
 * listed subtable that is not in its super table is refused by checkRequest(), naming it.
 *
 * Sparse (source.sparse), for many subtables with little data each: a super table read whole is
 * planned as one unit per window over its own FIRST/LAST (no span per subtable) and each unit is
 * read with queries over the super table, TBNAME as the last column. The order of such an
 * answer across subtables is not relied upon, so it is not paged by time: COUNT(*) over the
 * window says how many rows it holds, and a window holding more than a page, or whose answer
 * did not bring exactly that many rows (restfulRowLimit cut it, or rows arrived meanwhile), is
 * halved and each half read the same way; an instant holding more rows than a page is read
 * subtable by subtable.
 */
class TDengine2Source : public Source, public SuperTableCatalog
{
public:
    TDengine2Source(TDengineEndpoint endpoint, RetryPolicy retry);

    /// Read FLOAT and DOUBLE from a server before 2.4 although its built-in httpd rounds them.
    void setAcceptRoundedFloats(bool accept) { m_acceptRoundedFloats = accept; }
    /// Read each window of a super table with queries over the super table (source.sparse).
    void setSparse(bool sparse) { m_sparse = sparse; }
    /// Subtables read besides the task's super tables, each "stable.table" (task.tables).
    void setTables(const QStringList &tables) { m_tables = tables; }

    QString describe() const override;
    ConnectionInfo checkConnection(const CancelToken &cancel) override;
    QStringList listDatabases(const CancelToken &cancel) override;
    QStringList listMeasurements(const QString &database, const CancelToken &cancel) override;
    MeasurementSchema schema(const QString &database, const QString &measurement,
                             const CancelToken &cancel) override;
    std::optional<TimeRange> timeBounds(const QString &database, const QString &measurement,
                                        const CancelToken &cancel) override;
    QList<PlannedUnit> plan(const PlanRequest &request, const CancelToken &cancel) override;
    void read(const ReadUnit &unit, const PlanRequest &request, const LpDialect &dialect,
              BatchOutput &out, const CancelToken &cancel) override;
    QStringList notes(const CancelToken &cancel) override;
    /// Refuses, naming it, a listed table that is not a subtable of the super table it names.
    void checkRequest(const PlanRequest &request, const CancelToken &cancel) override;
    /// One window per unit, naming its subtable (the target's child table or tag `tbname`).
    QList<CountWindow> countWindows(const PlanRequest &request, const QList<ReadUnit> &done,
                                    const CancelToken &cancel) override;
    /// SELECT COUNT(*), COUNT(column)… FROM db.subtable (the super table without one) over the
    /// window, in the database's precision.
    PointCount count(const PlanRequest &request, const CountWindow &window,
                     const CancelToken &cancel) override;

    QList<SuperTableDef> superTables(const QString &database, const QStringList &measurements,
                                     bool withSubtables, const CancelToken &cancel) override;

    /// Rows asked for per page; below the built-in httpd's default cap of 10240.
    static constexpr int kPageRows = 10000;

    /// A name for 2.x SQL: plain identifiers as they are (every 2.x release reads them),
    /// anything else back-quoted (2.3 and later).
    static QString sqlName(const QString &name);
    /// Nanoseconds per unit of a database precision ("ms", "us", "ns"); 0 when unknown.
    static qint64 nsPer(const QString &precision);
    /// Whether a server of this version (SELECT SERVER_VERSION()) serves REST through taosd's
    /// built-in httpd, i.e. is older than 2.4.
    static bool servedByBuiltInHttpd(const QString &version);

private:
    /// What the task reads: super tables whole, and of others the listed subtables.
    struct Selection
    {
        QStringList whole;
        QMap<QString, QStringList> only; ///< super table -> its listed subtables
    };
    /// The selection for `measurements` and the table list; throws NotFound for a super table
    /// or a listed table the database lacks.
    Selection selection(const QString &database, const QStringList &measurements,
                        const CancelToken &cancel);
    /// The units of a super table read whole: per subtable with data, or per window (sparse).
    void planWhole(const QString &database, const SuperTableDef &def, const PlanRequest &request,
                   QList<PlannedUnit> &units, const CancelToken &cancel);
    /// Every row of `def` in `range` by queries over the super table (sparse reading).
    void readSparse(const QString &database, const SuperTableDef &def, const TimeRange &range,
                    const LpDialect &dialect, BatchOutput &out, const CancelToken &cancel);
    /// COUNT(*) of the super table over [from, to) in the database's precision.
    qint64 rowsIn(const QString &database, const SuperTableDef &def, qint64 from, qint64 to,
                  const CancelToken &cancel);
    /// The part of every point of `subtable` that is the same for all its rows.
    lp::Point pointOf(const QString &database, const SuperTableDef &def, const QString &subtable,
                      const CancelToken &cancel);
    /// One row (the columns of `def` in order) as a line of `point`, or a reject with the reason.
    void emitRow(const SuperTableDef &def, lp::Point &point, const QString &subtable,
                 const QJsonArray &row, const LpDialect &dialect, BatchOutput &out);
    /// The database's precision (SHOW DATABASES, cached). Throws NotFound for a missing one.
    QString precisionOf(const QString &database, const CancelToken &cancel);
    /// SELECT SERVER_VERSION(), read once.
    QString serverVersion(const CancelToken &cancel);
    /// definition(), refused (Error Config, naming the columns and tags) when it has FLOAT or
    /// DOUBLE values that the server would round and the task has not accepted that.
    SuperTableDef readableDefinition(const QString &database, const QString &stable,
                                     const CancelToken &cancel);
    /// DESCRIBE of a super table, cached.
    SuperTableDef definition(const QString &database, const QString &stable,
                             const CancelToken &cancel);
    /// Subtables with tag values, cached per super table.
    QList<TdSubtable> subtables(const QString &database, const SuperTableDef &def,
                                const CancelToken &cancel);
    /// Subtables of `def` with data in `range`, each with the part of `range` it has data in
    /// (FIRST/LAST GROUP BY TBNAME, a page of subtables per statement).
    QList<QPair<QString, TimeRange>> dataSpans(const QString &database, const SuperTableDef &def,
                                               const TimeRange &range, const CancelToken &cancel);
    /// The subtable's tag values; the list is read again once when it is not in it (new ones).
    QJsonArray tagsOf(const QString &database, const SuperTableDef &def, const QString &subtable,
                      const CancelToken &cancel);
    void readSubtable(const QString &database, const SuperTableDef &def, const QString &subtable,
                      const TimeRange &range, const LpDialect &dialect, BatchOutput &out,
                      const CancelToken &cancel);
    /// The columns of `def` for SELECT, the timestamp first.
    static QString columnList(const SuperTableDef &def);
    SqlResult query(const QString &sql, const CancelToken &cancel);
    /// Is a page of `rows` rows (asked for kPageRows) the last one?
    bool lastPage(qsizetype rows);
    static void checkDatabaseName(const QString &database);

    TDengineRest m_rest;
    std::mutex m_mutex;     ///< guards the caches
    std::mutex m_listMutex; ///< one reader lists a super table's subtables at a time
    QHash<QString, QString> m_precision;
    QString m_serverVersion;
    bool m_acceptRoundedFloats = false;
    bool m_sparse = false;
    QStringList m_tables;
    QHash<QString, SuperTableDef> m_definitions;         ///< "db\nstable"
    QHash<QString, QHash<QString, QJsonArray>> m_tagsOf; ///< "db\nstable" -> subtable -> tags
    std::atomic<bool> m_fullPagesSeen{false};
};

} // namespace tsm
