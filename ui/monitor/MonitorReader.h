#pragma once

#include <CheckpointStore.h>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

class QTimer;

namespace tsm {

/** What the store holds about one task at one poll; samples and events only the new ones. */
struct MonitorSnapshot
{
    QString storeError; ///< why the store or the task cannot be read; empty when fine
    bool taskFound = false;
    TaskRecord task;
    bool restarted = false; ///< the task was reset since the last poll: drop what was shown
    QList<ProgressSample> newSamples;
    QList<EventRecord> newEvents;
    QList<MeasurementProgress> measurements;
    /// The monitor's table: the ledger's rows, and for units of several measurements (a file's)
    /// a row of each measurement after them.
    QList<MeasurementProgress> measurementRows;
    QList<UnitRecord> failedUnits;
    UnitTotals totals;
    int readConcurrency = 0; ///< as the task's profile sets them
    int writeConcurrency = 0;
    int maxPointsPerSecond = 0; ///< the task's rate limit; 0 = none
    QString rejectsFile; ///< set when the task's rejects file exists
    /// The task follows new data (its history is complete): it has no total and no end.
    bool following = false;
    QString phase; ///< TaskPhase::describe, e.g. "following, lag 3 s"
};

/**
 * Reads one task's progress from the checkpoint store for the monitor window: on its own thread
 * with its own read-only connection, polling on a timer, and incrementally (only samples and
 * events newer than the last poll). Works the same whether the task runs in this process or in
 * tsmigrate-cli elsewhere, or ran long ago.
 */
class MonitorReader : public QObject
{
    Q_OBJECT

public:
    MonitorReader(QString storePath, QString taskName);

    /// The rows of `ledger` and, where a row holds units of no one measurement, a row of each
    /// measurement with what those units `wrote` of it and its estimate.
    static QList<MeasurementProgress> withFileMeasurements(const QList<MeasurementProgress> &ledger,
                                                           const QList<MeasurementCount> &wrote,
                                                           const QHash<QString, qint64> &estimates);

public Q_SLOTS:
    /// Polls now and then every `intervalMs`; call on the reader's thread. A task that is not
    /// running and has not changed for a few polls is polled ten times less often, until it
    /// changes again.
    void start(int intervalMs);
    void poll();

Q_SIGNALS:
    void snapshot(const tsm::MonitorSnapshot &snapshot);

private:
    QString m_path;
    QString m_taskName;
    CheckpointStore m_store;
    QTimer *m_timer = nullptr;
    qint64 m_taskId = 0;
    qint64 m_lastSampleMs = -1;
    qint64 m_lastEventId = 0;
    int m_intervalMs = 500;
    qint64 m_lastUpdatedMs = -1; ///< the task's updatedMs at the last poll
    int m_quietPolls = 0;        ///< polls in a row that found nothing new
};

} // namespace tsm

Q_DECLARE_METATYPE(tsm::MonitorSnapshot)
