// The JSON half of InfluxResponseDecoder: complete top-level objects are cut out of the stream,
// parsed into a flat list of tokens (one validating pass over the bytes, no DOM, no UTF-16), and
// the tokens walked into rows. The parser accepts and reads what Qt's QJsonDocument did before
// it (checked case by case against Qt 6.4; tests/test_influxdecoder.cpp holds them): the same
// numbers as integers or doubles, \u escapes with unpaired surrogates as '?', invalid UTF-8
// refused, and a key given twice meaning its last value.
#include "influx/InfluxResponseDecoder.h"

#include "core/Error.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

struct JsonToken
{
    enum Type : quint8
    {
        Object,
        Array,
        String,
        Number,
        NegativeZero, ///< "-0", "-0.0", "-0e5": a float −0 (see JsonTape::number())
        True,
        False,
        Null
    };
    Type type = Null;
    bool escaped = false; ///< String: holds a backslash
    bool integer = false; ///< Number: an integer that fits in int64 (`i`), else a double (`f`)
    quint32 begin = 0;    ///< String: first byte after the quote; Number: first byte
    quint32 size = 0;     ///< String, Number: bytes of text
    quint32 end = 0;      ///< index of the token after this one and its members
    union {
        qint64 i;
        double f;
    };
    JsonToken() : i(0) {}
};

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/// The four hex digits at `p` as a UTF-16 unit, or -1.
int hex4(const char *p)
{
    int unit = 0;
    for (int k = 0; k < 4; ++k) {
        const int h = hexValue(p[k]);
        if (h < 0)
            return -1;
        unit = unit * 16 + h;
    }
    return unit;
}

/// Length of the valid UTF-8 sequence at `p` (RFC 3629: no overlong forms, no surrogates,
/// nothing past U+10FFFF), or 0.
size_t utf8Sequence(const unsigned char *p, const unsigned char *end)
{
    const unsigned char c = p[0];
    auto continuation = [&](size_t k) { return p + k < end && (p[k] & 0xC0) == 0x80; };
    if (c >= 0xC2 && c <= 0xDF)
        return continuation(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (!continuation(1) || !continuation(2))
            return 0;
        if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0))
            return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (!continuation(1) || !continuation(2) || !continuation(3))
            return 0;
        if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90))
            return 0;
        return 4;
    }
    return 0;
}

void appendUtf8(std::string &out, char32_t code)
{
    if (code < 0x80) {
        out.push_back(char(code));
    } else if (code < 0x800) {
        out.push_back(char(0xC0 | (code >> 6)));
        out.push_back(char(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
        out.push_back(char(0xE0 | (code >> 12)));
        out.push_back(char(0x80 | ((code >> 6) & 0x3F)));
        out.push_back(char(0x80 | (code & 0x3F)));
    } else {
        out.push_back(char(0xF0 | (code >> 18)));
        out.push_back(char(0x80 | ((code >> 12) & 0x3F)));
        out.push_back(char(0x80 | ((code >> 6) & 0x3F)));
        out.push_back(char(0x80 | (code & 0x3F)));
    }
}

/// The text of a string holding escapes, as UTF-8. An unknown escape stands for the byte after
/// the backslash read as Latin-1, and a surrogate not in a \u pair becomes '?', as Qt read them.
void unescapeJson(std::string_view raw, std::string &out)
{
    out.clear();
    out.reserve(raw.size());
    for (size_t i = 0; i < raw.size(); ++i) {
        const char c = raw[i];
        if (c != '\\') {
            out.push_back(c);
            continue;
        }
        const char e = raw[++i]; // the tokenizer saw a byte after every backslash
        switch (e) {
        case 'b':
            out.push_back('\b');
            break;
        case 'f':
            out.push_back('\f');
            break;
        case 'n':
            out.push_back('\n');
            break;
        case 'r':
            out.push_back('\r');
            break;
        case 't':
            out.push_back('\t');
            break;
        case 'u': {
            const int unit = hex4(raw.data() + i + 1); // checked by the tokenizer
            i += 4;
            if (unit >= 0xD800 && unit <= 0xDBFF && i + 6 < raw.size() && raw[i + 1] == '\\' &&
                raw[i + 2] == 'u') {
                const int low = hex4(raw.data() + i + 3);
                if (low >= 0xDC00 && low <= 0xDFFF) {
                    appendUtf8(out, 0x10000 + ((char32_t(unit) - 0xD800) << 10) +
                                        (char32_t(low) - 0xDC00));
                    i += 6;
                    break;
                }
            }
            if (unit >= 0xD800 && unit <= 0xDFFF)
                out.push_back('?');
            else
                appendUtf8(out, char32_t(unit));
            break;
        }
        default: // Qt took the byte as a Latin-1 character, whatever follows it
            appendUtf8(out, char32_t(static_cast<unsigned char>(e)));
            break;
        }
    }
}

/** One JSON document as a flat list of tokens, containers before their members. */
class JsonTape
{
public:
    /// Tokenizes `data`, which must hold one object; throws Error(Protocol) with the reason.
    void parse(const char *data, size_t size)
    {
        if (size >= std::numeric_limits<quint32>::max())
            throw Error(ErrorKind::Protocol, u"A JSON chunk of the answer is over 4 GiB"_s);
        m_data = data;
        m_p = data;
        m_end = data + size;
        m_tokens.clear();
        skipSpace();
        if (m_p >= m_end || *m_p != '{')
            fail(u"the document is not an object"_s);
        value(0);
        skipSpace();
        if (m_p != m_end)
            fail(u"garbage at the end of the document"_s);
    }

    const JsonToken &operator[](size_t t) const { return m_tokens[t]; }
    /// The raw bytes of a string or number token.
    std::string_view raw(const JsonToken &t) const { return {m_data + t.begin, t.size}; }
    /// A string token's text; an escaped one is decoded into `scratch`.
    std::string_view text(const JsonToken &t, std::string &scratch) const
    {
        if (!t.escaped)
            return raw(t);
        unescapeJson(raw(t), scratch);
        return scratch;
    }
    /// Calls `f(key, value)` with the token indexes of each member of object `t`.
    template<typename F> void members(size_t t, F f) const
    {
        for (size_t k = t + 1; k < m_tokens[t].end; k = m_tokens[k + 1].end)
            f(k, k + 1);
    }
    /// Calls `f(element)` with the token index of each element of array `t`.
    template<typename F> void elements(size_t t, F f) const
    {
        for (size_t e = t + 1; e < m_tokens[t].end; e = m_tokens[e].end)
            f(e);
    }

private:
    static constexpr int kMaxDepth = 1024;

    [[noreturn]] void fail(const QString &what) const
    {
        throw Error(ErrorKind::Protocol, u"The server sent malformed JSON: %1 at offset %2"_s
                                             .arg(what)
                                             .arg(qint64(m_p - m_data)));
    }
    void skipSpace()
    {
        while (m_p < m_end && isSpace(*m_p))
            ++m_p;
    }
    size_t push(JsonToken::Type type)
    {
        m_tokens.emplace_back();
        JsonToken &t = m_tokens.back();
        t.type = type;
        t.begin = quint32(m_p - m_data);
        t.end = quint32(m_tokens.size());
        return m_tokens.size() - 1;
    }

    void value(int depth)
    {
        if (m_p >= m_end)
            fail(u"unterminated value"_s);
        switch (*m_p) {
        case '{':
            container(depth, '}', JsonToken::Object);
            return;
        case '[':
            container(depth, ']', JsonToken::Array);
            return;
        case '"':
            string();
            return;
        case 't':
            literal("true", JsonToken::True);
            return;
        case 'f':
            literal("false", JsonToken::False);
            return;
        case 'n':
            literal("null", JsonToken::Null);
            return;
        default:
            number();
            return;
        }
    }

    void container(int depth, char close, JsonToken::Type type)
    {
        if (depth >= kMaxDepth)
            fail(u"too deeply nested document"_s);
        const size_t t = push(type);
        ++m_p;
        skipSpace();
        if (m_p < m_end && *m_p == close) {
            ++m_p;
            return;
        }
        for (;;) {
            if (type == JsonToken::Object) {
                if (m_p >= m_end || *m_p != '"')
                    fail(u"missing name of an object member"_s);
                string();
                skipSpace();
                if (m_p >= m_end || *m_p != ':')
                    fail(u"missing name separator"_s);
                ++m_p;
                skipSpace();
            }
            value(depth + 1);
            skipSpace();
            if (m_p < m_end && *m_p == ',') {
                ++m_p;
                skipSpace();
                continue;
            }
            if (m_p < m_end && *m_p == close) {
                ++m_p;
                break;
            }
            fail(u"missing value separator"_s);
        }
        m_tokens[t].end = quint32(m_tokens.size());
    }

    void string()
    {
        ++m_p;
        const size_t t = push(JsonToken::String);
        bool escaped = false;
        const auto *p = reinterpret_cast<const unsigned char *>(m_p);
        const auto *end = reinterpret_cast<const unsigned char *>(m_end);
        for (;;) {
            if (p >= end)
                fail(u"unterminated string"_s);
            const unsigned char c = *p;
            if (c == '"')
                break;
            if (c == '\\') {
                escaped = true;
                if (p + 1 >= end)
                    fail(u"unterminated string"_s);
                if (p[1] == 'u') {
                    if (end - p < 6 || hex4(reinterpret_cast<const char *>(p) + 2) < 0) {
                        m_p = reinterpret_cast<const char *>(p);
                        fail(u"invalid escape sequence"_s);
                    }
                    p += 6;
                } else {
                    p += 2;
                }
                continue;
            }
            if (c < 0x80) {
                ++p;
                continue;
            }
            const size_t n = utf8Sequence(p, end);
            if (n == 0) {
                m_p = reinterpret_cast<const char *>(p);
                fail(u"invalid UTF8 string"_s);
            }
            p += n;
        }
        JsonToken &token = m_tokens[t];
        token.escaped = escaped;
        token.size = quint32(reinterpret_cast<const char *>(p) - m_p);
        m_p = reinterpret_cast<const char *>(p) + 1;
    }

    void literal(std::string_view word, JsonToken::Type type)
    {
        if (size_t(m_end - m_p) < word.size() || std::string_view(m_p, word.size()) != word)
            fail(u"illegal value"_s);
        push(type);
        m_p += word.size();
    }

    /// Reads a number as Qt's parser does (an integer that fits in int64 exactly, anything else
    /// as the nearest double, a double past its range refused). Before that, a '-' followed by
    /// a run of digits, '.', 'e', '+' and '-' whose digits before the exponent are all zeros
    /// (and at least one) is a −0, which Qt would have stored as the integer 0. (The Qt-based
    /// reader also took the "-0" of an exponent such as "1e-0" for one and refused the number;
    /// Go never writes such exponents, and they are read as the numbers they are.)
    void number()
    {
        const char *start = m_p;
        if (*m_p == '-') {
            const char *q = m_p + 1;
            bool zero = true;
            bool mantissa = false; // a run without a digit before its exponent is no number
            bool exponent = false;
            for (; q < m_end; ++q) {
                const char d = *q;
                if (isDigit(d)) {
                    zero = zero && (exponent || d == '0');
                    mantissa = mantissa || !exponent;
                } else if (d == 'e' || d == 'E') {
                    exponent = true;
                } else if (d != '.' && d != '+' && d != '-') {
                    break;
                }
            }
            if (zero && mantissa) {
                const size_t t = push(JsonToken::NegativeZero);
                m_tokens[t].size = quint32(q - m_p);
                m_p = q;
                return;
            }
            ++m_p;
        }
        bool integer = true;
        if (m_p < m_end && *m_p == '0') {
            ++m_p;
        } else {
            while (m_p < m_end && isDigit(*m_p))
                ++m_p;
        }
        if (m_p < m_end && *m_p == '.') {
            integer = false;
            ++m_p;
            while (m_p < m_end && isDigit(*m_p))
                ++m_p;
        }
        if (m_p < m_end && (*m_p == 'e' || *m_p == 'E')) {
            integer = false;
            ++m_p;
            if (m_p < m_end && (*m_p == '+' || *m_p == '-'))
                ++m_p;
            while (m_p < m_end && isDigit(*m_p))
                ++m_p;
        }
        JsonToken token;
        token.type = JsonToken::Number;
        token.begin = quint32(start - m_data);
        token.size = quint32(m_p - start);
        token.end = quint32(m_tokens.size() + 1);
        if (integer) {
            const auto r = std::from_chars(start, m_p, token.i);
            token.integer = r.ec == std::errc() && r.ptr == m_p && m_p > start;
        }
        if (!token.integer) {
            // from_chars reads "1." and ".5" as Qt did; it refuses an overflow and an
            // underflow to zero (result_out_of_range), which Qt refused as well.
            const auto r = std::from_chars(start, m_p, token.f);
            if (r.ec != std::errc() || r.ptr != m_p || m_p == start)
                fail(u"illegal number"_s);
        }
        m_tokens.push_back(token);
    }

    const char *m_data = nullptr;
    const char *m_p = nullptr;
    const char *m_end = nullptr;
    std::vector<JsonToken> m_tokens;
};

/// The last member of object `t` named `key` (a key given twice means its last value), or 0.
size_t member(const JsonTape &tape, size_t t, std::string_view key, std::string &scratch)
{
    size_t found = 0;
    tape.members(t, [&](size_t k, size_t v) {
        if (tape.text(tape[k], scratch) == key)
            found = v;
    });
    return found;
}

bool isA(const JsonTape &tape, size_t t, JsonToken::Type type)
{
    return t != 0 && tape[t].type == type;
}

} // namespace

/** The tokenizer and the buffers a JSON answer's rows are read with, reused chunk by chunk. */
struct InfluxResponseDecoder::Json
{
    JsonTape tape;
    std::string scratch;
    std::vector<std::string> strings; ///< per column: a decoded string value of the row
    std::vector<Value> values;
};

void InfluxResponseDecoder::JsonDeleter::operator()(Json *json) const
{
    delete json;
}

void InfluxResponseDecoder::feedJson(const char *data, size_t size)
{
    if (!m_json)
        m_json.reset(new Json);
    size_t start = 0; // where the current object starts in `data` (0 when it began earlier)
    for (size_t i = 0; i < size; ++i) {
        const char c = data[i];
        if (m_jsonDepth == 0) {
            if (isSpace(c))
                continue;
            if (c != '{')
                throw Error(ErrorKind::Protocol,
                            u"The server sent malformed JSON: byte 0x%1 between documents"_s.arg(
                                static_cast<unsigned char>(c), 2, 16, QLatin1Char('0')));
            start = i;
            m_jsonDepth = 1;
            continue;
        }
        if (m_jsonInString) {
            // Most of an answer is inside strings or numbers: skip to the next byte that
            // matters.
            if (m_jsonEscape) {
                m_jsonEscape = false;
                continue;
            }
            while (i < size && data[i] != '\\' && data[i] != '"')
                ++i;
            if (i == size)
                break;
            if (data[i] == '\\')
                m_jsonEscape = true;
            else
                m_jsonInString = false;
            continue;
        }
        if (c == '"') {
            m_jsonInString = true;
        } else if (c == '{' || c == '[') {
            ++m_jsonDepth;
        } else if ((c == '}' || c == ']') && --m_jsonDepth == 0) {
            if (m_jsonPending.isEmpty()) {
                handleJsonObject(data + start, i + 1 - start);
            } else {
                m_jsonPending.append(data + start, qsizetype(i + 1 - start));
                handleJsonObject(m_jsonPending.constData(), size_t(m_jsonPending.size()));
                m_jsonPending.clear();
            }
        }
    }
    if (m_jsonDepth > 0)
        m_jsonPending.append(data + start, qsizetype(size - start));
}

void InfluxResponseDecoder::handleJsonObject(const char *data, size_t size)
{
    Json &json = *m_json;
    JsonTape &tape = json.tape;
    std::string &scratch = json.scratch;
    tape.parse(data, size);
    auto text = [&](size_t t) {
        return isA(tape, t, JsonToken::String) ? tape.text(tape[t], scratch) : std::string_view();
    };

    if (const size_t error = member(tape, 0, "error", scratch))
        throw Error(ErrorKind::Query, QString::fromStdString(std::string(text(error))));
    const size_t results = member(tape, 0, "results", scratch);
    if (!isA(tape, results, JsonToken::Array))
        return;
    tape.elements(results, [&](size_t result) {
        bool partial = false;
        size_t series = 0;
        if (tape[result].type == JsonToken::Object) {
            partial = isA(tape, member(tape, result, "partial", scratch), JsonToken::True);
            const QString error =
                QString::fromStdString(std::string(text(member(tape, result, "error", scratch))));
            if (!error.isEmpty())
                resultDone(partial, error);
            series = member(tape, result, "series", scratch);
        }
        if (isA(tape, series, JsonToken::Array))
            tape.elements(series, [&](size_t s) { jsonSeries(s); });
        resultDone(partial, QString());
    });
}

void InfluxResponseDecoder::jsonSeries(size_t s)
{
    Json &json = *m_json;
    const JsonTape &tape = json.tape;
    std::string &scratch = json.scratch;
    auto text = [&](size_t t) {
        return isA(tape, t, JsonToken::String) ? tape.text(tape[t], scratch) : std::string_view();
    };

    std::string name;
    std::vector<std::pair<std::string, std::string>> tags;
    std::vector<std::string> columns;
    size_t rows = 0;
    if (tape[s].type == JsonToken::Object) {
        name = text(member(tape, s, "name", scratch));
        const size_t tagObject = member(tape, s, "tags", scratch);
        if (isA(tape, tagObject, JsonToken::Object)) {
            tape.members(tagObject, [&](size_t k, size_t v) {
                std::string key(tape.text(tape[k], scratch));
                std::string value(text(v));
                auto same = std::find_if(tags.begin(), tags.end(),
                                         [&](const auto &tag) { return tag.first == key; });
                if (same != tags.end())
                    same->second = std::move(value);
                else
                    tags.emplace_back(std::move(key), std::move(value));
            });
        }
        const size_t columnArray = member(tape, s, "columns", scratch);
        if (isA(tape, columnArray, JsonToken::Array))
            tape.elements(columnArray, [&](size_t c) { columns.emplace_back(text(c)); });
        rows = member(tape, s, "values", scratch);
    }
    beginSeries(name, std::move(tags), columns);
    if (!isA(tape, rows, JsonToken::Array))
        return;

    const size_t width = m_columns.size();
    json.values.assign(width, Value());
    json.strings.resize(width);
    tape.elements(rows, [&](size_t row) {
        size_t c = 0;
        auto cell = [&](size_t t) {
            if (c >= width)
                return;
            Value &out = json.values[c];
            const JsonToken &token = tape[t];
            switch (token.type) {
            case JsonToken::True:
            case JsonToken::False:
                out.kind = Value::Boolean;
                out.b = token.type == JsonToken::True;
                break;
            case JsonToken::String: {
                const std::string_view sv = tape.text(token, json.strings[c]);
                out.kind = Value::String;
                out.s = sv.data();
                out.n = sv.size();
                break;
            }
            case JsonToken::Number:
                jsonNumber(token.integer, token.i, token.f, c, out);
                break;
            case JsonToken::NegativeZero:
            case JsonToken::Object:
                // A float whatever the column, as no integer has a sign at zero. An object,
                // which no InfluxDB row holds, was read as −0 too (the mark the Qt-based reader
                // put in its place), and still is.
                out.kind = c == 0 ? Value::Null : Value::Float;
                out.f = -0.0;
                break;
            default: // null, and an array, which no InfluxDB row holds
                out.kind = Value::Null;
                break;
            }
            ++c;
        };
        if (tape[row].type == JsonToken::Array)
            tape.elements(row, cell);
        for (; c < width; ++c)
            json.values[c].kind = Value::Null;
        this->row(json.values.data(), width);
    });
}

void InfluxResponseDecoder::jsonNumber(bool isInteger, qint64 i, double f, size_t column,
                                       Value &out) const
{
    // An integer in int64 is exact; a double counts as integral when it is a whole number in
    // int64's range (Qt's toInteger()).
    constexpr double kTwo63 = 9223372036854775808.0;
    const bool integral = isInteger || (std::trunc(f) == f && f >= -kTwo63 && f < kTwo63);
    const qint64 asInteger = isInteger ? i : integral ? qint64(f) : 0;
    if (column == 0) {
        out.kind = Value::Integer;
        out.i = asInteger;
    } else if (m_columnTypes[column] == FieldType::Float || !integral) {
        out.kind = Value::Float;
        out.f = isInteger ? double(i) : f;
    } else if (m_columnTypes[column] == FieldType::Unsigned && asInteger >= 0) {
        out.kind = Value::Unsigned;
        out.u = quint64(asInteger);
    } else {
        out.kind = Value::Integer;
        out.i = asInteger;
    }
}

} // namespace tsm
