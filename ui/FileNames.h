#pragma once

#include <QDir>
#include <QString>

namespace tsm::filenames {

/// `path`, ending in `.suffix` (such as "json"): a name chosen without it gets it, so that the
/// file shows in the dialogs that filter by it; a name that has it is kept as typed.
inline QString withSuffix(const QString &path, const QString &suffix)
{
    if (path.isEmpty() || path.endsWith(u'.' + suffix, Qt::CaseInsensitive))
        return path;
    return path + u'.' + suffix;
}

/// A file name made of a task's name: the characters a file system or a shell trips on become
/// '_'; an empty name becomes "task".
inline QString fromTaskName(const QString &name)
{
    QString out;
    for (const QChar c : name.trimmed())
        out += (c.isLetterOrNumber() || c == u'-' || c == u'_' || c == u'.' || c == u' ')
                   ? c
                   : u'_';
    return out.isEmpty() ? QStringLiteral("task") : out;
}

/// `<folder>/<task>.<suffix>`, the name a save dialog suggests.
inline QString suggested(const QString &folder, const QString &baseName, const QString &suffix)
{
    return QDir(folder).filePath(fromTaskName(baseName) + u'.' + suffix);
}

} // namespace tsm::filenames
