#include "ForgetProgress.h"

#include "Lease.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

namespace tsm {

ForgetOutcome forgetProgress(CheckpointStore &store, const QString &taskName)
{
    const auto task = store.task(taskName);
    if (!task)
        return {};
    if (const auto lease = store.lease(task->id);
        lease && Lease::isLive(*lease, QDateTime::currentMSecsSinceEpoch()))
        return {ForgetOutcome::Status::Running,
                u"Task \"%1\" is running in %2: its progress cannot be forgotten now; stop it "
                "there first"_s.arg(taskName, lease->describe())};
    if (!store.resetTask(task->id))
        return {ForgetOutcome::Status::Failed, store.lastError()};
    return {};
}

} // namespace tsm
