#pragma once

#include "TaskProfile.h"

#include <QHash>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

namespace tsm {

/**
 * The names a person gives the target in place of the source's (task.rename, task.renameFile)
 * and the constant tags added to every point (task.addTags). A tag or field rename applies in
 * every measurement. They apply before the target's own naming rules.
 */
struct UserRenames
{
    QHash<QString, QString> measurements; ///< source name → target name
    QHash<QString, QString> tags;
    QHash<QString, QString> fields;
    QList<QPair<QString, QString>> addTags; ///< key, value, in the order given

    bool isEmpty() const
    {
        return measurements.isEmpty() && tags.isEmpty() && fields.isEmpty() && addTags.isEmpty();
    }

    /// One "kind:from=to" entry of task.rename added; an error in words, or empty.
    QString addEntry(const QString &entry);
    /// One "key=value" entry of task.addTags added; an error in words, or empty.
    QString addTag(const QString &entry);
    /// The kind,from,to lines of a renames file (CSV) added; the first error, or empty.
    QString addCsv(const QByteArray &text);

    /// The renames and added tags of a task: its renames file, then its renames (which win),
    /// then its added tags. Errors name the field ("task.renameFile: …").
    static UserRenames fromTask(const TaskSettings &task, QString *error);

private:
    QString add(const QString &kind, const QString &from, const QString &to);
};

/** The fields of a CSV line: commas separate, double quotes enclose, "" is a quote. */
QStringList splitCsvLine(const QString &line);

} // namespace tsm
