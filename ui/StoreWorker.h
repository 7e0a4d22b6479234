#pragma once

#include <CheckpointStore.h>
#include <QHash>
#include <QObject>
#include <QString>

namespace tsm {

/** One row of the task list, read from the checkpoint store. */
struct TaskRow
{
    QString name;
    QString route; ///< "InfluxDB → InfluxDB 1.x"
    /// Where the task reads and writes, one line each ("Source: InfluxDB 1.x at
    /// http://db1:8086, bucket telegraf"): the row's tooltip and what the filter searches.
    QString ends;
    QString state;
    TaskState taskState = TaskState::Idle;
    /// The run of another process that holds the task now (its lease is live); that run, not
    /// this app, may change the task: Start, Edit and Delete wait, Pause and Stop go through the
    /// state file.
    std::optional<LeaseHolder> runningElsewhere;
    double percent = 0;
    QString phase; ///< "history 42.0%", "following, lag 3 s"; empty before the first run
    /// A following task not running now: how far it got, short and in the task's time zone
    /// ("up to 2024-03-01 12:05 CET"); empty otherwise.
    QString followedTo;
    qint64 pointsWritten = 0;
    double rate = 0; ///< points written per second over the last 30 s (Progress::recent)
    QString lastError;
    QByteArray profileJson;
    std::optional<VerificationSummary> verification; ///< the last one; none when never verified
    TaskHealth health = TaskHealth::Ready; ///< as its run recorded it (shown while active)
    QString healthDetail;
    TaskRecord record; ///< as the store has it: what an edit says of the next Start
    UnitTotals totals;
};

/**
 * The UI's access to the checkpoint store, on its own thread with its own SQLite connection, so
 * the UI thread never waits for the disk. Slots are called queued; results come back as
 * signals.
 */
class StoreWorker : public QObject
{
    Q_OBJECT

public:
    explicit StoreWorker(QString path);

public Q_SLOTS:
    void open();
    void refresh();
    void saveTask(const QString &name, const QByteArray &profileJson, const QString &oldName);
    void deleteTask(const QString &name);
    /// Asks the run of another process to pause or stop (a RunRequest).
    void requestRun(const QString &name, int request);
    /// Stops a paused task that no run holds: it is no longer offered for resuming on start.
    void stopPaused(const QString &name);
    /// Forgets the task's progress, as tsmigrate-cli run --restart does, unless a run holds it;
    /// then progressForgotten().
    void forgetProgress(const QString &name);

Q_SIGNALS:
    void tasksLoaded(const QList<tsm::TaskRow> &rows);
    void failed(const QString &message);
    void progressForgotten(const QString &name);

private:
    /// The live lease on the task held by another process, if any.
    std::optional<LeaseHolder> otherRun(qint64 taskId, const QHash<qint64, LeaseHolder> &leases);
    /// Whether a live run (of any process) holds the task; says so through failed().
    bool refuseWhileRunning(const QString &name, const QString &action);
    struct Route
    {
        QString route; ///< TaskRow::route
        QString ends;  ///< TaskRow::ends
    };
    /// The route and ends of a profile.
    const Route &routeOf(const QByteArray &profileJson);
    /// Points written per second over the task's recent samples; 0 when it samples no more.
    double recentWriteRate(qint64 taskId);

    QString m_path;
    CheckpointStore m_store;
    QHash<QByteArray, Route> m_routes;
};

} // namespace tsm

Q_DECLARE_METATYPE(tsm::TaskRow)
