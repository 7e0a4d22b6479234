#include "commands/Plan.h"

#include "commands/Console.h"
#include "commands/ExitCode.h"
#include "commands/ProfileArgument.h"
#include "commands/SharedOptions.h"
#include "plan/PlanMaker.h"

#include <QJsonDocument>
#include <TimeText.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace tsm::cli {

namespace {

QString count(qint64 n, bool exact = true)
{
    if (n < 0)
        return u"unknown"_s;
    return exact ? QString::number(n) : u"at least %1"_s.arg(n);
}

QString problemLine(const PlanProblem &p)
{
    QString tag = outcomeName(p.outcome).toUpper();
    QString points;
    if (p.points >= 0)
        points = u" [%1 points%2]"_s.arg(p.points).arg(p.from == u"sample"_s ? u" in the sample"_s
                                                                              : QString());
    return u"  %1  %2%3: %4"_s.arg(tag.leftJustified(13), p.subject, points, p.reason);
}

/// Rows padded to the widest cell of each column.
QString table(const QList<QStringList> &rows)
{
    QList<qsizetype> widths;
    for (const QStringList &row : rows)
        for (qsizetype i = 0; i < row.size(); ++i) {
            if (widths.size() <= i)
                widths.append(0);
            widths[i] = std::max(widths[i], row.at(i).size());
        }
    QString text;
    for (const QStringList &row : rows) {
        QString line = u"    "_s;
        for (qsizetype i = 0; i < row.size(); ++i)
            line += i + 1 < row.size() ? row.at(i).leftJustified(widths.at(i) + 2) : row.at(i);
        text += line + u'\n';
    }
    return text;
}

} // namespace

Plan::Plan()
{
    name = u"plan"_s;
    usage = {{u"plan PROFILE.json"_s,
              u"dry run: what would move and what the target could not hold; 0 clean, 6 would "
              u"reject, 2 would stop"_s}};
    options = {SharedOptions::set(), SharedOptions::task(), SharedOptions::state(),
               SharedOptions::json()};
}

int Plan::execute(const Invocation &invocation)
{
    const std::optional<TaskProfile> profile = profileOf(name, invocation);
    if (!profile)
        return ExitUsage;
    CancelToken cancel;
    PlanMaker maker(*profile);
    if (::isatty(STDERR_FILENO))
        maker.setStepListener([](const QString &step) { err(step); });
    TaskPlan plan;
    try {
        plan = maker.make(cancel);
    } catch (const Error &error) {
        err(error.message());
        return exitCodeFor(error.kind());
    }
    if (invocation.json)
        out(QString::fromUtf8(QJsonDocument(plan.toJson()).toJson(QJsonDocument::Indented))
                .trimmed());
    else
        out(text(plan).trimmed());
    if (plan.wouldStop())
        return ExitUsage;
    return plan.wouldReject() ? ExitRejected : ExitOk;
}

QString Plan::text(const TaskPlan &plan)
{
    qint64 points = 0;
    bool exact = true;
    for (const MeasurementPlan &m : plan.measurements) {
        points += std::max<qint64>(0, m.points);
        exact = exact && m.pointsExact;
    }
    QString text = u"Plan of task \"%1\" (nothing was written)\n"_s.arg(plan.task);
    text += u"  source: %1\n  target: %2\n  target state: %3\n"_s.arg(plan.source, plan.target,
                                                                     plan.targetState);
    text += u"  range: %1 → %2; %3 read units; %4 points in %5 measurements\n"_s
                .arg(TimeText::format(plan.range.start), TimeText::format(plan.range.end))
                .arg(plan.readUnits)
                .arg(count(points, exact))
                .arg(plan.measurements.size());
    text += plan.wouldStop() ? u"  verdict: a run would stop before writing (exit 2)\n"_s
            : plan.wouldReject()
                ? u"  verdict: the target would reject points, see below (exit 6)\n"_s
                : u"  verdict: the target takes everything as it is (exit 0)\n"_s;
    if (!plan.problems.isEmpty()) {
        text += u"\nProblems of the task:\n"_s;
        for (const PlanProblem &p : plan.problems)
            text += problemLine(p) + u'\n';
    }
    for (const MeasurementPlan *m : plan.measurementsProblemsFirst())
        text += u'\n' + measurementText(*m);
    const QString estimate = !plan.estimatedSeconds      ? u"unknown"_s
                             : *plan.estimatedSeconds < 1 ? u"under a second"_s
                                                          : duration(qint64(*plan.estimatedSeconds));
    text += u"\nEstimated duration: %1 — an estimate: %2\n"_s.arg(estimate, plan.estimateNote);
    text += u"Sample: %1 points read in %2 s\n"_s.arg(plan.samplePoints)
                .arg(plan.sampleSeconds, 0, 'f', 2);
    for (const QString &note : plan.notes)
        text += u"Note: "_s + note + u'\n';
    return text;
}

QString Plan::measurementText(const MeasurementPlan &m)
{
    QString text = m.targetName == m.name ? u"%1\n"_s.arg(m.name)
                                          : u"%1 → %2\n"_s.arg(m.name, m.targetName);
    text += u"  points %1, series %2, read units %3, first %4, last %5\n"_s
                .arg(count(m.points, m.pointsExact), count(m.series))
                .arg(m.readUnits)
                .arg(m.bounds ? TimeText::format(m.bounds->start) : u"-"_s,
                     m.bounds ? TimeText::format(m.bounds->end - 1) : u"-"_s);
    for (const PlanProblem &p : m.problems)
        text += problemLine(p) + u'\n';
    QList<QStringList> rows{{u"tag"_s, u"type"_s, u"per shard group"_s}};
    for (const QString &tag : m.tagKeys)
        rows.append({tag, u"tag"_s, QString()});
    for (const PlanField &f : m.fields) {
        QStringList types;
        for (FieldType t : f.types)
            types.append(fieldTypeName(t));
        QStringList stretches;
        for (const PlanFieldStretch &s : f.stretches)
            if (f.typeDiffers())
                stretches.append(u"%1 %2 (%3)"_s.arg(TimeText::format(s.range.start).left(10),
                                                     fieldTypeName(s.type))
                                     .arg(s.values));
        rows.append({f.name, types.join(u" | "_s) + (f.typeDiffers() ? u"  TYPE DIFFERS"_s : QString()),
                     stretches.join(u", "_s)});
    }
    rows.first().first() = u"key"_s;
    return text + table(rows);
}

} // namespace tsm::cli
