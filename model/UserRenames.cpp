#include "UserRenames.h"

#include <QFile>

using namespace Qt::StringLiterals;

namespace tsm {

QStringList splitCsvLine(const QString &line)
{
    QStringList fields;
    QString field;
    bool quoted = false;
    for (qsizetype i = 0; i < line.size(); ++i) {
        const QChar c = line.at(i);
        if (quoted) {
            if (c == u'"' && i + 1 < line.size() && line.at(i + 1) == u'"') {
                field += c;
                ++i;
            } else if (c == u'"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == u'"') {
            quoted = true;
        } else if (c == u',') {
            fields.append(field);
            field.clear();
        } else {
            field += c;
        }
    }
    fields.append(field);
    return fields;
}

QString UserRenames::add(const QString &kind, const QString &from, const QString &to)
{
    QHash<QString, QString> *map = kind == u"measurement"_s ? &measurements
                                   : kind == u"tag"_s       ? &tags
                                   : kind == u"field"_s     ? &fields
                                                            : nullptr;
    if (!map)
        return u"kind \"%1\" is none of measurement, tag, field"_s.arg(kind);
    if (from.isEmpty() || to.isEmpty())
        return u"a %1 rename needs a name on both sides"_s.arg(kind);
    for (auto it = map->cbegin(); it != map->cend(); ++it) {
        if (it.value() == to && it.key() != from)
            return u"%1 \"%2\" and \"%3\" would both become \"%4\""_s.arg(kind, it.key(), from, to);
    }
    map->insert(from, to);
    return QString();
}

QString UserRenames::addEntry(const QString &entry)
{
    const qsizetype colon = entry.indexOf(u':');
    const qsizetype equals = entry.indexOf(u'=', colon + 1);
    if (colon < 0 || equals < 0)
        return u"\"%1\" is not kind:from=to (e.g. measurement:cpu=cpu2)"_s.arg(entry);
    const QString error =
        add(entry.left(colon).trimmed(), entry.mid(colon + 1, equals - colon - 1).trimmed(),
            entry.mid(equals + 1).trimmed());
    return error.isEmpty() ? QString() : u"\"%1\": %2"_s.arg(entry, error);
}

QString UserRenames::addTag(const QString &entry)
{
    const qsizetype equals = entry.indexOf(u'=');
    const QString key = entry.left(equals).trimmed();
    const QString value = entry.mid(equals + 1).trimmed();
    if (equals < 0 || key.isEmpty() || value.isEmpty())
        return u"\"%1\" is not key=value (e.g. env=prod)"_s.arg(entry);
    for (auto &tag : addTags) {
        if (tag.first == key) {
            tag.second = value;
            return QString();
        }
    }
    addTags.append({key, value});
    return QString();
}

QString UserRenames::addCsv(const QByteArray &text)
{
    const QStringList lines = QString::fromUtf8(text).split(u'\n');
    for (qsizetype n = 0; n < lines.size(); ++n) {
        QString line = lines.at(n);
        if (line.endsWith(u'\r'))
            line.chop(1);
        if (line.trimmed().isEmpty() || line.trimmed().startsWith(u'#'))
            continue;
        const QStringList f = splitCsvLine(line);
        if (n == 0 && f.value(0).trimmed() == u"kind"_s)
            continue; // a header line
        if (f.size() != 3)
            return u"line %1 has %2 fields, not kind,from,to"_s.arg(n + 1).arg(f.size());
        const QString error = add(f.at(0).trimmed(), f.at(1), f.at(2));
        if (!error.isEmpty())
            return u"line %1: %2"_s.arg(n + 1).arg(error);
    }
    return QString();
}

UserRenames UserRenames::fromTask(const TaskSettings &task, QString *error)
{
    UserRenames renames;
    QString problem;
    if (!task.renameFile.isEmpty()) {
        QFile file(task.renameFile);
        if (!file.open(QIODevice::ReadOnly))
            problem = u"task.renameFile: cannot read \"%1\": %2"_s.arg(task.renameFile,
                                                                       file.errorString());
        else if (const QString e = renames.addCsv(file.readAll()); !e.isEmpty())
            problem = u"task.renameFile: \"%1\" %2"_s.arg(task.renameFile, e);
    }
    for (const QString &entry : task.rename) {
        if (!problem.isEmpty())
            break;
        if (const QString e = renames.addEntry(entry); !e.isEmpty())
            problem = u"task.rename: "_s + e;
    }
    for (const QString &entry : task.addTags) {
        if (!problem.isEmpty())
            break;
        if (const QString e = renames.addTag(entry); !e.isEmpty())
            problem = u"task.addTags: "_s + e;
    }
    if (error)
        *error = problem;
    return renames;
}

} // namespace tsm
