#include "plan/TaskPlan.h"

#include <QJsonArray>
#include <TimeText.h>
#include <algorithm>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

bool stops(const QList<PlanProblem> &problems)
{
    return std::any_of(problems.begin(), problems.end(), [](const PlanProblem &p) {
        return p.outcome == TargetProblem::Outcome::Stops;
    });
}

bool rejects(const QList<PlanProblem> &problems)
{
    return std::any_of(problems.begin(), problems.end(), [](const PlanProblem &p) {
        return p.outcome == TargetProblem::Outcome::Rejected && p.points != 0;
    });
}

QJsonValue timeOrNull(const std::optional<qint64> &ns)
{
    return ns ? QJsonValue(TimeText::format(*ns)) : QJsonValue();
}

QJsonValue countOrNull(qint64 count)
{
    return count >= 0 ? QJsonValue(count) : QJsonValue();
}

QJsonObject problemJson(const PlanProblem &p)
{
    return QJsonObject{{u"subject"_s, p.subject},
                       {u"reason"_s, p.reason},
                       {u"outcome"_s, outcomeName(p.outcome)},
                       {u"points"_s, countOrNull(p.points)},
                       {u"from"_s, p.from}};
}

QJsonArray problemsJson(const QList<PlanProblem> &problems)
{
    QJsonArray array;
    for (const PlanProblem &p : problems)
        array.append(problemJson(p));
    return array;
}

QJsonObject measurementJson(const MeasurementPlan &m)
{
    QJsonArray fields;
    for (const PlanField &f : m.fields) {
        QJsonArray types;
        for (FieldType t : f.types)
            types.append(fieldTypeName(t));
        QJsonArray stretches;
        for (const PlanFieldStretch &s : f.stretches)
            stretches.append(QJsonObject{{u"start"_s, TimeText::format(s.range.start)},
                                         {u"end"_s, TimeText::format(s.range.end)},
                                         {u"type"_s, fieldTypeName(s.type)},
                                         {u"values"_s, s.values}});
        fields.append(QJsonObject{{u"name"_s, f.name},
                                  {u"types"_s, types},
                                  {u"typeDiffers"_s, f.typeDiffers()},
                                  {u"shardGroups"_s, stretches},
                                  {u"typesFrom"_s, f.typesFrom}});
    }
    return QJsonObject{
        {u"name"_s, m.name},
        {u"targetName"_s, m.targetName},
        {u"tags"_s, QJsonArray::fromStringList(m.tagKeys)},
        {u"fields"_s, fields},
        {u"first"_s, timeOrNull(m.bounds ? std::optional<qint64>(m.bounds->start) : std::nullopt)},
        {u"last"_s,
         timeOrNull(m.bounds ? std::optional<qint64>(m.bounds->end - 1) : std::nullopt)},
        {u"series"_s, countOrNull(m.series)},
        {u"points"_s, countOrNull(m.points)},
        {u"pointsExact"_s, m.pointsExact},
        {u"readUnits"_s, m.readUnits},
        {u"sampledPoints"_s, m.sampledPoints},
        {u"problems"_s, problemsJson(m.problems)}};
}

} // namespace

QString outcomeName(TargetProblem::Outcome outcome)
{
    switch (outcome) {
    case TargetProblem::Outcome::Rejected:
        return u"rejected"_s;
    case TargetProblem::Outcome::Stops:
        return u"stops the run"_s;
    case TargetProblem::Outcome::Kept:
        return u"kept"_s;
    }
    return QString();
}

bool TaskPlan::wouldStop() const
{
    return stops(problems) || std::any_of(measurements.begin(), measurements.end(),
                                          [](const MeasurementPlan &m) { return stops(m.problems); });
}

bool TaskPlan::wouldReject() const
{
    return rejects(problems) ||
           std::any_of(measurements.begin(), measurements.end(),
                       [](const MeasurementPlan &m) { return rejects(m.problems); });
}

QList<const MeasurementPlan *> TaskPlan::measurementsProblemsFirst() const
{
    QList<const MeasurementPlan *> list;
    for (const MeasurementPlan &m : measurements)
        list.append(&m);
    auto rank = [](const MeasurementPlan *m) {
        if (stops(m->problems))
            return 0;
        if (rejects(m->problems))
            return 1;
        return m->problems.isEmpty() ? 3 : 2;
    };
    std::stable_sort(list.begin(), list.end(), [&](const MeasurementPlan *a, const MeasurementPlan *b) {
        return rank(a) != rank(b) ? rank(a) < rank(b) : a->name < b->name;
    });
    return list;
}

QJsonObject TaskPlan::toJson() const
{
    QJsonArray list;
    for (const MeasurementPlan *m : measurementsProblemsFirst())
        list.append(measurementJson(*m));
    qint64 points = 0;
    bool exact = true;
    for (const MeasurementPlan &m : measurements) {
        points += std::max<qint64>(0, m.points);
        exact = exact && m.pointsExact;
    }
    return QJsonObject{
        {u"task"_s, task},
        {u"source"_s, source},
        {u"target"_s, target},
        {u"targetState"_s, targetState},
        {u"start"_s, TimeText::format(range.start)},
        {u"end"_s, TimeText::format(range.end)},
        {u"verdict"_s, wouldStop() ? u"stops"_s : wouldReject() ? u"rejects"_s : u"clean"_s},
        {u"readUnits"_s, readUnits},
        {u"points"_s, points},
        {u"pointsExact"_s, exact},
        {u"problems"_s, problemsJson(problems)},
        {u"measurements"_s, list},
        {u"estimate"_s,
         QJsonObject{{u"samplePoints"_s, samplePoints},
                     {u"sampleSeconds"_s, sampleSeconds},
                     {u"seconds"_s, estimatedSeconds ? QJsonValue(*estimatedSeconds) : QJsonValue()},
                     {u"note"_s, estimateNote}}},
        {u"notes"_s, QJsonArray::fromStringList(notes)}};
}

} // namespace tsm
