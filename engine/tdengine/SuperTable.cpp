#include "tdengine/SuperTable.h"

#include "core/Error.h"
#include "tdengine/TDengineRest.h"

using namespace Qt::StringLiterals;

namespace tsm {

QString normalColumnType(const QString &type)
{
    const QString upper = type.trimmed().toUpper();
    return upper == u"VARCHAR"_s ? u"BINARY"_s : upper;
}

SuperTableDef superTableFromDescribe(const SqlResult &result, const QString &stable,
                                     const QString &where)
{
    const int field = result.column(u"field"_s);
    const int type = result.column(u"type"_s);
    const int length = result.column(u"length"_s);
    const int note = result.column(u"note"_s);
    if (field < 0 || type < 0 || length < 0 || note < 0)
        throw Error(ErrorKind::Protocol,
                    u"%1 answered DESCRIBE of \"%2\" without the columns field, type, length "
                    "and note"_s.arg(where, stable));
    SuperTableDef def;
    def.name = stable;
    for (const QJsonValue &value : result.rows) {
        const QJsonArray row = value.toArray();
        const TdColumn column{row.at(field).toString(), normalColumnType(row.at(type).toString()),
                              int(row.at(length).toInteger())};
        if (row.at(note).toString().compare(u"TAG"_s, Qt::CaseInsensitive) == 0)
            def.tags.append(column);
        else
            def.columns.append(column);
    }
    return def;
}

} // namespace tsm
