#include "lp/LineParser.h"

#include "lp/LineProtocol.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

using namespace Qt::StringLiterals;

// The scanners below follow models/points.go of InfluxDB 1.x step by step, including its
// quirks (a backslash escapes the next byte in the key scanners but pairs of bytes in the field
// scanner), so that a line means here what it means to InfluxDB.

namespace tsm::lp {

namespace {

constexpr size_t kMaxKeyLength = 65535;

enum class State
{
    TagKey,
    TagValue,
    Fields
};

bool fail(QString *error, QString reason)
{
    if (error)
        *error = std::move(reason);
    return false;
}

bool isWhitespace(char c)
{
    return c == ' ' || c == '\t' || c == '\0';
}

size_t skipWhitespace(std::string_view buf, size_t i)
{
    while (i < buf.size() && isWhitespace(buf[i]))
        ++i;
    return i;
}

bool isNumeric(char c)
{
    return (c >= '0' && c <= '9') || c == '.';
}

QString text(std::string_view s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

/// scanTo: up to the first `stop` not preceded by a backslash.
size_t scanTo(std::string_view buf, size_t i, char stop)
{
    const size_t start = i;
    for (; i < buf.size(); ++i) {
        if (buf[i] == stop && (i == start || buf[i - 1] != '\\'))
            break;
    }
    return i;
}

/// Where the pieces of a valid line are, as offsets into the line (leading blanks removed).
struct Layout
{
    std::string_view buf; ///< the line from its first non-blank byte, without '\r'
    size_t measurementEnd = 0;
    size_t keyEnd = 0;      ///< measurement and tags: [0, keyEnd)
    size_t fieldsStart = 0; ///< fields: [fieldsStart, fieldsEnd)
    size_t fieldsEnd = 0;
    size_t tagCount = 0;
    bool hasTime = false;
    qint64 time = 0;
    bool hasUnsigned = false;
};

std::string_view trimLine(std::string_view line)
{
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    const size_t start = skipWhitespace(line, 0);
    return line.substr(start);
}

// ---- key --------------------------------------------------------------------------------

bool scanMeasurement(std::string_view buf, size_t &i, State &next, QString *error)
{
    if (i >= buf.size() || buf[i] == ',')
        return fail(error, u"missing measurement"_s);
    for (;;) {
        ++i;
        if (i >= buf.size())
            return fail(error, u"missing fields"_s);
        if (buf[i - 1] == '\\')
            continue;
        if (buf[i] == ',') {
            next = State::TagKey;
            ++i;
            return true;
        }
        if (buf[i] == ' ') {
            next = State::Fields;
            return true;
        }
    }
}

bool scanTagsKey(std::string_view buf, size_t &i, QString *error)
{
    if (i >= buf.size() || buf[i] == ' ' || buf[i] == ',' || buf[i] == '=')
        return fail(error, u"missing tag key"_s);
    for (;;) {
        ++i;
        if (i >= buf.size() || ((buf[i] == ' ' || buf[i] == ',') && buf[i - 1] != '\\'))
            return fail(error, u"missing tag value"_s);
        if (buf[i] == '=' && buf[i - 1] != '\\') {
            ++i;
            return true;
        }
    }
}

bool scanTagsValue(std::string_view buf, size_t &i, State &next, QString *error)
{
    if (i >= buf.size() || buf[i] == ',' || buf[i] == ' ')
        return fail(error, u"missing tag value"_s);
    for (;;) {
        ++i;
        if (i >= buf.size())
            return fail(error, u"missing fields"_s);
        if (buf[i] == '=' && buf[i - 1] != '\\')
            return fail(error, u"invalid tag format"_s);
        if (buf[i] == ',' && buf[i - 1] != '\\') {
            next = State::TagKey;
            ++i;
            return true;
        }
        if (buf[i] == ' ' && buf[i - 1] != '\\') {
            next = State::Fields;
            return true;
        }
    }
}

bool scanKey(std::string_view buf, Layout &layout, QString *error)
{
    size_t i = 0;
    State state = State::Fields;
    if (!scanMeasurement(buf, i, state, error))
        return false;
    layout.measurementEnd = state == State::TagKey ? i - 1 : i;

    thread_local std::vector<std::string_view> keys;
    keys.clear();
    while (state != State::Fields) {
        if (state == State::TagKey) {
            const size_t tagStart = i;
            if (!scanTagsKey(buf, i, error))
                return false;
            keys.push_back(buf.substr(tagStart, i - 1 - tagStart));
            state = State::TagValue;
        } else if (!scanTagsValue(buf, i, state, error)) {
            return false;
        }
    }
    layout.keyEnd = i;
    layout.tagCount = keys.size();

    // InfluxDB compares the raw (escaped) keys; sorted or not, two equal ones are an error.
    if (keys.size() > 1) {
        bool sorted = true;
        for (size_t j = 0; j + 1 < keys.size(); ++j) {
            if (keys[j] == keys[j + 1])
                return fail(error, u"duplicate tags"_s);
            if (keys[j] > keys[j + 1]) {
                sorted = false;
                break;
            }
        }
        if (!sorted) {
            std::sort(keys.begin(), keys.end());
            if (std::adjacent_find(keys.begin(), keys.end()) != keys.end())
                return fail(error, u"duplicate tags"_s);
        }
    }
    if (layout.keyEnd == 0)
        return fail(error, u"missing measurement"_s);
    if (layout.keyEnd > kMaxKeyLength)
        return fail(error,
                    u"max key length exceeded: %1 > %2"_s.arg(layout.keyEnd).arg(kMaxKeyLength));
    return true;
}

// ---- fields -----------------------------------------------------------------------------

bool parseFloatText(std::string_view s, double &value)
{
    const char *end = s.data() + s.size();
    auto result = std::from_chars(s.data(), end, value);
    if (result.ptr != end)
        return false;
    if (result.ec == std::errc())
        return true;
    if (result.ec != std::errc::result_out_of_range)
        return false;
    // Go's ParseFloat rounds an underflow to zero without an error; only overflow is one.
    // The decimal exponent of the first significant digit tells which of the two this is.
    const bool negative = s[0] == '-';
    size_t p = negative ? 1 : 0;
    long magnitude = 0;
    long integerDigits = 0;
    long zerosAfterPoint = 0;
    bool significant = false;
    bool afterPoint = false;
    for (; p < s.size() && s[p] != 'e' && s[p] != 'E'; ++p) {
        if (s[p] == '.') {
            afterPoint = true;
        } else if (!afterPoint) {
            if (significant || s[p] != '0') {
                significant = true;
                ++integerDigits;
            }
        } else if (!significant) {
            if (s[p] != '0')
                significant = true;
            else
                ++zerosAfterPoint;
        }
    }
    magnitude = integerDigits > 0 ? integerDigits - 1 : -zerosAfterPoint - 1;
    if (p + 1 < s.size()) {
        const char *e = s.data() + p + 1;
        if (*e == '+')
            ++e;
        long exponent = 0;
        if (std::from_chars(e, end, exponent).ec == std::errc::result_out_of_range)
            exponent = *e == '-' ? std::numeric_limits<long>::min() / 2
                                 : std::numeric_limits<long>::max() / 2;
        magnitude += exponent;
    }
    if (magnitude < 0) {
        value = negative ? -0.0 : 0.0;
        return true;
    }
    return false;
}

bool scanNumber(std::string_view buf, size_t &i, bool &unsignedSeen, QString *error)
{
    const size_t start = i;
    bool isInt = false;
    bool isUnsigned = false;

    if (i < buf.size() && buf[i] == '-') {
        ++i;
        if (i == buf.size())
            return fail(error, u"invalid number"_s);
    }

    bool decimal = false;
    bool scientific = false;
    for (; i < buf.size(); ++i) {
        const char c = buf[i];
        if (c == ',' || c == ' ')
            break;
        if (c == 'i' && i > start && !(isInt || isUnsigned)) {
            isInt = true;
            continue;
        }
        if (c == 'u' && i > start && !(isInt || isUnsigned)) {
            isUnsigned = true;
            continue;
        }
        if (c == '.') {
            if (decimal)
                return fail(error, u"invalid number"_s);
            decimal = true;
        }
        if (i > start && (c == 'e' || c == 'E')) {
            scientific = true;
            continue;
        }
        if ((c == '+' || c == '-') && (buf[i - 1] == 'e' || buf[i - 1] == 'E'))
            continue;
        if (!isNumeric(c))
            return fail(error, u"invalid number"_s);
    }

    if ((isInt || isUnsigned) && (decimal || scientific))
        return fail(error, u"invalid number"_s);

    size_t numericDigits = i - start;
    if (isInt)
        --numericDigits;
    if (decimal)
        --numericDigits;
    if (buf[start] == '-')
        --numericDigits;
    if (numericDigits == 0)
        return fail(error, u"invalid number"_s);

    const std::string_view token = buf.substr(start, i - start);
    if (isInt) {
        if (buf[i - 1] != 'i')
            return fail(error, u"invalid number"_s);
        const std::string_view digits = token.substr(0, token.size() - 1);
        // As in InfluxDB, only a number long enough to overflow is converted here.
        qint64 v = 0;
        if (digits.size() < 19)
            return true;
        auto r = std::from_chars(digits.data(), digits.data() + digits.size(), v);
        if (r.ec != std::errc() || r.ptr != digits.data() + digits.size())
            return fail(error,
                        u"unable to parse integer %1: strconv.ParseInt: parsing \"%1\": value "
                        "out of range"_s.arg(text(digits)));
    } else if (isUnsigned) {
        if (buf[i - 1] != 'u' || buf[start] == '-')
            return fail(error, u"invalid number"_s);
        const std::string_view digits = token.substr(0, token.size() - 1);
        unsignedSeen = true;
        quint64 v = 0;
        if (digits.size() < 20)
            return true;
        auto r = std::from_chars(digits.data(), digits.data() + digits.size(), v);
        if (r.ec != std::errc() || r.ptr != digits.data() + digits.size())
            return fail(error,
                        u"unable to parse unsigned %1: strconv.ParseUint: parsing \"%1\": value "
                        "out of range"_s.arg(text(digits)));
    } else if (scientific || token.size() >= 25) {
        double v = 0;
        if (!parseFloatText(token, v))
            return fail(error, u"invalid float"_s);
    }
    return true;
}

bool scanBoolean(std::string_view buf, size_t &i, QString *error)
{
    const size_t start = i;
    if (i < buf.size() && buf[i] != 't' && buf[i] != 'f' && buf[i] != 'T' && buf[i] != 'F')
        return fail(error, u"invalid boolean"_s);
    ++i;
    while (i < buf.size() && buf[i] != ',' && buf[i] != ' ')
        ++i;
    const std::string_view word = buf.substr(start, i - start);
    if (word.size() == 1)
        return true;
    bool valid = false;
    switch (word[0]) {
    case 't':
        valid = word == "true";
        break;
    case 'f':
        valid = word == "false";
        break;
    case 'T':
        valid = word == "TRUE" || word == "True";
        break;
    case 'F':
        valid = word == "FALSE" || word == "False";
        break;
    default:
        break;
    }
    return valid ? true : fail(error, u"invalid boolean"_s);
}

bool scanFields(std::string_view buf, Layout &layout, QString *error)
{
    const size_t start = skipWhitespace(buf, layout.keyEnd);
    size_t i = start;
    bool quoted = false;
    int equals = 0;
    int commas = 0;
    const size_t n = buf.size();

    while (i < n) {
        const char c = buf[i];
        if (c == '\\' && i + 1 < n) {
            i += 2;
            continue;
        }
        if (c == '"' && equals > commas) {
            quoted = !quoted;
            ++i;
            continue;
        }
        if (c == '=' && !quoted) {
            ++equals;
            if (i >= 2 && buf[i - 1] == ' ' && buf[i - 2] != '\\')
                return fail(error, u"missing field key"_s);
            if (i >= 2 && buf[i - 1] == ',' && buf[i - 2] != '\\')
                return fail(error, u"missing field key"_s);
            if (i + 1 >= n)
                return fail(error, u"missing field value"_s);
            const char v = buf[i + 1];
            if (v == ',' || v == ' ')
                return fail(error, u"missing field value"_s);
            if (isNumeric(v) || v == '-' || v == 'N' || v == 'n') {
                ++i;
                if (!scanNumber(buf, i, layout.hasUnsigned, error))
                    return false;
                continue;
            }
            if (v != '"') {
                ++i;
                if (!scanBoolean(buf, i, error))
                    return false;
                continue;
            }
        }
        if (c == ',' && !quoted)
            ++commas;
        if (c == ' ' && !quoted)
            break;
        ++i;
    }
    if (quoted)
        return fail(error, u"unbalanced quotes"_s);
    if (equals == 0 || commas != equals - 1)
        return fail(error, u"invalid field format"_s);
    layout.fieldsStart = start;
    layout.fieldsEnd = std::min(i, n);
    if (layout.fieldsEnd == layout.fieldsStart)
        return fail(error, u"missing fields"_s);
    return true;
}

/// scanFieldValue: a value ends at a comma outside quotes; \" and \\ are pairs.
size_t scanFieldValue(std::string_view buf, size_t i)
{
    bool quoted = false;
    while (i < buf.size()) {
        const char c = buf[i];
        if (c == '\\' && i + 1 < buf.size() && (buf[i + 1] == '"' || buf[i + 1] == '\\')) {
            i += 2;
            continue;
        }
        if (c == '"') {
            quoted = !quoted;
            ++i;
            continue;
        }
        if (c == ',' && !quoted)
            break;
        ++i;
    }
    return i;
}

FieldType typeOfValue(std::string_view value)
{
    const char c = value[0];
    if (c == '"')
        return FieldType::String;
    if (c != '\0' && std::strchr("0123456789-.nNiIu", c)) {
        if (value.back() == 'i')
            return FieldType::Integer;
        if (value.back() == 'u')
            return FieldType::Unsigned;
        return FieldType::Float;
    }
    return FieldType::Boolean;
}

/// walkFields as InfluxDB stores the point: keys end at the first '=' not preceded by a
/// backslash, which can disagree with scanFields for odd keys; InfluxDB panics where no '='
/// is left, we refuse the line.
bool walkFields(std::string_view fields, std::vector<detail::RawField> &out, QString *error)
{
    out.clear();
    size_t pos = 0;
    while (pos < fields.size()) {
        const size_t eq = scanTo(fields, pos, '=');
        if (eq >= fields.size())
            return fail(error, u"invalid field format"_s);
        const size_t valueEnd = scanFieldValue(fields, eq + 1);
        const std::string_view key = fields.substr(pos, eq - pos);
        const std::string_view value = fields.substr(eq + 1, valueEnd - eq - 1);
        if (value.empty())
            return fail(error, u"missing field value"_s);
        out.push_back({key, value, typeOfValue(value)});
        pos = valueEnd + 1;
    }
    return true;
}

bool scanTime(std::string_view buf, size_t from, Layout &layout, QString *error)
{
    const size_t start = skipWhitespace(buf, from);
    size_t i = start;
    for (; i < buf.size(); ++i) {
        const char c = buf[i];
        if (c == '\n' || c == ' ')
            break;
        if (i == start && c == '-')
            continue;
        if (c < '0' || c > '9')
            return fail(error, u"bad timestamp"_s);
    }
    if (i == start)
        return true;
    const std::string_view digits = buf.substr(start, i - start);
    qint64 ts = 0;
    auto r = std::from_chars(digits.data(), digits.data() + digits.size(), ts);
    if (r.ec != std::errc() || r.ptr != digits.data() + digits.size())
        return fail(error, u"strconv.ParseInt: parsing \"%1\": %2"_s.arg(
                               text(digits), r.ec == std::errc::result_out_of_range
                                                 ? u"value out of range"_s
                                                 : u"invalid syntax"_s));
    if (ts < kMinTime || ts > kMaxTime)
        return fail(error, u"time outside range %1 - %2"_s.arg(kMinTime).arg(kMaxTime));
    for (; i < buf.size(); ++i) {
        if (buf[i] != ' ')
            return fail(error, u"point is invalid"_s);
    }
    layout.hasTime = true;
    layout.time = ts;
    return true;
}

bool scanPoint(std::string_view line, Layout &layout, QString *error)
{
    layout = Layout();
    layout.buf = trimLine(line);
    const std::string_view buf = layout.buf;
    if (buf.empty())
        return fail(error, u"empty line"_s);
    if (buf[0] == '#')
        return fail(error, u"comment line"_s);
    if (!scanKey(buf, layout, error))
        return false;
    if (!scanFields(buf, layout, error))
        return false;
    const std::string_view fields =
        buf.substr(layout.fieldsStart, layout.fieldsEnd - layout.fieldsStart);
    // walkFields only matters for long keys and where its view can differ from scanFields':
    // a backslash, or a quote (scanFields counts one only after a key, walkFields every one, so
    // `x="a"b=1,5` passes the first and not the second). Skipping it otherwise keeps the common
    // line cheap.
    // (find_first_of with a set calls memchr once per byte of the fields: a plain loop.)
    const bool escapedOrQuoted = std::any_of(fields.begin(), fields.end(),
                                             [](char c) { return c == '\\' || c == '"'; });
    if (escapedOrQuoted ||
        layout.keyEnd + 4 + fields.size() > kMaxKeyLength) {
        thread_local std::vector<detail::RawField> raw;
        if (!walkFields(fields, raw, error))
            return false;
        for (const detail::RawField &f : raw) {
            const size_t size = layout.keyEnd + 4 + f.key.size();
            if (size > kMaxKeyLength)
                return fail(error,
                            u"max key length exceeded: %1 > %2"_s.arg(size).arg(kMaxKeyLength));
        }
    }
    return scanTime(buf, layout.fieldsEnd, layout, error);
}

// ---- unescaping -------------------------------------------------------------------------

/// Drops every backslash that stands right before one of `specials`; other bytes are kept.
void unescapeInto(std::string_view raw, std::string &out, std::string_view specials)
{
    out.clear();
    if (raw.find('\\') == std::string_view::npos) {
        out.assign(raw.data(), raw.size());
        return;
    }
    out.reserve(raw.size());
    for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\\' && i + 1 < raw.size() &&
            specials.find(raw[i + 1]) != std::string_view::npos)
            continue;
        out.push_back(raw[i]);
    }
}

// escape.Unescape / AppendUnescaped (measurement names, field keys) and unescapeTag.
constexpr std::string_view kNameSpecials = ",\" =";
constexpr std::string_view kTagSpecials = ", =";

void unescapeString(std::string_view raw, std::string &out)
{
    out.clear();
    out.reserve(raw.size());
    for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\\' && i + 1 < raw.size() && (raw[i + 1] == '\\' || raw[i + 1] == '"')) {
            out.push_back(raw[i + 1]);
            ++i;
            continue;
        }
        out.push_back(raw[i]);
    }
}

bool decodeField(const detail::RawField &raw, Field &field, QString *error)
{
    unescapeInto(raw.key, field.key, kNameSpecials);
    field.type = raw.type;
    const std::string_view v = raw.value;
    switch (raw.type) {
    case FieldType::String:
        if (v.size() < 2 || v.back() != '"')
            return fail(error, u"invalid string field value"_s);
        unescapeString(v.substr(1, v.size() - 2), field.s);
        return true;
    case FieldType::Integer: {
        const std::string_view d = v.substr(0, v.size() - 1);
        auto r = std::from_chars(d.data(), d.data() + d.size(), field.i);
        if (r.ec != std::errc() || r.ptr != d.data() + d.size())
            return fail(error, u"unable to parse integer value \"%1\""_s.arg(text(d)));
        return true;
    }
    case FieldType::Unsigned: {
        const std::string_view d = v.substr(0, v.size() - 1);
        auto r = std::from_chars(d.data(), d.data() + d.size(), field.u);
        if (r.ec != std::errc() || r.ptr != d.data() + d.size())
            return fail(error, u"unable to parse unsigned value \"%1\""_s.arg(text(d)));
        return true;
    }
    case FieldType::Float:
        if (!parseFloatText(v, field.f))
            return fail(error, u"unable to parse floating point value \"%1\""_s.arg(text(v)));
        return true;
    case FieldType::Boolean:
        // parseBoolBytes also takes 1 and 0, which scanBoolean never lets through.
        if (v == "t" || v == "T" || v == "true" || v == "True" || v == "TRUE" || v == "1") {
            field.b = true;
            return true;
        }
        if (v == "f" || v == "F" || v == "false" || v == "False" || v == "FALSE" || v == "0") {
            field.b = false;
            return true;
        }
        return fail(error, u"unable to parse bool value \"%1\""_s.arg(text(v)));
    }
    return false;
}

} // namespace

size_t lineEnd(const char *data, size_t size, size_t from)
{
    if (from >= size)
        return size;
    const char *p = data + from;
    const void *nl = std::memchr(p, '\n', size - from);
    const size_t newline = nl ? size_t(static_cast<const char *>(nl) - data) : size;
    const size_t length = newline - from;
    if (!std::memchr(p, '"', length) && !std::memchr(p, '\\', length))
        return newline;
    size_t s = from;
    while (s < newline && isWhitespace(data[s]))
        ++s;
    if (s < newline && data[s] == '#')
        return newline;

    // scanLine
    size_t i = from;
    bool quoted = false;
    bool fields = false;
    int equals = 0;
    int commas = 0;
    while (i < size) {
        const char c = data[i];
        if (c == '\\') {
            i += 2;
            continue;
        }
        if (c == ' ')
            fields = true;
        if (fields) {
            if (!quoted && c == '=') {
                ++i;
                ++equals;
                continue;
            }
            if (!quoted && c == ',') {
                ++i;
                ++commas;
                continue;
            }
            if (c == '"' && equals > commas) {
                ++i;
                quoted = !quoted;
                continue;
            }
        }
        if (c == '\n' && !quoted)
            break;
        ++i;
    }
    return std::min(i, size);
}

bool isBlankLine(std::string_view line)
{
    for (char c : line) {
        if (!isWhitespace(c) && c != '\r')
            return false;
    }
    return true;
}

bool isCommentLine(std::string_view line)
{
    const size_t start = skipWhitespace(line, 0);
    return start < line.size() && line[start] == '#';
}

bool parseLine(std::string_view line, Point &out, QString *error)
{
    Layout layout;
    if (!scanPoint(line, layout, error))
        return false;
    const std::string_view buf = layout.buf;
    const std::string_view key = buf.substr(0, layout.keyEnd);

    unescapeInto(key.substr(0, layout.measurementEnd), out.measurement, kNameSpecials);

    // walkTags
    out.tags.resize(layout.tagCount);
    size_t tag = 0;
    size_t i = layout.measurementEnd + 1;
    while (i < key.size() && tag < layout.tagCount) {
        const size_t eq = scanTo(key, i, '=');
        size_t end = eq + 1;
        while (end < key.size() && !(key[end] == ',' && key[end - 1] != '\\'))
            ++end;
        unescapeInto(key.substr(i, eq - i), out.tags[tag].first, kTagSpecials);
        unescapeInto(key.substr(eq + 1, end - eq - 1), out.tags[tag].second, kTagSpecials);
        ++tag;
        i = end + 1;
    }
    out.tags.resize(tag);

    thread_local std::vector<detail::RawField> raw;
    if (!walkFields(buf.substr(layout.fieldsStart, layout.fieldsEnd - layout.fieldsStart), raw,
                    error))
        return false;
    out.fields.resize(raw.size());
    for (size_t f = 0; f < raw.size(); ++f) {
        if (!decodeField(raw[f], out.fields[f], error))
            return false;
    }
    out.hasTime = layout.hasTime;
    out.time = layout.time;
    return true;
}

bool peekLine(std::string_view line, std::string &measurement, bool &hasTime, qint64 &time,
              QString *error, PeekInfo *info)
{
    Layout layout;
    if (!scanPoint(line, layout, error))
        return false;
    unescapeInto(layout.buf.substr(0, layout.measurementEnd), measurement, kNameSpecials);
    hasTime = layout.hasTime;
    time = layout.time;
    if (info)
        info->hasUnsigned = layout.hasUnsigned;
    return true;
}

bool encodePoint(const Point &p, const LpDialect &dialect, QByteArray &out, QString *why)
{
    const qsizetype start = out.size();
    auto abandon = [&](const QString &reason) {
        out.truncate(start);
        if (why && !reason.isEmpty())
            *why = reason;
        return false;
    };
    QString reason;
    if (!appendMeasurement(out, p.measurement, &reason))
        return abandon(reason);
    for (const auto &[key, value] : p.tags) {
        if (value.empty())
            continue;
        out.append(',');
        if (!appendTagKey(out, key, &reason))
            return abandon(reason);
        out.append('=');
        if (!appendTagValue(out, value, &reason))
            return abandon(reason);
    }
    const qsizetype keyLength = out.size() - start;
    if (size_t(keyLength) > kMaxKeyLength)
        return abandon(u"max key length exceeded: %1 > %2"_s.arg(keyLength).arg(kMaxKeyLength));
    if (p.fields.empty())
        return abandon(u"missing fields"_s);
    out.append(' ');
    bool first = true;
    for (const Field &f : p.fields) {
        if (!first)
            out.append(',');
        first = false;
        if (!appendFieldKey(out, f.key, &reason))
            return abandon(reason);
        out.append('=');
        switch (f.type) {
        case FieldType::Float:
            if (!std::isfinite(f.f))
                return abandon(u"field \"%1\" is %2, which line protocol cannot express"_s.arg(
                    QString::fromStdString(f.key), QString::number(f.f)));
            appendFloat(out, f.f);
            break;
        case FieldType::Integer:
            appendInteger(out, f.i);
            break;
        case FieldType::Unsigned:
            if (dialect.unsignedSupported)
                appendUnsigned(out, f.u);
            else if (f.u <= quint64(std::numeric_limits<qint64>::max()))
                appendInteger(out, qint64(f.u));
            else
                appendFloat(out, double(f.u));
            break;
        case FieldType::String:
            appendString(out, f.s);
            break;
        case FieldType::Boolean:
            appendBoolean(out, f.b);
            break;
        }
    }
    if (p.hasTime) {
        if (p.time < kMinTime || p.time > kMaxTime)
            return abandon(u"time %1 is outside the range line protocol can express"_s.arg(p.time));
        out.append(' ');
        appendTimestamp(out, p.time);
    }
    return true;
}

bool appendWithoutUnsigned(std::string_view line, QByteArray &out, QString *error)
{
    thread_local detail::RawLine raw;
    if (!detail::scanRaw(line, raw, error))
        return false;
    const char *copied = line.data();
    for (const detail::RawField &f : raw.fields) {
        if (f.type != FieldType::Unsigned)
            continue;
        const std::string_view digits = f.value.substr(0, f.value.size() - 1);
        quint64 u = 0;
        auto r = std::from_chars(digits.data(), digits.data() + digits.size(), u);
        if (r.ec != std::errc() || r.ptr != digits.data() + digits.size())
            return fail(error, u"unable to parse unsigned value \"%1\""_s.arg(text(digits)));
        out.append(copied, qsizetype(f.value.data() - copied));
        if (u <= quint64(std::numeric_limits<qint64>::max()))
            appendInteger(out, qint64(u));
        else
            appendFloat(out, double(u));
        copied = f.value.data() + f.value.size();
    }
    out.append(copied, qsizetype(line.data() + line.size() - copied));
    return true;
}

namespace detail {

bool scanRaw(std::string_view line, RawLine &out, QString *error)
{
    out.tagKeys.clear();
    out.fields.clear();
    Layout layout;
    if (!scanPoint(line, layout, error))
        return false;
    const std::string_view key = layout.buf.substr(0, layout.keyEnd);
    out.measurement = key.substr(0, layout.measurementEnd);
    size_t i = layout.measurementEnd + 1;
    while (i < key.size()) {
        const size_t eq = scanTo(key, i, '=');
        size_t end = eq + 1;
        while (end < key.size() && !(key[end] == ',' && key[end - 1] != '\\'))
            ++end;
        out.tagKeys.push_back(key.substr(i, eq - i));
        i = end + 1;
    }
    if (!walkFields(layout.buf.substr(layout.fieldsStart, layout.fieldsEnd - layout.fieldsStart),
                    out.fields, error))
        return false;
    out.hasTime = layout.hasTime;
    out.time = layout.time;
    return true;
}

std::string unescapeMeasurement(std::string_view raw)
{
    std::string out;
    unescapeInto(raw, out, kNameSpecials);
    return out;
}

std::string unescapeTag(std::string_view raw)
{
    std::string out;
    unescapeInto(raw, out, kTagSpecials);
    return out;
}

std::string unescapeFieldKey(std::string_view raw)
{
    std::string out;
    unescapeInto(raw, out, kNameSpecials);
    return out;
}

} // namespace detail

} // namespace tsm::lp
