#pragma once

#include "commands/Command.h"

#include <ProfileLoader.h>
#include <optional>

namespace tsm::cli {

/// The profile a command names: a file (its first argument) or --task NAME in the state file;
/// says what is wrong (neither, or both) on stderr.
std::optional<ProfileRef> profileArgument(const QString &command, const Invocation &invocation);

/// The profile of `ref` with --set and the environment's secrets applied, validated, and its log
/// level in force; every problem and note is said on stderr.
std::optional<TaskProfile> loadProfile(const ProfileRef &ref, const Invocation &invocation);

/// profileArgument, then loadProfile.
std::optional<TaskProfile> profileOf(const QString &command, const Invocation &invocation);

} // namespace tsm::cli
