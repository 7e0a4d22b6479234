#pragma once

#include "CheckpointStore.h"

#include <QString>

namespace tsm {

/** What became of a request to forget a task's progress (so that its next run starts over). */
struct ForgetOutcome
{
    enum class Status
    {
        Forgotten, ///< or there was none: the task is not in the store
        Running,   ///< a live run holds the task; nothing was changed
        Failed,    ///< the store could not be read or written
    };
    Status status = Status::Forgotten;
    QString message; ///< why not, in words; empty when forgotten
    bool ok() const { return status == Status::Forgotten; }
};

/// `tsmigrate-cli run --restart` and the app's "Run Again from the Beginning": drops the ledger,
/// samples and events of task `taskName` in `store`, unless a run (of any process) holds it.
ForgetOutcome forgetProgress(CheckpointStore &store, const QString &taskName);

} // namespace tsm
