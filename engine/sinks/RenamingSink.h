#pragma once

#include "core/Sink.h"
#include "rename/NameRules.h"

#include <memory>

namespace tsm {

/**
 * A target that cannot hold a tag and a field of one key, or a field of two types (TDengine 3,
 * InfluxDB 3), behind the task's policies (advanced.onKeyClash, advanced.onTypeConflict): the
 * points are renamed as NameRules decides before the target sees them, the rejects keep the
 * points as they came, counts are summed back under the source's names, and the plan's checks
 * see the renamed schema and are told each renaming. Everything else goes to the target as is.
 */
class RenamingSink : public Sink
{
public:
    RenamingSink(std::unique_ptr<Sink> target, NamePolicies policies);

    const Sink &target() const { return *m_target; }

    QString describe() const override { return m_target->describe(); }
    LpDialect dialect() const override { return m_target->dialect(); }
    ConnectionInfo checkConnection(const CancelToken &cancel) override
    {
        return m_target->checkConnection(cancel);
    }
    void prepare(const CancelToken &cancel) override { m_target->prepare(cancel); }
    void syncSchema(Source &source, const QString &database, const QStringList &measurements,
                    bool create, const CancelToken &cancel) override
    {
        m_target->syncSchema(source, database, measurements, create, cancel);
    }
    QString schemaSummary() const override { return m_target->schemaSummary(); }
    QList<Renaming> decideNames(Source &source, const PlanRequest &request,
                                const QList<Renaming> &decided,
                                const CancelToken &cancel) override;
    WriteResult write(const Batch &batch, const CancelToken &cancel) override;
    void prepareCount(const QList<CountWindow> &windows, const CancelToken &cancel) override
    {
        m_target->prepareCount(windows, cancel);
    }
    /// The target's count with each renamed field's values counted under the source's name.
    PointCount count(const CountWindow &window, const CancelToken &cancel) override;
    TargetFacts inspect(const CancelToken &cancel) override { return m_target->inspect(cancel); }
    QString tableNameOf(const QString &measurement) const override
    {
        return m_target->tableNameOf(measurement);
    }
    QString tableNaming() const override { return m_target->tableNaming(); }
    QStringList namingNotes() const override { return m_target->namingNotes(); }
    /// The target's problems with the renamed schema, and each renaming as kept.
    QList<TargetProblem> schemaProblems(const MeasurementSchema &schema) const override;
    QString refusal(std::string_view line) const override;
    void flush() override { m_target->flush(); }

private:
    /// The line renamed into `out` (true), or false when its measurement has no renamings.
    bool rename(std::string_view line, QByteArray &out) const;

    std::unique_ptr<Sink> m_target;
    NamePolicies m_policies;
    NameRules m_rules;             ///< set by decideNames(), before anything is written
    QList<QByteArray> m_prefixes;  ///< "measurement," and "measurement " as lines begin
};

} // namespace tsm
