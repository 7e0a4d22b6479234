#include "plan/PlanMaker.h"

#include "connectors/Connectors.h"
#include "core/Error.h"
#include "lp/LineParser.h"
#include "run/RunRange.h"

#include <Kinds.h>
#include <QElapsedTimer>
#include <QHash>
#include <QMap>
#include <QRegularExpression>
#include <QSet>
#include <TimeText.h>
#include <algorithm>
#include <limits>
#include <set>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

constexpr size_t kMaxSeriesKept = 1000000; ///< beyond it the series count is "at least"

/// Thrown from the collector when the sample's time is up; caught by sample().
struct SampleTimeUp
{};

/// What the sampled points of one measurement showed.
struct Seen
{
    qint64 points = 0;
    std::set<std::string> series;
    qint64 first = std::numeric_limits<qint64>::max();
    qint64 last = std::numeric_limits<qint64>::min();
    /// field -> stretch (-1: none) -> type -> values
    QHash<QString, QMap<int, QMap<int, qint64>>> types;
    struct Refusal
    {
        QString example;
        qint64 points = 0;
    };
    QMap<QString, Refusal> refusals; ///< by the reason with its numbers taken out
    Seen::Refusal sourceRejects;
};

/// The reason with times and numbers taken out, so that points refused for the same reason
/// are counted together.
QString reasonKind(const QString &reason)
{
    static const QRegularExpression numbers(u"-?\\d[\\d:.TZ+-]*"_s);
    QString kind = reason;
    kind.replace(numbers, u"#"_s);
    return kind;
}

/** Parses each line a source's reader hands over and notes what it shows. */
class SampleCollector : public BatchOutput
{
public:
    SampleCollector(QHash<QString, Seen> &seen, const Sink &sink,
                    const QList<TimeRange> &stretches, const QElapsedTimer &clock, int budgetMs)
        : m_seen(seen), m_sink(sink), m_stretches(stretches), m_clock(clock), m_budgetMs(budgetMs)
    {}

    void setUnit(const QString &measurement) { m_unitMeasurement = measurement; }
    qint64 points() const { return m_points; }

    QByteArray &buffer() override { return m_buffer; }
    void lineAppended() override
    {
        size_t from = 0;
        const size_t size = size_t(m_buffer.size());
        while (from < size) {
            const size_t end = lp::lineEnd(m_buffer.constData(), size, from);
            if (end > from)
                note(std::string_view(m_buffer.constData() + from, end - from));
            from = end + 1;
        }
        m_buffer.clear();
        if ((m_points & 255) == 0 && m_clock.elapsed() > m_budgetMs)
            throw SampleTimeUp{};
    }
    void reject(const QByteArray &description, const QString &reason) override
    {
        Q_UNUSED(description);
        Seen::Refusal &r = m_seen[m_unitMeasurement].sourceRejects;
        if (r.example.isEmpty())
            r.example = reason;
        ++r.points;
        ++m_points;
    }

private:
    void note(std::string_view line)
    {
        if (!lp::parseLine(line, m_point, nullptr))
            return;
        ++m_points;
        Seen &seen = m_seen[QString::fromStdString(m_point.measurement)];
        ++seen.points;
        if (seen.series.size() < kMaxSeriesKept) {
            std::string key;
            for (const auto &[k, v] : m_point.tags)
                key.append(k).append(1, '\0').append(v).append(1, '\0');
            seen.series.insert(std::move(key));
        }
        int stretch = -1;
        if (m_point.hasTime) {
            seen.first = std::min(seen.first, m_point.time);
            seen.last = std::max(seen.last, m_point.time);
            const auto after = std::upper_bound(
                m_stretches.begin(), m_stretches.end(), m_point.time,
                [](qint64 time, const TimeRange &s) { return time < s.start; });
            if (after != m_stretches.begin() && std::prev(after)->end > m_point.time)
                stretch = int(std::prev(after) - m_stretches.begin());
        }
        for (const lp::Field &field : m_point.fields)
            ++seen.types[QString::fromStdString(field.key)][stretch][int(field.type)];
        const QString why = m_sink.refusal(line);
        if (!why.isEmpty()) {
            Seen::Refusal &r = seen.refusals[reasonKind(why)];
            if (r.example.isEmpty())
                r.example = why;
            ++r.points;
        }
    }

    QHash<QString, Seen> &m_seen;
    const Sink &m_sink;
    const QList<TimeRange> &m_stretches;
    const QElapsedTimer &m_clock;
    int m_budgetMs;
    QString m_unitMeasurement;
    QByteArray m_buffer;
    lp::Point m_point;
    qint64 m_points = 0;
};

/// The units in the order the sample reads them: one of each measurement in turn, so that each
/// gets some of the sample.
QList<PlannedUnit> interleaved(const QList<PlannedUnit> &units)
{
    QMap<QString, QList<PlannedUnit>> by;
    for (const PlannedUnit &unit : units)
        by[unit.measurement].append(unit);
    QList<PlannedUnit> order;
    for (qsizetype i = 0; order.size() < units.size(); ++i)
        for (const QList<PlannedUnit> &list : std::as_const(by))
            if (i < list.size())
                order.append(list.at(i));
    return order;
}

} // namespace

struct PlanMaker::Sampled
{
    QHash<QString, Seen> seen;
    QHash<QString, qint64> unitsLeft; ///< per measurement, units not read in full
    bool everything = false;          ///< every unit was read
    qint64 points = 0;
    double seconds = 0;
};

PlanMaker::PlanMaker(TaskProfile profile, SourceFactory source, SinkFactory sink)
    : m_profile(std::move(profile)),
      m_sourceFactory(source ? std::move(source) : SourceFactory(&Connectors::createSource)),
      m_sinkFactory(sink ? std::move(sink) : SinkFactory(&Connectors::createSink))
{}

void PlanMaker::step(const QString &text) const
{
    if (m_step)
        m_step(text);
}

void PlanMaker::sample(Source &source, const Sink &sink, const PlanRequest &request,
                       const QList<PlannedUnit> &units, const QList<TimeRange> &stretches,
                       Sampled &sampled, const CancelToken &cancel)
{
    for (const PlannedUnit &unit : units)
        ++sampled.unitsLeft[unit.measurement];
    QElapsedTimer clock;
    clock.start();
    SampleCollector collector(sampled.seen, sink, stretches, clock, m_sampleMs);
    const LpDialect dialect = sink.dialect();
    sampled.everything = true;
    for (const PlannedUnit &unit : interleaved(units)) {
        if (clock.elapsed() > m_sampleMs) {
            sampled.everything = false;
            break;
        }
        ReadUnit readUnit;
        static_cast<PlannedUnit &>(readUnit) = unit;
        collector.setUnit(unit.measurement);
        try {
            source.read(readUnit, request, dialect, collector, cancel);
        } catch (const SampleTimeUp &) {
            sampled.everything = false;
            break;
        }
        --sampled.unitsLeft[unit.measurement];
    }
    sampled.points = collector.points();
    sampled.seconds = double(clock.nsecsElapsed()) / 1e9;
}

TaskPlan PlanMaker::make(const CancelToken &cancel)
{
    using Outcome = TargetProblem::Outcome;
    TaskPlan plan;
    plan.task = m_profile.name;

    step(u"Connecting to the source and the target…"_s);
    const std::unique_ptr<Source> source = m_sourceFactory(m_profile);
    const std::unique_ptr<Sink> sink = m_sinkFactory(m_profile);
    plan.source = source->describe();
    plan.target = sink->describe();
    source->checkConnection(cancel);
    source->checkRequest(planRequestOf(m_profile.task, TimeRange()), cancel);
    const TargetFacts facts = sink->inspect(cancel);
    plan.targetState = facts.summary;
    for (const QString &stop : facts.stops)
        plan.problems.append(PlanProblem{u"target"_s, stop, Outcome::Stops, -1, u"target"_s});

    if (kinds::schemaOnly(m_profile.task.schemaSync)) {
        plan.notes.append(u"Schema sync only: a run creates the super tables and subtables of "
                          u"the source in the target and moves no data; nothing is read, written "
                          u"or verified"_s);
        return plan;
    }

    // The range a run would plan now (no ledger: as a first run would).
    const qint64 now = TimeText::nowNs();
    const RunRange range = decideRunRange(m_profile.task, std::nullopt, now);
    PlanRequest request = planRequestOf(m_profile.task, range.history);
    if (request.range.isEmpty()) {
        const qint64 start =
            TimeText::parse(m_profile.task.start, m_profile.task.timeZone).value_or(now);
        request.range = TimeRange{std::min(start, now), now};
        plan.notes.append(u"Mode %1 has no history to move: the task follows new data from when "
                          u"it runs. Shown is what lies between the start and now."_s.arg(
                              m_profile.task.mode));
    }
    plan.range = request.range;

    // The names the target would get in place of the source's, decided as a first run would;
    // each measurement's plan lists its renamings.
    step(u"Deciding names the target cannot hold as they are…"_s);
    sink->decideNames(*source, request, {}, cancel);
    plan.notes += sink->namingNotes();

    step(u"Planning the read units…"_s);
    const QList<PlannedUnit> units = source->plan(request, cancel);
    plan.readUnits = units.size();
    const SourceKind *kind = kinds::source(m_profile.source);
    const bool file = kind && kind->isFile();
    QStringList names = request.measurements.isEmpty() && m_profile.task.tables.isEmpty()
                            ? source->listMeasurements(request.database, cancel)
                            : request.measurements;
    for (const QString &table : m_profile.task.tables) // "stable.table": its super table
        if (const QString stable = table.section(u'.', 0, 0); !names.contains(stable))
            names.append(stable);

    // Two measurements that become one table.
    QMap<QString, QStringList> byTable;
    for (const QString &name : names)
        byTable[sink->tableNameOf(name)].append(name);
    for (auto it = byTable.cbegin(); it != byTable.cend(); ++it)
        if (it.value().size() > 1)
            plan.problems.append(PlanProblem{
                u"measurements %1"_s.arg(it.value().join(u", "_s)),
                u"would all be written to the table \"%1\" of the target, where their fields "
                u"would mix and points with the same tags and time would merge; the run stops "
                u"before writing. Migrate one of them in a task of its own into another database, "
                u"or leave one out"_s.arg(it.key()),
                Outcome::Stops, -1, u"schema"_s});

    const QList<TimeRange> stretches = source->typeStretches(request, cancel);
    step(u"Reading a sample…"_s);
    Sampled sampled;
    sample(*source, *sink, request, units, stretches, sampled, cancel);
    plan.samplePoints = sampled.points;
    plan.sampleSeconds = sampled.seconds;

    bool someInPart = false;
    const Context context{*source, *sink, request, units, stretches, sampled, file};
    for (const QString &name : names) {
        if (cancel.isCancelled())
            throw Error(ErrorKind::Cancelled, u"Planning cancelled"_s);
        const MeasurementPlan m = measurementPlan(name, context, cancel);
        someInPart = someInPart || !m.pointsExact;
        plan.measurements.append(m);
    }
    // The reader's own rejects that no measurement claims (a file's unreadable lines).
    if (const auto loose = sampled.seen.constFind(QString());
        loose != sampled.seen.constEnd() && loose->sourceRejects.points > 0)
        plan.problems.append(PlanProblem{u"lines the reader cannot carry"_s,
                                         loose->sourceRejects.example, Outcome::Rejected,
                                         loose->sourceRejects.points,
                                         sampled.everything ? u"values"_s : u"sample"_s});

    addNotes(plan, !stretches.isEmpty(), someInPart);
    estimate(plan, sampled);
    return plan;
}

MeasurementPlan PlanMaker::measurementPlan(const QString &name, const Context &c,
                                           const CancelToken &cancel)
{
    using Outcome = TargetProblem::Outcome;
    Source *source = &c.source;
    Sink *sink = &c.sink;
    const PlanRequest &request = c.request;
    const QList<PlannedUnit> &units = c.units;
    const QList<TimeRange> &stretches = c.stretches;
    const Sampled &sampled = c.sampled;
    const bool file = c.file;
    step(u"Looking at %1…"_s.arg(name));
    MeasurementPlan m;
    m.name = name;
    m.targetName = sink->tableNameOf(name);
    const MeasurementSchema schema = source->schema(request.database, name, cancel);
    m.tagKeys = schema.tagKeys;
    QList<TimeRange> spans;
    for (const PlannedUnit &unit : units) {
        if (unit.measurement != name)
            continue;
        ++m.readUnits;
        spans.append(TimeRange{unit.start, unit.end});
        m.bounds = m.bounds ? TimeRange{std::min(m.bounds->start, unit.start),
                                        std::max(m.bounds->end, unit.end)}
                            : TimeRange{unit.start, unit.end};
    }
    const auto seenIt = sampled.seen.constFind(name);
    const Seen *seen = seenIt != sampled.seen.constEnd() ? &*seenIt : nullptr;
    const bool complete =
        sampled.everything || (!file && sampled.unitsLeft.value(name) == 0);
    m.sampledPoints = seen ? seen->points : 0;
    if (complete) {
        m.points = seen ? seen->points + seen->sourceRejects.points : 0;
        m.pointsExact = true;
        m.series = seen ? qint64(seen->series.size()) : 0;
        if (seen && seen->series.size() >= kMaxSeriesKept)
            m.series = -1;
        if (seen && seen->first <= seen->last)
            m.bounds = TimeRange{seen->first, seen->last + 1};
    } else {
        m.points = source->estimatePoints(request, name, cancel).value_or(-1);
    }
    if (file && !complete)
        m.bounds.reset(); // a file's units are bytes

    for (const FieldInfo &field : schema.fields) {
        PlanField f;
        f.name = field.name;
        f.types = field.types;
        const QMap<int, QMap<int, qint64>> *typesSeen = nullptr;
        if (seen)
            if (const auto it = seen->types.constFind(field.name); it != seen->types.cend())
                typesSeen = &*it;
        if (complete && typesSeen) {
            f.typesFrom = u"values read"_s;
            for (auto s = typesSeen->cbegin(); s != typesSeen->cend(); ++s)
                for (auto t = s.value().cbegin(); t != s.value().cend(); ++t)
                    f.stretches.append(PlanFieldStretch{
                        s.key() >= 0 ? stretches.at(s.key()) : request.range,
                        FieldType(t.key()), t.value()});
        } else if (field.types.size() > 1 && !stretches.isEmpty()) {
            f.typesFrom = u"COUNT and LAST per shard group"_s;
            for (const TimeRange &stretch : stretches) {
                if (std::none_of(spans.begin(), spans.end(), [&](const TimeRange &s) {
                        return s.start < stretch.end && stretch.start < s.end;
                    }))
                    continue;
                if (const auto found =
                        source->fieldTypeWithin(request, name, field.name, stretch, cancel))
                    f.stretches.append(PlanFieldStretch{stretch, found->first, found->second});
            }
        }
        m.fields.append(f);
    }

    for (const TargetProblem &p : sink->schemaProblems(schema)) {
        PlanProblem problem{p.subject, p.reason, p.outcome, -1, u"schema"_s};
        // A field of two types: the values of the types after the first one written.
        for (const PlanField &f : std::as_const(m.fields)) {
            if (!f.typeDiffers() || p.subject != u"field \"%1\""_s.arg(f.name) ||
                f.stretches.isEmpty() || p.outcome != Outcome::Rejected)
                continue;
            const auto earliest = std::min_element(
                f.stretches.begin(), f.stretches.end(),
                [](const PlanFieldStretch &a, const PlanFieldStretch &b) {
                    return a.range.start < b.range.start;
                });
            problem.points = 0;
            for (const PlanFieldStretch &s : f.stretches)
                if (s.type != earliest->type)
                    problem.points += s.values;
            problem.reason +=
                (problem.points == 1 ? u" (the first in time is %1: the 1 value of another "
                                       u"type would be refused)"_s
                                     : u" (the first in time is %1: the %2 values of other "
                                       u"types would be refused)"_s)
                    .arg(fieldTypeName(earliest->type))
                    .arg(problem.points);
        }
        m.problems.append(problem);
    }
    const QString from = complete ? u"values"_s : u"sample"_s;
    if (seen) {
        for (const Seen::Refusal &r : seen->refusals)
            m.problems.append(PlanProblem{u"points"_s, r.example, Outcome::Rejected, r.points,
                                          from});
        if (seen->sourceRejects.points > 0)
            m.problems.append(PlanProblem{u"points the reader cannot carry"_s,
                                          seen->sourceRejects.example, Outcome::Rejected,
                                          seen->sourceRejects.points, from});
    }
    if (!complete && m.bounds) {
        // The first point's time against the target's time limits (1970, KEEP).
        const QByteArray probe = "p v=1i " + QByteArray::number(m.bounds->start);
        const QString why = sink->refusal(std::string_view(probe.constData(), size_t(probe.size())));
        if (!why.isEmpty())
            m.problems.append(PlanProblem{u"first point"_s, why, Outcome::Rejected, -1,
                                          u"time range"_s});
    }
    return m;
}

void PlanMaker::addNotes(TaskPlan &plan, bool shardGroups, bool someInPart)
{
    if (!shardGroups)
        plan.notes.append(u"The source keeps one type per field throughout (no shard groups)."_s);
    else
        plan.notes.append(
            u"Field types per shard group come from the values read; where a measurement was not "
            u"read in full, a field the source lists with more than one type is looked up with "
            u"COUNT and LAST in each shard group (msgpack keeps the type; InfluxDB lists a field "
            u"once per type, not per shard group)."_s);
    if (someInPart)
        plan.notes.append(
            u"Measurements counted \"at least\" were not read in full within the sample: their "
            u"points are the largest COUNT of one field over the range (a point without that "
            u"field is not counted), their series are unknown, and the values (string lengths, "
            u"newlines, tag sizes, times) were checked only in the points read. Names, types "
            u"and counts of tags and fields come from the schema and are checked in full."_s);
    else
        plan.notes.append(u"Every point in the range was read and checked: the counts are exact."_s);

}

void PlanMaker::estimate(TaskPlan &plan, const Sampled &sampled) const
{
    qint64 total = 0;
    for (const MeasurementPlan &m : std::as_const(plan.measurements))
        total += std::max<qint64>(0, m.points);
    if (sampled.everything) {
        plan.estimatedSeconds = sampled.seconds;
        plan.estimateNote = u"the time the sample took to read every point; the write rate is "
                            u"unknown, as the plan writes nothing"_s;
    } else if (sampled.points > 0 && sampled.seconds > 0) {
        const double rate = double(sampled.points) / sampled.seconds;
        plan.estimatedSeconds = double(total) / rate;
        plan.estimateNote =
            u"reading at the sample's rate of %1 points/s with one reader (a run reads with up to "
            u"%2 at once, and writes meanwhile); the write rate is unknown, as the plan writes "
            u"nothing"_s.arg(qint64(rate))
                .arg(m_profile.advanced.readConcurrency);
    } else {
        plan.estimateNote = u"nothing was read in the sample: no estimate"_s;
    }
}

} // namespace tsm
