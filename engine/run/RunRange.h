#pragma once

#include "core/Source.h"

#include <CheckpointStore.h>
#include <TaskProfile.h>
#include <optional>

namespace tsm {

/** What a run of a task reads, decided from its profile, what the store remembers of it and the
 *  current time: the history range, whether and until when it then follows new data. */
struct RunRange
{
    /// What the ledger needs before units move.
    enum class Ledger
    {
        Ready,           ///< the history range is planned already
        Plan,            ///< plan the history range into the ledger
        MarkOnly,        ///< nothing to plan (realtime): record the range as planned
        ResumeFollowing, ///< following had begun: drop the units of the interrupted cycle
    };

    bool follow = false;         ///< realtime or both: follow new data after the history
    TimeRange history;           ///< [start, end); empty for realtime, where following starts
    std::optional<qint64> stopAt; ///< the end time, when there is one
    qint64 delayNs = 0;          ///< following reads up to now minus this
    Ledger ledger = Ledger::Plan;
    QString scope;               ///< planScope() of the task: recorded with the plan
};

/**
 * The range of a run:
 * - history: start → end, or without an end → the moment the task was first planned;
 * - both: start → now − delay (or the end, when earlier), kept from the first run so that a
 *   resumed task does not plan again;
 * - realtime: the moment the task first ran (or its start, when later), an empty history; with
 *   a back-fill (task.retro), [first run − retro, first run − delay) first, following from its
 *   end; what the first run decided is kept.
 * Throws Error(Config) for an unknown mode, a start or end that is not a time, or a back-fill
 * that is not a duration.
 */
RunRange decideRunRange(const TaskSettings &task, const std::optional<TaskRecord> &stored,
                        qint64 nowNs);

/** What a task's plan selects besides its time range: database, retention policy, measurements,
 *  tables and series filter, as one text to compare (a changed one is planned anew). */
QString planScope(const TaskSettings &task);

/** The options that changed since `stored` was planned, so that `range` is planned anew:
 *  task.start or task.end where the range differs, each selecting option that differs (none for
 *  a plan recorded without its scope). */
QStringList planChanges(const RunRange &range, const TaskRecord &stored);

/** Of `changes`, those a plan made anew cannot add to what done units read, so that a run
 *  refuses them once units are done: a database, a retention policy or a series filter (a done
 *  unit cannot tell which of the new series it holds), and for byte-range units (a line-protocol
 *  file) every change. */
QStringList changesNeedingARestart(const QStringList &changes, bool byteUnits);

/**
 * What of a plan made anew the ledger has not done yet: each planned unit less the spans the done
 * units of its measurement and context cover (a done unit without a context read every context of
 * its measurement). After the task's time range changed, the next run reads only what no earlier
 * run read, however the windows of the two plans fall.
 */
QList<PlannedUnit> notYetDone(const QList<PlannedUnit> &planned, const QList<UnitRecord> &ledger);

/**
 * What the next Start of a task that has run before will do with `task` (its settings as
 * edited), in a sentence for the person editing it; empty when the task never planned or the
 * settings are not valid. `byteUnits`: the source's units are byte ranges (a line-protocol file),
 * to which a changed range cannot be added.
 */
QString nextStartText(const TaskSettings &task, const TaskRecord &stored, const UnitTotals &totals,
                      bool byteUnits, qint64 nowNs);

/** What a run, a plan and a verification ask the source over `range`: the task's database,
 *  retention policy, measurements, series filter and time range per read. */
PlanRequest planRequestOf(const TaskSettings &task, const TimeRange &range);

} // namespace tsm
