#include "sinks/RenamingSink.h"

#include "lp/LineProtocol.h"
#include "sinks/BatchBisector.h"

#include <QHash>
#include <QSet>

using namespace Qt::StringLiterals;

namespace tsm {

RenamingSink::RenamingSink(std::unique_ptr<Sink> target, NamePolicies policies)
    : m_target(std::move(target)), m_policies(policies)
{
    m_target->setRetryListener([this](const QString &what, const Error &error, int attempt,
                                      int delayMs) { notifyRetry(what, error, attempt, delayMs); });
}

QList<Renaming> RenamingSink::decideNames(Source &source, const PlanRequest &request,
                                          const QList<Renaming> &decided,
                                          const CancelToken &cancel)
{
    QList<Renaming> all = decided;
    QSet<QString> known;
    for (const Renaming &r : decided)
        known.insert(r.measurement);
    if (m_policies.renames()) {
        const QStringList names = request.measurements.isEmpty()
                                      ? source.listMeasurements(request.database, cancel)
                                      : request.measurements;
        std::optional<QList<TimeRange>> stretches; // asked once, when a field has two types
        for (const QString &name : names) {
            if (known.contains(name))
                continue;
            const MeasurementSchema schema = source.schema(request.database, name, cancel);
            QHash<QString, FieldType> first;
            const bool typesDiffer = std::any_of(schema.fields.begin(), schema.fields.end(),
                                                 [](const FieldInfo &f) {
                                                     return f.types.size() > 1;
                                                 });
            if (typesDiffer && m_policies.fixedTypes) {
                if (!stretches)
                    stretches = source.typeStretches(request, cancel);
                first = NameRules::firstTypes(source, request, schema, *stretches, cancel);
            }
            all += NameRules::decide(schema, first, m_policies);
        }
    }
    m_rules = NameRules();
    m_rules.add(all);
    m_prefixes.clear();
    QSet<QString> measurements;
    for (const Renaming &r : std::as_const(all))
        measurements.insert(r.measurement);
    for (const QString &name : std::as_const(measurements)) {
        QByteArray escaped;
        if (!lp::appendMeasurement(escaped, name.toStdString()))
            continue;
        m_prefixes.append(escaped + ',');
        m_prefixes.append(escaped + ' ');
    }
    return all;
}

bool RenamingSink::rename(std::string_view line, QByteArray &out) const
{
    const QByteArrayView view(line.data(), qsizetype(line.size()));
    if (std::none_of(m_prefixes.begin(), m_prefixes.end(),
                     [&](const QByteArray &prefix) { return view.startsWith(prefix); }))
        return false;
    thread_local lp::Point point;
    point = lp::Point();
    if (!lp::parseLine(line, point, nullptr) || !m_rules.apply(point))
        return false;
    QByteArray encoded;
    if (!lp::encodePoint(point, m_target->dialect(), encoded, nullptr))
        return false; // the target's own checks say why
    while (encoded.endsWith('\n'))
        encoded.chop(1);
    out.append(encoded);
    return true;
}

WriteResult RenamingSink::write(const Batch &batch, const CancelToken &cancel)
{
    if (m_prefixes.isEmpty())
        return m_target->write(batch, cancel);
    Batch renamed;
    renamed.points = batch.points;
    renamed.shares = batch.shares;
    renamed.lines.reserve(batch.lines.size() + batch.lines.size() / 16);
    QHash<QByteArray, QByteArray> originalOf; // renamed line -> line as it came
    for (const auto &[begin, end] : BatchBisector::lineSpans(batch.lines)) {
        qsizetype stop = end;
        while (stop > begin && batch.lines.at(stop - 1) == '\n')
            --stop;
        const std::string_view line(batch.lines.constData() + begin, size_t(stop - begin));
        const qsizetype at = renamed.lines.size();
        if (rename(line, renamed.lines))
            originalOf.insert(renamed.lines.mid(at),
                              QByteArray(line.data(), qsizetype(line.size())));
        else
            renamed.lines.append(line.data(), qsizetype(line.size()));
        renamed.lines.append('\n');
    }
    WriteResult result = m_target->write(renamed, cancel);
    for (WriteResult::Reject &reject : result.rejects)
        reject.line = originalOf.value(reject.line, reject.line);
    return result;
}

PointCount RenamingSink::count(const CountWindow &window, const CancelToken &cancel)
{
    PointCount counted = m_target->count(window, cancel);
    if (!m_rules.has(window.measurement))
        return counted;
    PointCount folded;
    folded.points = counted.points;
    for (auto it = counted.fields.cbegin(); it != counted.fields.cend(); ++it)
        folded.fields[m_rules.sourceField(window.measurement, it.key())] += it.value();
    return folded;
}

QList<TargetProblem> RenamingSink::schemaProblems(const MeasurementSchema &schema) const
{
    QList<TargetProblem> problems = m_target->schemaProblems(m_rules.apply(schema));
    // Said once per renaming, as the plan lists a measurement's problems.
    for (const Renaming &r : m_rules.renamingsOf(schema.name))
        problems.append(TargetProblem{r.kind == Renaming::Kind::Tag
                                          ? u"tag \"%1\""_s.arg(r.name)
                                          : u"field \"%1\" (%2)"_s.arg(r.name, r.type),
                                      u"renamed: "_s + r.describe(), TargetProblem::Outcome::Kept});
    return problems;
}

QString RenamingSink::refusal(std::string_view line) const
{
    QByteArray renamed;
    if (!rename(line, renamed))
        return m_target->refusal(line);
    return m_target->refusal(std::string_view(renamed.constData(), size_t(renamed.size())));
}

} // namespace tsm
