// Line protocol as a file holds it: split into lines as the readers do, each line parsed three
// ways (full, peek, raw) that must agree, and every point the encoder can write parsed back to the
// same point.
#include "FuzzCheck.h"
#include "lp/LineParser.h"

#include <cstdio>
#include <cstring>

using namespace tsm;

namespace {

bool sameFloat(double a, double b)
{
    return std::memcmp(&a, &b, sizeof a) == 0; // -0.0 is not 0.0, and a NaN is itself
}

bool sameField(const lp::Field &a, const lp::Field &b)
{
    if (a.key != b.key || a.type != b.type)
        return false;
    switch (a.type) {
    case FieldType::Float:
        return sameFloat(a.f, b.f);
    case FieldType::Integer:
        return a.i == b.i;
    case FieldType::Unsigned:
        return a.u == b.u;
    case FieldType::String:
        return a.s == b.s;
    case FieldType::Boolean:
        return a.b == b.b;
    }
    return false;
}

bool samePoint(const lp::Point &a, const lp::Point &b)
{
    if (a.measurement != b.measurement || a.tags != b.tags || a.hasTime != b.hasTime ||
        a.time != b.time || a.fields.size() != b.fields.size())
        return false;
    for (size_t i = 0; i < a.fields.size(); ++i)
        if (!sameField(a.fields[i], b.fields[i]))
            return false;
    return true;
}

bool hasUnsignedField(const lp::Point &p)
{
    for (const lp::Field &f : p.fields)
        if (f.type == FieldType::Unsigned)
            return true;
    return false;
}

/// The point an encoded line (no final '\n') parses back to.
lp::Point reparse(const QByteArray &encoded)
{
    lp::Point back;
    QString error;
    // A string value may hold a newline: the line still ends where the reader sees it end.
    FUZZ_CHECK(lp::lineEnd(encoded.constData(), size_t(encoded.size()), 0) ==
                   size_t(encoded.size()),
               "an encoded point reads as two lines");
    FUZZ_CHECK(lp::parseLine(std::string_view(encoded.constData(), size_t(encoded.size())), back,
                             &error),
               "an encoded point does not parse");
    return back;
}

void checkLine(std::string_view line)
{
    if (lp::isBlankLine(line) || lp::isCommentLine(line))
        return;
    lp::Point point;
    QString parseError;
    const bool parsed = lp::parseLine(line, point, &parseError);

    std::string measurement;
    bool hasTime = false;
    qint64 time = 0;
    QString peekError;
    lp::PeekInfo info;
    const bool peeked = lp::peekLine(line, measurement, hasTime, time, &peekError, &info);
    lp::detail::RawLine raw;
    QString scanError;
    const bool scanned = lp::detail::scanRaw(line, raw, &scanError);
    if (peeked != scanned || (parsed && !peeked))
        std::fprintf(stderr, "%.*s\nparse: %s\npeek: %s\nscan: %s\n", int(line.size()),
                     line.data(), qPrintable(parseError), qPrintable(peekError),
                     qPrintable(scanError));
    FUZZ_CHECK(peeked == scanned, "peekLine and scanRaw disagree on validity");
    // parseLine decodes the values too, so it may refuse what the scanners let through; never
    // the other way round.
    FUZZ_CHECK(!parsed || peeked, "parseLine took a line peekLine refuses");
    if (!parsed)
        return;
    FUZZ_CHECK(measurement == point.measurement, "peekLine and parseLine read other measurements");
    FUZZ_CHECK(hasTime == point.hasTime && time == point.time, "peekLine read another time");
    // The flag says a line must be re-encoded for a target without unsigned values: a line
    // the two scanners read differently (odd quotes) may be re-encoded for nothing, but one
    // with an unsigned value must never be sent as it is.
    FUZZ_CHECK(info.hasUnsigned || !hasUnsignedField(point), "peekLine missed an unsigned field");

    QByteArray encoded;
    if (lp::encodePoint(point, LpDialect{}, encoded, nullptr))
        FUZZ_CHECK(samePoint(reparse(encoded), point), "a point re-encoded parses differently");

    QByteArray signedOnly;
    if (lp::encodePoint(point, LpDialect{false}, signedOnly, nullptr))
        FUZZ_CHECK(!hasUnsignedField(reparse(signedOnly)), "an unsigned field stayed unsigned");

    QByteArray rewritten;
    FUZZ_CHECK(lp::appendWithoutUnsigned(line, rewritten, nullptr),
               "appendWithoutUnsigned refused a valid line");
    const lp::Point back = reparse(rewritten);
    FUZZ_CHECK(!hasUnsignedField(back), "appendWithoutUnsigned left an unsigned field");
    FUZZ_CHECK(back.measurement == point.measurement && back.tags == point.tags &&
                   back.time == point.time && back.fields.size() == point.fields.size(),
               "appendWithoutUnsigned changed more than the unsigned values");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = reinterpret_cast<const char *>(data);
    size_t from = 0;
    while (from < size) {
        const size_t end = lp::lineEnd(text, size, from);
        FUZZ_CHECK(end >= from && end <= size, "lineEnd out of the buffer");
        checkLine(std::string_view(text + from, end - from));
        from = end + 1;
    }
    return 0;
}
