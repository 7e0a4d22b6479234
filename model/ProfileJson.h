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
/// Writes a profile; secrets only when `includeSecrets`.
QByteArray toJson(const TaskProfile &profile, bool includeSecrets);
/// Whether the profile holds a password or token (a user chose to keep them in it).
bool hasSecrets(const TaskProfile &profile);

} // namespace ProfileJson
} // namespace tsm
