#pragma once

#include <QString>

namespace tsm::cli {

/// A line on stdout: what a command reports.
void out(const QString &text);
/// A line on stderr: problems, notes and the log of a run.
void err(const QString &text);
/// "42s", "3m07s", "2h05m"; "?" for a negative number of seconds.
QString duration(qint64 seconds);

} // namespace tsm::cli
