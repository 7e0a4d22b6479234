#include "run/RunThread.h"

using namespace Qt::StringLiterals;

namespace tsm {

RunThread::RunThread(TaskProfile profile, QString statePath, QObject *parent)
    : QObject(parent), m_runner(std::make_unique<Runner>(std::move(profile), std::move(statePath)))
{
    m_thread.setObjectName(u"tsm-runner"_s);
    m_runner->moveToThread(&m_thread);
    // The runner emits on its thread; these connections queue to this object's.
    connect(m_runner.get(), &Runner::progress, this, &RunThread::progress);
    connect(m_runner.get(), &Runner::event, this, &RunThread::event);
    connect(m_runner.get(), &Runner::finished, this, [this](const RunOutcome &outcome) {
        m_running = false;
        Q_EMIT finished(outcome);
    });
}

RunThread::~RunThread()
{
    m_runner->requestPause();
    m_thread.quit();
    m_thread.wait();
    // The thread has ended, so nothing runs on the runner any more: it may go from here.
    m_runner.reset();
}

void RunThread::start()
{
    if (!m_thread.isRunning())
        m_thread.start();
    m_running = true;
    QMetaObject::invokeMethod(m_runner.get(), &Runner::run, Qt::QueuedConnection);
}

void RunThread::requestPause()
{
    m_runner->requestPause();
}

void RunThread::requestStop()
{
    m_runner->requestStop();
}

} // namespace tsm
