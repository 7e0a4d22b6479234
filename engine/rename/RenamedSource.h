#pragma once

#include "core/Source.h"

#include <UserRenames.h>
#include <memory>

namespace tsm {

/**
 * A source seen under the names a person gave the target (task.rename, task.renameFile) and with
 * the constant tags of task.addTags on every point: measurements, tag and field keys are listed,
 * planned, read and counted under their new names, so the plan, the ledger, the target's naming
 * rules and verification all see the data as it will be written. Requests and units are
 * translated back to the source's names before they reach it.
 */
class RenamedSource : public Source
{
public:
    RenamedSource(std::unique_ptr<Source> source, UserRenames renames);

    const Source &source() const { return *m_source; }

    QString describe() const override { return m_source->describe(); }
    ConnectionInfo checkConnection(const CancelToken &cancel) override
    {
        return m_source->checkConnection(cancel);
    }
    QStringList listDatabases(const CancelToken &cancel) override
    {
        return m_source->listDatabases(cancel);
    }
    QStringList listMeasurements(const QString &database, const CancelToken &cancel) override;
    MeasurementSchema schema(const QString &database, const QString &measurement,
                             const CancelToken &cancel) override;
    std::optional<TimeRange> timeBounds(const QString &database, const QString &measurement,
                                        const CancelToken &cancel) override
    {
        return m_source->timeBounds(database, sourceMeasurement(measurement), cancel);
    }
    QList<PlannedUnit> plan(const PlanRequest &request, const CancelToken &cancel) override;
    std::optional<qint64> estimatePoints(const PlanRequest &request, const QString &measurement,
                                         const CancelToken &cancel) override
    {
        return m_source->estimatePoints(inSource(request), sourceMeasurement(measurement), cancel);
    }
    QList<TimeRange> typeStretches(const PlanRequest &request, const CancelToken &cancel) override
    {
        return m_source->typeStretches(inSource(request), cancel);
    }
    std::optional<QPair<FieldType, qint64>>
    fieldTypeWithin(const PlanRequest &request, const QString &measurement, const QString &field,
                    const TimeRange &stretch, const CancelToken &cancel) override
    {
        return m_source->fieldTypeWithin(inSource(request), sourceMeasurement(measurement),
                                         m_fieldOf.value(field, field), stretch, cancel);
    }
    /// The source's counts, under the names the target gets (renamed measurements summed).
    std::optional<QHash<QString, qint64>> pointsByMeasurement(const PlanRequest &request,
                                                              const CancelToken &cancel) override;
    QStringList notes(const CancelToken &cancel) override { return m_source->notes(cancel); }
    int maxParallelReads() const override { return m_source->maxParallelReads(); }
    bool unitsAreTimeWindows() const override { return m_source->unitsAreTimeWindows(); }
    void checkRequest(const PlanRequest &request, const CancelToken &cancel) override
    {
        m_source->checkRequest(inSource(request), cancel);
    }
    void read(const ReadUnit &unit, const PlanRequest &request, const LpDialect &dialect,
              BatchOutput &out, const CancelToken &cancel) override;
    QList<CountWindow> countWindows(const PlanRequest &request, const QList<ReadUnit> &done,
                                    const CancelToken &cancel) override;
    PointCount count(const PlanRequest &request, const CountWindow &window,
                     const CancelToken &cancel) override;

    /// The name the target gets for a source name of each kind (itself when not renamed).
    QString measurementOf(const QString &name) const
    {
        return m_renames.measurements.value(name, name);
    }
    /// The source's name of a measurement named as the target gets it.
    QString sourceMeasurement(const QString &name) const
    {
        return m_measurementOf.value(name, name);
    }

private:
    PlanRequest inSource(const PlanRequest &request) const;

    std::unique_ptr<Source> m_source;
    UserRenames m_renames;
    QHash<QString, QString> m_measurementOf; ///< target name → source name
    QHash<QString, QString> m_fieldOf;       ///< target field → source field
};

} // namespace tsm
