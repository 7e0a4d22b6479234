#include "commands/Status.h"

#include "commands/Console.h"
#include "commands/ExitCode.h"
#include "commands/SharedOptions.h"
#include "run/Runner.h"

#include <CheckpointStore.h>
#include <Kinds.h>
#include <ProfileJson.h>
#include <Progress.h>
#include <QDateTime>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <TaskCounts.h>
#include <TaskPhase.h>
#include <TimeText.h>

using namespace Qt::StringLiterals;

namespace tsm::cli {

namespace {

/// What status --json prints: {"tasks": [...]} (shape in the README).
QString tasksJson(const QJsonArray &tasks)
{
    return QString::fromUtf8(
               QJsonDocument(QJsonObject{{u"tasks"_s, tasks}}).toJson(QJsonDocument::Indented))
        .trimmed();
}

} // namespace

Status::Status()
{
    name = u"status"_s;
    usage = {{u"status"_s, u"tasks in the state file, their state and counts"_s}};
    options = {SharedOptions::state(), SharedOptions::task(), SharedOptions::json()};
}

int Status::execute(const Invocation &invocation)
{
    const QString &statePath = invocation.statePath;
    const QString &taskName = invocation.taskName;
    if (!QFileInfo::exists(statePath)) {
        // Nothing there yet, unless what is in the way is not a folder or cannot be read.
        const QFileInfo folder(QFileInfo(statePath).absolutePath());
        if (folder.exists() && (!folder.isDir() || !folder.isReadable() || !folder.isExecutable())) {
            err(u"Cannot read the state file %1: %2 is not a folder this user can read"_s.arg(
                statePath, folder.filePath()));
            return ExitUsage;
        }
        if (invocation.json)
            out(tasksJson({}));
        else
            out(u"No tasks: %1 does not exist yet."_s.arg(statePath));
        return ExitOk;
    }
    CheckpointStore store;
    if (!store.open(statePath, CheckpointStore::Mode::ReadOnly)) {
        err(u"Cannot open the state file %1: %2"_s.arg(statePath, store.lastError()));
        return ExitUsage;
    }
    const QList<TaskRecord> tasks = store.tasks();
    if (tasks.isEmpty() && !invocation.json)
        out(u"No tasks in %1."_s.arg(statePath));
    bool found = taskName.isEmpty();
    QJsonArray json;
    for (const TaskRecord &task : tasks) {
        if (!taskName.isEmpty() && task.name != taskName)
            continue;
        found = true;
        if (invocation.json)
            json.append(taskJson(store, task));
        else
            printTask(store, task, !taskName.isEmpty());
    }
    if (!found) {
        err(u"No task named \"%1\" in %2"_s.arg(taskName, statePath));
        return ExitUsage;
    }
    if (invocation.json)
        out(tasksJson(json));
    return ExitOk;
}

void Status::printTask(CheckpointStore &store, const TaskRecord &task, bool withLog)
{
    const UnitTotals totals = store.unitTotals(task.id);
    QString phase = TaskPhase::describe(task, totals, TimeText::nowNs());
    if (phase.isEmpty())
        phase = u"history 0.0%"_s;
    const TaskCounts c = TaskCounts::read(store, task, TimeText::nowNs());
    out(u"%1: %2, %3 (%4/%5 units done, %6 failed), %7 points written, %8 rejected"_s
            .arg(task.name, taskStateName(task.state), phase)
            .arg(c.unitsDone)
            .arg(c.unitsTotal)
            .arg(c.unitsFailed)
            .arg(c.pointsWritten)
            .arg(c.pointsRejected));
    out(u"  health: %1%2; %3 points read, %4 retries"_s
            .arg(taskHealthName(c.health),
                 c.healthDetail.isEmpty() ? QString() : u" ("_s + c.healthDetail + u')')
            .arg(c.pointsRead)
            .arg(c.retries));
    if (kinds::schemaOnly(ProfileJson::fromJson(task.profileJson).profile.task.schemaSync))
        out(u"  schema sync only: a run creates the tables in the target and moves no data"_s);
    if (task.planned && task.planStartNs < task.planEndNs)
        out(u"  range: %1 .. %2"_s.arg(TimeText::format(task.planStartNs),
                                       TimeText::format(task.planEndNs)));
    if (task.watermarkNs != 0)
        out(u"  following: everything before %1 is in the target"_s.arg(
            TimeText::format(task.watermarkNs)));
    printEstimate(store, task);
    printVerification(store, task);
    printRenamings(store, task);
    if (c.pointsRejected > 0)
        out(u"  rejects: %1"_s.arg(rejectsFile(store, task)));
    if (!task.lastError.isEmpty())
        out(u"  last error: %1"_s.arg(task.lastError));
    if (!withLog)
        return;
    for (const EventRecord &e : store.events(task.id, 0, EventLevel::Info))
        out(u"  %1 %2: %3"_s.arg(QDateTime::fromMSecsSinceEpoch(e.timeMs).toString(Qt::ISODate),
                                 eventLevelName(e.level), e.message));
}

QJsonObject Status::taskJson(CheckpointStore &store, const TaskRecord &task)
{
    const TaskCounts counts = TaskCounts::read(store, task, TimeText::nowNs());
    QJsonObject json = counts.toJson();
    // As the text names it: once a point was refused, so that there is a file to look at.
    if (counts.pointsRejected > 0)
        json.insert(u"rejectsFile"_s, rejectsFile(store, task));
    return json;
}

QString Status::rejectsFile(CheckpointStore &store, const TaskRecord &task)
{
    TaskProfile profile = ProfileJson::fromJson(task.profileJson).profile;
    profile.name = task.name;
    return Runner::rejectsPath(store.path(), profile);
}

void Status::printVerification(CheckpointStore &store, const TaskRecord &task)
{
    const auto summaries = store.verificationSummaries();
    const auto it = summaries.constFind(task.id);
    if (it == summaries.constEnd())
        return;
    const QString when =
        QDateTime::fromMSecsSinceEpoch(it->checkedMs).toString(Qt::ISODate);
    if (it->differing == 0)
        out(u"  verified %1: all %2 windows agree"_s.arg(when).arg(it->windows));
    else
        out(u"  verified %1: %2 of %3 windows differ (tsmigrate-cli verify names them; "
            "--repair migrates them again)"_s.arg(when)
                .arg(it->differing)
                .arg(it->windows));
}

void Status::printRenamings(CheckpointStore &store, const TaskRecord &task)
{
    const QList<Renaming> renamings = store.renamings(task.id);
    if (renamings.isEmpty())
        return;
    out(u"  renamed in the target (source name → target name):"_s);
    for (const Renaming &r : renamings)
        out(u"    %1: %2"_s.arg(r.measurement, r.describe()));
}

void Status::printEstimate(CheckpointStore &store, const TaskRecord &task)
{
    // Said once every measurement is counted, or while counting; not when the source cannot.
    const Progress::EstimatedTotal total =
        Progress::estimatedTotal(store.measurementProgress(task.id));
    if (total.state == Progress::EstimatedTotal::State::Known)
        out(u"  estimated at the source: %1 points"_s.arg(total.points));
    else if (total.state == Progress::EstimatedTotal::State::NotYet && total.measurements > 0)
        out(u"  estimated at the source: not yet (%1 of %2 measurements counted)"_s
                .arg(total.counted)
                .arg(total.measurements));
}

} // namespace tsm::cli
