#include "run/RunRange.h"

#include "core/Error.h"

#include <Kinds.h>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <TimeText.h>
#include <algorithm>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

constexpr qint64 kNsPerSecond = 1000000000LL;

qint64 parseTime(const QString &text, const QString &timeZone, const QString &what)
{
    const auto time = TimeText::parse(text, timeZone);
    if (!time)
        throw Error(ErrorKind::Config, u"%1 time \"%2\" is not a valid time"_s.arg(what, text));
    return *time;
}

/// The back-fill of a realtime task (task.retro) in nanoseconds; 0 for none.
qint64 retroOf(const TaskSettings &task)
{
    const std::optional<qint64> retro = TimeText::parseDuration(task.retro);
    if (!retro)
        throw Error(
            ErrorKind::Config,
            u"task.retro: \"%1\" is not a duration; use e.g. 30m, 2h or 7d"_s.arg(task.retro));
    return *retro;
}

/// Whether the history range a stored task planned is still the one to use, or is planned anew.
RunRange::Ledger ledgerFor(const RunRange &range, const std::optional<TaskRecord> &stored)
{
    // A plan recorded before its scope was (empty) is taken as the same selection.
    const bool sameScope = stored && (stored->planScope.isEmpty() || stored->planScope == range.scope);
    const bool planned = stored && stored->planned && sameScope;
    const bool samePlan = planned && stored->planStartNs == range.history.start &&
                          stored->planEndNs == range.history.end;
    if (range.follow && planned && stored->watermarkNs != 0 &&
        stored->watermarkNs >= range.history.end && planned &&
        stored->planEndNs == range.history.end)
        return RunRange::Ledger::ResumeFollowing;
    if (samePlan)
        return RunRange::Ledger::Ready;
    return range.history.start == range.history.end ? RunRange::Ledger::MarkOnly
                                                    : RunRange::Ledger::Plan;
}

} // namespace

RunRange decideRunRange(const TaskSettings &task, const std::optional<TaskRecord> &stored,
                        qint64 nowNs)
{
    const std::optional<TaskMode> mode = kinds::mode(task.mode);
    if (!mode)
        throw Error(ErrorKind::Config,
                    u"Mode \"%1\" is unknown; use %2"_s.arg(task.mode,
                                                            kinds::modeNames().join(u", "_s)));
    RunRange range;
    range.follow = *mode != TaskMode::History;
    range.delayNs = qint64(std::clamp(task.delaySeconds, 1, 30)) * kNsPerSecond;
    const qint64 start = parseTime(task.start, task.timeZone, u"Start"_s);
    if (!task.end.isEmpty())
        range.stopAt = parseTime(task.end, task.timeZone, u"End"_s);
    const std::optional<qint64> end = range.stopAt;
    const bool planned = stored && stored->planned;

    switch (*mode) {
    case TaskMode::History:
        // Without an end: up to the moment the task was first planned.
        range.history = {start, end ? *end
                                    : (planned && stored->planStartNs == start ? stored->planEndNs
                                                                               : nowNs)};
        break;
    case TaskMode::Both: {
        // Up to now minus the delay (late points still arrive before that), or to the end time
        // when it is earlier; following takes over from there.
        const bool keep = planned && stored->planStartNs == start && stored->planEndNs >= start &&
                          (!end || stored->planEndNs <= *end);
        range.history = {start, keep ? stored->planEndNs
                                     : std::max(start, std::min(nowNs - range.delayNs,
                                                                end.value_or(nowNs)))};
        break;
    }
    case TaskMode::Realtime: {
        // From the moment the task first started (or its start, when later); the empty history
        // range only marks where following began. With a back-fill (task.retro) the history is
        // [first run − retro, first run − delay) and following takes over from its end, as in
        // mode both. Either is kept from the first run: a resumed task neither reads again nor
        // skips, whatever the back-fill says now.
        const qint64 retro = retroOf(task);
        const bool keep =
            planned && stored->planStartNs >= start && stored->planEndNs >= stored->planStartNs;
        if (keep) {
            range.history = {stored->planStartNs, stored->planEndNs};
        } else if (retro > 0) {
            const qint64 from = std::max(start, nowNs - range.delayNs);
            range.history = {std::min(from, std::max(start, nowNs - retro)), from};
        } else {
            const qint64 from = std::max(start, nowNs);
            range.history = {from, from};
        }
        break;
    }
    }
    range.scope = planScope(task);
    range.ledger = ledgerFor(range, stored);
    return range;
}

namespace {

/// The keys of planScope(), by option.
const QList<QPair<QString, QString>> &scopeKeys()
{
    static const QList<QPair<QString, QString>> keys = {
        {u"task.bucket"_s, u"database"_s},
        {u"task.retentionPolicy"_s, u"retentionPolicy"_s},
        {u"task.measurements"_s, u"measurements"_s},
        {u"task.tables"_s, u"tables"_s},
        {u"task.seriesFilter"_s, u"seriesFilter"_s},
    };
    return keys;
}

QJsonArray sortedArray(QStringList names)
{
    names.sort();
    return QJsonArray::fromStringList(names);
}

} // namespace

QString planScope(const TaskSettings &task)
{
    const QJsonObject scope{
        {u"database"_s, task.bucket},
        {u"retentionPolicy"_s, task.retentionPolicy},
        {u"measurements"_s, sortedArray(task.measurements)},
        {u"tables"_s, sortedArray(task.tables)},
        {u"seriesFilter"_s, task.seriesFilter.trimmed()},
    };
    return QString::fromUtf8(QJsonDocument(scope).toJson(QJsonDocument::Compact));
}

QStringList planChanges(const RunRange &range, const TaskRecord &stored)
{
    QStringList changes;
    if (stored.planStartNs != range.history.start)
        changes << u"task.start"_s;
    if (stored.planEndNs != range.history.end)
        changes << u"task.end"_s;
    if (stored.planScope.isEmpty() || stored.planScope == range.scope)
        return changes;
    const QJsonObject before = QJsonDocument::fromJson(stored.planScope.toUtf8()).object();
    const QJsonObject now = QJsonDocument::fromJson(range.scope.toUtf8()).object();
    for (const auto &[option, key] : scopeKeys())
        if (before.value(key) != now.value(key))
            changes.append(option);
    return changes;
}

QStringList changesNeedingARestart(const QStringList &changes, bool byteUnits)
{
    if (byteUnits)
        return changes;
    QStringList needing;
    for (const QString &option :
         {u"task.bucket"_s, u"task.retentionPolicy"_s, u"task.seriesFilter"_s})
        if (changes.contains(option))
            needing.append(option);
    return needing;
}

QList<PlannedUnit> notYetDone(const QList<PlannedUnit> &planned, const QList<UnitRecord> &ledger)
{
    // Done spans by "measurement\ncontext", sorted by start.
    QHash<QString, QList<TimeRange>> done;
    for (const UnitRecord &u : ledger)
        if (u.status == UnitStatus::Done && u.rangeStart < u.rangeEnd)
            done[u.measurement + u'\n' + u.context].append({u.rangeStart, u.rangeEnd});
    for (QList<TimeRange> &spans : done)
        std::sort(spans.begin(), spans.end(),
                  [](const TimeRange &a, const TimeRange &b) { return a.start < b.start; });

    QList<PlannedUnit> rest;
    for (const PlannedUnit &unit : planned) {
        QList<TimeRange> covering = done.value(unit.measurement + u'\n' + unit.context);
        if (!unit.context.isEmpty()) {
            covering += done.value(unit.measurement + u'\n');
            std::sort(covering.begin(), covering.end(),
                      [](const TimeRange &a, const TimeRange &b) { return a.start < b.start; });
        }
        qint64 from = unit.start;
        for (const TimeRange &span : covering) {
            if (span.end <= from)
                continue;
            if (span.start >= unit.end)
                break;
            if (span.start > from) {
                PlannedUnit part = unit;
                part.start = from;
                part.end = span.start;
                rest.append(part);
            }
            from = std::max(from, span.end);
            if (from >= unit.end)
                break;
        }
        if (from < unit.end) {
            PlannedUnit part = unit;
            part.start = from;
            rest.append(part);
        }
    }
    return rest;
}

QString nextStartText(const TaskSettings &task, const TaskRecord &stored, const UnitTotals &totals,
                      bool byteUnits, qint64 nowNs)
{
    if (!stored.planned)
        return {};
    RunRange range;
    try {
        range = decideRunRange(task, stored, nowNs);
    } catch (const Error &) {
        return {};
    }
    auto span = [nowNs](qint64 start, qint64 end) {
        return u"%1 .. %2"_s.arg(TimeText::format(start),
                                 end == nowNs ? u"the moment it starts"_s : TimeText::format(end));
    };
    const QString was = span(stored.planStartNs, stored.planEndNs);
    const QString units = totals.done == 1 ? u"1 read unit"_s : u"%1 read units"_s.arg(totals.done);
    switch (range.ledger) {
    case RunRange::Ledger::Ready:
        if (totals.done < totals.total)
            return u"Start resumes where the task stopped: %1 of %2 done."_s.arg(totals.done).arg(
                totals.total == 1 ? u"1 read unit"_s : u"%1 read units"_s.arg(totals.total));
        if (range.follow)
            return u"Start follows new data from where the task stopped."_s;
        return u"Start reads nothing: %1 is migrated already. Run Again from the Beginning copies "
               u"it anew."_s.arg(was);
    case RunRange::Ledger::ResumeFollowing:
        return u"Start follows new data from %1, where the task stopped."_s.arg(
            TimeText::format(stored.watermarkNs));
    case RunRange::Ledger::MarkOnly:
        return u"Start follows new data from %1."_s.arg(
            range.history.end == nowNs ? u"the moment it starts"_s
                                       : TimeText::format(range.history.end));
    case RunRange::Ledger::Plan:
        break;
    }
    const QStringList changes = planChanges(range, stored);
    const QString changed = changes.isEmpty() ? QString() : changes.join(u", "_s);
    if (const QStringList blocking = changesNeedingARestart(changes, byteUnits);
        totals.done > 0 && !blocking.isEmpty())
        return byteUnits
                   ? u"Start will refuse: the file was read (%1 of it) for %2, and a new range or "
                     u"selection (%3) cannot be added to what it read. Put it back, or use Run "
                     u"Again from the Beginning to read the whole file anew."_s.arg(units, was,
                                                                                   changed)
                   : u"Start will refuse: %1 changed since %2 were done, and done read units "
                     u"cannot tell which of the new data they hold. Put it back, or use Run "
                     u"Again from the Beginning."_s.arg(blocking.join(u", "_s), units);
    if (totals.done == 0)
        return u"Start plans %1 anew (%2 changed; nothing was done)."_s.arg(
            span(range.history.start, range.history.end), changed);
    return u"Start plans %1 anew (%2 changed): the %3 done for %4 are kept and not read again; "
           u"only what they do not cover is read, and what was planned but not done is "
           u"dropped."_s.arg(span(range.history.start, range.history.end), changed, units, was);
}

PlanRequest planRequestOf(const TaskSettings &task, const TimeRange &range)
{
    PlanRequest request;
    request.database = task.bucket;
    request.retentionPolicy = task.retentionPolicy;
    request.measurements = task.measurements;
    request.seriesFilter = task.seriesFilter.trimmed();
    request.range = range;
    request.windowNs = qint64(std::max(1, task.windowMinutes)) * 60LL * 1000000000LL;
    return request;
}

} // namespace tsm
