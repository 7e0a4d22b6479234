#pragma once

#include <QString>

namespace tsm {

/**
 * Maps a task's log level (advanced.logLevel: error, warn, info, debug, trace) onto the log
 * categories of every module (tsm.engine, tsm.http, tsm.store, tsm.ui, tsm.cli), for the CLI and
 * the desktop app alike. Events of the task are shown and kept separately, filtered by the same
 * level; the categories carry what a person debugging the tool wants on stderr:
 * warnings from warn up, info and debug from debug up, each HTTP request at trace.
 */
namespace LogLevels {

/// The filter rules for `level` (an unknown level counts as info).
QString rulesFor(const QString &level);
/// Applies them to the process.
void apply(const QString &level);

} // namespace LogLevels
} // namespace tsm
