#include "rename/RenamedSource.h"

#include "lp/LineParser.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

/** Renames each line a source writes before the pipeline sees it. */
class RenamingOutput : public BatchOutput
{
public:
    RenamingOutput(BatchOutput &out, const UserRenames &renames, const LpDialect &dialect)
        : m_out(out), m_renames(renames), m_dialect(dialect)
    {}

    QByteArray &buffer() override { return m_line; }
    void lineAppended() override
    {
        qsizetype end = m_line.size();
        while (end > 0 && m_line.at(end - 1) == '\n')
            --end;
        const std::string_view line(m_line.constData(), size_t(end));
        QString why;
        if (!lp::parseLine(line, m_point, &why)) {
            m_out.reject(m_line.left(end), u"cannot be renamed: "_s + why);
        } else {
            rename(m_point);
            QByteArray &target = m_out.buffer();
            const qsizetype before = target.size();
            if (lp::encodePoint(m_point, m_dialect, target, &why)) {
                if (!target.endsWith('\n'))
                    target.append('\n');
                m_out.lineAppended();
            } else {
                target.truncate(before);
                m_out.reject(m_line.left(end), u"renamed, the point cannot be written: "_s + why);
            }
        }
        m_line.clear();
    }
    void reject(const QByteArray &description, const QString &reason) override
    {
        m_out.reject(description, reason);
    }

private:
    static void renameIn(std::string &name, const QHash<QString, QString> &map)
    {
        if (map.isEmpty())
            return;
        const auto it = map.constFind(QString::fromStdString(name));
        if (it != map.constEnd())
            name = it->toStdString();
    }
    void rename(lp::Point &point) const
    {
        renameIn(point.measurement, m_renames.measurements);
        for (auto &tag : point.tags)
            renameIn(tag.first, m_renames.tags);
        for (lp::Field &field : point.fields)
            renameIn(field.key, m_renames.fields);
        for (const auto &[key, value] : m_renames.addTags) {
            const std::string k = key.toStdString();
            const auto found = std::find_if(point.tags.begin(), point.tags.end(),
                                            [&k](const auto &tag) { return tag.first == k; });
            if (found != point.tags.end())
                found->second = value.toStdString();
            else
                point.tags.emplace_back(k, value.toStdString());
        }
    }

    BatchOutput &m_out;
    const UserRenames &m_renames;
    const LpDialect &m_dialect;
    QByteArray m_line;
    lp::Point m_point;
};

QHash<QString, QString> inverted(const QHash<QString, QString> &map)
{
    QHash<QString, QString> inverse;
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        inverse.insert(it.value(), it.key());
    return inverse;
}

} // namespace

RenamedSource::RenamedSource(std::unique_ptr<Source> source, UserRenames renames)
    : m_source(std::move(source)), m_renames(std::move(renames)),
      m_measurementOf(inverted(m_renames.measurements)), m_fieldOf(inverted(m_renames.fields))
{
    m_source->setRetryListener([this](const QString &what, const Error &error, int attempt,
                                      int delayMs) { notifyRetry(what, error, attempt, delayMs); });
}

PlanRequest RenamedSource::inSource(const PlanRequest &request) const
{
    PlanRequest translated = request;
    for (QString &name : translated.measurements)
        name = sourceMeasurement(name);
    return translated;
}

QStringList RenamedSource::listMeasurements(const QString &database, const CancelToken &cancel)
{
    QStringList names = m_source->listMeasurements(database, cancel);
    for (QString &name : names)
        name = measurementOf(name);
    return names;
}

MeasurementSchema RenamedSource::schema(const QString &database, const QString &measurement,
                                        const CancelToken &cancel)
{
    MeasurementSchema schema = m_source->schema(database, sourceMeasurement(measurement), cancel);
    schema.name = measurement;
    for (QString &tag : schema.tagKeys)
        tag = m_renames.tags.value(tag, tag);
    for (FieldInfo &field : schema.fields)
        field.name = m_renames.fields.value(field.name, field.name);
    for (const auto &tag : std::as_const(m_renames.addTags))
        if (!schema.tagKeys.contains(tag.first))
            schema.tagKeys.append(tag.first);
    return schema;
}

QList<PlannedUnit> RenamedSource::plan(const PlanRequest &request, const CancelToken &cancel)
{
    QList<PlannedUnit> units = m_source->plan(inSource(request), cancel);
    for (PlannedUnit &unit : units)
        unit.measurement = measurementOf(unit.measurement);
    return units;
}

std::optional<QHash<QString, qint64>>
RenamedSource::pointsByMeasurement(const PlanRequest &request, const CancelToken &cancel)
{
    const std::optional<QHash<QString, qint64>> counts =
        m_source->pointsByMeasurement(inSource(request), cancel);
    if (!counts)
        return std::nullopt;
    QHash<QString, qint64> renamed;
    for (auto it = counts->cbegin(); it != counts->cend(); ++it)
        renamed[measurementOf(it.key())] += it.value();
    return renamed;
}

void RenamedSource::read(const ReadUnit &unit, const PlanRequest &request, const LpDialect &dialect,
                         BatchOutput &out, const CancelToken &cancel)
{
    ReadUnit original = unit;
    original.measurement = sourceMeasurement(unit.measurement);
    RenamingOutput renaming(out, m_renames, dialect);
    m_source->read(original, inSource(request), dialect, renaming, cancel);
}

QList<CountWindow> RenamedSource::countWindows(const PlanRequest &request,
                                               const QList<ReadUnit> &done,
                                               const CancelToken &cancel)
{
    QList<ReadUnit> original = done;
    for (ReadUnit &unit : original)
        unit.measurement = sourceMeasurement(unit.measurement);
    QList<CountWindow> windows = m_source->countWindows(inSource(request), original, cancel);
    for (CountWindow &window : windows)
        window.measurement = measurementOf(window.measurement);
    return windows;
}

PointCount RenamedSource::count(const PlanRequest &request, const CountWindow &window,
                                const CancelToken &cancel)
{
    CountWindow original = window;
    original.measurement = sourceMeasurement(window.measurement);
    const PointCount counted = m_source->count(inSource(request), original, cancel);
    PointCount renamed;
    renamed.points = counted.points;
    for (auto it = counted.fields.cbegin(); it != counted.fields.cend(); ++it)
        renamed.fields[m_renames.fields.value(it.key(), it.key())] += it.value();
    return renamed;
}

} // namespace tsm
