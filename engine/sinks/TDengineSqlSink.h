#pragma once

#include "sinks/TDengineSink.h"
#include "tdengine/SuperTable.h"

#include <QHash>
#include <atomic>

namespace tsm {

/**
 * Writes TDengine 2.x data into TDengine 3.x with SQL on /rest/sql, so that column and tag
 * types and subtable names stay exactly what they were (the schemaless endpoint would make
 * every tag NCHAR and name child tables by a hash).
 *
 * The design: the pipeline carries line protocol as for every target; the TDengine 2.x source
 * puts the subtable's name in the tag `tbname` of each point. Schema sync hands this sink the
 * super-table definitions of the source (SuperTableCatalog): with *always* it creates the super
 * tables with the same column and tag types (CREATE STABLE IF NOT EXISTS) and the subtables with
 * the same names and tag values (CREATE TABLE … USING … TAGS, many per statement), then checks
 * what TDengine describes against the source; with *none* it checks that the super tables exist
 * with the columns and types of the source. write() formats every value for the exact type of
 * its column (TINYINT…BIGINT, unsigned, FLOAT/DOUBLE, BOOL, BINARY/NCHAR, TIMESTAMP; absent
 * fields are NULL) and sends INSERT INTO db.sub (columns) VALUES (…)(…) db.sub2 … statements of
 * at most about 1 MB. A refused statement is bisected to the refused rows, which go to the
 * rejects with TDengine's reason. A subtable that does not exist (one created in the source
 * after the sync) is created from the point's tags with *always*; with *none* it stops the task
 * and is named.
 * Timestamps go in the target database's precision, which must be at least as fine as the
 * source's (an existing 'ms' database takes 'ms' data). Database creation ('ns') and the KEEP
 * check are TDengineSink's.
 */
class TDengineSqlSink : public TDengineSink
{
public:
    using TDengineSink::TDengineSink;

    QString describe() const override;
    void syncSchema(Source &source, const QString &database, const QStringList &measurements,
                    bool create, const CancelToken &cancel) override;
    /// "N super tables and M subtables created" (always, only) or "N super tables checked" (none).
    QString schemaSummary() const override;
    WriteResult write(const Batch &batch, const CancelToken &cancel) override;
    using TDengineSink::count;
    /// Reads the target database's precision, the unit count() works in.
    void prepareCount(const QList<CountWindow> &windows, const CancelToken &cancel) override;
    /// The window's subtable (or, without one, its super table) under the same name as in the
    /// source: COUNT(*) and COUNT(column) over the timestamp column (`ts` as the source names
    /// it), in the target database's precision.
    PointCount count(const CountWindow &window, const CancelToken &cancel) override;
    /// Tables keep the source's names and types: none of the schemaless rules apply.
    QString tableNameOf(const QString &measurement) const override { return measurement; }
    QList<TargetProblem> schemaProblems(const MeasurementSchema &) const override { return {}; }
    QString refusal(std::string_view) const override { return QString(); }

    /// Schema sync from definitions (what syncSchema() does once it has them from the source).
    void syncTables(const QList<SuperTableDef> &defs, bool create, const CancelToken &cancel);

    /// Statements are kept below this many bytes (TDengine accepts 1 MiB).
    static constexpr qsizetype kMaxStatementBytes = 1000000;
    /// Subtables created per CREATE TABLE statement (fewer when their statement would be longer).
    static constexpr int kTablesPerCreate = 1000;

    /// A value of `type` as TDengine SQL, from the JSON TDengine 2.x answered (tags).
    static QString sqlValue(const QJsonValue &value, const TdColumn &column, qint64 nsPerUnit,
                            qint64 targetUnit);

protected:
    /// Any precision: whether it is fine enough for the source is checked by the schema sync.
    void checkPrecision(const TDengineDatabaseInfo &info) const override;

private:
    struct Prepared
    {
        QString table; ///< back-quoted, with the database
        QString columns;
        QString tuple;
        QString using_; ///< "db.stb TAGS (…)" from the point's tags, to create the subtable
    };
    /// The super table's definition: from schema sync, else as the target describes it.
    SuperTableDef definitionFor(const QString &stable, const CancelToken &cancel);
    /// The target's DESCRIBE of `stable`, or nothing when it does not exist.
    std::optional<SuperTableDef> describeTarget(const QString &stable, const CancelToken &cancel);
    /// Why the target's super table cannot take the source's rows (empty when it can).
    static QString mismatch(const SuperTableDef &source, const SuperTableDef &target, bool tagsToo);
    bool prepareLine(const QByteArray &line, Prepared &out, QString *why,
                     const CancelToken &cancel);
    void createSubtables(const SuperTableDef &def, const CancelToken &cancel);
    [[noreturn]] void throwMissing(const QStringList &tables, const CancelToken &cancel);

    mutable std::mutex m_defsMutex;
    QHash<QString, SuperTableDef> m_defs;
    bool m_create = false; ///< schema sync always: subtables new since the sync are created
    QString m_schemaSummary; ///< what the last schema sync did
    /// Nanoseconds per unit of the target database's timestamps.
    mutable std::atomic<qint64> m_targetUnit{1};
};

} // namespace tsm
