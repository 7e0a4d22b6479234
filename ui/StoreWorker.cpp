#include "StoreWorker.h"

#include "UiLog.h"

#include <ForgetProgress.h>
#include <Kinds.h>
#include <ProfileJson.h>
#include <Progress.h>
#include <QCoreApplication>
#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimeZone>
#include <TaskOptions.h>
#include <TaskPhase.h>
#include <TimeText.h>

using namespace Qt::StringLiterals;

namespace tsm {

StoreWorker::StoreWorker(QString path) : m_path(std::move(path))
{
    connect(this, &StoreWorker::failed, this,
            [](const QString &message) { qCWarning(lcUi).noquote() << message; });
    qRegisterMetaType<tsm::TaskRow>();
    qRegisterMetaType<QList<tsm::TaskRow>>();
}

void StoreWorker::open()
{
    if (!m_store.isOpen() && !m_store.open(m_path))
        Q_EMIT failed(tr("Cannot open the task store %1: %2").arg(m_path, m_store.lastError()));
    refresh();
}

namespace {

/// "http://db1:8086"
QString urlOf(const QString &protocol, const QString &host, int port)
{
    return u"%1://%2:%3"_s.arg(protocol, host).arg(port);
}

/// "Source: InfluxDB 1.x at http://db1:8086, bucket telegraf (cpu, mem)" and the target's line.
QString endsOf(const TaskProfile &profile)
{
    const SourceSettings &from = profile.source;
    const SourceKind *source = kinds::source(from);
    QString sourceLine;
    if (!source)
        sourceLine = StoreWorker::tr("Source: %1").arg(from.type);
    else if (source->isFile())
        sourceLine = StoreWorker::tr("Source: %1 %2").arg(source->label, from.path);
    else
        sourceLine = StoreWorker::tr("Source: %1 at %2, %3 %4")
                         .arg(source->label, urlOf(from.protocol, from.host, from.port),
                              source->container, profile.task.bucket);
    if (!profile.task.measurements.isEmpty())
        sourceLine += u" (%1)"_s.arg(profile.task.measurements.join(u", "_s));
    const TargetSettings &to = profile.target;
    const TargetKind *target = kinds::target(to);
    QString targetLine;
    if (!target)
        targetLine = StoreWorker::tr("Target: %1").arg(to.type);
    else if (target->isFile())
        targetLine = StoreWorker::tr("Target: %1 %2").arg(target->label, to.path);
    else
        targetLine = StoreWorker::tr("Target: %1 at %2, database %3")
                         .arg(target->label, urlOf(to.protocol, to.host, to.port), to.database);
    return sourceLine + u'\n' + targetLine;
}

} // namespace

const StoreWorker::Route &StoreWorker::routeOf(const QByteArray &profileJson)
{
    // Parsed once per profile, not on every refresh.
    auto it = m_routes.find(profileJson);
    if (it == m_routes.end()) {
        const TaskProfile profile = ProfileJson::fromJson(profileJson).profile;
        const QString route =
            u"%1 → %2"_s.arg(choiceLabel(*findOption(u"source.type"_s), profile.source.type),
                             choiceLabel(*findOption(u"target.type"_s), profile.target.type));
        it = m_routes.insert(profileJson, Route{route, endsOf(profile)});
    }
    return it.value();
}

namespace {

/// "up to 2024-03-01 12:05:09 CET": a stopped follower's watermark in its task's time zone, to
/// the second, so the list's column stays narrow (the phase, in UTC to the nanosecond, is the
/// tooltip).
QString followedToText(const TaskRecord &task)
{
    if (task.watermarkNs == 0 || task.state == TaskState::Running)
        return {};
    const TaskProfile profile = ProfileJson::fromJson(task.profileJson).profile;
    if (!kinds::follows(profile.task.mode))
        return {};
    QTimeZone zone(profile.task.timeZone.toUtf8());
    if (!zone.isValid())
        zone = QTimeZone::utc();
    const QDateTime time = QDateTime::fromMSecsSinceEpoch(task.watermarkNs / 1000000, zone);
    return StoreWorker::tr("up to %1").arg(time.toString(u"yyyy-MM-dd HH:mm:ss t"_s));
}

} // namespace

void StoreWorker::refresh()
{
    if (!m_store.isOpen())
        return;
    QList<TaskRow> rows;
    if (m_routes.size() > 256)
        m_routes.clear();
    const QHash<qint64, LeaseHolder> leases = m_store.leases();
    const QHash<qint64, VerificationSummary> verifications = m_store.verificationSummaries();
    for (const TaskRecord &task : m_store.tasks()) {
        TaskRow row;
        row.name = task.name;
        row.state = taskStateName(task.state);
        row.taskState = task.state;
        row.runningElsewhere = otherRun(task.id, leases);
        row.lastError = task.lastError;
        row.health = task.health;
        row.healthDetail = task.healthDetail;
        row.profileJson = task.profileJson;
        if (const auto it = verifications.constFind(task.id); it != verifications.constEnd())
            row.verification = *it;
        const Route &route = routeOf(task.profileJson);
        row.route = route.route;
        row.ends = route.ends;
        const UnitTotals totals = m_store.unitTotals(task.id);
        row.percent = totals.total > 0 ? 100.0 * totals.done / totals.total : 0;
        row.phase = TaskPhase::describe(task, totals, TimeText::nowNs());
        row.followedTo = followedToText(task);
        row.pointsWritten = totals.pointsWritten;
        row.record = task;
        row.totals = totals;
        // The rate of a running task, as the monitor and the CLI show it; the others have
        // none, so their samples are not read every second.
        if (isActive(task.state))
            row.rate = recentWriteRate(task.id);
        rows.append(row);
    }
    Q_EMIT tasksLoaded(rows);
}

double StoreWorker::recentWriteRate(qint64 taskId)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QList<ProgressSample> recent = m_store.samples(taskId, now - Progress::kRateWindowMs);
    // A process that ended without saying so leaves its task "running" with no new samples.
    if (recent.isEmpty() || !Progress::isCurrent(recent.last(), now))
        return 0;
    return Progress::recent(recent).written;
}

std::optional<LeaseHolder> StoreWorker::otherRun(qint64 taskId,
                                                 const QHash<qint64, LeaseHolder> &leases)
{
    const auto it = leases.find(taskId);
    if (it == leases.end() || !Lease::isLive(*it, QDateTime::currentMSecsSinceEpoch()))
        return std::nullopt;
    if (it->pid == QCoreApplication::applicationPid() && it->host == Lease::hostName())
        return std::nullopt; // one of this app's own runs
    return *it;
}

bool StoreWorker::refuseWhileRunning(const QString &name, const QString &action)
{
    const auto task = m_store.task(name);
    const auto lease = task ? m_store.lease(task->id) : std::nullopt;
    if (!lease || !Lease::isLive(*lease, QDateTime::currentMSecsSinceEpoch()))
        return false;
    Q_EMIT failed(tr("Cannot %1 \"%2\": it is running in %3").arg(action, name,
                                                                   lease->describe()));
    return true;
}

void StoreWorker::saveTask(const QString &name, const QByteArray &profileJson,
                           const QString &oldName)
{
    if (refuseWhileRunning(oldName.isEmpty() ? name : oldName, tr("save"))) {
        refresh();
        return;
    }
    if (!oldName.isEmpty() && oldName != name)
        if (const auto old = m_store.task(oldName))
            m_store.deleteTask(old->id);
    if (!m_store.saveTask(name, profileJson))
        Q_EMIT failed(tr("Cannot save the task \"%1\": %2").arg(name, m_store.lastError()));
    refresh();
}

void StoreWorker::deleteTask(const QString &name)
{
    if (refuseWhileRunning(name, tr("delete"))) {
        refresh();
        return;
    }
    if (const auto task = m_store.task(name))
        if (!m_store.deleteTask(task->id))
            Q_EMIT failed(tr("Cannot delete \"%1\": %2").arg(name, m_store.lastError()));
    refresh();
}

void StoreWorker::requestRun(const QString &name, int request)
{
    const auto task = m_store.task(name);
    if (!task || !m_store.requestRun(task->id, RunRequest(request)))
        Q_EMIT failed(tr("Cannot reach the run of \"%1\": %2").arg(name, m_store.lastError()));
}

void StoreWorker::stopPaused(const QString &name)
{
    const auto task = m_store.task(name);
    if (!task || task->state != TaskState::Paused)
        return;
    if (!m_store.setTaskState(task->id, TaskState::Stopped))
        Q_EMIT failed(tr("Cannot stop \"%1\": %2").arg(name, m_store.lastError()));
    refresh();
}

void StoreWorker::forgetProgress(const QString &name)
{
    const ForgetOutcome forgotten = tsm::forgetProgress(m_store, name);
    refresh();
    if (!forgotten.ok())
        Q_EMIT failed(
            tr("Cannot run \"%1\" again from the beginning: %2").arg(name, forgotten.message));
    else
        Q_EMIT progressForgotten(name);
}

} // namespace tsm
