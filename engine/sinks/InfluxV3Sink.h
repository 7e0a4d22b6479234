#pragma once

#include "sinks/InfluxLineSink.h"

#include <optional>

namespace tsm {

/**
 * Writes to a database of the InfluxDB 3 family with a token. 3 Core and Enterprise (known by
 * /ping's JSON) get POST /api/v3/write_lp?db=&precision=nanosecond&accept_partial=true: their
 * /api/v2/write forces accept_partial=false and stops at the first bad line, while write_lp
 * stores the valid lines and lists the refused ones by line_number. The precision is always
 * sent, as write_lp's default `auto` guesses the unit and moves small timestamps. Cloud
 * Dedicated, Clustered and Serverless get /api/v2/write?bucket=<database>.
 */
class InfluxV3Sink : public InfluxLineSink
{
public:
    /// `orgId` is sent as `org` when not empty (Serverless); the others ignore it.
    InfluxV3Sink(InfluxEndpoint endpoint, RetryPolicy retry, QString database, QString orgId,
                 bool createDatabase);

    QString describe() const override;
    /// InfluxDB 3 stores unsigned integers (`12u`).
    LpDialect dialect() const override { return LpDialect{}; }
    ConnectionInfo checkConnection(const CancelToken &cancel) override;
    /// Chooses the write endpoint (see the class). With Create database, nothing more: 3 Core
    /// and Enterprise create a database with its first write (Dedicated and Clustered need it
    /// created by an administrator; the first write then says it is missing). Without, the
    /// database list must have it.
    void prepare(const CancelToken &cancel) override;
    /// InfluxDB 3 keeps a table's tags and fields in one set of columns of one type each, at
    /// most kMaxColumns of them (time included).
    QList<TargetProblem> schemaProblems(const MeasurementSchema &schema) const override;
    /// A point with a tag and a field of one name.
    QString refusal(std::string_view line) const override;
    static constexpr int kMaxColumns = 250;

protected:
    QByteArray writeUrl() const override;
    /// 404 names the database.
    Error writeError(const HttpResponse &response) const override;
    /// write_lp's 400 (422: a limit was hit) {"error", "data":[{line_number, error_message,
    /// original_line}]}: exactly the listed lines are refused, taken from the batch by number
    /// (3.9+ cut original_line to 20 bytes).
    bool settleListedLines(const Batch &part, const HttpResponse &response,
                           WriteResult &result) override;

private:
    /// Whether the server is 3 Core or Enterprise, which write through write_lp.
    bool detectWriteLp(const CancelToken &cancel);

    /// The databases SHOW DATABASES lists, or nothing when the server does not answer it.
    std::optional<QStringList> databases(const CancelToken &cancel);

    QString m_database;
    QString m_orgId;
    bool m_createDatabase;
    bool m_writeLp = false; ///< decided by prepare()
};

} // namespace tsm
