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

using Kind = LineWriter::Kind;

// Bytes that need a look in a name; everything else is copied as is.
constexpr std::array<bool, 256> makeInteresting()
{
    std::array<bool, 256> table{};
    for (unsigned char c : {',', ' ', '=', '"', '\\', '\n'})
        table[c] = true;
    return table;
}
constexpr std::array<bool, 256> kInteresting = makeInteresting();

QString kindName(Kind kind)
{
    static const EnumNames<Kind> names = {
        {Kind::Measurement, u"measurement"_s},
        {Kind::TagKey, u"tag key"_s},
        {Kind::TagValue, u"tag value"_s},
        {Kind::FieldKey, u"field key"_s},
    };
    return names.name(kind);
}

bool refuse(QString *why, Kind kind, std::string_view name, const QString &reason)
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

/// One item written with a writer of its own.
template<typename Write> void appendWith(QByteArray &out, Write write)
{
    LineWriter writer(out);
    write(writer);
}

} // namespace

void LineWriter::grow(size_t n)
{
    const qsizetype used = m_d ? qsizetype(m_d - m_out.constData()) : m_out.size();
    m_out.resize(used + qsizetype(std::max<size_t>(n, size_t(used - m_start) + 256)));
    m_d = m_out.data() + used;
    m_end = m_out.data() + m_out.size();
}

bool LineWriter::measurement(std::string_view name, QString *why)
{
    return this->name(name, Kind::Measurement, why);
}

bool LineWriter::tagKey(std::string_view key, QString *why)
{
    return name(key, Kind::TagKey, why);
}

bool LineWriter::tagValue(std::string_view value, QString *why)
{
    return name(value, Kind::TagValue, why);
}

bool LineWriter::fieldKey(std::string_view key, QString *why)
{
    return name(key, Kind::FieldKey, why);
}

bool LineWriter::name(std::string_view name, Kind kind, QString *why)
{
    const size_t n = name.size();
    if (n == 0) {
        if (why)
            *why = u"empty %1: line protocol cannot express it"_s.arg(kindName(kind));
        return false;
    }
    const char *s = name.data();
    const bool isMeasurement = kind == Kind::Measurement;
    // The parser skips leading tabs and NULs before a measurement and the first field key, and a
    // line starting with '#' is a comment.
    if ((isMeasurement || kind == Kind::FieldKey) && (s[0] == '\t' || s[0] == '\0'))
        return refuse(why, kind, name, u"starts with a tab or NUL"_s);
    if (isMeasurement && s[0] == '#')
        return refuse(why, kind, name, u"starts with '#'"_s);

    // Field keys go through escape.Unescape, which also drops a backslash before '"', so a
    // literal one there gets its own escape; tags go through unescapeTag, which keeps it. A
    // measurement is unescaped twice on its way into the index (seen on 1.6.7: `Z\\"` is listed
    // as `Z"` and cannot be selected), so there the combination is refused.
    const bool quoteAfterBackslash = kind == Kind::FieldKey;
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
        put(name);
        return true;
    }
    need(n + extra);
    for (size_t i = 0; i < n; ++i) {
        const char c = s[i];
        if (c == ',' || c == ' ' || (c == '=' && !isMeasurement) ||
            (c == '"' && quoteAfterBackslash && i > 0 && s[i - 1] == '\\'))
            *m_d++ = '\\';
        *m_d++ = c;
    }
    return true;
}

void LineWriter::escaped(std::string_view name, bool escapeEquals)
{
    auto special = [escapeEquals](char c) {
        return c == ',' || c == ' ' || (c == '=' && escapeEquals);
    };
    if (std::none_of(name.begin(), name.end(), special)) { // the usual name: one copy
        put(name);
        return;
    }
    need(2 * name.size());
    for (const char c : name) {
        if (c == ',' || c == ' ' || (c == '=' && escapeEquals))
            *m_d++ = '\\';
        *m_d++ = c;
    }
}

void LineWriter::string(std::string_view value)
{
    const char *s = value.data();
    const size_t n = value.size();
    need(2 * n + 2);
    *m_d++ = '"';
    for (size_t i = 0; i < n; ++i) {
        if (s[i] == '"' || s[i] == '\\')
            *m_d++ = '\\';
        *m_d++ = s[i];
    }
    *m_d++ = '"';
}

bool appendMeasurement(QByteArray &out, std::string_view name, QString *why)
{
    LineWriter writer(out);
    return writer.measurement(name, why);
}

bool appendTagKey(QByteArray &out, std::string_view key, QString *why)
{
    LineWriter writer(out);
    return writer.tagKey(key, why);
}

bool appendTagValue(QByteArray &out, std::string_view value, QString *why)
{
    LineWriter writer(out);
    return writer.tagValue(value, why);
}

bool appendFieldKey(QByteArray &out, std::string_view key, QString *why)
{
    LineWriter writer(out);
    return writer.fieldKey(key, why);
}

void appendString(QByteArray &out, std::string_view value)
{
    appendWith(out, [&](LineWriter &w) { w.string(value); });
}

void appendFloat(QByteArray &out, double value)
{
    appendWith(out, [&](LineWriter &w) { w.floating(value); });
}

void appendInteger(QByteArray &out, qint64 value)
{
    appendWith(out, [&](LineWriter &w) { w.integer(value); });
}

void appendUnsigned(QByteArray &out, quint64 value)
{
    appendWith(out, [&](LineWriter &w) { w.unsignedInteger(value); });
}

void appendBoolean(QByteArray &out, bool value)
{
    appendWith(out, [&](LineWriter &w) { w.boolean(value); });
}

void appendTimestamp(QByteArray &out, qint64 ns)
{
    appendWith(out, [&](LineWriter &w) { w.timestamp(ns); });
}

} // namespace tsm::lp
