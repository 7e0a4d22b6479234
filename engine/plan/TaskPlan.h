#pragma once

#include "core/Sink.h"
#include "core/Source.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <optional>

namespace tsm {

/** A field's type within one stretch of time where the source keeps one (a shard group). */
struct PlanFieldStretch
{
    TimeRange range;
    FieldType type = FieldType::Float;
    qint64 values = 0; ///< values of the field in the stretch (within the task's range)
};

/** A field of a measurement as the plan found it. */
struct PlanField
{
    QString name;
    QList<FieldType> types;           ///< every type the source lists
    QList<PlanFieldStretch> stretches; ///< per shard group, where the source has them
    /// How the types per stretch were found: "sampled values", "COUNT and LAST per shard
    /// group", or empty where the source has one type throughout.
    QString typesFrom;
    bool typeDiffers() const { return types.size() > 1; }
};

/** One thing the target cannot hold as it is, with what a run does with it. */
struct PlanProblem
{
    QString subject;
    QString reason;
    TargetProblem::Outcome outcome = TargetProblem::Outcome::Rejected;
    /// Points it concerns, counted in the values the plan read; -1 when not counted.
    qint64 points = -1;
    /// Where the finding comes from: "schema" (names, types, counts the source declares),
    /// "values" (every point of the measurement was read), "sample" (some of its points were).
    QString from;
};

/** What the plan found about one measurement (a super table for TDengine 2.x). */
struct MeasurementPlan
{
    QString name;
    QString targetName; ///< the table it becomes in the target
    QStringList tagKeys;
    QList<PlanField> fields;
    std::optional<TimeRange> bounds; ///< first and last point (end = last + 1) in the range
    qint64 series = -1;              ///< series (subtables) with points in the range; -1 unknown
    qint64 points = -1;              ///< points in the range; -1 unknown
    bool pointsExact = false;        ///< counted by reading every point; else a lower bound
    qint64 readUnits = 0;            ///< what the run would plan
    qint64 sampledPoints = 0;        ///< points the plan read
    QList<PlanProblem> problems;
};

/** What a run of a task would do, found by reading the source and the target's state. */
struct TaskPlan
{
    QString task;
    QString source;   ///< describe() of the source
    QString target;   ///< describe() of the target
    QString targetState;
    TimeRange range;  ///< the task's range as a run would plan it now
    qint64 readUnits = 0;
    QList<PlanProblem> problems; ///< about the task as a whole (what stops a run)
    QList<MeasurementPlan> measurements;
    QStringList notes; ///< what the plan could not know, and how it found what it knows

    // The estimate: a short read through the engine's reader, timed.
    qint64 samplePoints = 0;
    double sampleSeconds = 0;
    std::optional<double> estimatedSeconds; ///< reading every point at the sampled rate
    QString estimateNote;

    /// A run would stop before writing (configuration: exit 2).
    bool wouldStop() const;
    /// A run would send points to the rejects file (exit 6).
    bool wouldReject() const;
    /// Problems first, then measurements by name.
    QList<const MeasurementPlan *> measurementsProblemsFirst() const;

    /// The document `tsmigrate-cli plan --json` prints (shape in the README).
    QJsonObject toJson() const;
};

/// "rejected", "stops the run", "kept"
QString outcomeName(TargetProblem::Outcome outcome);

} // namespace tsm
