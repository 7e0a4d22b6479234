#include "Lease.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFileInfo>
#include <QSysInfo>
#include <QUuid>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <csignal>
#include <unistd.h>
#endif

using namespace Qt::StringLiterals;

namespace tsm {

QString LeaseHolder::describe() const
{
    return u"%1, pid %2 on %3, since %4"_s.arg(program)
        .arg(pid)
        .arg(host, QDateTime::fromMSecsSinceEpoch(startedMs).toString(u"yyyy-MM-dd HH:mm:ss"_s));
}

namespace Lease {

QString hostName()
{
    const QString name = QSysInfo::machineHostName();
    return name.isEmpty() ? u"localhost"_s : name;
}

LeaseHolder thisRun()
{
    LeaseHolder me;
    const QString program = QFileInfo(QCoreApplication::applicationFilePath()).fileName();
    me.program = program.isEmpty() ? u"tsmigrate"_s : program;
    me.pid = QCoreApplication::applicationPid();
    me.host = hostName();
    me.token = QUuid::createUuid().toString(QUuid::WithoutBraces);
    me.startedMs = QDateTime::currentMSecsSinceEpoch();
    me.heartbeatMs = me.startedMs;
    return me;
}

bool processAlive(qint64 pid)
{
#ifdef Q_OS_UNIX
    if (pid <= 0)
        return false;
    // Signal 0 checks that the process exists; EPERM: it does, under another user.
    return ::kill(pid_t(pid), 0) == 0 || errno == EPERM;
#else
    Q_UNUSED(pid);
    return true; // elsewhere only the heartbeat tells
#endif
}

bool isLive(const LeaseHolder &holder, qint64 nowMs)
{
    if (nowMs - holder.heartbeatMs > kStaleAfterMs)
        return false;
    return holder.host != hostName() || processAlive(holder.pid);
}

} // namespace Lease
} // namespace tsm
