#include "rename/NameRules.h"

#include <QSet>
#include <cmath>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

/// `base`, or base2, base3… when the name is taken.
QString freeName(const QString &base, const QSet<QString> &taken)
{
    if (!taken.contains(base))
        return base;
    for (int n = 2;; ++n) {
        const QString name = base + QString::number(n);
        if (!taken.contains(name))
            return name;
    }
}

QByteArray fieldKey(const std::string &key, FieldType type)
{
    QByteArray k = QByteArray::fromStdString(key);
    k.append('\0');
    k.append(char('0' + int(type)));
    return k;
}

std::optional<FieldType> typeNamed(const QString &name)
{
    for (FieldType t : {FieldType::Float, FieldType::Integer, FieldType::Unsigned,
                        FieldType::String, FieldType::Boolean})
        if (fieldTypeName(t) == name)
            return t;
    return std::nullopt;
}

} // namespace

QList<Renaming> NameRules::decide(const MeasurementSchema &schema,
                                  const QHash<QString, FieldType> &firstTypes,
                                  const NamePolicies &policies)
{
    QList<Renaming> renamings;
    QSet<QString> taken(schema.tagKeys.begin(), schema.tagKeys.end());
    QSet<QString> fields;
    for (const FieldInfo &field : schema.fields) {
        taken.insert(field.name);
        fields.insert(field.name);
    }
    if (policies.sharedNames && policies.keyClash == KeyClashPolicy::Rename) {
        for (const QString &tag : schema.tagKeys) {
            if (!fields.contains(tag))
                continue;
            Renaming r;
            r.measurement = schema.name;
            r.kind = Renaming::Kind::Tag;
            r.name = tag;
            r.target = freeName(tag + u"_tag"_s, taken);
            taken.insert(r.target);
            renamings.append(r);
        }
    }
    if (!policies.fixedTypes || policies.typeConflict == TypeConflictPolicy::Reject)
        return renamings;
    for (const FieldInfo &field : schema.fields) {
        if (field.types.size() < 2)
            continue;
        const FieldType first = firstTypes.value(field.name, field.types.first());
        for (const FieldType type : field.types) {
            if (type == first)
                continue;
            Renaming r;
            r.measurement = schema.name;
            r.kind = Renaming::Kind::Field;
            r.name = field.name;
            r.type = fieldTypeName(type);
            r.firstType = fieldTypeName(first);
            r.target = freeName(field.name + u'_' + r.type, taken);
            r.convert = policies.typeConflict == TypeConflictPolicy::Convert &&
                        first == FieldType::Float &&
                        (type == FieldType::Integer || type == FieldType::Unsigned);
            taken.insert(r.target);
            renamings.append(r);
        }
    }
    return renamings;
}

QHash<QString, FieldType> NameRules::firstTypes(Source &source, const PlanRequest &request,
                                                const MeasurementSchema &schema,
                                                const QList<TimeRange> &stretches,
                                                const CancelToken &cancel)
{
    QHash<QString, FieldType> first;
    for (const FieldInfo &field : schema.fields) {
        if (field.types.size() < 2)
            continue;
        // The stretches are sorted: the first that holds values of the field has its first type.
        for (const TimeRange &stretch : stretches) {
            const auto found =
                source.fieldTypeWithin(request, schema.name, field.name, stretch, cancel);
            if (found && found->second > 0) {
                first.insert(field.name, found->first);
                break;
            }
        }
    }
    return first;
}

void NameRules::add(const QList<Renaming> &renamings)
{
    for (const Renaming &r : renamings) {
        Rules &rules = m_byMeasurement[r.measurement];
        rules.renamings.append(r);
        if (r.kind == Renaming::Kind::Tag) {
            rules.tags.insert(r.name.toUtf8(), r.target.toUtf8());
            continue;
        }
        const std::optional<FieldType> type = typeNamed(r.type);
        if (!type)
            continue;
        rules.fields.insert(fieldKey(r.name.toStdString(), *type), r);
        rules.sourceOf.insert(r.target, r.name);
    }
}

bool NameRules::apply(lp::Point &point) const
{
    const auto found = m_byMeasurement.constFind(QString::fromStdString(point.measurement));
    if (found == m_byMeasurement.constEnd())
        return false;
    const Rules &rules = *found;
    bool changed = false;
    for (auto &[key, value] : point.tags) {
        const auto to = rules.tags.constFind(QByteArray::fromStdString(key));
        if (to != rules.tags.constEnd()) {
            key = to->toStdString();
            changed = true;
        }
    }
    for (lp::Field &field : point.fields) {
        const auto rule = rules.fields.constFind(fieldKey(field.key, field.type));
        if (rule == rules.fields.constEnd())
            continue;
        changed = true;
        if (rule->convert && field.type == FieldType::Integer &&
            field.i >= -kExactInFloat && field.i <= kExactInFloat) {
            field.f = double(field.i);
            field.type = FieldType::Float;
            continue;
        }
        if (rule->convert && field.type == FieldType::Unsigned &&
            field.u <= quint64(kExactInFloat)) {
            field.f = double(field.u);
            field.type = FieldType::Float;
            continue;
        }
        field.key = rule->target.toStdString();
    }
    return changed;
}

MeasurementSchema NameRules::apply(const MeasurementSchema &schema) const
{
    const auto found = m_byMeasurement.constFind(schema.name);
    if (found == m_byMeasurement.constEnd())
        return schema;
    MeasurementSchema out;
    out.name = schema.name;
    for (const QString &tag : schema.tagKeys)
        out.tagKeys.append(QString::fromUtf8(found->tags.value(tag.toUtf8(), tag.toUtf8())));
    for (const FieldInfo &field : schema.fields) {
        FieldInfo kept{field.name, {}};
        for (const FieldType type : field.types) {
            const auto rule = found->fields.constFind(fieldKey(field.name.toStdString(), type));
            if (rule == found->fields.constEnd()) {
                if (!kept.types.contains(type))
                    kept.types.append(type);
                continue;
            }
            out.fields.append(FieldInfo{rule->target, {type}});
            if (rule->convert && !kept.types.contains(FieldType::Float))
                kept.types.append(FieldType::Float);
        }
        if (!kept.types.isEmpty())
            out.fields.append(kept);
    }
    return out;
}

QString NameRules::sourceField(const QString &measurement, const QString &targetField) const
{
    const auto found = m_byMeasurement.constFind(measurement);
    if (found == m_byMeasurement.constEnd())
        return targetField;
    return found->sourceOf.value(targetField, targetField);
}

} // namespace tsm
