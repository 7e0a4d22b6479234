#include "commands/ProgressLine.h"

#include "commands/Console.h"

#include <CheckpointStore.h>
#include <QDateTime>
#include <cstdio>

using namespace Qt::StringLiterals;

namespace tsm::cli {

ProgressLine::ProgressLine(bool terminal) : m_terminal(terminal) {}

QString ProgressLine::text(const RunProgress &p)
{
    if (p.phase == RunPhase::Following)
        return u"following, lag %1 s: %2 points written (%3 read, %4 rejected), %5 points/s, "
               "elapsed %6"_s.arg(p.lagSeconds)
                   .arg(p.pointsWritten)
                   .arg(p.pointsRead)
                   .arg(p.pointsRejected)
                   .arg(qint64(p.writeRate))
                   .arg(duration(p.elapsedMs / 1000));
    return u"%1 points written (%2 read, %3 rejected), %4 points/s, units %5/%6, elapsed "
           "%7, ETA %8"_s.arg(p.pointsWritten)
               .arg(p.pointsRead)
               .arg(p.pointsRejected)
               .arg(qint64(p.writeRate))
               .arg(p.unitsDone)
               .arg(p.unitsTotal)
               .arg(duration(p.elapsedMs / 1000), duration(p.etaSeconds));
}

void ProgressLine::show(const RunProgress &p)
{
    if (p.phase == RunPhase::Planning) {
        if (!m_terminal)
            err(u"planning…"_s);
        return;
    }
    const QString line = text(p);
    if (m_terminal) {
        std::fprintf(stderr, "\r\033[K%s", line.toLocal8Bit().constData());
        std::fflush(stderr);
        m_shown = true;
    } else if (p.elapsedMs - m_lastPlainMs >= (p.phase == RunPhase::Following ? 60000 : 5000)) {
        // A log file of a task that follows for days: a line a minute is plenty.
        m_lastPlainMs = p.elapsedMs;
        err(u"progress: "_s + line);
    }
}

void ProgressLine::event(int level, const QString &message)
{
    clear();
    err(u"%1 %2: %3"_s.arg(QDateTime::currentDateTime().toString(u"HH:mm:ss"_s),
                           eventLevelName(EventLevel(level)), message));
}

void ProgressLine::finish()
{
    if (m_shown)
        std::fputs("\n", stderr);
    m_shown = false;
}

void ProgressLine::clear()
{
    if (m_shown) {
        std::fputs("\r\033[K", stderr);
        m_shown = false;
    }
}

} // namespace tsm::cli
