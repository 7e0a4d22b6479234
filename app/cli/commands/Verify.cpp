#include "commands/Verify.h"

#include "commands/Console.h"
#include "commands/ExitCode.h"
#include "commands/ProfileArgument.h"
#include "commands/Run.h"
#include "commands/SharedOptions.h"
#include "run/Verifier.h"

#include <CheckpointStore.h>
#include <Kinds.h>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <TimeText.h>

using namespace Qt::StringLiterals;

namespace tsm::cli {

Verify::Verify()
{
    name = u"verify"_s;
    usage = {{u"verify PROFILE.json"_s,
              u"count per measurement x window on both sides; 0 equal, 7 differences"_s}};
    options = {SharedOptions::state(), SharedOptions::set(), SharedOptions::task(),
               SharedOptions::repair(), SharedOptions::json()};
}

int Verify::execute(const Invocation &invocation)
{
    const std::optional<TaskProfile> profile = profileOf(name, invocation);
    if (!profile)
        return ExitUsage;
    if (kinds::schemaOnly(profile->task.schemaSync)) {
        out(u"Task \"%1\" has schema sync only: it moves no data, so there is nothing to "
            u"verify"_s.arg(profile->name));
        return ExitOk;
    }
    int exitCode = ExitOk;
    std::optional<VerifyReport> report = verify(*profile, invocation.statePath, exitCode);
    if (!report)
        return exitCode;
    int repairedWindows = -1;
    if (invocation.repair && !report->agrees()) {
        if (!invocation.json)
            print(*profile, *report, false, -1);
        repairedWindows = int(report->differing.size());
        bool verified = false;
        if (const int ran = repair(*profile, invocation.statePath, verified);
            ran != ExitOk && ran != ExitDiffers)
            return ran;
        report = verified ? stored(*profile, invocation.statePath)
                          : verify(*profile, invocation.statePath, exitCode);
        if (!report)
            return exitCode == ExitOk ? ExitUsage : exitCode;
    }
    print(*profile, *report, invocation.json, repairedWindows);
    return report->agrees() ? ExitOk : ExitDiffers;
}

std::optional<VerifyReport> Verify::verify(const TaskProfile &profile, const QString &statePath,
                                           int &exitCode)
{
    CancelToken cancel;
    try {
        return Verifier::verifyTask(profile, statePath, ConnectorFactory(), cancel);
    } catch (const Error &error) {
        err(error.message());
        exitCode = exitCodeFor(error.kind());
        return std::nullopt;
    }
}

int Verify::repair(const TaskProfile &profile, const QString &statePath, bool &verified)
{
    {
        CheckpointStore store;
        if (!store.open(statePath)) {
            err(u"Cannot open the state file %1: %2"_s.arg(statePath, store.lastError()));
            return ExitUsage;
        }
        const std::optional<TaskRecord> task = store.task(profile.name);
        if (!task) {
            err(store.lastError());
            return ExitUsage;
        }
        try {
            Verifier::markDifferingPending(store, task->id);
        } catch (const Error &error) {
            err(error.message());
            return exitCodeFor(error.kind());
        }
    }
    err(u"Repair: migrating the differing windows again…"_s);
    RunOutcome outcome;
    const int code = Run::runToEnd(profile, statePath, true, &outcome);
    verified = outcome.windowsVerified >= 0 && !outcome.verifyErrorKind;
    return code;
}

std::optional<VerifyReport> Verify::stored(const TaskProfile &profile, const QString &statePath)
{
    CheckpointStore store;
    if (!store.open(statePath, CheckpointStore::Mode::ReadOnly)) {
        err(u"Cannot open the state file %1: %2"_s.arg(statePath, store.lastError()));
        return std::nullopt;
    }
    const std::optional<TaskRecord> task = store.task(profile.name);
    if (!task) {
        err(store.lastError());
        return std::nullopt;
    }
    VerifyReport report;
    const VerificationSummary summary = store.verificationSummaries().value(task->id);
    report.windows = summary.windows;
    report.checkedMs = summary.checkedMs;
    report.differing = store.verification(task->id, true);
    const UnitTotals totals = store.unitTotals(task->id);
    report.unitsNotDone = totals.total - totals.done;
    return report;
}

void Verify::print(const TaskProfile &profile, const VerifyReport &report, bool json,
                   int repairedWindows)
{
    if (json) {
        QJsonArray differences;
        for (const WindowCheck &w : report.differing) {
            differences.append(QJsonObject{
                {u"measurement"_s, w.measurement},
                {u"context"_s, w.context},
                {u"start"_s, TimeText::format(w.start)},
                {u"end"_s, TimeText::format(w.end)},
                {u"startNs"_s, QString::number(w.start)},
                {u"endNs"_s, QString::number(w.end)},
                {u"source"_s, w.sourceCount},
                {u"target"_s, w.targetCount},
                {u"rejected"_s, w.rejected},
                {u"detail"_s, w.detail},
            });
        }
        QJsonObject document{
            {u"task"_s, profile.name},
            {u"checkedAt"_s,
             QDateTime::fromMSecsSinceEpoch(report.checkedMs, Qt::UTC)
                 .toString(Qt::ISODateWithMs)},
            {u"windows"_s, report.windows},
            {u"differing"_s, qint64(report.differing.size())},
            {u"unitsNotDone"_s, report.unitsNotDone},
            {u"agrees"_s, report.agrees()},
            {u"differences"_s, differences},
        };
        if (repairedWindows >= 0)
            document.insert(u"repairedWindows"_s, repairedWindows);
        out(QString::fromUtf8(QJsonDocument(document).toJson(QJsonDocument::Indented)).trimmed());
        return;
    }
    out(u"Task \"%1\": %2"_s.arg(profile.name, report.summary()));
    for (const WindowCheck &w : report.differing) {
        const QString where =
            w.context.isEmpty() ? w.measurement : u"%1 (%2)"_s.arg(w.measurement, w.context);
        out(u"  %1 %2 .. %3: source %4, target %5 (%6%7)"_s
                .arg(where, TimeText::format(w.start), TimeText::format(w.end))
                .arg(w.sourceCount)
                .arg(w.targetCount)
                .arg(w.detail,
                     w.rejected > 0 ? u"; %1 points rejected by the target"_s.arg(w.rejected)
                                    : QString()));
    }
}

} // namespace tsm::cli
