#include "commands/MetricsText.h"

#include <QList>

using namespace Qt::StringLiterals;

namespace tsm::cli::MetricsText {

namespace {

/// A label value as the format wants it: backslash, double quote and line feed escaped.
QByteArray labelValue(const QString &value)
{
    QByteArray escaped;
    for (const char c : value.toUtf8()) {
        if (c == '\\')
            escaped += "\\\\";
        else if (c == '"')
            escaped += "\\\"";
        else if (c == '\n')
            escaped += "\\n";
        else
            escaped += c;
    }
    return '"' + escaped + '"';
}

/** Writes one metric family after another. */
class Writer
{
public:
    explicit Writer(const QString &task) : m_task("task=" + labelValue(task)) {}

    /// The HELP and TYPE lines of a family.
    void family(const char *name, const char *type, const char *help)
    {
        m_text += "# HELP "_ba + name + ' ' + help + "\n# TYPE "_ba + name + ' ' + type + '\n';
    }
    /// One sample of the family, with the task's label and `extra` ones.
    void sample(const char *name, qint64 value, const QByteArray &extra = {})
    {
        m_text += name + "{"_ba + m_task + (extra.isEmpty() ? QByteArray() : ',' + extra) + "} " +
                  QByteArray::number(value) + '\n';
    }
    /// A family of one sample.
    void single(const char *name, const char *type, const char *help, qint64 value)
    {
        family(name, type, help);
        sample(name, value);
    }
    /// A family with one sample per value of `label`: 1 for the current one, 0 for the others.
    template<typename E>
    void oneOf(const char *name, const char *label, const char *help, const QList<E> &all,
               E current, QString (*nameOf)(E))
    {
        family(name, "gauge", help);
        for (const E value : all)
            sample(name, value == current ? 1 : 0, label + "="_ba + labelValue(nameOf(value)));
    }
    QByteArray text() const { return m_text; }

private:
    QByteArray m_task;
    QByteArray m_text;
};

QList<TaskState> allStates()
{
    return {TaskState::Idle,    TaskState::Planning,  TaskState::Running, TaskState::Paused,
            TaskState::Stopped, TaskState::Completed, TaskState::Failed,  TaskState::Retrying};
}

} // namespace

QByteArray contentType()
{
    return "text/plain; version=0.0.4; charset=utf-8"_ba;
}

QByteArray format(const TaskCounts &c)
{
    Writer w(c.task);
    w.single("tsmigrate_points_read_total", "counter",
             "Points read from the source by the read units that are done.", c.pointsRead);
    w.single("tsmigrate_points_written_total", "counter",
             "Points the target acknowledged, of the read units that are done.", c.pointsWritten);
    w.single("tsmigrate_points_rejected_total", "counter",
             "Points the target refused (recorded in the rejects file with the reason).",
             c.pointsRejected);
    w.single("tsmigrate_units_done", "gauge", "Read units done.", c.unitsDone);
    w.single("tsmigrate_units_planned", "gauge",
             "Read units in the ledger (following merges done ones).", c.unitsTotal);
    w.single("tsmigrate_units_failed", "gauge", "Read units that failed in the last pass.",
             c.unitsFailed);
    w.single("tsmigrate_retries_total", "counter",
             "Requests to the source or the target tried again.", c.retries);
    if (c.followLagSeconds)
        w.single("tsmigrate_follow_lag_seconds", "gauge",
                 "While following new data: how far the target is behind now (delay included).",
                 *c.followLagSeconds);
    w.oneOf("tsmigrate_task_state", "state", "The task's state: 1 for the current one.",
            allStates(), c.state, &taskStateName);
    w.oneOf("tsmigrate_task_health", "health", "The task's health: 1 for the current one.",
            allTaskHealths(), c.health, &taskHealthName);
    return w.text();
}

} // namespace tsm::cli::MetricsText
