#pragma once

#include "core/LpDialect.h"
#include "core/Source.h"
#include "lp/LineParser.h"

#include <Kinds.h>
#include <QHash>
#include <Renaming.h>
#include <optional>

namespace tsm {

/** What a target cannot hold as it is, and what the task's policies do about it. */
struct NamePolicies
{
    bool sharedNames = false;   ///< the target keeps tags and fields in one set of names
    bool fixedTypes = false;    ///< the target keeps a field's first type everywhere
    KeyClashPolicy keyClash = KeyClashPolicy::Rename;
    TypeConflictPolicy typeConflict = TypeConflictPolicy::Suffix;

    /// Whether any renaming can come of these.
    bool renames() const
    {
        return (sharedNames && keyClash == KeyClashPolicy::Rename) ||
               (fixedTypes && typeConflict != TypeConflictPolicy::Reject);
    }
};

/**
 * The renamings of the measurements of one task, and how they rewrite a point: a tag that
 * clashes with a field gets a suffix; a field's values of a type other than its first go to a
 * field of their own (`<field>_<type>`), or, converted, stay where an integer is exact as a float.
 * Pure: the decisions come from a schema and the first types, the rewriting from a point.
 */
class NameRules
{
public:
    /// The renamings `policies` make of `schema`; `firstTypes` holds, for each field of more
    /// than one type, the type of its earliest values (else its first listed type is taken).
    static QList<Renaming> decide(const MeasurementSchema &schema,
                                  const QHash<QString, FieldType> &firstTypes,
                                  const NamePolicies &policies);
    /// The type of the earliest values of each field of `schema` that has more than one type,
    /// from the source's shard groups (fieldTypeWithin()); the first listed type where the
    /// source cannot tell.
    static QHash<QString, FieldType> firstTypes(Source &source, const PlanRequest &request,
                                                const MeasurementSchema &schema,
                                                const QList<TimeRange> &stretches,
                                                const CancelToken &cancel);

    void add(const QList<Renaming> &renamings);
    bool isEmpty() const { return m_byMeasurement.isEmpty(); }
    bool has(const QString &measurement) const { return m_byMeasurement.contains(measurement); }

    /// Renames the point's tags and fields in place; false when nothing changed.
    bool apply(lp::Point &point) const;
    /// The schema as the target sees it: tags renamed, each renamed field type a field of its own.
    MeasurementSchema apply(const MeasurementSchema &schema) const;
    /// The renamings of one measurement, in the order they were added.
    QList<Renaming> renamingsOf(const QString &measurement) const
    {
        return m_byMeasurement.value(measurement).renamings;
    }
    /// The source field a target field holds values of (itself when not renamed).
    QString sourceField(const QString &measurement, const QString &targetField) const;

    /// Largest integer magnitude a double holds exactly (2^53).
    static constexpr qint64 kExactInFloat = 9007199254740992LL;

private:
    struct Rules
    {
        QHash<QByteArray, QByteArray> tags;   ///< source tag key → target
        QHash<QByteArray, Renaming> fields;   ///< "key\0type" → renaming
        QHash<QString, QString> sourceOf;     ///< target field → source field
        QList<Renaming> renamings;
    };
    QHash<QString, Rules> m_byMeasurement;
};

} // namespace tsm
