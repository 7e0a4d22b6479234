#include "tdengine/TDengineLimits.h"

#include <TimeText.h>
#include <algorithm>

using namespace Qt::StringLiterals;

namespace tsm::TDengineLimits {

QString shown(std::string_view name)
{
    constexpr size_t limit = 80;
    QString text = QString::fromUtf8(name.data(), qsizetype(std::min(name.size(), limit)));
    if (name.size() > limit)
        text += u"…"_s;
    return text;
}

QString measurementProblem(std::string_view measurement)
{
    if (measurement.size() > kMaxTableNameBytes)
        return u"measurement \"%1\" is %2 bytes long; TDengine allows %3 for a super table "
               u"name"_s.arg(shown(measurement))
                   .arg(measurement.size())
                   .arg(kMaxTableNameBytes);
    if (!measurement.empty() && measurement.front() == '#')
        return u"measurement \"%1\" starts with '#': TDengine's schemaless parser skips such a "
               u"line as a comment"_s.arg(shown(measurement));
    return QString();
}

QString columnNameProblem(std::string_view name, const QString &kind)
{
    if (name.size() > kMaxColumnNameBytes)
        return u"%1 \"%2\" is %3 bytes long; TDengine allows %4 for a tag or column name"_s
            .arg(kind, shown(name))
            .arg(name.size())
            .arg(kMaxColumnNameBytes);
    return QString();
}

QString sharedNameProblem(std::string_view name, const QString &kind)
{
    return u"%1 \"%2\" is used twice (tags, fields and the time column _ts share one set of "
           u"names in a TDengine super table)"_s.arg(kind, shown(name));
}

QString tagCountProblem(size_t tags)
{
    const size_t counted = std::max<size_t>(tags, 1);
    if (counted > kMaxTags)
        return u"the point has %1 tags; TDengine allows %2"_s.arg(counted).arg(kMaxTags);
    return QString();
}

QString columnCountProblem(size_t fields, size_t tags)
{
    // smlParseLine (clientSml.c) counts the fields, _ts and the tags against TSDB_MAX_COLUMNS.
    if (fields + 1 + std::max<size_t>(tags, 1) <= kMaxColumns)
        return QString();
    return u"the point has %1 fields and %2 tags; TDengine allows %3 columns, counting _ts and "
           u"the tags%4"_s.arg(fields)
               .arg(tags)
               .arg(kMaxColumns)
               .arg(tags == 0 ? u" (a point without tags gets the tag _tag_null)"_s : QString());
}

qint64 tagBytes(qint64 valueBytes, size_t tags)
{
    return kNcharBytes * valueBytes + kVarHeader * qint64(tags);
}

QString tagBytesProblem(qint64 bytes)
{
    if (bytes <= kMaxTagsBytes)
        return QString();
    return u"the tag values take %1 bytes as NCHAR (4 bytes per character); TDengine allows %2 "
           u"in total per point"_s.arg(bytes)
               .arg(kMaxTagsBytes);
}

QString stringProblem(std::string_view key, std::string_view value)
{
    if (qint64(value.size()) > kMaxVarcharBytes)
        return u"field \"%1\" holds a string of %2 bytes; TDengine allows %3 in a VARCHAR "
               u"column"_s.arg(shown(key))
                   .arg(value.size())
                   .arg(kMaxVarcharBytes);
    return QString();
}

bool needsSql(std::string_view value)
{
    // Not find_first_of: it calls memchr for every byte, and every string value comes here.
    return std::any_of(value.begin(), value.end(), [](char c) { return c == '\r' || c == '\n'; });
}

QString rowBytesProblem(qint64 bytes, int maxRowBytes)
{
    if (bytes <= maxRowBytes)
        return QString();
    return u"the point needs a row of %1 bytes; this TDengine allows %2"_s.arg(bytes).arg(
        maxRowBytes);
}

QString timeProblem(qint64 time, qint64 oldestNs)
{
    if (time == 0)
        return u"timestamp 0 (1970-01-01T00:00:00Z): TDengine's schemaless parser reads a "
               u"timestamp of 0 as \"now\""_s;
    // smlParseInfluxString (clientSmlLine.c) refuses a timestamp <= 0 and with it the whole
    // request; SQL would take it, but only into tables made by hand (README, TDengine 3).
    if (time < 0)
        return u"timestamp %1 (%2) is before 1970: TDengine's schemaless writing refuses every "
               u"time up to 1970-01-01T00:00:00Z ([0x0127] Invalid timestamp format)"_s.arg(time)
                   .arg(TimeText::format(time));
    return keepProblem(time, oldestNs);
}

QString keepProblem(qint64 time, qint64 oldestNs)
{
    if (time < oldestNs)
        return u"timestamp %1 is older than the database keeps (before %2)"_s.arg(
            TimeText::format(time), TimeText::format(oldestNs));
    return QString();
}

} // namespace tsm::TDengineLimits
