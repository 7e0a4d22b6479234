#pragma once

#include "run/Pipeline.h"

#include <CheckpointStore.h>
#include <QFile>
#include <QList>
#include <QPair>
#include <QString>
#include <mutex>

namespace tsm {

/**
 * Collects what the pipeline reports from its threads, for the runner thread to write into the
 * store in batches; rejected points go straight to the rejects file.
 */
class Recorder : public PipelineObserver
{
public:
    Recorder(QString rejectsPath, EventLevel maxLevel);

    void unitStarted(qint64 unitId) override;
    void unitFinished(const UnitOutcome &outcome) override;
    void pointRejected(qint64 unitId, const QByteArray &line, const QString &reason) override;
    void retrying(const QString &what, const Error &error, int attempt, int delayMs) override;

    void addEvent(EventLevel level, const QString &message);

    struct Drained
    {
        QList<UnitUpdate> updates;
        QList<QPair<EventLevel, QString>> events;
    };
    /// What was reported since the last call.
    Drained drain();
    /// Only the events reported since the last call (unit updates stay for drain()).
    QList<QPair<EventLevel, QString>> drainEvents();

    qint64 unitsDoneThisRun();
    /// Why units failed since the last call.
    QList<ErrorKind> takeFailedKinds();
    bool hasRejects();

private:
    void addEventLocked(EventLevel level, const QString &message);

    QString m_rejectsPath;
    EventLevel m_maxLevel;
    std::mutex m_mutex;
    QList<UnitUpdate> m_updates;
    QList<QPair<EventLevel, QString>> m_events;
    QList<ErrorKind> m_failedKinds;
    QFile m_rejects;
    qint64 m_rejectCount = 0;
    qint64 m_unitsDoneThisRun = 0;
};

} // namespace tsm
