#pragma once

#include "TaskOptions.h"
#include "TaskProfile.h"

#include <QByteArray>
#include <QList>

namespace tsm {

/** The profile JSON format of DESIGN.md, version 1. */
namespace ProfileJson {

struct LoadResult
{
    TaskProfile profile;
    /// Parse errors and values of the wrong type, each naming the key (key "" for the file).
    QList<FieldError> errors;
    bool ok() const { return errors.isEmpty(); }
};

/// Reads a profile; missing keys take their defaults. Never throws.
LoadResult fromJson(const QByteArray &json);
/// Reads a profile file as the CLI and the desktop app's Import both do: fromJson, then file
/// paths in it (source.path, target.path) made absolute against the file's folder. A file that
/// cannot be read is an error with key "" that does not name the file (the caller does).
LoadResult readFile(const QString &path);
/// Makes the profile's relative file paths absolute against `folder`.
void resolvePaths(TaskProfile &profile, const QString &folder);
/// Writes a profile; secrets only when `includeSecrets`.
QByteArray toJson(const TaskProfile &profile, bool includeSecrets);
/// Whether the profile holds a password or token (a user chose to keep them in it).
bool hasSecrets(const TaskProfile &profile);

} // namespace ProfileJson
} // namespace tsm
