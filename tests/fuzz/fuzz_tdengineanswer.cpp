// A /rest/sql answer as taosAdapter (or TDengine 2.x's built-in httpd) sends it, read as the
// engine reads it. What the reader prepares before Qt's JSON parser sees it (negative zeros,
// numbers past DOUBLE's range) must never spoil an answer that was valid JSON, nor change a value.
#include "FuzzCheck.h"
#include "tdengine/TDengineRest.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;
using namespace tsm;

namespace {

/// The cell as the answer meant it; a number by its value (−0 and 0 are equal here).
bool sameCell(const QJsonValue &raw, const QJsonValue &read)
{
    if (raw.isDouble())
        return (read.isDouble() || read.isString()) &&
               TDengineRest::doubleOf(read) == raw.toDouble();
    return raw == read;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray body(reinterpret_cast<const char *>(data), qsizetype(size));
    SqlResult result;
    const bool read = TDengineRest::readAnswer(body, result);

    const int code = TDengineRest::errorCodeIn(result.desc);
    FUZZ_CHECK(code >= -1 && code <= 0xffff, "an error code outside 16 bits");

    const QJsonDocument raw = QJsonDocument::fromJson(body);
    if (!raw.isObject() || !raw.object().value(u"code"_s).isDouble())
        return 0;
    FUZZ_CHECK(read, "a valid answer with a code was not read");
    FUZZ_CHECK(result.code == raw.object().value(u"code"_s).toInt(), "the code changed");
    const QJsonValue rawRows = raw.object().value(u"data"_s);
    if (!rawRows.isArray())
        return 0;
    FUZZ_CHECK(result.rows.size() == rawRows.toArray().size(), "rows were lost or made up");
    for (qsizetype r = 0; r < result.rows.size(); ++r) {
        const QJsonValue rawRow = rawRows.toArray().at(r);
        const QJsonValue readRow = result.rows.at(r);
        if (!rawRow.isArray()) {
            FUZZ_CHECK(rawRow == readRow, "a row that is no array changed");
            continue;
        }
        const QJsonArray rawCells = rawRow.toArray();
        const QJsonArray readCells = readRow.toArray();
        FUZZ_CHECK(rawCells.size() == readCells.size(), "a row's width changed");
        for (qsizetype c = 0; c < rawCells.size(); ++c)
            FUZZ_CHECK(sameCell(rawCells.at(c), readCells.at(c)), "a value changed");
    }
    return 0;
}
