#pragma once

#include <QString>
#include <optional>

namespace tsm {

/** What another process asks of a task's run through the state file. */
enum class RunRequest
{
    None,
    Pause,
    Stop,
};

/**
 * Who runs a task: one run of a program on a host. A run holds the lease on its task in the
 * state file for as long as it works on it and keeps it fresh with a heartbeat, so a second
 * run (the CLI's, or the app's Start, Edit, Delete) is refused and told who holds it.
 */
struct LeaseHolder
{
    QString program;  ///< "tsmigrate-cli", "tsmigrate"
    qint64 pid = 0;
    QString host;
    QString token;    ///< this run: two runs in one process are told apart
    qint64 startedMs = 0;
    qint64 heartbeatMs = 0;
    RunRequest request = RunRequest::None;

    /// "tsmigrate-cli, pid 28040 on build-7, since 10:02:11"
    QString describe() const;
};

/** What claiming a lease found. */
struct LeaseClaim
{
    bool granted = false;
    /// Refused: who holds the lease. Granted: the stale holder it was taken over from, if any.
    std::optional<LeaseHolder> other;
};

namespace Lease {

/// A heartbeat older than this, and the lease is stale whoever holds it.
constexpr qint64 kStaleAfterMs = 15000;
/// How often a run renews its lease and reads requests.
constexpr qint64 kHeartbeatMs = 1000;

/// This process, for a new run (a fresh token each call).
LeaseHolder thisRun();
/// Whether the process `pid` exists on this host.
bool processAlive(qint64 pid);
/// Whether `holder` still works on its task: its heartbeat is fresh and, on this host, its
/// process exists (a killed run leaves a lease whose process is gone: taken over at once).
bool isLive(const LeaseHolder &holder, qint64 nowMs);
/// The name of the host, as leases record it.
QString hostName();

} // namespace Lease
} // namespace tsm
