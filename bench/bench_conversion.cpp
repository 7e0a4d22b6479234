// The conversion core on one core: server answers (msgpack and JSON chunks, captured from a
// real influxd) to line protocol, and line protocol to what the sinks send, in field values per
// CPU second of the converting thread. Baseline measured in the same run: Qt's QJsonDocument
// parsing the same JSON answers into a DOM (no conversion at all).
//
//   bench_conversion [--points 500000] [--rounds 5] [--smoke]
//                    [--only dom|msgpack|json|peek|reencode|tdengine]
//
// --only measures one path (the others print as skipped), for `perf record` on that path.
#include "influx/InfluxResponseDecoder.h"
#include "lp/LineParser.h"
#include "sinks/TDengineSink.h"
#include "support/BenchSupport.h"
#include "support/InfluxdFixture.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <cstdio>
#include <functional>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::bench;

namespace {

/// Collects lines as the pipeline does, handing off (here: dropping) every 5000.
class CountingOutput : public BatchOutput
{
public:
    QByteArray &buffer() override { return m_buffer; }
    void lineAppended() override
    {
        if (++m_lines % 5000 == 0)
            m_buffer.clear();
    }
    void reject(const QByteArray &, const QString &) override { ++m_rejected; }
    qint64 lines() const { return m_lines; }
    qint64 rejected() const { return m_rejected; }

private:
    QByteArray m_buffer;
    qint64 m_lines = 0;
    qint64 m_rejected = 0;
};

struct Measured
{
    double seconds = 0; ///< thread CPU, best round
    qint64 values = 0;  ///< field values per round
};

/// Runs `work` `rounds` times and keeps the fastest (least disturbed) round; nothing when
/// `only` names another path.
Measured measure(const QString &only, const QString &name, int rounds,
                 const std::function<qint64()> &work)
{
    Measured m;
    if (!only.isEmpty() && only != name)
        return m;
    for (int r = 0; r < rounds; ++r) {
        const double before = threadCpuSeconds();
        m.values = work();
        const double seconds = threadCpuSeconds() - before;
        if (r == 0 || seconds < m.seconds)
            m.seconds = seconds;
    }
    return m;
}

void print(const char *what, const Measured &m, double baselineRate)
{
    if (m.seconds <= 0) {
        std::printf("%-52s %14s\n", what, "skipped");
        return;
    }
    const double rate = m.values / m.seconds;
    if (baselineRate <= 0)
        std::printf("%-52s %14s %10s\n", what, thousands(rate).constData(), "-");
    else
        std::printf("%-52s %14s %9.1fx\n", what, thousands(rate).constData(), rate / baselineRate);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const Args args(argc, argv);
    const bool smoke = args.flag("smoke");
    const qint64 points = args.number("points", smoke ? 20000 : 500000);
    const int rounds = int(args.number("rounds", smoke ? 1 : 5));
    const QString only = args.text("only");

    test::InfluxdFixture influx;
    if (!startInflux(influx, {u"src"_s}))
        return 1;
    const std::vector<QByteArray> batches = generate(points, 5000);
    if (!post(influx.url(), u"src"_s, batches, 2))
        return 1;
    const qint64 end = generatedEnd(points);
    const qint64 window = 3600LL * 1000000000LL;
    const std::vector<QByteArray> msgpack =
        readRaw(influx.url(), u"src"_s, kT0, end, window, 2, true, true);
    const std::vector<QByteArray> json =
        readRaw(influx.url(), u"src"_s, kT0, end, window, 2, false, true);
    influx.stop();
    qint64 msgpackBytes = 0, jsonBytes = 0;
    for (const QByteArray &b : msgpack)
        msgpackBytes += b.size();
    for (const QByteArray &b : json)
        jsonBytes += b.size();
    const qint64 values = points * kFieldsPerPoint;
    std::printf("%lld points (%lld field values); answers: msgpack %.1f MB, JSON %.1f MB\n\n",
                points, values, msgpackBytes / 1e6, jsonBytes / 1e6);

    QHash<QString, QList<FieldType>> types;
    types.insert(u"temp"_s, {FieldType::Float});
    types.insert(u"load"_s, {FieldType::Integer});
    types.insert(u"rpm"_s, {FieldType::Integer});
    types.insert(u"ok"_s, {FieldType::Boolean});
    types.insert(u"state"_s, {FieldType::String});

    bool ok = true;
    auto decode = [&](const std::vector<QByteArray> &bodies, bool withTypes) {
        return [&, withTypes] {
            CountingOutput out;
            for (const QByteArray &body : bodies) {
                InfluxResponseDecoder decoder(out, LpDialect{false},
                                              withTypes ? types : decltype(types){});
                // Fed in 16 KiB pieces, as libcurl hands them over.
                for (qsizetype at = 0; at < body.size(); at += 16384)
                    decoder.feed(body.constData() + at,
                                 size_t(std::min<qsizetype>(16384, body.size() - at)));
                decoder.finish();
            }
            ok = ok && out.lines() == points && out.rejected() == 0;
            return out.lines() * kFieldsPerPoint;
        };
    };
    const Measured dom = measure(only, u"dom"_s, rounds, [&] {
        qint64 parsed = 0;
        for (const QByteArray &body : json)
            for (const QByteArray &line : body.split('\n'))
                if (!line.isEmpty())
                    parsed += QJsonDocument::fromJson(line).isObject() ? 1 : 0;
        return parsed > 0 ? values : 0;
    });
    const Measured fromMsgpack = measure(only, u"msgpack"_s, rounds, decode(msgpack, false));
    const Measured fromJson = measure(only, u"json"_s, rounds, decode(json, true));

    // Line protocol to what the sinks send.
    const Measured peek = measure(only, u"peek"_s, rounds, [&] {
        qint64 lines = 0;
        std::string measurement;
        bool hasTime = false;
        qint64 time = 0;
        for (const QByteArray &batch : batches) {
            const char *data = batch.constData();
            for (size_t at = 0, size = size_t(batch.size()); at < size;) {
                const size_t e = lp::lineEnd(data, size, at);
                lines += lp::peekLine(std::string_view(data + at, e - at), measurement, hasTime,
                                      time, nullptr)
                             ? 1
                             : 0;
                at = e + 1;
            }
        }
        ok = ok && lines == points;
        return lines * kFieldsPerPoint;
    });
    const Measured reencode = measure(only, u"reencode"_s, rounds, [&] {
        qint64 lines = 0;
        lp::Point point;
        QByteArray out;
        for (const QByteArray &batch : batches) {
            out.clear();
            const char *data = batch.constData();
            for (size_t at = 0, size = size_t(batch.size()); at < size;) {
                const size_t e = lp::lineEnd(data, size, at);
                if (lp::parseLine(std::string_view(data + at, e - at), point, nullptr) &&
                    lp::encodePoint(point, LpDialect{false}, out, nullptr))
                    ++lines;
                at = e + 1;
            }
        }
        ok = ok && lines == points;
        return lines * kFieldsPerPoint;
    });
    const Measured tdengine = measure(only, u"tdengine"_s, rounds, [&] {
        qint64 lines = 0;
        QByteArray out;
        TDengineSink::Limits limits;
        for (const QByteArray &batch : batches) {
            out.clear();
            const char *data = batch.constData();
            for (size_t at = 0, size = size_t(batch.size()); at < size;) {
                const size_t e = lp::lineEnd(data, size, at);
                if (TDengineSink::convertLine(std::string_view(data + at, e - at), limits, out,
                                              nullptr))
                    ++lines;
                at = e + 1;
            }
        }
        ok = ok && lines == points;
        return lines * kFieldsPerPoint;
    });

    std::printf("%-52s %14s %10s\n", "field values per CPU second (one core)", "values/s",
                "vs DOM");
    const double baseline = dom.seconds > 0 ? dom.values / dom.seconds : 0;
    print("baseline: QJsonDocument DOM parse of the JSON answers", dom, baseline);
    print("msgpack answers -> line protocol", fromMsgpack, baseline);
    print("JSON answers -> line protocol (streaming)", fromJson, baseline);
    print("line protocol file -> InfluxDB (validate, pass on)", peek, baseline);
    print("line protocol -> parse + re-encode", reencode, baseline);
    print("line protocol -> TDengine schemaless (checked)", tdengine, baseline);
    std::printf("\nbest of %d rounds; goal >= 5,000,000 values/s/core\n", rounds);
    if (!ok) {
        std::fprintf(stderr, "conversion lost or rejected points\n");
        return 1;
    }
    return 0;
}
