#pragma once

#include <QList>
#include <QMap>
#include <QString>

namespace tsm {

/**
 * What one side holds in one window: the values of each field (what InfluxDB's COUNT(*) and
 * TDengine's COUNT(column) count, so that a lost field shows even where the points are all
 * there) and, where the side can tell, the points themselves (rows, lines).
 */
struct PointCount
{
    qint64 points = -1;            ///< -1 where this side cannot count points (InfluxDB)
    QMap<QString, qint64> fields; ///< field → values; a field without values may be absent

    /// The figure shown for a window: its points, else its largest field (every point of a
    /// measurement that always carries that field).
    qint64 shown() const;
    PointCount &operator+=(const PointCount &other);
};

/**
 * One window verification compares: a measurement over [start, end). By default one read
 * unit of the task's ledger; a source whose units are not time windows (a file's byte ranges)
 * makes its own and names the units its points came from.
 */
struct CountWindow
{
    QString measurement;
    QString context;  ///< the unit's context, kept as the ledger has it
    QString subtable; ///< a TDengine 2.x subtable: its child table, or tag `tbname`, in the target
    qint64 start = 0;
    qint64 end = 0;
    QList<qint64> unitIds; ///< the ledger's units whose points lie in the window
};

/** How the two sides of one window compare. */
struct CountComparison
{
    bool differs = false;
    /// The fields whose counts differ, as "name source/target", and "points source/target"
    /// when the points differ; empty when the window agrees.
    QStringList differences;
};

/// Compares per field (a field one side lacks counts 0 there) and, where both sides count
/// them, per point. A target that lacks no more than `rejected` values of any field (and
/// points) agrees: those points were refused by the target and recorded in the rejects file.
CountComparison compareCounts(const PointCount &source, const PointCount &target,
                              qint64 rejected);

} // namespace tsm
