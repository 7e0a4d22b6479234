#include "sinks/InfluxV3Sink.h"

#include "sources/InfluxV3Source.h"

#include <Kinds.h>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <map>
#include "lp/LineParser.h"

using namespace Qt::StringLiterals;

namespace tsm {

InfluxV3Sink::InfluxV3Sink(InfluxEndpoint endpoint, RetryPolicy retry, QString database,
                           QString orgId, bool createDatabase)
    : InfluxLineSink(std::move(endpoint), retry), m_database(std::move(database)),
      m_orgId(orgId.trimmed()), m_createDatabase(createDatabase)
{
    setCounter(std::make_unique<InfluxV3Source>(m_api.endpoint(), m_api.retryPolicy()),
               m_database, QString());
}

QString InfluxV3Sink::describe() const
{
    return u"InfluxDB 3 at %1, database %2"_s.arg(m_api.endpoint().baseUrl, m_database);
}

std::optional<QStringList> InfluxV3Sink::databases(const CancelToken &cancel)
{
    try {
        return m_api.influxDb3Databases(cancel);
    } catch (const Error &error) {
        if (error.kind() == ErrorKind::Query)
            return std::nullopt; // a product without it (Serverless lists mappings instead)
        throw;
    }
}

ConnectionInfo InfluxV3Sink::checkConnection(const CancelToken &cancel)
{
    ConnectionInfo info = m_api.ping(cancel);
    const int major = InfluxApi::majorVersion(info);
    if (major == 1 || major == 2)
        throw Error(ErrorKind::Config,
                    u"%1 is InfluxDB %2, not InfluxDB 3: choose target type %3"_s.arg(
                        where(), info.version,
                        kinds::target(major == 1 ? TargetId::Influx1 : TargetId::Influx2)->label));
    // InfluxDB 3 checks the token on /ping already; listing the databases proves it reads.
    const auto names = databases(cancel);
    const QString database =
        !names                        ? u"database \"%1\" not checked"_s.arg(m_database)
        : names->contains(m_database) ? u"database \"%1\" exists"_s.arg(m_database)
        : m_createDatabase ? u"database \"%1\" is created by the first write"_s.arg(m_database)
                           : u"database \"%1\" does not exist"_s.arg(m_database);
    info.detail = info.detail.isEmpty() ? database : info.detail + u", "_s + database;
    return info;
}

void InfluxV3Sink::prepare(const CancelToken &cancel)
{
    if (m_database.isEmpty())
        throw Error(ErrorKind::Config, u"The task names no target database"_s);
    m_writeLp = detectWriteLp(cancel);
    if (m_createDatabase)
        return;
    const auto names = databases(cancel);
    if (names && !names->contains(m_database))
        throw missingDatabase(m_database);
}

bool InfluxV3Sink::detectWriteLp(const CancelToken &cancel)
{
    if (!m_orgId.isEmpty())
        return false; // an organization: Cloud Serverless
    try {
        // 3 Core and Enterprise answer 200 with JSON; Cloud Dedicated and Clustered 204.
        return InfluxApi::majorVersion(m_api.ping(cancel)) == 3;
    } catch (const Error &error) {
        if (error.kind() == ErrorKind::Auth || error.kind() == ErrorKind::Cancelled)
            throw;
        return false;
    }
}

QByteArray InfluxV3Sink::writeUrl() const
{
    if (m_writeLp)
        return m_api.url(
            "/api/v3/write_lp",
            {{"db", m_database}, {"precision", u"nanosecond"_s}, {"accept_partial", u"true"_s}});
    QList<QPair<QByteArray, QString>> parameters{{"bucket", m_database}, {"precision", u"ns"_s}};
    if (!m_orgId.isEmpty())
        parameters.append({"org", m_orgId});
    return m_api.url("/api/v2/write", parameters);
}

Error InfluxV3Sink::writeError(const HttpResponse &response) const
{
    if (response.status == 404)
        return missingDatabase(m_database, response);
    return InfluxLineSink::writeError(response);
}

bool InfluxV3Sink::settleListedLines(const Batch &part, const HttpResponse &response,
                                     WriteResult &result)
{
    if (!m_writeLp)
        return false;
    const QJsonObject body = QJsonDocument::fromJson(response.body).object();
    const QJsonArray data = body.value(u"data"_s).toArray();
    if (data.isEmpty())
        return false;
    const auto spans = BatchBisector::recordSpans(part.lines);
    if (qint64(spans.size()) != part.points)
        return false;
    const QString limit = response.status == 422 ? u"limit reached: "_s : QString();
    std::map<qint64, QString> refused; // line index -> reason
    for (const QJsonValue &entry : data) {
        const QJsonObject line = entry.toObject();
        const qint64 number = line.value(u"line_number"_s).toInteger(0);
        if (number < 1 || number > qint64(spans.size()))
            return false;
        refused[number - 1] = limit + line.value(u"error_message"_s).toString();
    }
    for (const auto &[index, reason] : refused) {
        const auto &span = spans[size_t(index)];
        BatchBisector::reject(part, index, part.lines.mid(span.first, span.second - span.first),
                              reason, result);
    }
    result.written += part.points - qint64(refused.size());
    return true;
}

QList<TargetProblem> InfluxV3Sink::schemaProblems(const MeasurementSchema &schema) const
{
    using Outcome = TargetProblem::Outcome;
    QList<TargetProblem> problems;
    for (const FieldInfo &field : schema.fields) {
        if (schema.tagKeys.contains(field.name))
            problems.append(TargetProblem{
                u"tag and field \"%1\""_s.arg(field.name),
                u"InfluxDB 3 keeps tags and fields as columns of one table, so one name cannot be "
                u"both: the points that carry it the other way than the table has it are "
                u"refused"_s,
                Outcome::Rejected});
        if (field.types.size() > 1) {
            QStringList names;
            for (FieldType type : field.types)
                names.append(fieldTypeName(type));
            problems.append(TargetProblem{
                u"field \"%1\""_s.arg(field.name),
                u"has the types %1 in different shard groups; an InfluxDB 3 column has one type, "
                u"set by the first value written, and the points of the other type are "
                u"refused"_s.arg(names.join(u", "_s)),
                Outcome::Rejected});
        }
    }
    const qsizetype columns = schema.tagKeys.size() + schema.fields.size() + 1;
    if (columns > kMaxColumns)
        problems.append(TargetProblem{
            u"columns"_s,
            u"%1 tags and %2 fields make %3 columns with time; InfluxDB 3 allows %4 a table by "
            u"default: the points that would add more are refused (422, limit reached)"_s
                .arg(schema.tagKeys.size())
                .arg(schema.fields.size())
                .arg(columns)
                .arg(kMaxColumns),
            Outcome::Rejected});
    return problems;
}

QString InfluxV3Sink::refusal(std::string_view line) const
{
    thread_local lp::Point point;
    point = lp::Point();
    if (!lp::parseLine(line, point, nullptr))
        return QString(); // the server says why; nothing to add
    for (const auto &tag : point.tags)
        for (const lp::Field &field : point.fields)
            if (tag.first == field.key)
                return u"tag and field \"%1\" in one point: InfluxDB 3 keeps them as columns of "
                       u"one table, so one name cannot be both"_s.arg(
                           QString::fromStdString(field.key));
    return QString();
}

} // namespace tsm
