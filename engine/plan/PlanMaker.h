#pragma once

#include "core/CancelToken.h"
#include "plan/TaskPlan.h"

#include <TaskProfile.h>
#include <functional>
#include <memory>

namespace tsm {

/**
 * Makes the plan of a task (`tsmigrate-cli plan`, the wizard's Summary page): reads the source
 * — its schema, the read units a run would plan, counts, and a short timed sample through the
 * reader a run uses — and the target's state, and checks the schema and the sampled points with
 * the target's own checks (Sink::schemaProblems(), Sink::refusal()). Writes nothing anywhere.
 */
class PlanMaker
{
public:
    using SourceFactory = std::function<std::unique_ptr<Source>(const TaskProfile &)>;
    using SinkFactory = std::function<std::unique_ptr<Sink>(const TaskProfile &)>;

    /// With the engine's connectors unless factories are given.
    explicit PlanMaker(TaskProfile profile, SourceFactory source = {}, SinkFactory sink = {});

    /// The sample read stops after this long (it finishes the line it is on).
    void setSampleMilliseconds(int ms) { m_sampleMs = ms; }
    /// Told what the plan is doing now ("Counting cpu…"), from the calling thread.
    void setStepListener(std::function<void(const QString &)> listener)
    {
        m_step = std::move(listener);
    }

    /// Throws tsm::Error for what stops the plan itself (unreachable, credentials, a database
    /// the source lacks); what would stop a run is in the plan's problems.
    TaskPlan make(const CancelToken &cancel);

private:
    struct Sampled;
    /// What every measurement's plan reads from.
    struct Context
    {
        Source &source;
        Sink &sink;
        const PlanRequest &request;
        const QList<PlannedUnit> &units;
        const QList<TimeRange> &stretches; ///< shard groups, where the source has them
        const Sampled &sampled;
        bool file;
    };
    MeasurementPlan measurementPlan(const QString &name, const Context &context,
                                    const CancelToken &cancel);
    static void addNotes(TaskPlan &plan, bool shardGroups, bool someInPart);
    void estimate(TaskPlan &plan, const Sampled &sampled) const;
    void step(const QString &text) const;
    void sample(Source &source, const Sink &sink, const PlanRequest &request,
                const QList<PlannedUnit> &units, const QList<TimeRange> &stretches,
                Sampled &sampled, const CancelToken &cancel);

    TaskProfile m_profile;
    SourceFactory m_sourceFactory;
    SinkFactory m_sinkFactory;
    int m_sampleMs = 3000;
    std::function<void(const QString &)> m_step;
};

} // namespace tsm
