// An InfluxQL answer as influxd streams it (msgpack or JSON, told apart by the first byte), fed
// whole and fed in small pieces: both must give the same lines, rejects and error; every line
// handed on is line protocol that parses, one point per line counted.
#include "FuzzCheck.h"
#include "core/Error.h"
#include "influx/InfluxResponseDecoder.h"
#include "lp/LineParser.h"
#include "support/CollectingOutput.h"

using namespace Qt::StringLiterals;
using namespace tsm;

namespace {

struct Outcome
{
    test::CollectingOutput out;
    QString error;
};

/// What SHOW FIELD KEYS would say for the column names the seed answers use.
QHash<QString, QList<FieldType>> fieldTypes()
{
    return {{u"i"_s, {FieldType::Integer}},
            {u"hum"_s, {FieldType::Integer}},
            {u"u"_s, {FieldType::Unsigned}},
            {u"s"_s, {FieldType::String}},
            {u"b"_s, {FieldType::Boolean}},
            {u"mixed"_s, {FieldType::Float, FieldType::Integer}}};
}

/// Feeds `data` in pieces of `step(i)` bytes (the whole when step is null).
void decode(const uint8_t *data, size_t size, LpDialect dialect, size_t (*step)(size_t),
            Outcome &outcome)
{
    InfluxResponseDecoder decoder(outcome.out, dialect, fieldTypes());
    try {
        const char *bytes = reinterpret_cast<const char *>(data);
        for (size_t at = 0, piece = 0; at < size; ++piece) {
            const size_t n = step ? std::min(step(piece), size - at) : size;
            decoder.feed(bytes + at, n);
            at += n;
        }
        decoder.finish();
        FUZZ_CHECK(decoder.points() == outcome.out.appended, "points() is not the lines counted");
        FUZZ_CHECK(decoder.rejected() == outcome.out.rejects.size(), "rejected() miscounts");
    } catch (const Error &e) {
        outcome.error = e.message();
    }
}

size_t smallPieces(size_t piece)
{
    return 1 + piece % 7;
}

void checkLines(const Outcome &outcome, bool unsignedAllowed)
{
    const QByteArray &text = outcome.out.text;
    qint64 lines = 0;
    for (size_t from = 0; from < size_t(text.size());) {
        const size_t end = lp::lineEnd(text.constData(), size_t(text.size()), from);
        FUZZ_CHECK(end < size_t(text.size()), "the last line has no newline");
        const std::string_view line(text.constData() + from, end - from);
        lp::Point point;
        QString error;
        if (!lp::parseLine(line, point, &error))
            std::fprintf(stderr, "%.*s: %s\n", int(line.size()), line.data(), qPrintable(error));
        FUZZ_CHECK(error.isEmpty(), "a decoded line is not line protocol");
        FUZZ_CHECK(point.hasTime, "a decoded line has no time");
        for (const lp::Field &f : point.fields)
            FUZZ_CHECK(unsignedAllowed || f.type != FieldType::Unsigned,
                       "an unsigned value for a target without them");
        ++lines;
        from = end + 1;
    }
    FUZZ_CHECK(lines == outcome.out.appended, "lines written are not the lines counted");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Outcome whole;
    decode(data, size, LpDialect{}, nullptr, whole);
    checkLines(whole, true);

    Outcome pieces;
    decode(data, size, LpDialect{}, smallPieces, pieces);
    FUZZ_CHECK(pieces.out.text == whole.out.text, "pieces decode to other lines");
    FUZZ_CHECK(pieces.out.rejects == whole.out.rejects, "pieces decode to other rejects");
    FUZZ_CHECK(pieces.error == whole.error, "pieces end with another error");

    Outcome signedOnly;
    decode(data, size, LpDialect{false}, nullptr, signedOnly);
    checkLines(signedOnly, false);
    FUZZ_CHECK(signedOnly.out.appended == whole.out.appended, "the dialect changed the points");
    return 0;
}
