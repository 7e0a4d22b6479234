#include "run/Recorder.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace tsm {

Recorder::Recorder(QString rejectsPath, EventLevel maxLevel)
    : m_rejectsPath(std::move(rejectsPath)), m_maxLevel(maxLevel)
{}

void Recorder::unitStarted(qint64 unitId)
{
    UnitUpdate update;
    update.unitId = unitId;
    update.status = UnitStatus::Running;
    update.attemptsDelta = 1;
    std::lock_guard<std::mutex> lock(m_mutex);
    m_updates.append(update);
}

void Recorder::unitFinished(const UnitOutcome &outcome)
{
    UnitUpdate update;
    update.unitId = outcome.unitId;
    update.status = outcome.ok ? UnitStatus::Done : UnitStatus::Failed;
    update.pointsRead = outcome.pointsRead;
    update.pointsWritten = outcome.pointsWritten;
    update.pointsRejected = outcome.pointsRejected;
    update.lastError = outcome.error;
    update.measurements = outcome.measurements;
    std::lock_guard<std::mutex> lock(m_mutex);
    m_updates.append(update);
    if (outcome.ok) {
        ++m_unitsDoneThisRun;
    } else {
        m_failedKinds.append(outcome.errorKind);
        addEventLocked(EventLevel::Error,
                       u"Unit %1 failed: %2"_s.arg(outcome.unitId).arg(outcome.error));
    }
}

void Recorder::pointRejected(qint64 unitId, const QByteArray &line, const QString &reason)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_rejects.isOpen()) {
        QDir().mkpath(QFileInfo(m_rejectsPath).absolutePath());
        m_rejects.setFileName(m_rejectsPath);
        if (!m_rejects.open(QIODevice::Append | QIODevice::WriteOnly)) {
            addEventLocked(EventLevel::Error, u"Cannot write the rejects file %1: %2"_s.arg(
                                                  m_rejectsPath, m_rejects.errorString()));
            return;
        }
    }
    QString flatReason = reason;
    flatReason.replace(u'\n', u' ');
    m_rejects.write("# " + QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toUtf8() +
                    " unit " + QByteArray::number(unitId) + ": " + flatReason.toUtf8() + '\n');
    m_rejects.write(line);
    if (!line.endsWith('\n'))
        m_rejects.write("\n");
    m_rejects.flush();
    ++m_rejectCount;
    if (m_rejectCount <= 20)
        addEventLocked(EventLevel::Warn, u"Point rejected: %1"_s.arg(flatReason));
    else if (m_rejectCount == 21)
        addEventLocked(EventLevel::Warn,
                       u"More points rejected; all are recorded in %1"_s.arg(m_rejectsPath));
}

void Recorder::retrying(const QString &what, const Error &error, int attempt, int delayMs)
{
    addEvent(EventLevel::Warn, u"%1 failed (attempt %2): %3; retrying in %4 s"_s.arg(what)
                                   .arg(attempt)
                                   .arg(error.message())
                                   .arg(delayMs / 1000.0, 0, 'f', 1));
}

void Recorder::addEvent(EventLevel level, const QString &message)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    addEventLocked(level, message);
}

Recorder::Drained Recorder::drain()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    Drained out{std::move(m_updates), std::move(m_events)};
    m_updates.clear();
    m_events.clear();
    return out;
}

QList<QPair<EventLevel, QString>> Recorder::drainEvents()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return std::exchange(m_events, {});
}

qint64 Recorder::unitsDoneThisRun()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_unitsDoneThisRun;
}

QList<ErrorKind> Recorder::takeFailedKinds()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return std::exchange(m_failedKinds, {});
}

bool Recorder::hasRejects()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_rejectCount > 0;
}

void Recorder::addEventLocked(EventLevel level, const QString &message)
{
    if (level <= m_maxLevel)
        m_events.append({level, message});
}

} // namespace tsm
