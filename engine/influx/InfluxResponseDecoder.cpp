#include "influx/InfluxResponseDecoder.h"

#include "core/Error.h"
#include "lp/LineProtocol.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <msgpack.h>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

std::string_view view(const msgpack_object &o)
{
    if (o.type == MSGPACK_OBJECT_STR)
        return {o.via.str.ptr, o.via.str.size};
    if (o.type == MSGPACK_OBJECT_BIN)
        return {o.via.bin.ptr, o.via.bin.size};
    return {};
}

bool keyIs(const msgpack_object &key, std::string_view name)
{
    return key.type == MSGPACK_OBJECT_STR && view(key) == name;
}

QString toQString(std::string_view s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

} // namespace

/** The msgpack-c streaming unpacker and its current document. */
struct InfluxResponseDecoder::Msgpack
{
    msgpack_unpacker unpacker;
    msgpack_unpacked unpacked;
    std::vector<Value> rowValues;

    Msgpack()
    {
        // Starts small and grows to the largest chunk it meets: with dozens of readers, a
        // megabyte each up front was a fifth of the process's memory.
        if (!msgpack_unpacker_init(&unpacker, MSGPACK_UNPACKER_INIT_BUFFER_SIZE))
            throw Error(ErrorKind::Protocol, u"Out of memory for the msgpack reader"_s);
        msgpack_unpacked_init(&unpacked);
    }
    ~Msgpack()
    {
        msgpack_unpacked_destroy(&unpacked);
        msgpack_unpacker_destroy(&unpacker);
    }
};

InfluxResponseDecoder::InfluxResponseDecoder(BatchOutput &out, LpDialect dialect,
                                             QHash<QString, QList<FieldType>> fieldTypes)
    : m_out(out), m_dialect(dialect), m_fieldTypes(std::move(fieldTypes))
{}

InfluxResponseDecoder::~InfluxResponseDecoder() = default;

void InfluxResponseDecoder::feed(const char *data, size_t size)
{
    if (size == 0)
        return;
    if (m_format == Format::Unknown) {
        const auto first = static_cast<unsigned char>(data[0]);
        if ((first >= 0x80 && first <= 0x8f) || first == 0xde || first == 0xdf) {
            m_format = Format::Msgpack;
            m_msgpack = std::make_unique<Msgpack>();
        } else if (first == '{' || first == ' ' || first == '\n' || first == '\r' ||
                   first == '\t') {
            m_format = Format::Json;
        } else {
            throw Error(
                ErrorKind::Protocol,
                u"The server's answer is neither msgpack nor JSON (starts with byte 0x%1)"_s.arg(
                    first, 2, 16, QLatin1Char('0')));
        }
    }
    if (m_format == Format::Msgpack)
        feedMsgpack(data, size);
    else
        feedJson(data, size);
}

void InfluxResponseDecoder::finish()
{
    if (m_format == Format::Json && m_jsonDepth > 0)
        throw Error(ErrorKind::Protocol, u"The answer ended in the middle of a JSON document"_s);
    // message_size counts the bytes of the unfinished document: those the unpacker has already
    // taken into its state (parsed_size) plus those still waiting in its buffer.
    if (m_format == Format::Msgpack && msgpack_unpacker_message_size(&m_msgpack->unpacker) > 0)
        throw Error(ErrorKind::Protocol, u"The answer ended in the middle of a msgpack document"_s);
    if (m_expectMore)
        throw Error(ErrorKind::Protocol,
                    u"The answer ended before its last chunk (the server or the connection stopped "
                    "mid-stream)"_s);
}

void InfluxResponseDecoder::feedMsgpack(const char *data, size_t size)
{
    Msgpack &mp = *m_msgpack;
    if (msgpack_unpacker_buffer_capacity(&mp.unpacker) < size &&
        !msgpack_unpacker_reserve_buffer(&mp.unpacker, size))
        throw Error(ErrorKind::Protocol, u"Out of memory for the msgpack reader"_s);
    std::memcpy(msgpack_unpacker_buffer(&mp.unpacker), data, size);
    msgpack_unpacker_buffer_consumed(&mp.unpacker, size);

    for (;;) {
        const msgpack_unpack_return ret = msgpack_unpacker_next(&mp.unpacker, &mp.unpacked);
        if (ret == MSGPACK_UNPACK_CONTINUE)
            break;
        if (ret == MSGPACK_UNPACK_PARSE_ERROR || ret == MSGPACK_UNPACK_NOMEM_ERROR)
            throw Error(ErrorKind::Protocol, u"The server sent malformed msgpack"_s);

        const msgpack_object &doc = mp.unpacked.data;
        if (doc.type != MSGPACK_OBJECT_MAP)
            throw Error(ErrorKind::Protocol, u"A msgpack chunk is not a map"_s);
        for (uint32_t d = 0; d < doc.via.map.size; ++d) {
            const msgpack_object_kv &top = doc.via.map.ptr[d];
            if (keyIs(top.key, "error"))
                throw Error(ErrorKind::Query, toQString(view(top.val)));
            if (!keyIs(top.key, "results") || top.val.type != MSGPACK_OBJECT_ARRAY)
                continue;
            for (uint32_t r = 0; r < top.val.via.array.size; ++r) {
                const msgpack_object &result = top.val.via.array.ptr[r];
                if (result.type != MSGPACK_OBJECT_MAP)
                    continue;
                bool partial = false;
                QString error;
                const msgpack_object *series = nullptr;
                for (uint32_t k = 0; k < result.via.map.size; ++k) {
                    const msgpack_object_kv &kv = result.via.map.ptr[k];
                    if (keyIs(kv.key, "partial"))
                        partial = kv.val.type == MSGPACK_OBJECT_BOOLEAN && kv.val.via.boolean;
                    else if (keyIs(kv.key, "error"))
                        error = toQString(view(kv.val));
                    else if (keyIs(kv.key, "series") && kv.val.type == MSGPACK_OBJECT_ARRAY)
                        series = &kv.val;
                }
                if (!error.isEmpty())
                    resultDone(partial, error);
                for (uint32_t s = 0; series && s < series->via.array.size; ++s) {
                    const msgpack_object &ser = series->via.array.ptr[s];
                    if (ser.type != MSGPACK_OBJECT_MAP)
                        continue;
                    std::string_view name;
                    std::vector<std::pair<std::string, std::string>> tags;
                    std::vector<std::string> columns;
                    const msgpack_object *values = nullptr;
                    for (uint32_t k = 0; k < ser.via.map.size; ++k) {
                        const msgpack_object_kv &kv = ser.via.map.ptr[k];
                        if (keyIs(kv.key, "name")) {
                            name = view(kv.val);
                        } else if (keyIs(kv.key, "tags") && kv.val.type == MSGPACK_OBJECT_MAP) {
                            for (uint32_t t = 0; t < kv.val.via.map.size; ++t)
                                tags.emplace_back(view(kv.val.via.map.ptr[t].key),
                                                  view(kv.val.via.map.ptr[t].val));
                        } else if (keyIs(kv.key, "columns") &&
                                   kv.val.type == MSGPACK_OBJECT_ARRAY) {
                            for (uint32_t c = 0; c < kv.val.via.array.size; ++c)
                                columns.emplace_back(view(kv.val.via.array.ptr[c]));
                        } else if (keyIs(kv.key, "values") && kv.val.type == MSGPACK_OBJECT_ARRAY) {
                            values = &kv.val;
                        }
                    }
                    beginSeries(name, std::move(tags), columns);
                    if (!values)
                        continue;
                    const size_t width = m_columns.size();
                    mp.rowValues.resize(width);
                    for (uint32_t v = 0; v < values->via.array.size; ++v) {
                        const msgpack_object &rowObj = values->via.array.ptr[v];
                        if (rowObj.type != MSGPACK_OBJECT_ARRAY)
                            continue;
                        const size_t n = std::min<size_t>(width, rowObj.via.array.size);
                        for (size_t c = 0; c < n; ++c) {
                            const msgpack_object &o = rowObj.via.array.ptr[c];
                            Value &out = mp.rowValues[c];
                            switch (o.type) {
                            case MSGPACK_OBJECT_NIL:
                                out.kind = Value::Null;
                                break;
                            case MSGPACK_OBJECT_BOOLEAN:
                                out.kind = Value::Boolean;
                                out.b = o.via.boolean;
                                break;
                            case MSGPACK_OBJECT_POSITIVE_INTEGER:
                                if (o.via.u64 > quint64(std::numeric_limits<qint64>::max())) {
                                    out.kind = Value::Unsigned;
                                    out.u = o.via.u64;
                                } else {
                                    out.kind = Value::Integer;
                                    out.i = qint64(o.via.u64);
                                }
                                break;
                            case MSGPACK_OBJECT_NEGATIVE_INTEGER:
                                out.kind = Value::Integer;
                                out.i = o.via.i64;
                                break;
                            case MSGPACK_OBJECT_FLOAT32:
                            case MSGPACK_OBJECT_FLOAT64:
                                out.kind = Value::Float;
                                out.f = o.via.f64;
                                break;
                            case MSGPACK_OBJECT_STR:
                            case MSGPACK_OBJECT_BIN: {
                                const std::string_view sv = view(o);
                                out.kind = Value::String;
                                out.s = sv.data();
                                out.n = sv.size();
                                break;
                            }
                            default:
                                throw Error(ErrorKind::Protocol,
                                            u"Unexpected msgpack value type %1 in column %2"_s
                                                .arg(int(o.type))
                                                .arg(toQString(m_columns[c])));
                            }
                        }
                        for (size_t c = n; c < width; ++c)
                            mp.rowValues[c].kind = Value::Null;
                        row(mp.rowValues.data(), width);
                    }
                }
                resultDone(partial, QString());
            }
        }
    }
}

void InfluxResponseDecoder::beginSeries(std::string_view name,
                                        std::vector<std::pair<std::string, std::string>> tags,
                                        const std::vector<std::string> &columns)
{
    std::sort(tags.begin(), tags.end());
    m_seriesName.assign(name);
    m_seriesTags = std::move(tags);
    m_prefix.clear();
    m_prefixError.clear();
    QString why;
    if (!lp::appendMeasurement(m_prefix, name, &why)) {
        m_prefixError = u"measurement name: %1"_s.arg(why);
    } else {
        const std::string *previous = nullptr;
        for (const auto &[key, value] : m_seriesTags) {
            if (value.empty())
                continue; // InfluxDB reports a tag the series lacks as ""; LP cannot carry it
            if (previous && *previous == key) { // sorted: a key given twice comes twice in a row
                m_prefixError = u"tag key \"%1\" is given twice"_s.arg(toQString(key));
                break;
            }
            previous = &key;
            m_prefix.append(',');
            if (!lp::appendTagKey(m_prefix, key, &why)) {
                m_prefixError = u"tag key \"%1\": %2"_s.arg(toQString(key), why);
                break;
            }
            m_prefix.append('=');
            if (!lp::appendTagValue(m_prefix, value, &why)) {
                m_prefixError = u"value of tag \"%1\": %2"_s.arg(toQString(key), why);
                break;
            }
        }
    }

    if (columns != m_columns || m_fieldKeys.empty()) {
        m_columns = columns;
        m_fieldKeys.assign(columns.size(), QByteArray());
        m_fieldKeyErrors.assign(columns.size(), QString());
        m_columnTypes.assign(columns.size(), FieldType::Float);
        for (size_t c = 1; c < columns.size(); ++c) {
            if (!lp::appendFieldKey(m_fieldKeys[c], columns[c], &why))
                m_fieldKeyErrors[c] = u"field key \"%1\": %2"_s.arg(toQString(columns[c]), why);
            m_fieldKeys[c].append('=');
            const QList<FieldType> types = m_fieldTypes.value(toQString(columns[c]));
            const bool hasInteger = types.contains(FieldType::Integer);
            const bool hasUnsigned = types.contains(FieldType::Unsigned);
            // A field listed as float and integer (different shards): a JSON number with a
            // fraction is a float, a whole one an integer (JSON cannot tell 2.0 from 2).
            if (hasInteger)
                m_columnTypes[c] = FieldType::Integer;
            else if (hasUnsigned)
                m_columnTypes[c] = FieldType::Unsigned;
        }
    }
}

void InfluxResponseDecoder::row(const Value *values, size_t count)
{
    if (count < 2 || values[0].kind != Value::Integer)
        throw Error(ErrorKind::Protocol,
                    u"A row of \"%1\" has no integer time (was epoch=ns lost?)"_s.arg(
                        toQString(m_seriesName)));
    const QString rowError = m_prefixError.isEmpty() ? valueError(values, count) : m_prefixError;
    if (!rowError.isEmpty()) {
        // A row whose fields are all null is no point, so there is nothing to reject either.
        if (std::all_of(values + 1, values + count,
                        [](const Value &v) { return v.kind == Value::Null; }))
            return;
        m_out.reject(describeRow(values, count).toUtf8(), rowError);
        ++m_rejected;
        return;
    }
    lp::LineWriter line(m_out.buffer());
    line.put(std::string_view(m_prefix.constData(), size_t(m_prefix.size())));
    bool first = true;
    for (size_t c = 1; c < count; ++c) {
        const Value &v = values[c];
        if (v.kind == Value::Null)
            continue;
        if (!m_fieldKeyErrors[c].isEmpty()) {
            line.abandon();
            m_out.reject(describeRow(values, count).toUtf8(), m_fieldKeyErrors[c]);
            ++m_rejected;
            return;
        }
        line.put(first ? ' ' : ',');
        first = false;
        line.put(std::string_view(m_fieldKeys[c].constData(), size_t(m_fieldKeys[c].size())));
        switch (v.kind) {
        case Value::Float:
            line.floating(v.f);
            break;
        case Value::Integer:
            if (m_columnTypes[c] == FieldType::Unsigned && v.i >= 0) // declared unsigned only
                appendUnsigned(line, quint64(v.i));
            else
                line.integer(v.i);
            break;
        case Value::Unsigned:
            appendUnsigned(line, v.u);
            break;
        case Value::String:
            line.string(std::string_view(v.s, v.n));
            break;
        case Value::Boolean:
            line.boolean(v.b);
            break;
        case Value::Null:
            break;
        }
    }
    if (first) { // every field null: not a point
        line.abandon();
        return;
    }
    line.put(' ');
    line.timestamp(values[0].i);
    line.put('\n');
    line.finish();
    ++m_points;
    m_out.lineAppended();
}

QString InfluxResponseDecoder::valueError(const Value *values, size_t count) const
{
    if (values[0].i < lp::kMinTime || values[0].i > lp::kMaxTime)
        return u"time %1 is outside the range line protocol can express"_s.arg(values[0].i);
    for (size_t c = 1; c < count; ++c) {
        if (values[c].kind == Value::Float && !std::isfinite(values[c].f))
            return u"field \"%1\" is %2, which line protocol cannot express"_s.arg(
                toQString(m_columns[c]), QString::number(values[c].f));
    }
    return QString();
}

void InfluxResponseDecoder::appendUnsigned(lp::LineWriter &line, quint64 value) const
{
    if (m_dialect.unsignedSupported)
        line.unsignedInteger(value);
    else if (value <= quint64(std::numeric_limits<qint64>::max()))
        line.integer(qint64(value));
    else
        line.floating(double(value));
}

void InfluxResponseDecoder::resultDone(bool partial, const QString &error)
{
    if (!error.isEmpty())
        throw Error(ErrorKind::Query, error);
    m_expectMore = partial;
}

QString InfluxResponseDecoder::describeRow(const Value *values, size_t count) const
{
    QString text = toQString(m_seriesName);
    for (const auto &[key, value] : m_seriesTags)
        if (!value.empty())
            text += u","_s + toQString(key) + u"="_s + toQString(value);
    QString fields;
    for (size_t c = 1; c < count; ++c) {
        const Value &v = values[c];
        if (v.kind == Value::Null)
            continue;
        fields += fields.isEmpty() ? u" "_s : u","_s;
        fields += toQString(m_columns[c]) + u"="_s;
        switch (v.kind) {
        case Value::Float:
            fields += QString::number(v.f, 'g', 17);
            break;
        case Value::Integer:
            fields += QString::number(v.i) + u"i"_s;
            break;
        case Value::Unsigned:
            fields += QString::number(v.u) + u"u"_s;
            break;
        case Value::String:
            fields += u"\""_s + QString::fromUtf8(v.s, qsizetype(v.n)) + u"\""_s;
            break;
        case Value::Boolean:
            fields += v.b ? u"true"_s : u"false"_s;
            break;
        case Value::Null:
            break;
        }
    }
    return text + fields + u" "_s + QString::number(values[0].i);
}

} // namespace tsm
