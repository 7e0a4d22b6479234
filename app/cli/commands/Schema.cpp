#include "commands/Schema.h"

#include "commands/Console.h"
#include "commands/ExitCode.h"
#include "commands/ProfileArgument.h"
#include "commands/SharedOptions.h"
#include "connectors/Connectors.h"

using namespace Qt::StringLiterals;

namespace tsm::cli {

namespace {

/// "name (integer | float)" for each field.
QStringList describeFields(const MeasurementSchema &schema)
{
    QStringList fields;
    for (const FieldInfo &f : schema.fields) {
        QStringList types;
        for (FieldType t : f.types)
            types.append(fieldTypeName(t));
        fields.append(u"%1 (%2)"_s.arg(f.name, types.join(u" | "_s)));
    }
    return fields;
}

} // namespace

Schema::Schema()
{
    name = u"schema"_s;
    usage = {
        {u"schema PROFILE.json"_s, u"databases, measurements, tag and field keys with types"_s}};
    options = {SharedOptions::set(), SharedOptions::task(), SharedOptions::state()};
}

int Schema::execute(const Invocation &invocation)
{
    const std::optional<TaskProfile> profile = profileOf(name, invocation);
    if (!profile)
        return ExitUsage;
    CancelToken cancel;
    try {
        auto source = Connectors::createSource(*profile);
        const QStringList databases = source->listDatabases(cancel);
        out(u"%1"_s.arg(source->describe()));
        for (const QString &note : source->notes(cancel))
            out(u"note: %1"_s.arg(note));
        out(u"databases: %1"_s.arg(databases.join(u", "_s)));
        const QStringList scope =
            profile->task.bucket.isEmpty() ? databases : QStringList{profile->task.bucket};
        for (const QString &db : scope)
            printDatabase(*source, db, cancel);
    } catch (const Error &error) {
        err(error.message());
        return exitCodeFor(error.kind());
    }
    return ExitOk;
}

void Schema::printDatabase(Source &source, const QString &database, const CancelToken &cancel)
{
    const QStringList measurements = source.listMeasurements(database, cancel);
    out(u"database %1: %2 measurements"_s.arg(database).arg(measurements.size()));
    for (const QString &m : measurements) {
        const MeasurementSchema schema = source.schema(database, m, cancel);
        out(u"  %1"_s.arg(m));
        out(u"    tags:   %1"_s.arg(schema.tagKeys.join(u", "_s)));
        out(u"    fields: %1"_s.arg(describeFields(schema).join(u", "_s)));
    }
}

} // namespace tsm::cli
