#pragma once

#include "core/LpDialect.h"
#include "core/Source.h"
#include "lp/LineProtocol.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <memory>
#include <string>

namespace tsm {

/**
 * Turns a streamed InfluxQL answer (`chunked=true`, `epoch=ns`, msgpack or JSON, detected from
 * the first byte) into line protocol, chunk by chunk, without holding the whole answer. JSON
 * chunks are told apart as complete top-level objects, whatever comes between them: 1.x and 2.x
 * end each with "\n", InfluxDB 3.0–3.6 with "\r\n", 3.7+ write them back to back.
 *
 * Value types: msgpack keeps int64, float64, string and bool apart, so each value keeps its own
 * type. JSON prints the float 1.0 as `1` (1.x, 2.x, InfluxDB 3.7+), so there the field's type
 * comes from `SHOW FIELD KEYS`
 * (`fieldTypes`); a field listed with several types is resolved per value as well as JSON allows
 * (a number with a fraction or exponent is a float).
 */
class InfluxResponseDecoder
{
public:
    InfluxResponseDecoder(BatchOutput &out, LpDialect dialect,
                          QHash<QString, QList<FieldType>> fieldTypes = {});
    ~InfluxResponseDecoder();
    InfluxResponseDecoder(const InfluxResponseDecoder &) = delete;
    InfluxResponseDecoder &operator=(const InfluxResponseDecoder &) = delete;

    /// Feeds the next piece of the body. Throws Error(Query) for an error reported inside the
    /// answer and Error(Protocol) for bytes that are neither msgpack nor JSON.
    void feed(const char *data, size_t size);
    /// Call at the end of the body: throws Error(Protocol) when the answer stopped early (a
    /// partial result without its continuation, or half a document).
    void finish();

    qint64 points() const { return m_points; }
    qint64 rejected() const { return m_rejected; }
    bool isMsgpack() const { return m_format == Format::Msgpack; }

    /// One series of a chunk, already decoded into plain values; used by both formats.
    struct Value
    {
        enum Kind
        {
            Null,
            Float,
            Integer,
            Unsigned,
            String,
            Boolean
        } kind = Null;
        double f = 0;
        qint64 i = 0;
        quint64 u = 0;
        bool b = false;
        const char *s = nullptr; ///< String: UTF-8 bytes, valid while the chunk is processed
        size_t n = 0;
    };

private:
    enum class Format
    {
        Unknown,
        Msgpack,
        Json
    };
    struct Msgpack;
    struct Json; ///< in InfluxResponseDecoderJson.cpp, with its deleter
    struct JsonDeleter
    {
        void operator()(Json *json) const;
    };

    void feedMsgpack(const char *data, size_t size);
    void feedJson(const char *data, size_t size);
    void handleJsonObject(const char *data, size_t size);
    /// Series token `s` of the current JSON chunk: its rows.
    void jsonSeries(size_t s);
    /// A JSON number in `column` as the value the column's type makes of it.
    void jsonNumber(bool isInteger, qint64 i, double f, size_t column, Value &out) const;

    // Series assembly shared by both formats.
    void beginSeries(std::string_view name, std::vector<std::pair<std::string, std::string>> tags,
                     const std::vector<std::string> &columns);
    void row(const Value *values, size_t count);
    void resultDone(bool partial, const QString &error);
    /// Unsigned values become integers (or floats past INT64_MAX) for targets without `u`.
    void appendUnsigned(lp::LineWriter &line, quint64 value) const;

    QString describeRow(const Value *values, size_t count) const;
    /// Why a row cannot be line protocol whatever its names (a time outside its range, a NaN
    /// or infinite float), or empty.
    QString valueError(const Value *values, size_t count) const;

    BatchOutput &m_out;
    LpDialect m_dialect;
    QHash<QString, QList<FieldType>> m_fieldTypes;
    Format m_format = Format::Unknown;
    std::unique_ptr<Msgpack> m_msgpack;
    std::unique_ptr<Json, JsonDeleter> m_json;
    QByteArray m_jsonPending; ///< the start of an object whose end has not arrived
    int m_jsonDepth = 0;      ///< open braces and brackets of the current object
    bool m_jsonInString = false;
    bool m_jsonEscape = false;
    bool m_expectMore = false; ///< the last result said partial: more must follow

    // Current series.
    QByteArray m_prefix;                 ///< escaped "measurement,tag=value" (empty tags left out)
    QString m_prefixError;               ///< why the series cannot be written, when it cannot
    std::vector<QByteArray> m_fieldKeys; ///< escaped " key=" / ",key=" per column (index 0 = time)
    std::vector<QString> m_fieldKeyErrors;
    /// Per column: the type a JSON number is read as; Unsigned also marks msgpack integers of a
    /// field declared unsigned only.
    std::vector<FieldType> m_columnTypes;
    std::vector<std::string> m_columns;
    std::string m_seriesName;
    std::vector<std::pair<std::string, std::string>> m_seriesTags;

    qint64 m_points = 0;
    qint64 m_rejected = 0;
};

} // namespace tsm
