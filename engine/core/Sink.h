#pragma once

#include "core/Batch.h"
#include "core/CancelToken.h"
#include "core/LpDialect.h"
#include "core/Source.h"

#include <Renaming.h>

#include <limits>
#include <string_view>

namespace tsm {

/** Something in the source that the target cannot hold as it is, found before writing. */
struct TargetProblem
{
    /// What a run does with it.
    enum class Outcome
    {
        Rejected, ///< the points go to the rejects file with the reason
        Stops,    ///< the run stops before writing anything
        Kept,     ///< stored, but not as it was (told so that nobody is surprised)
    };
    QString subject; ///< what it is about: "field \"y\"", "tag and field \"x\""
    QString reason;  ///< why, in the target's terms
    Outcome outcome = Outcome::Rejected;
};

/** What a plan learns of the target without writing anything. */
struct TargetFacts
{
    QString summary;         ///< product, version, the database and how the run would use it
    QStringList stops;       ///< why a run would stop before writing (precision, KEEP, …)
    qint64 oldestNs = std::numeric_limits<qint64>::min(); ///< older points are refused (KEEP)
};

/**
 * A place data is written to. write() is thread-safe (the pipeline calls it from up to
 * *write concurrency* threads) and retries transient failures itself; what it throws is final
 * for this run: Auth stops the task, Network/Server/Timeout mean the retries were exhausted,
 * Cancelled means the task was paused or stopped.
 */
class Sink : public RetryNotifier
{
public:
    virtual ~Sink() = default;

    virtual QString describe() const = 0;
    virtual LpDialect dialect() const = 0;
    virtual ConnectionInfo checkConnection(const CancelToken &cancel) = 0;
    /// Create the database when the task asks for it, or check that it exists.
    virtual void prepare(const CancelToken &cancel) = 0;
    /// Called after prepare(), before data moves: a target with typed tables of its own brings
    /// them in line with those of `database` in `source` (`measurements`, empty = all): created
    /// when `create`, otherwise checked. The default does nothing.
    virtual void syncSchema(Source & /*source*/, const QString & /*database*/,
                            const QStringList & /*measurements*/, bool /*create*/,
                            const CancelToken & /*cancel*/)
    {}
    /// What the last syncSchema() brought in line, for a person ("2 super tables and 5
    /// subtables created or found"); empty where it does nothing.
    virtual QString schemaSummary() const { return QString(); }
    /// The names this target gets in place of the source's (a tag that clashes with a field, a
    /// field's values of a second type), decided from the source's schemas where `decided` (an
    /// earlier run's) does not already say; every renaming in force is returned and write(),
    /// count(), schemaProblems() and refusal() follow them from then on. Called after
    /// syncSchema() and by a plan after inspect(). The default renames nothing.
    virtual QList<Renaming> decideNames(Source & /*source*/, const PlanRequest & /*request*/,
                                        const QList<Renaming> & /*decided*/,
                                        const CancelToken & /*cancel*/)
    {
        return {};
    }
    virtual WriteResult write(const Batch &batch, const CancelToken &cancel) = 0;
    /// Called once before count() with every window verification will ask for, so a target that
    /// is cheaper to count in one pass (a file) can do so. The default does nothing.
    virtual void prepareCount(const QList<CountWindow> & /*windows*/,
                              const CancelToken & /*cancel*/)
    {}
    /// What the target holds of a window of the source, as the target names it (a measurement
    /// may be a super table of another name, a TDengine 2.x subtable a child table or a tag):
    /// counted per field and, where it can, per point. Thread-safe. Throws tsm::Error.
    virtual PointCount count(const CountWindow &window, const CancelToken &cancel) = 0;

    // What a plan asks, before anything is written (none of these writes):
    /// The target's state: the database, whether it exists, what would stop a run. The default
    /// checks the connection.
    virtual TargetFacts inspect(const CancelToken &cancel)
    {
        const ConnectionInfo info = checkConnection(cancel);
        return TargetFacts{QStringLiteral("%1 %2 (%3)").arg(info.product, info.version, info.detail), {}, {}};
    }
    /// The table a measurement is written to; two measurements with one table share it.
    virtual QString tableNameOf(const QString &measurement) const { return measurement; }
    /// Why tableNameOf() differs from the measurement, in a few words.
    virtual QString tableNaming() const { return QString(); }
    /// How the target names what it makes of the points (TDengine's child tables), in sentences
    /// for the event log; empty where nothing needs saying.
    virtual QStringList namingNotes() const { return {}; }
    /// What a measurement's schema (tag keys, fields with every type they have) holds that this
    /// target cannot hold as it is. Called after inspect().
    virtual QList<TargetProblem> schemaProblems(const MeasurementSchema & /*schema*/) const
    {
        return {};
    }
    /// Why this target would refuse one point (a line of line protocol in its dialect), or an
    /// empty string; the same check write() makes. Called after inspect(); thread-safe.
    virtual QString refusal(std::string_view /*line*/) const { return QString(); }

    /// Make everything written so far durable (files: flush and fsync). Called before units are
    /// marked done in the ledger.
    virtual void flush() {}
};

} // namespace tsm
