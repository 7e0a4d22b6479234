#pragma once

#include "run/Runner.h"

namespace tsm::cli {

/**
 * What a run shows on stderr: on a terminal one live line (points written, points/s, units,
 * elapsed, ETA; while following, the lag) that log lines interrupt; otherwise plain lines, a
 * progress line every few seconds (every minute while following).
 */
class ProgressLine
{
public:
    explicit ProgressLine(bool terminal);

    void show(const RunProgress &progress);
    /// A line of the task's log.
    void event(int level, const QString &message);
    /// Ends the live line, before the run's outcome is said.
    void finish();

    /// The line for a progress report (without "progress: ").
    static QString text(const RunProgress &progress);

private:
    void clear();

    bool m_terminal;
    bool m_shown = false; ///< the live line is on the terminal
    qint64 m_lastPlainMs = 0;
};

} // namespace tsm::cli
