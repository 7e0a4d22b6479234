#pragma once

#include <QByteArray>
#include <QString>
#include <vector>

namespace tsm {

/** The lines of one read unit inside a batch: lines [firstLine, firstLine + lines). */
struct UnitShare
{
    qint64 unitId = 0;
    qint64 firstLine = 0;
    qint64 lines = 0;
    /// Which read of the unit produced the lines (a unit whose read broke is read again).
    int attempt = 0;
};

/**
 * A batch of points on its way to a sink: line protocol, one point per line, each line
 * terminated by '\n', timestamps in nanoseconds. A batch may hold the tail of one unit and
 * the head of the next; `shares` says which lines belong to which unit, in order.
 */
struct Batch
{
    QByteArray lines;
    qint64 points = 0;
    std::vector<UnitShare> shares;

    bool isEmpty() const { return points == 0; }
    /// Counts one more line of unit `unitId`, just appended to `lines`.
    void countLine(qint64 unitId)
    {
        if (shares.empty() || shares.back().unitId != unitId)
            shares.push_back({unitId, points, 0});
        ++shares.back().lines;
        ++points;
    }
};

/** The outcome of writing one batch: every point was either written or rejected. */
struct WriteResult
{
    qint64 written = 0;
    qint64 rejected = 0;
    /// Rejected lines (without the trailing newline) with the server's reason for each.
    struct Reject
    {
        QByteArray line;
        QString reason;
        qint64 unitId = 0;
    };
    std::vector<Reject> rejects;
};

} // namespace tsm
