#include "lp/LineProtocol.h"

#include "core/Source.h"

#include <EnumNames.h>
#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

using namespace Qt::StringLiterals;

namespace tsm {

QString fieldTypeName(FieldType type)
{
    static const EnumNames<FieldType> names = {
        {FieldType::Float, u"float"_s},   {FieldType::Integer, u"integer"_s},
        {FieldType::Unsigned, u"unsigned"_s}, {FieldType::String, u"string"_s},
        {FieldType::Boolean, u"boolean"_s},
    };
    return names.name(type, u"unknown"_s);
}

} // namespace tsm

namespace tsm::lp {

namespace {

enum class NameKind
{
    Measurement,
    TagKey,
    TagValue,
    FieldKey
};

// Bytes that need a look in a name; everything else is copied as is.
constexpr std::array<bool, 256> makeInteresting()
{
    std::array<bool, 256> table{};
    for (unsigned char c : {',', ' ', '=', '"', '\\', '\n'})
        table[c] = true;
    return table;
}
constexpr std::array<bool, 256> kInteresting = makeInteresting();

QString kindName(NameKind kind)
{
    static const EnumNames<NameKind> names = {
        {NameKind::Measurement, u"measurement"_s},
        {NameKind::TagKey, u"tag key"_s},
        {NameKind::TagValue, u"tag value"_s},
        {NameKind::FieldKey, u"field key"_s},
    };
    return names.name(kind);
}

bool refuse(QString *why, NameKind kind, std::string_view name, const QString &reason)
{
    if (why) {
        constexpr size_t shown = 80;
        QString text = QString::fromUtf8(name.data(), qsizetype(std::min(name.size(), shown)));
        if (name.size() > shown)
            text += u"…"_s;
        *why =
            u"%1 \"%2\" %3, which line protocol cannot express"_s.arg(kindName(kind), text, reason);
    }
    return false;
}

bool appendName(QByteArray &out, std::string_view name, NameKind kind, QString *why)
{
    const size_t n = name.size();
    if (n == 0) {
        if (why)
            *why = u"empty %1: line protocol cannot express it"_s.arg(kindName(kind));
        return false;
    }
    const char *s = name.data();
    const bool isMeasurement = kind == NameKind::Measurement;
    // The parser skips leading tabs and NULs before a measurement and the first field key, and a
    // line starting with '#' is a comment.
    if ((isMeasurement || kind == NameKind::FieldKey) && (s[0] == '\t' || s[0] == '\0'))
        return refuse(why, kind, name, u"starts with a tab or NUL"_s);
    if (isMeasurement && s[0] == '#')
        return refuse(why, kind, name, u"starts with '#'"_s);

    // Field keys go through escape.Unescape, which also drops a backslash before '"', so a
    // literal one there gets its own escape; tags go through unescapeTag, which keeps it. A
    // measurement is unescaped twice on its way into the index (seen on 1.6.7: `Z\\"` is listed
    // as `Z"` and cannot be selected), so there the combination is refused.
    const bool quoteAfterBackslash = kind == NameKind::FieldKey;
    size_t extra = 0;
    for (size_t i = 0; i < n; ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (!kInteresting[c])
            continue;
        switch (c) {
        case '\n':
            return refuse(why, kind, name, u"contains a newline"_s);
        case '\\':
            if (i + 1 == n)
                return refuse(why, kind, name, u"ends with a backslash"_s);
            if (s[i + 1] == ',' || s[i + 1] == ' ' || s[i + 1] == '=')
                return refuse(why, kind, name,
                              u"has a backslash right before a comma, space or equals sign"_s);
            if (s[i + 1] == '"' && isMeasurement)
                return refuse(why, kind, name, u"has a backslash right before a double quote"_s);
            if (s[i + 1] == '"' && quoteAfterBackslash)
                ++extra;
            break;
        case ',':
        case ' ':
            ++extra;
            break;
        case '=':
            if (!isMeasurement)
                ++extra;
            break;
        default:
            break;
        }
    }
    if (extra == 0) {
        out.append(s, qsizetype(n));
        return true;
    }
    out.reserve(out.size() + qsizetype(n + extra));
    size_t copied = 0;
    for (size_t i = 0; i < n; ++i) {
        const char c = s[i];
        bool escape = c == ',' || c == ' ' || (c == '=' && !isMeasurement);
        if (c == '"' && quoteAfterBackslash && i > 0 && s[i - 1] == '\\')
            escape = true;
        if (!escape)
            continue;
        out.append(s + copied, qsizetype(i - copied));
        out.append('\\');
        copied = i;
    }
    out.append(s + copied, qsizetype(n - copied));
    return true;
}

/// Writes straight into `out`: a separate append of a small buffer costs as much as the
/// conversion itself. resize() grows geometrically and shrinking it is free.
template<typename T> void appendNumber(QByteArray &out, T value, char suffix)
{
    constexpr qsizetype room = 32; // 24 chars is the longest double, 20 the longest integer
    const qsizetype old = out.size();
    out.resize(old + room);
    char *begin = out.data() + old;
    auto result = std::to_chars(begin, begin + room - 1, value);
    if (suffix)
        *result.ptr++ = suffix;
    out.resize(old + qsizetype(result.ptr - begin));
}

} // namespace

bool appendMeasurement(QByteArray &out, std::string_view name, QString *why)
{
    return appendName(out, name, NameKind::Measurement, why);
}

bool appendTagKey(QByteArray &out, std::string_view key, QString *why)
{
    return appendName(out, key, NameKind::TagKey, why);
}

bool appendTagValue(QByteArray &out, std::string_view value, QString *why)
{
    return appendName(out, value, NameKind::TagValue, why);
}

bool appendFieldKey(QByteArray &out, std::string_view key, QString *why)
{
    return appendName(out, key, NameKind::FieldKey, why);
}

void appendString(QByteArray &out, std::string_view value)
{
    const char *s = value.data();
    const size_t n = value.size();
    size_t extra = 0;
    for (size_t i = 0; i < n; ++i)
        extra += (s[i] == '"' || s[i] == '\\') ? 1 : 0;
    const qsizetype old = out.size();
    out.resize(old + qsizetype(n + extra + 2));
    char *d = out.data() + old;
    *d++ = '"';
    if (extra == 0) {
        if (n > 0) // an empty value may have no bytes at all (msgpack-c gives a null pointer)
            std::memcpy(d, s, n);
        d += n;
    } else {
        for (size_t i = 0; i < n; ++i) {
            if (s[i] == '"' || s[i] == '\\')
                *d++ = '\\';
            *d++ = s[i];
        }
    }
    *d = '"';
}

void appendFloat(QByteArray &out, double value)
{
    appendNumber(out, value, '\0');
}

void appendInteger(QByteArray &out, qint64 value)
{
    appendNumber(out, value, 'i');
}

void appendUnsigned(QByteArray &out, quint64 value)
{
    appendNumber(out, value, 'u');
}

void appendBoolean(QByteArray &out, bool value)
{
    if (value)
        out.append("true", 4);
    else
        out.append("false", 5);
}

void appendTimestamp(QByteArray &out, qint64 ns)
{
    appendNumber(out, ns, '\0');
}

} // namespace tsm::lp
