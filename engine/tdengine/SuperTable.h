#pragma once

#include "core/CancelToken.h"

#include <QJsonArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace tsm {

/** One column or tag of a TDengine super table, as DESCRIBE shows it. */
struct TdColumn
{
    QString name;
    QString type; ///< upper case: TIMESTAMP, INT, BIGINT UNSIGNED, BINARY, NCHAR, JSON, ...
    int length = 0;

    /// The type as CREATE STABLE takes it: "BINARY(20)", "NCHAR(8)", "DOUBLE".
    QString sqlType() const
    {
        if (type == QLatin1String("BINARY") || type == QLatin1String("VARCHAR") ||
            type == QLatin1String("NCHAR"))
            return QStringLiteral("%1(%2)").arg(type).arg(length);
        return type;
    }
};

/** A subtable of a super table with its tag values (JSON as TDengine answered; null = NULL). */
struct TdSubtable
{
    QString name;
    QJsonArray tagValues; ///< in the order of SuperTableDef::tags
};

/** A super table: its columns (the timestamp first), tags and, when asked for, subtables. */
struct SuperTableDef
{
    QString name;
    QList<TdColumn> columns;
    QList<TdColumn> tags;
    QList<TdSubtable> subtables;
    /// Nanoseconds per unit of the source database's timestamps (TIMESTAMP tag values are in it).
    qint64 nsPerUnit = 1;
};

/**
 * A source whose data lives in typed TDengine tables (TDengine 2.x). A TDengine 3 target asks it
 * for the definitions to create (schema sync) and to format every value for its exact type; the
 * line protocol the pipeline carries says which subtable a point belongs to in its `tbname` tag.
 */
class SuperTableCatalog
{
public:
    virtual ~SuperTableCatalog() = default;
    /// The super tables `measurements` (empty = all) of `database`, with their subtables and
    /// tag values when `withSubtables`.
    virtual QList<SuperTableDef> superTables(const QString &database,
                                             const QStringList &measurements, bool withSubtables,
                                             const CancelToken &cancel) = 0;
};

struct SqlResult;

/// A column type as the engine compares it: upper case, VARCHAR read as BINARY (its alias).
QString normalColumnType(const QString &type);

/// The columns and tags of super table `stable` from the answer to its DESCRIBE (TDengine 2.x
/// names the columns Field, Type, Length and Note, 3.x in lower case). Throws Error(Protocol),
/// naming `where`, when the answer lacks them.
SuperTableDef superTableFromDescribe(const SqlResult &result, const QString &stable,
                                     const QString &where);

/// The tag that names a point's subtable in the line protocol a TDengine 2.x source produces.
inline QString subtableTagKey()
{
    return QStringLiteral("tbname");
}

} // namespace tsm
