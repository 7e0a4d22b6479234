#pragma once

#include "commands/Command.h"

#include <QJsonObject>

namespace tsm {
class CheckpointStore;
struct TaskRecord;
} // namespace tsm

namespace tsm::cli {

/** tsmigrate-cli status: the tasks in the state file, their state, phase and counts; with
 *  --task, one task and its log. */
class Status : public Command
{
public:
    Status();
    int execute(const Invocation &invocation) override;

private:
    static void printTask(CheckpointStore &store, const TaskRecord &task, bool withLog);
    /// The task's figures as --json writes them, with the rejects file once a point was refused.
    static QJsonObject taskJson(CheckpointStore &store, const TaskRecord &task);
    /// The file the task's refused points are in (advanced.rejectsFile, or beside the state).
    static QString rejectsFile(CheckpointStore &store, const TaskRecord &task);
    static void printEstimate(CheckpointStore &store, const TaskRecord &task);
    /// The last verification: when, and how many windows differ.
    static void printVerification(CheckpointStore &store, const TaskRecord &task);
    /// What the target holds under another name than the source's, per measurement.
    static void printRenamings(CheckpointStore &store, const TaskRecord &task);
};

} // namespace tsm::cli
