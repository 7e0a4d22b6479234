#pragma once

#include "run/Runner.h"

#include <QObject>
#include <QThread>
#include <memory>

namespace tsm {

/**
 * Owns one task's Runner and the thread it runs on: start() runs (or, after a run ended,
 * resumes) the task there, pause and stop may be asked for at any time, and the runner's
 * signals arrive on the owner's thread. Destroying it pauses a run still going and waits for
 * the thread (quit(); wait();), so no caller wires the thread by hand.
 */
class RunThread : public QObject
{
    Q_OBJECT

public:
    RunThread(TaskProfile profile, QString statePath, QObject *parent = nullptr);
    ~RunThread() override;

    /// Runs the task on the thread (starting the thread the first time); returns at once.
    void start();
    void requestPause();
    void requestStop();
    /// Between start() and finished().
    bool isRunning() const { return m_running; }

Q_SIGNALS:
    void progress(const tsm::RunProgress &progress);
    void event(int level, const QString &message);
    void finished(const tsm::RunOutcome &outcome);

private:
    QThread m_thread;
    std::unique_ptr<Runner> m_runner;
    bool m_running = false;
};

} // namespace tsm
