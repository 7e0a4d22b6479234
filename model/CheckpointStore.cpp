#include "CheckpointStore.h"

#include "StoreLog.h"
#include "store/Connection.h"
#include "store/EstimateTable.h"
#include "store/RenamingTable.h"
#include "store/VerificationTable.h"
#include "store/EventTable.h"
#include "store/LeaseTable.h"
#include "store/SampleTable.h"
#include "store/Schema.h"
#include "store/StoreError.h"
#include "store/TaskTable.h"
#include "store/UnitTable.h"

#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

// Debug level only: the caller reports lastError(); the statement helps whoever reads a log.

using store::Connection;
using store::StoreError;

/// What a person can do about a state file that cannot be opened; nothing was changed in it.
QString whatToDo(const QString &path)
{
    const QFileInfo file(path);
    const QFileInfo folder(file.absolutePath());
    if (!folder.isDir())
        return u"%1 is not a folder: name a state file in an existing folder"_s.arg(
            folder.filePath());
    if (!file.exists())
        return u"Check that the folder %1 can be written, or name another state file"_s.arg(
            folder.filePath());
    return u"The file was left as it is. If it is damaged, move it away to start over (the "
           u"progress it holds is then lost), or name another state file"_s;
}

void logFailure(const QString &reported, const StoreError &error)
{
    if (error.statement().isEmpty())
        qCDebug(lcStore).noquote() << reported;
    else
        qCDebug(lcStore).noquote() << reported << "in" << error.statement().simplified();
}

} // namespace

// ---- Opening

CheckpointStore::CheckpointStore() = default;

CheckpointStore::~CheckpointStore()
{
    close();
}

QString CheckpointStore::defaultPath()
{
    // GenericDataLocation + "/tsmigrate" is AppDataLocation for an application named tsmigrate
    // (without an organization). Spelt out because the application name defaults to the
    // executable's: tsmigrate-cli, or a test, would otherwise get a store of its own instead of
    // the GUI's, and DESIGN.md promises the CLI the GUI's store.
    const QString dir =
        QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + u"/tsmigrate"_s;
    QDir().mkpath(dir);
    return dir + u"/tsmigrate.sqlite"_s;
}

int CheckpointStore::schemaVersion()
{
    return store::Schema::kVersion;
}

bool CheckpointStore::open(const QString &path, Mode mode)
{
    close();
    m_lastError.clear();
    m_path = path;
    m_readOnly = mode == Mode::ReadOnly;
    try {
        std::unique_ptr<Connection> connection = Connection::open(path, m_readOnly);
        store::Schema::migrate(*connection, m_readOnly, path);
        m_connection = std::move(connection);
        return true;
    } catch (const StoreError &error) {
        // A refusal says it all in words; a failed statement is named, as the step that failed.
        m_lastError = error.kind() == StoreError::Kind::Refused
                          ? error.message()
                          : u"Could not open the checkpoint store %1: %2 failed: %3. %4"_s.arg(
                                path, QString::fromUtf8(error.statement()).simplified().left(60),
                                error.message(), whatToDo(path));
        logFailure(m_lastError, error);
        return false;
    }
}

void CheckpointStore::close()
{
    m_connection.reset();
}

bool CheckpointStore::isOpen() const
{
    return m_connection != nullptr;
}

QString CheckpointStore::path() const
{
    return m_path;
}

QString CheckpointStore::lastError() const
{
    return m_lastError;
}

bool CheckpointStore::run(const QString &what, Access access,
                          const std::function<void(Connection &)> &body)
{
    try {
        if (!m_connection)
            throw StoreError::notOpen();
        if (access == Access::Write && m_readOnly)
            throw StoreError::refused(u"the store %1 is open read-only"_s.arg(m_path));
        body(*m_connection);
        return true;
    } catch (const StoreError &error) {
        m_lastError = error.describe(what, m_path);
        logFailure(m_lastError, error);
        return false;
    }
}

// ---- Tasks

std::optional<qint64> CheckpointStore::saveTask(const QString &name, const QByteArray &profileJson)
{
    return fetch<std::optional<qint64>>(
        u"Could not save task \"%1\""_s.arg(name), Access::Write,
        [&](Connection &db) { return store::TaskTable(db).save(name, profileJson); });
}

std::optional<TaskRecord> CheckpointStore::task(const QString &name)
{
    return fetchOne<TaskRecord>(u"Could not read task \"%1\""_s.arg(name), Access::Read,
                                u"There is no task named \"%1\""_s.arg(name),
                                [&](Connection &db) { return store::TaskTable(db).find(name); });
}

std::optional<TaskRecord> CheckpointStore::task(qint64 taskId)
{
    return fetchOne<TaskRecord>(u"Could not read task %1"_s.arg(taskId), Access::Read,
                                u"There is no task with id %1"_s.arg(taskId),
                                [&](Connection &db) { return store::TaskTable(db).find(taskId); });
}

QList<TaskRecord> CheckpointStore::tasks()
{
    return fetch<QList<TaskRecord>>(u"Could not list the tasks"_s, Access::Read,
                                    [&](Connection &db) { return store::TaskTable(db).all(); });
}

bool CheckpointStore::setTaskState(qint64 taskId, TaskState state, const QString &lastError)
{
    return run(u"Could not set the state of task %1 to %2"_s.arg(taskId).arg(taskStateName(state)),
               Access::Write,
               [&](Connection &db) { store::TaskTable(db).setState(taskId, state, lastError); });
}

bool CheckpointStore::setHealth(qint64 taskId, TaskHealth health, const QString &detail)
{
    return run(
        u"Could not set the health of task %1 to %2"_s.arg(taskId).arg(taskHealthName(health)),
        Access::Write,
        [&](Connection &db) { store::TaskTable(db).setHealth(taskId, health, detail); });
}

bool CheckpointStore::setPlan(qint64 taskId, bool planned, qint64 planStartNs, qint64 planEndNs,
                              const QString &scope)
{
    return run(u"Could not save the plan of task %1"_s.arg(taskId), Access::Write,
               [&](Connection &db) {
                   store::TaskTable(db).setPlan(taskId, planned, planStartNs, planEndNs, scope);
               });
}

bool CheckpointStore::setWatermark(qint64 taskId, qint64 watermarkNs)
{
    return run(u"Could not save the watermark of task %1"_s.arg(taskId), Access::Write,
               [&](Connection &db) { store::TaskTable(db).setWatermark(taskId, watermarkNs); });
}

bool CheckpointStore::deleteTask(qint64 taskId)
{
    return run(u"Could not delete task %1"_s.arg(taskId), Access::Write,
               [&](Connection &db) { store::TaskTable(db).remove(taskId); });
}

bool CheckpointStore::resetTask(qint64 taskId)
{
    return run(u"Could not reset task %1"_s.arg(taskId), Access::Write,
               [&](Connection &db) { store::TaskTable(db).reset(taskId); });
}

// ---- The ledger

std::optional<int> CheckpointStore::addUnits(qint64 taskId, const QList<UnitRecord> &units)
{
    return fetch<std::optional<int>>(
        u"Could not add %1 units to task %2"_s.arg(units.size()).arg(taskId), Access::Write,
        [&](Connection &db) { return store::UnitTable(db).add(taskId, units); });
}

std::optional<int> CheckpointStore::replaceUnfinishedUnits(qint64 taskId,
                                                          const QList<UnitRecord> &units)
{
    return fetch<std::optional<int>>(
        u"Could not plan %1 units anew for task %2"_s.arg(units.size()).arg(taskId),
        Access::Write,
        [&](Connection &db) { return store::UnitTable(db).replaceUnfinished(taskId, units); });
}

QList<UnitRecord> CheckpointStore::selectUnits(const QString &which, const char *where,
                                               qint64 taskId)
{
    return fetch<QList<UnitRecord>>(
        u"Could not read the %1units of task %2"_s.arg(which).arg(taskId), Access::Read,
        [&](Connection &db) { return store::UnitTable(db).select(where, taskId); });
}

QList<UnitRecord> CheckpointStore::units(qint64 taskId)
{
    return selectUnits(QString(), "WHERE task_id = ?1 ORDER BY id", taskId);
}

QList<UnitRecord> CheckpointStore::unfinishedUnits(qint64 taskId)
{
    // Plan order is the order the planner added them in, i.e. id order.
    return selectUnits(u"unfinished "_s, "WHERE task_id = ?1 AND status <> 'done' ORDER BY id",
                       taskId);
}

QList<UnitRecord> CheckpointStore::failedUnits(qint64 taskId)
{
    return selectUnits(u"failed "_s, "WHERE task_id = ?1 AND status = 'failed' ORDER BY id",
                       taskId);
}

bool CheckpointStore::requeueRunningUnits(qint64 taskId)
{
    return run(u"Could not requeue the running units of task %1"_s.arg(taskId), Access::Write,
               [&](Connection &db) { store::UnitTable(db).requeueRunning(taskId); });
}

bool CheckpointStore::updateUnits(const QList<UnitUpdate> &updates)
{
    return run(u"Could not update %1 units"_s.arg(updates.size()), Access::Write,
               [&](Connection &db) { store::UnitTable(db).update(updates); });
}

UnitTotals CheckpointStore::unitTotals(qint64 taskId)
{
    return fetch<UnitTotals>(u"Could not count the units of task %1"_s.arg(taskId), Access::Read,
                             [&](Connection &db) { return store::UnitTable(db).totals(taskId); });
}

std::optional<int> CheckpointStore::deleteUnitsFrom(qint64 taskId, qint64 fromNs)
{
    return fetch<std::optional<int>>(
        u"Could not delete the units of task %1 from %2"_s.arg(taskId).arg(fromNs), Access::Write,
        [&](Connection &db) { return store::UnitTable(db).removeFrom(taskId, fromNs); });
}

bool CheckpointStore::mergeDoneUnits(qint64 taskId, qint64 fromNs, qint64 toNs)
{
    return run(u"Could not merge the done units of task %1"_s.arg(taskId), Access::Write,
               [&](Connection &db) { store::UnitTable(db).mergeDone(taskId, fromNs, toNs); });
}

// ---- Per-measurement progress and estimates

QList<MeasurementProgress> CheckpointStore::measurementProgress(qint64 taskId)
{
    return fetch<QList<MeasurementProgress>>(
        u"Could not read the progress by measurement of task %1"_s.arg(taskId), Access::Read,
        [&](Connection &db) { return store::UnitTable(db).progressByMeasurement(taskId); });
}

QList<MeasurementCount> CheckpointStore::measurementCounts(qint64 taskId)
{
    return fetch<QList<MeasurementCount>>(
        u"Could not read the counts by measurement of task %1"_s.arg(taskId), Access::Read,
        [&](Connection &db) { return store::UnitTable(db).measurementCounts(taskId); });
}

bool CheckpointStore::setEstimate(qint64 taskId, const QString &measurement, qint64 points)
{
    return run(u"Could not save the estimate for \"%1\" of task %2"_s.arg(measurement).arg(taskId),
               Access::Write,
               [&](Connection &db) { store::EstimateTable(db).set(taskId, measurement, points); });
}

QHash<QString, qint64> CheckpointStore::estimates(qint64 taskId)
{
    return fetch<QHash<QString, qint64>>(
        u"Could not read the estimates of task %1"_s.arg(taskId), Access::Read,
        [&](Connection &db) { return store::EstimateTable(db).all(taskId); });
}

// ---- Renamings

bool CheckpointStore::addRenamings(qint64 taskId, const QList<Renaming> &renamings)
{
    return run(u"Could not save the renamings of task %1"_s.arg(taskId), Access::Write,
               [&](Connection &db) { store::RenamingTable(db).add(taskId, renamings); });
}

QList<Renaming> CheckpointStore::renamings(qint64 taskId)
{
    QList<Renaming> list;
    run(u"Could not read the renamings of task %1"_s.arg(taskId), Access::Read,
        [&](Connection &db) { list = store::RenamingTable(db).all(taskId); });
    return list;
}

// ---- Verification

bool CheckpointStore::setVerification(qint64 taskId, const QList<WindowCheck> &windows)
{
    return run(u"Could not save the verification of task %1"_s.arg(taskId), Access::Write,
               [&](Connection &db) { store::VerificationTable(db).replace(taskId, windows); });
}

QList<WindowCheck> CheckpointStore::verification(qint64 taskId, bool differingOnly)
{
    return fetch<QList<WindowCheck>>(u"Could not read the verification of task %1"_s.arg(taskId),
                                     Access::Read, [&](Connection &db) {
                                         return store::VerificationTable(db).windows(taskId,
                                                                                     differingOnly);
                                     });
}

QHash<qint64, VerificationSummary> CheckpointStore::verificationSummaries()
{
    return fetch<QHash<qint64, VerificationSummary>>(
        u"Could not read the verifications"_s, Access::Read,
        [&](Connection &db) { return store::VerificationTable(db).summaries(); });
}

bool CheckpointStore::markUnitsPending(qint64 taskId, const QList<qint64> &unitIds)
{
    return run(u"Could not mark %1 units of task %2 pending"_s.arg(unitIds.size()).arg(taskId),
               Access::Write, [&](Connection &db) { store::UnitTable(db).markPending(taskId, unitIds); });
}

// ---- Samples and events

bool CheckpointStore::addSample(const ProgressSample &sample)
{
    return run(u"Could not save a progress sample of task %1"_s.arg(sample.taskId), Access::Write,
               [&](Connection &db) { store::SampleTable(db).add(sample); });
}

QList<ProgressSample> CheckpointStore::samples(qint64 taskId, qint64 afterMs)
{
    return fetch<QList<ProgressSample>>(
        u"Could not read the progress samples of task %1"_s.arg(taskId), Access::Read,
        [&](Connection &db) { return store::SampleTable(db).after(taskId, afterMs); });
}

std::optional<ProgressSample> CheckpointStore::lastSample(qint64 taskId)
{
    return fetchOne<ProgressSample>(
        u"Could not read the last progress sample of task %1"_s.arg(taskId), Access::Read,
        u"Task %1 has no progress samples"_s.arg(taskId),
        [&](Connection &db) { return store::SampleTable(db).last(taskId); });
}

bool CheckpointStore::addEvent(qint64 taskId, EventLevel level, const QString &message)
{
    return run(u"Could not log an event of task %1"_s.arg(taskId), Access::Write,
               [&](Connection &db) { store::EventTable(db).add(taskId, level, message); });
}

QList<EventRecord> CheckpointStore::events(qint64 taskId, qint64 afterId, EventLevel maxLevel)
{
    return fetch<QList<EventRecord>>(
        u"Could not read the events of task %1"_s.arg(taskId), Access::Read,
        [&](Connection &db) { return store::EventTable(db).after(taskId, afterId, maxLevel); });
}

// ---- Leases

std::optional<LeaseClaim> CheckpointStore::claimLease(qint64 taskId, const LeaseHolder &me)
{
    return fetch<std::optional<LeaseClaim>>(
        u"Could not claim task %1 for this run"_s.arg(taskId), Access::Write,
        [&](Connection &db) { return store::LeaseTable(db).claim(taskId, me); });
}

std::optional<LeaseHolder> CheckpointStore::lease(qint64 taskId)
{
    return fetch<std::optional<LeaseHolder>>(
        u"Could not read who runs task %1"_s.arg(taskId), Access::Read,
        [&](Connection &db) { return store::LeaseTable(db).find(taskId); });
}

QHash<qint64, LeaseHolder> CheckpointStore::leases()
{
    return fetch<QHash<qint64, LeaseHolder>>(
        u"Could not read who runs the tasks"_s, Access::Read,
        [&](Connection &db) { return store::LeaseTable(db).all(); });
}

std::optional<RunRequest> CheckpointStore::renewLease(qint64 taskId, const QString &token)
{
    return fetchOne<RunRequest>(
        u"Could not renew the lease on task %1"_s.arg(taskId), Access::Write,
        u"Another run took task %1 over"_s.arg(taskId),
        [&](Connection &db) { return store::LeaseTable(db).renew(taskId, token); });
}

bool CheckpointStore::releaseLease(qint64 taskId, const QString &token)
{
    return run(u"Could not release the lease on task %1"_s.arg(taskId), Access::Write,
               [&](Connection &db) { store::LeaseTable(db).release(taskId, token); });
}

bool CheckpointStore::requestRun(qint64 taskId, RunRequest request)
{
    bool held = false;
    const bool ok = run(u"Could not ask the run of task %1"_s.arg(taskId), Access::Write,
                        [&](Connection &db) { held = store::LeaseTable(db).request(taskId, request); });
    if (ok && !held)
        m_lastError = u"Task %1 is not running"_s.arg(taskId);
    return ok && held;
}

} // namespace tsm
