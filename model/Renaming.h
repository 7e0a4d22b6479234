#pragma once

#include <QList>
#include <QString>

namespace tsm {

/**
 * A name the target gets in place of the source's: a tag that clashes with a field, or a
 * field's values of a type other than its first. Decided once per task and measurement and kept
 * in the checkpoint store, so that a rerun or a resumed run writes the same columns.
 */
struct Renaming
{
    enum class Kind
    {
        Tag,   ///< the tag `name` is written as `target`
        Field, ///< the values of `type` of field `name` are written to `target`
    };
    QString measurement;
    Kind kind = Kind::Tag;
    QString name;          ///< as the source names it
    QString type;          ///< a field's values of this type ("integer"); empty for a tag
    QString target;        ///< the name in the target
    QString firstType;     ///< a field's first type, which keeps `name` ("float")
    bool convert = false;  ///< integers a float holds exactly go to `name` as floats instead

    bool operator==(const Renaming &other) const
    {
        return measurement == other.measurement && kind == other.kind && name == other.name &&
               type == other.type && target == other.target && firstType == other.firstType &&
               convert == other.convert;
    }
    /// "tag \"x\" → \"x_tag\" (a field has the key x)" and the like, for the log and status.
    QString describe() const;
};

/** The kind as the store and JSON name it ("tag", "field"). */
QString renamingKindName(Renaming::Kind kind);
Renaming::Kind renamingKind(const QString &name);

} // namespace tsm
