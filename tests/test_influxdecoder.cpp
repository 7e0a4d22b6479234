// The InfluxQL answer decoder on hand-built bodies: msgpack made with msgpack-c's packer in the
// shape influxd 1.6.7 sends (one map per chunk, chunks back to back), and NDJSON as text.
#include "core/Error.h"
#include "influx/InfluxResponseDecoder.h"
#include "support/CollectingOutput.h"

#include <QRandomGenerator>
#include <QTest>
#include <functional>
#include <limits>
#include <msgpack.h>
#include <vector>

using namespace Qt::StringLiterals;
using namespace tsm;

namespace {

using test::CollectingOutput;

/** One value of a row, packed with the msgpack type it names. */
struct Cell
{
    enum Kind
    {
        Nil,
        Int,
        Uint,
        Float,
        Str,
        Bool
    } kind = Nil;
    qint64 i = 0;
    quint64 u = 0;
    double f = 0;
    QByteArray s;
    bool b = false;
};

/// A cell of `kind` whose `field` holds `value`.
template<typename T> Cell cellOf(Cell::Kind kind, T Cell::*field, T value)
{
    Cell c;
    c.kind = kind;
    c.*field = value;
    return c;
}

// The cells of the rows, by kind: {I(1000), F(2.5), N()}.
const auto N = [] { return Cell{}; };
const auto I = [](qint64 v) { return cellOf(Cell::Int, &Cell::i, v); };
const auto U = [](quint64 v) { return cellOf(Cell::Uint, &Cell::u, v); };
const auto F = [](double v) { return cellOf(Cell::Float, &Cell::f, v); };
const auto S = [](const QByteArray &v) { return cellOf(Cell::Str, &Cell::s, v); };
const auto B = [](bool v) { return cellOf(Cell::Bool, &Cell::b, v); };

/** A series as InfluxDB puts it in a chunk; tags keep the order given (maps are unordered).
 *  Written {name, tags, columns, values, partial}. */
struct Series
{
    QByteArray name;
    QList<QPair<QByteArray, QByteArray>> tags;
    QList<QByteArray> columns;
    QList<QList<Cell>> values;
    bool partial = false;
};

/** msgpack-c's packer writing into a buffer. */
class Packer
{
public:
    Packer()
    {
        msgpack_sbuffer_init(&m_buffer);
        msgpack_packer_init(&m_packer, &m_buffer, msgpack_sbuffer_write);
    }
    ~Packer() { msgpack_sbuffer_destroy(&m_buffer); }
    Packer(const Packer &) = delete;
    Packer &operator=(const Packer &) = delete;

    void map(size_t n) { msgpack_pack_map(&m_packer, n); }
    void array(size_t n) { msgpack_pack_array(&m_packer, n); }
    void str(const QByteArray &s)
    {
        msgpack_pack_str_with_body(&m_packer, s.constData(), size_t(s.size()));
    }
    void cell(const Cell &c)
    {
        switch (c.kind) {
        case Cell::Nil:
            msgpack_pack_nil(&m_packer);
            break;
        case Cell::Int:
            msgpack_pack_int64(&m_packer, c.i);
            break;
        case Cell::Uint:
            msgpack_pack_uint64(&m_packer, c.u);
            break;
        case Cell::Float:
            msgpack_pack_double(&m_packer, c.f);
            break;
        case Cell::Str:
            str(c.s);
            break;
        case Cell::Bool:
            if (c.b)
                msgpack_pack_true(&m_packer);
            else
                msgpack_pack_false(&m_packer);
            break;
        }
    }
    void series(const Series &s)
    {
        map(2 + (s.name.isEmpty() ? 0 : 1) + (s.tags.isEmpty() ? 0 : 1) + (s.partial ? 1 : 0));
        if (!s.name.isEmpty()) {
            str("name");
            str(s.name);
        }
        if (!s.tags.isEmpty()) {
            str("tags");
            map(size_t(s.tags.size()));
            for (const auto &[key, value] : s.tags) {
                str(key);
                str(value);
            }
        }
        str("columns");
        array(size_t(s.columns.size()));
        for (const QByteArray &c : s.columns)
            str(c);
        str("values");
        array(size_t(s.values.size()));
        for (const QList<Cell> &row : s.values) {
            array(size_t(row.size()));
            for (const Cell &c : row)
                cell(c);
        }
        if (s.partial) {
            str("partial");
            msgpack_pack_true(&m_packer);
        }
    }
    QByteArray bytes() const { return QByteArray(m_buffer.data, qsizetype(m_buffer.size)); }

private:
    msgpack_sbuffer m_buffer;
    msgpack_packer m_packer;
};

/// `{"results":[{"statement_id":0,"series":[...],"partial":true}]}`, as one chunk.
QByteArray msgpackChunk(const QList<Series> &series, bool partial = false)
{
    Packer p;
    p.map(1);
    p.str("results");
    p.array(1);
    p.map(1 + (series.isEmpty() ? 0 : 1) + (partial ? 1 : 0));
    p.str("statement_id");
    p.cell(I(0));
    if (!series.isEmpty()) {
        p.str("series");
        p.array(size_t(series.size()));
        for (const Series &s : series)
            p.series(s);
    }
    if (partial) {
        p.str("partial");
        p.cell(B(true));
    }
    return p.bytes();
}

/// `{"results":[{"statement_id":0,"error":"..."}]}`
QByteArray msgpackStatementError(const QByteArray &message)
{
    Packer p;
    p.map(1);
    p.str("results");
    p.array(1);
    p.map(2);
    p.str("statement_id");
    p.cell(I(0));
    p.str("error");
    p.str(message);
    return p.bytes();
}

/// `{"error":"..."}`
QByteArray msgpackTopError(const QByteArray &message)
{
    Packer p;
    p.map(1);
    p.str("error");
    p.str(message);
    return p.bytes();
}

struct Decoded
{
    QByteArray text;
    qint64 appended = 0;
    qint64 points = 0;
    qint64 rejected = 0;
    QList<QPair<QByteArray, QString>> rejects;
};

/// Decodes `body` fed in pieces of `pieceSize(i)` bytes (the whole body when null).
Decoded decode(const QByteArray &body, LpDialect dialect = LpDialect{true},
               const QHash<QString, QList<FieldType>> &types = {},
               const std::function<qsizetype()> &pieceSize = nullptr)
{
    CollectingOutput out;
    InfluxResponseDecoder decoder(out, dialect, types);
    if (!pieceSize) {
        decoder.feed(body.constData(), size_t(body.size()));
    } else {
        for (qsizetype at = 0; at < body.size();) {
            const qsizetype n = std::min(pieceSize(), body.size() - at);
            decoder.feed(body.constData() + at, size_t(n));
            at += n;
        }
    }
    decoder.finish();
    return Decoded{out.text, out.appended, decoder.points(), decoder.rejected(), out.rejects};
}

/// Runs `body` through a decoder and returns the error it throws (kind Config when none).
Error decodeError(const QByteArray &body, bool callFinish = true)
{
    try {
        CollectingOutput out;
        InfluxResponseDecoder decoder(out, LpDialect{true});
        decoder.feed(body.constData(), size_t(body.size()));
        if (callFinish)
            decoder.finish();
    } catch (const Error &e) {
        return e;
    }
    return Error(ErrorKind::Config, u"no error"_s);
}

constexpr qint64 kInt64Min = std::numeric_limits<qint64>::min();
constexpr qint64 kInt64Max = std::numeric_limits<qint64>::max();

} // namespace

using FieldTypes = QHash<QString, QList<FieldType>>;
Q_DECLARE_METATYPE(FieldTypes)

/** InfluxResponseDecoder: InfluxQL answers (msgpack and streamed JSON) to line protocol. */
class TestInfluxDecoder : public QObject
{
    Q_OBJECT

private slots:
    void msgpackKeepsEachType();
    void msgpackTagsSortedAndEmptyOmitted();
    void msgpackSeriesAcrossChunks();
    void msgpackStreamedInSmallPieces();
    void msgpackExactTimesAndIntegerLimits();
    void inexpressibleNamesAreRejected();
    void inexpressibleValuesAreRejected();
    void statementErrorIsQueryError_data();
    void statementErrorIsQueryError();
    void endsAfterPartialChunk_data();
    void endsAfterPartialChunk();
    void msgpackCutShort();
    void garbageIsProtocolError_data();
    void garbageIsProtocolError();
    void jsonTypesFromFieldKeys();
    void jsonAnswerDecoded_data();
    void jsonAnswerDecoded();
    void jsonLineAcrossFeeds();
    void jsonChunksWhateverSeparates_data();
    void jsonChunksWhateverSeparates();
    void unsignedForTargetsWithout();
};

void TestInfluxDecoder::msgpackKeepsEachType()
{
    Series s{"cpu",
             {{"host", "a"}},
             {"time", "b", "f", "i", "s"},
             {
                 {I(1000), B(true), F(1.0), I(1), S("x")},
                 {I(2000), N(), F(2.5), N(), N()},
                 {I(3000), N(), N(), N(), N()}, // every field null: not a point
                 {I(4000), B(false), F(-0.5), I(-7), S("say \"hi\" C:\\tmp")},
                 {I(5000), N(), F(1e21), I(0), S("")},
             }};
    // A float with an integral value stays a float even for a field the hint calls integer:
    // msgpack says what each value is.
    const Decoded d = decode(msgpackChunk({s}), LpDialect{true}, {{u"f"_s, {FieldType::Integer}}});
    QCOMPARE(d.text,
             QByteArray("cpu,host=a b=true,f=1,i=1i,s=\"x\" 1000\n"
                        "cpu,host=a f=2.5 2000\n"
                        "cpu,host=a b=false,f=-0.5,i=-7i,s=\"say \\\"hi\\\" C:\\\\tmp\" 4000\n"
                        "cpu,host=a f=1e+21,i=0i,s=\"\" 5000\n"));
    QCOMPARE(d.appended, qint64(4));
    QCOMPARE(d.points, qint64(4));
    QCOMPARE(d.rejected, qint64(0));
    QVERIFY(d.rejects.isEmpty());
}

void TestInfluxDecoder::msgpackTagsSortedAndEmptyOmitted()
{
    Series s{"net",
             {{"zone", "z 1"}, {"host", "h,1"}, {"absent", ""}, {"az", "x=y"}},
             {"time", "v"},
             {{I(7), I(1)}}};
    Series untagged{"net", {{"host", ""}, {"zone", ""}}, {"time", "v"}, {{I(8), I(2)}}};
    const Decoded d = decode(msgpackChunk({s, untagged}));
    QCOMPARE(d.text, QByteArray("net,az=x\\=y,host=h\\,1,zone=z\\ 1 v=1i 7\n"
                                "net v=2i 8\n"));
}

void TestInfluxDecoder::msgpackSeriesAcrossChunks()
{
    Series a1{"cpu", {{"host", "a"}}, {"time", "v"}, {{I(1), F(0.5)}, {I(2), F(1.5)}}, true};
    Series a2 = a1;
    a2.values = {{I(3), F(2.5)}};
    a2.partial = false;
    // another column set in the same statement
    Series b{"cpu", {{"host", "b"}}, {"time", "v", "w"}, {{I(4), F(3.5), S("k")}}};
    const QByteArray body =
        msgpackChunk({a1}, true) + msgpackChunk({a2}, true) + msgpackChunk({b}, false);
    const Decoded d = decode(body);
    QCOMPARE(d.text, QByteArray("cpu,host=a v=0.5 1\n"
                                "cpu,host=a v=1.5 2\n"
                                "cpu,host=a v=2.5 3\n"
                                "cpu,host=b v=3.5,w=\"k\" 4\n"));
    QCOMPARE(d.points, qint64(4));
}

void TestInfluxDecoder::msgpackStreamedInSmallPieces()
{
    QList<Series> chunks;
    QByteArray body;
    QByteArray expected;
    for (int c = 0; c < 6; ++c) {
        Series s{"m" + QByteArray::number(c % 2),
                 {{"t", "v" + QByteArray::number(c)}},
                 {"time", "f", "i", "s"},
                 {}};
        for (int r = 0; r < 20; ++r) {
            const qint64 t = 1600000000000000000LL + c * 1000 + r;
            const QByteArray text(qsizetype(r * 3), char('a' + r % 26)); // up to str8 lengths
            s.values.append({I(t), F(r + 0.25), I(-r * 1000003LL), S(text)});
            expected += s.name + ",t=" + s.tags[0].second +
                        " f=" + QByteArray::number(r + 0.25, 'g', 17) +
                        ",i=" + QByteArray::number(-r * 1000003LL) + "i,s=\"" + text + "\" " +
                        QByteArray::number(t) + "\n";
        }
        s.partial = c % 2 == 0;
        body += msgpackChunk({s}, c < 5);
    }
    const Decoded whole = decode(body);
    QCOMPARE(whole.text, expected);
    QCOMPARE(whole.points, qint64(120));

    QRandomGenerator random(20240611);
    for (int round = 0; round < 20; ++round) {
        const Decoded pieces = decode(body, LpDialect{true}, {},
                                      [&random] { return qsizetype(random.bounded(1, 8)); });
        QCOMPARE(pieces.text, whole.text);
        QCOMPARE(pieces.appended, qint64(120));
    }
    for (qsizetype size = 1; size <= 7; ++size) {
        const Decoded pieces = decode(body, LpDialect{true}, {}, [size] { return size; });
        QCOMPARE(pieces.text, whole.text);
    }
}

void TestInfluxDecoder::msgpackExactTimesAndIntegerLimits()
{
    Series s{"t",
             {},
             {"time", "i"},
             {
                 {I(1600000000123456789LL), I(kInt64Max)},
                 {I(-1), I(kInt64Min)},
                 {I(-1600000000123456789LL), I(-1)},
                 {I(kInt64Min + 2), I(127)}, // InfluxDB's earliest time
                 {I(kInt64Max - 1), I(128)}, // and its latest
                 {I(0), I(-33)},
             }};
    const Decoded d = decode(msgpackChunk({s}));
    QCOMPARE(d.text, QByteArray("t i=9223372036854775807i 1600000000123456789\n"
                                "t i=-9223372036854775808i -1\n"
                                "t i=-1i -1600000000123456789\n"
                                "t i=127i -9223372036854775806\n"
                                "t i=128i 9223372036854775806\n"
                                "t i=-33i 0\n"));
}

void TestInfluxDecoder::inexpressibleValuesAreRejected()
{
    // A float line protocol has no spelling for, or a time its parser refuses: the row goes to
    // the rejects with the reason instead of writing a line every target refuses.
    Series s;
    s.name = "m";
    s.columns = {"time", "v", "w"};
    s.values = {{I(1), F(std::numeric_limits<double>::quiet_NaN()), I(1)},
                {I(2), F(-std::numeric_limits<double>::infinity()), N()},
                {I(kInt64Min), F(3), N()},
                {I(kInt64Max), F(4), N()},
                {I(5), F(5), S("")}};
    const Decoded d = decode(msgpackChunk({s}));
    QCOMPARE(d.text, QByteArray("m v=5,w=\"\" 5\n"));
    QCOMPARE(d.points, qint64(1));
    QCOMPARE(d.rejected, qint64(4));
    QVERIFY2(d.rejects[0].second.contains(u"field \"v\" is nan"_s), qPrintable(d.rejects[0].second));
    QVERIFY2(d.rejects[1].second.contains(u"field \"v\" is -inf"_s),
             qPrintable(d.rejects[1].second));
    QVERIFY2(d.rejects[2].second.contains(u"time"_s), qPrintable(d.rejects[2].second));
    QVERIFY2(d.rejects[3].second.contains(u"time"_s), qPrintable(d.rejects[3].second));

    // A tag given twice (no influxd sends it) would make a line every parser refuses.
    Series twice;
    twice.name = "m";
    twice.tags = {{"host", "a"}, {"host", "b"}, {"zone", ""}, {"zone", "z"}};
    twice.columns = {"time", "v"};
    twice.values = {{I(6), F(6)}};
    const Decoded t = decode(msgpackChunk({twice}));
    QCOMPARE(t.text, QByteArray());
    QCOMPARE(t.rejected, qint64(1));
    QVERIFY2(t.rejects[0].second.contains(u"\"host\" is given twice"_s),
             qPrintable(t.rejects[0].second));
}

void TestInfluxDecoder::inexpressibleNamesAreRejected()
{
    Series good{"ok", {{"host", "a"}}, {"time", "v"}, {{I(1), I(1)}}};
    Series badTag{"ok",
                  {{"host", "a"}, {"path", "C:\\"}},
                  {"time", "v"},
                  {{I(2), I(2)}, {I(3), N()}, {I(4), I(4)}}};
    Series badName{"two\nlines", {}, {"time", "v"}, {{I(5), F(5.5)}}};
    Series badField{"ok", {}, {"time", "v", "w\\"}, {{I(6), I(6), N()}, {I(7), I(7), S("x")}}};
    Series after = good;
    after.values = {{I(8), I(8)}};
    const Decoded d = decode(msgpackChunk({good, badTag, badName, badField, after}));

    // The others still come out; a null bad field does not spoil its row.
    QCOMPARE(d.text, QByteArray("ok,host=a v=1i 1\n"
                                "ok v=6i 6\n"
                                "ok,host=a v=8i 8\n"));
    QCOMPARE(d.points, qint64(3));
    // Every point of the bad series is rejected; the row with no value is no point at all.
    QCOMPARE(d.rejected, qint64(4));
    QCOMPARE(d.rejects.size(), 4);
    QCOMPARE(d.rejects[0].first, QByteArray("ok,host=a,path=C:\\ v=2i 2"));
    QVERIFY2(d.rejects[0].second.contains(u"tag \"path\""_s), qPrintable(d.rejects[0].second));
    QVERIFY2(d.rejects[0].second.contains(u"ends with a backslash"_s),
             qPrintable(d.rejects[0].second));
    QCOMPARE(d.rejects[1].first, QByteArray("ok,host=a,path=C:\\ v=4i 4"));
    QCOMPARE(d.rejects[1].second, d.rejects[0].second);
    QCOMPARE(d.rejects[2].first, QByteArray("two\nlines v=5.5 5"));
    QVERIFY2(d.rejects[2].second.contains(u"measurement"_s), qPrintable(d.rejects[2].second));
    QVERIFY2(d.rejects[2].second.contains(u"newline"_s), qPrintable(d.rejects[2].second));
    QCOMPARE(d.rejects[3].first, QByteArray("ok v=7i,w\\=\"x\" 7"));
    QVERIFY2(d.rejects[3].second.contains(u"field key \"w\\\""_s), qPrintable(d.rejects[3].second));
}

void TestInfluxDecoder::statementErrorIsQueryError_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("message");
    const QByteArray notFound = "database not found: mydb1";
    QTest::newRow("json statement")
        << QByteArray("{\"results\":[{\"statement_id\":0,\"error\":\"" + notFound + "\"}]}\n")
        << QString::fromUtf8(notFound);
    QTest::newRow("json statement, no newline at the end")
        << QByteArray("{\"results\":[{\"statement_id\":0,\"error\":\"" + notFound + "\"}]}")
        << QString::fromUtf8(notFound);
    QTest::newRow("json top level")
        << QByteArray("{\"error\":\"error parsing query: found EOF, expected FROM\"}\n")
        << u"error parsing query: found EOF, expected FROM"_s;
    QTest::newRow("msgpack statement")
        << msgpackStatementError(notFound) << QString::fromUtf8(notFound);
    QTest::newRow("msgpack top level") << msgpackTopError("timeout") << u"timeout"_s;

    // The error arrives after data: the data already decoded stays, the error still surfaces.
    Series s{"m", {}, {"time", "v"}, {{I(1), I(1)}}};
    QTest::newRow("msgpack, after a chunk of data")
        << msgpackChunk({s}, true) + msgpackStatementError("max-select-point limit exceeded")
        << u"max-select-point limit exceeded"_s;
    QTest::newRow("json, after a chunk of data")
        << QByteArray("{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":"
                      "[\"time\",\"v\"],\"values\":[[1,1]]}],\"partial\":true}]}\n"
                      "{\"results\":[{\"statement_id\":0,\"error\":\"killed\"}]}\n")
        << u"killed"_s;
}

void TestInfluxDecoder::statementErrorIsQueryError()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, message);
    const Error e = decodeError(body);
    QCOMPARE(e.kind(), ErrorKind::Query);
    QCOMPARE(e.message(), message);
}

void TestInfluxDecoder::endsAfterPartialChunk_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("decoded");
    Series s{"m", {}, {"time", "v"}, {{I(1), I(1)}}};
    QTest::newRow("msgpack") << msgpackChunk({s}, true) << QByteArray("m v=1i 1\n");
    Series sp = s;
    sp.partial = true;
    QTest::newRow("msgpack, series partial too")
        << msgpackChunk({s}, false) + msgpackChunk({sp}, true)
        << QByteArray("m v=1i 1\nm v=1i 1\n");
    QTest::newRow("json")
        << QByteArray("{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":["
                      "\"time\","
                      "\"v\"],\"values\":[[1,1]],\"partial\":true}],\"partial\":true}]}\n")
        << QByteArray("m v=1 1\n"); // no type hint: a JSON number is a float
}

void TestInfluxDecoder::endsAfterPartialChunk()
{
    QFETCH(QByteArray, body);
    CollectingOutput out;
    InfluxResponseDecoder decoder(out, LpDialect{true});
    decoder.feed(body.constData(), size_t(body.size()));
    QFETCH(QByteArray, decoded);
    QCOMPARE(out.text, decoded); // what came is passed on...
    try {
        decoder.finish();
        QFAIL("finish() accepted an answer that stopped after a partial chunk");
    } catch (const Error &e) {
        QCOMPARE(e.kind(), ErrorKind::Protocol); // ...but the unit is not complete
    }
}

void TestInfluxDecoder::msgpackCutShort()
{
    Series s{"cpu",
             {{"host", "a"}},
             {"time", "f", "s"},
             {{I(1600000000000000000LL), F(1.5), S("text")}, {I(2), N(), S("more")}}};
    const QByteArray whole = msgpackChunk({s}); // a complete, final answer on its own
    QCOMPARE(decode(whole).points, qint64(2));

    // Cut anywhere, even right after a complete value inside the map, it is half a document.
    for (qsizetype cut = 1; cut < whole.size(); ++cut) {
        const Error e = decodeError(whole.left(cut));
        QVERIFY2(
            e.kind() == ErrorKind::Protocol,
            qPrintable(
                u"cut after %1 of %2 bytes: %3"_s.arg(cut).arg(whole.size()).arg(e.message())));
    }
    // The half comes after a complete final document: still cut short.
    const Error e = decodeError(whole + whole.left(whole.size() / 2));
    QCOMPARE(e.kind(), ErrorKind::Protocol);
}

void TestInfluxDecoder::garbageIsProtocolError_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("html") << QByteArray("<html><body>502 Bad Gateway</body></html>");
    QTest::newRow("text") << QByteArray("x");
    QTest::newRow("NUL") << QByteArray("\0\x81", 2);
    QTest::newRow("msgpack array") << QByteArray("\x91\x01", 2);
    QTest::newRow("json array") << QByteArray("[1,2]\n"); // not a document InfluxDB sends
    QTest::newRow("json broken") << QByteArray("{\"results\":[{\"statement_id\":0,}\n");
    // What Qt's JSON parser refused, the decoder's own refuses too, before any row goes out.
    const QByteArray head = "{\"results\":[{\"series\":[{\"name\":\"m\",\"columns\":"
                            "[\"time\",\"v\"],\"values\":[[1,1],[2,";
    const QByteArray tail = "]]}]}]}\n";
    QTest::newRow("json invalid UTF-8") << head + "\"\xff\"" + tail;
    QTest::newRow("json UTF-8 surrogate") << head + "\"\xed\xa0\x80\"" + tail;
    QTest::newRow("json UTF-8 overlong") << head + "\"\xc0\xaf\"" + tail;
    QTest::newRow("json UTF-8 past U+10FFFF") << head + "\"\xf4\x90\x80\x80\"" + tail;
    QTest::newRow("json bad \\u escape") << head + "\"\\u12G4\"" + tail;
    QTest::newRow("json short \\u escape") << head + "\"\\u12\"" + tail;
    QTest::newRow("json float overflow") << head + "1e400" + tail;
    QTest::newRow("json float underflow") << head + "1e-400" + tail;
    QTest::newRow("json lone minus") << head + "-" + tail;
    QTest::newRow("json plus sign") << head + "+1" + tail;
    QTest::newRow("json exponent without digits") << head + "1e" + tail;
    QTest::newRow("json leading zero") << head + "01" + tail;
    QTest::newRow("json trailing comma") << head + "1," + tail;
    QTest::newRow("json bad literal") << head + "tru" + tail;
    QTest::newRow("json form feed as space") << head + "\f1" + tail;
    QTest::newRow("json unterminated string") << head + "\"abc\\\"" + tail;
}

void TestInfluxDecoder::garbageIsProtocolError()
{
    QFETCH(QByteArray, body);
    const Error e = decodeError(body);
    QCOMPARE(e.kind(), ErrorKind::Protocol);
    QVERIFY(!e.message().isEmpty());
    // No line of a refused document is handed on.
    CollectingOutput out;
    InfluxResponseDecoder decoder(out, LpDialect{true});
    QVERIFY_THROWS_EXCEPTION(Error, {
        decoder.feed(body.constData(), size_t(body.size()));
        decoder.finish();
    });
    QCOMPARE(out.text, QByteArray());
}

void TestInfluxDecoder::jsonTypesFromFieldKeys()
{
    const QHash<QString, QList<FieldType>> types = {
        {u"f"_s, {FieldType::Float}},
        {u"i"_s, {FieldType::Integer}},
        {u"both"_s, {FieldType::Float, FieldType::Integer}},
        {u"u"_s, {FieldType::Unsigned}},
        {u"ok"_s, {FieldType::Boolean}},
    };
    const QByteArray body =
        "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"tags\":{\"z\":\"1\","
        "\"a\":\"\",\"k\":\"v\"},\"columns\":[\"time\",\"both\",\"f\",\"i\",\"ok\",\"u\","
        "\"unknown\"],\"values\":["
        "[1600000000123456789,2.5,1,1,true,5,1],"
        "[-1600000000123456789,3,2.5,-42,false,0,2.5],"
        "[3,null,1e21,null,null,null,null],"
        "[4,null,null,null,null,null,null]"
        "]}]}]}\n";
    const Decoded d = decode(body, LpDialect{true}, types);
    QCOMPARE(d.text, QByteArray("m,k=v,z=1 both=2.5,f=1,i=1i,ok=true,u=5u,unknown=1 "
                                "1600000000123456789\n"
                                "m,k=v,z=1 both=3i,f=2.5,i=-42i,ok=false,u=0u,unknown=2.5 "
                                "-1600000000123456789\n"
                                "m,k=v,z=1 f=1e+21 3\n"));
    QCOMPARE(d.points, qint64(3));

    // The same body for a target without unsigned integers.
    const Decoded noUnsigned = decode(body, LpDialect{false}, types);
    QVERIFY2(noUnsigned.text.contains(",ok=true,u=5i,"), noUnsigned.text.constData());
    QVERIFY2(noUnsigned.text.contains(",ok=false,u=0i,"), noUnsigned.text.constData());
}

void TestInfluxDecoder::jsonAnswerDecoded_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<FieldTypes>("types");
    QTest::addColumn<QByteArray>("decoded");

    // As Go's encoding/json writes them: \" \\ \n, \u escapes for <, > and &, raw UTF-8.
    QTest::newRow("strings escaped")
        << QByteArray("{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"log\\\\s\","
                      "\"tags\":{\"f k\":\"a,b=c\"},\"columns\":[\"time\",\"msg\"],\"values\":["
                      "[1,\"say \\\"hi\\\"\\nC:\\\\tmp\"],"
                      "[2,\"\\u003cb\\u003e \\u0026 caf\xC3\xA9 \\u00e9 \\ud83d\\ude00\"],"
                      "[3,\"tab\\there\"]"
                      "]}]}]}\n")
        << FieldTypes()
        << QByteArray("log\\s,f\\ k=a\\,b\\=c msg=\"say \\\"hi\\\"\nC:\\\\tmp\" 1\n"
                      "log\\s,f\\ k=a\\,b\\=c msg=\"<b> & caf\xC3\xA9 \xC3\xA9 "
                      "\xF0\x9F\x98\x80\" 2\n"
                      "log\\s,f\\ k=a\\,b\\=c msg=\"tab\there\" 3\n");

    // Go writes a float −0 as "-0" (msgpack keeps its sign bit as well). Strings that look
    // like it stay as they are; an integer column cannot hold −0, a float one must.
    QTest::newRow("negative zero")
        << QByteArray("{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":"
                      "[\"time\",\"both\",\"f\",\"s\"],\"values\":["
                      "[1,-0,-0,\"-0\"],"
                      "[2,0,0,\"a -0,\"],"
                      "[3,-0.5,-0e0,\"x\"]"
                      "]}]}]}\n")
        << FieldTypes{{u"f"_s, {FieldType::Float}},
                      {u"both"_s, {FieldType::Float, FieldType::Integer}},
                      {u"s"_s, {FieldType::String}}}
        << QByteArray("m both=-0,f=-0,s=\"-0\" 1\n"
                      "m both=0i,f=0,s=\"a -0,\" 2\n"
                      "m both=-0.5,f=-0,s=\"x\" 3\n");

    // Integers past 2^53 must not go through a double, nor turn into floats near the limits.
    QTest::newRow("integer limits")
        << QByteArray("{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":"
                      "[\"time\",\"both\",\"i\"],\"values\":["
                      "[1,null,9007199254740993],"
                      "[2,null,9223372036854775807],"
                      "[3,null,-9223372036854775808],"
                      "[4,9223372036854775807,9200000000000000001],"
                      "[-9223372036854775806,null,0]"
                      "]}]}]}\n")
        << FieldTypes{{u"i"_s, {FieldType::Integer}},
                      {u"both"_s, {FieldType::Float, FieldType::Integer}}}
        << QByteArray("m i=9007199254740993i 1\n"
                      "m i=9223372036854775807i 2\n"
                      "m i=-9223372036854775808i 3\n"
                      "m both=9223372036854775807i,i=9200000000000000001i 4\n"
                      "m i=0i -9223372036854775806\n");

    // Numbers read as Qt's parser read them: a whole double is an integer where the column
    // is one, an integer past int64 a double ("-9223372036854775809" rounds to -2^63, which
    // fits), "1." and ".5" are numbers, the smallest subnormal keeps its value; an exponent
    // of "-0" is no negative zero (the Qt-based reader refused such a number).
    QTest::newRow("number spellings")
        << QByteArray("{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":"
                      "[\"time\",\"i\",\"f\"],\"values\":["
                      "[1,1.0,1.0],"
                      "[2,1E2,1E2],"
                      "[3,9223372036854775808,5e-324],"
                      "[4,-9223372036854775809,1.7976931348623157e308],"
                      "[5,1.,.5],"
                      "[6.0,1.5,-.5],"
                      "[7,1e-0,-2E-00]"
                      "]}]}]}\n")
        << FieldTypes{{u"i"_s, {FieldType::Integer}}, {u"f"_s, {FieldType::Float}}}
        << QByteArray("m i=1i,f=1 1\n"
                      "m i=100i,f=100 2\n"
                      "m i=9223372036854775808,f=5e-324 3\n"
                      "m i=-9223372036854775808i,f=1.7976931348623157e+308 4\n"
                      "m i=1i,f=0.5 5\n"
                      "m i=1.5,f=-0.5 6\n"
                      "m i=1i,f=-2 7\n");

    // \u escapes as Qt read them: a pair is one character, a surrogate on its own a '?', an
    // unknown escape the byte after the backslash as Latin-1 (so "\\\xe9" is "é"); control
    // bytes and NUL are kept; an empty string is a value.
    QTest::newRow("string escapes")
        << QByteArray("{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":"
                      "[\"time\",\"s\"],\"values\":["
                      "[1,\"\\ud800x\"],"
                      "[2,\"\\udc00\\ud800\"],"
                      "[3,\"\\ud800\\ud800\\udc00\"],"
                      "[4,\"\\U0041 \\/ \\b\\f\\r\"],"
                      "[5,\"a\\u0000b\tc\x01\"],"
                      "[6,\"\"],"
                      "[7,\"\\uD83D\\uDE00\xef\xbf\xbf\"],"
                      "[8,\"a\\\xe9n\"]"
                      "]}]}]}\n")
        << FieldTypes{{u"s"_s, {FieldType::String}}}
        << QByteArray("m s=\"?x\" 1\n"
                      "m s=\"??\" 2\n"
                      "m s=\"?\xf0\x90\x80\x80\" 3\n"
                      "m s=\"U0041 / \b\f\r\" 4\n"
                      "m s=\"a") +
               '\0' +
               QByteArray("b\tc\x01\" 5\n"
                          "m s=\"\" 6\n"
                          "m s=\"\xf0\x9f\x98\x80\xef\xbf\xbf\" 7\n"
                          "m s=\"a\xc3\xa9n\" 8\n");

    // A key given twice means its last value (as in a QJsonObject); names may be escaped.
    QTest::newRow("keys given twice or escaped")
        << QByteArray("{\"results\":[{\"series\":[{\"name\":\"old\"}]}],"
                      "\"results\":[{\"statement_id\":0,\"series\":[{\"n\\u0061me\":\"x\","
                      "\"name\":\"m\",\"tags\":{\"h\":\"a\",\"h\":\"b\",\"e\":\"\"},"
                      "\"columns\":[\"time\",\"v\"],\"values\":[[1,2]]}]}]}\n")
        << FieldTypes{{u"v"_s, {FieldType::Integer}}}
        << QByteArray("m,h=b v=2i 1\n");
}

void TestInfluxDecoder::jsonAnswerDecoded()
{
    QFETCH(QByteArray, body);
    QFETCH(FieldTypes, types);
    QFETCH(QByteArray, decoded);
    QCOMPARE(decode(body, LpDialect{true}, types).text, decoded);
}

void TestInfluxDecoder::jsonLineAcrossFeeds()
{
    const QByteArray chunk1 =
        "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"tags\":{\"h\":\"a\"},"
        "\"columns\":[\"time\",\"s\"],\"values\":[[1,\"caf\xC3\xA9\"],[2,\"x\"]],\"partial\":true}]"
        ","
        "\"partial\":true}]}\n";
    const QByteArray chunk2 =
        "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"tags\":{\"h\":\"a\"},"
        "\"columns\":[\"time\",\"s\"],\"values\":[[3,\"y\"]]}]}]}\n";
    const QByteArray expected = "m,h=a s=\"caf\xC3\xA9\" 1\n"
                                "m,h=a s=\"x\" 2\n"
                                "m,h=a s=\"y\" 3\n";
    const QByteArray body = chunk1 + chunk2;
    QCOMPARE(decode(body).text, expected);
    // Every split point, including inside the UTF-8 sequence and right at the newline.
    for (qsizetype cut = 1; cut < body.size(); ++cut) {
        CollectingOutput out;
        InfluxResponseDecoder decoder(out, LpDialect{true});
        decoder.feed(body.constData(), size_t(cut));
        decoder.feed(body.constData() + cut, size_t(body.size() - cut));
        decoder.finish();
        QCOMPARE(out.text, expected);
    }
    for (qsizetype size = 1; size <= 7; ++size)
        QCOMPARE(decode(body, LpDialect{true}, {}, [size] { return size; }).text, expected);
    // The last document without its newline is complete all the same.
    QCOMPARE(decode(body.chopped(1)).text, expected);
    // A cut JSON document is not a complete answer.
    QCOMPARE(decodeError(chunk1 + chunk2.left(40)).kind(), ErrorKind::Protocol);
}

void TestInfluxDecoder::jsonChunksWhateverSeparates_data()
{
    // 1.x and 2.x end each chunk with "\n", InfluxDB 3.0–3.6 with "\r\n" (http/v1.rs
    // extend_with_crlf), 3.7+ with nothing (iox_v1_query_api response/json.rs).
    QTest::addColumn<QByteArray>("separator");
    QTest::newRow("LF") << QByteArray("\n");
    QTest::newRow("CRLF") << QByteArray("\r\n");
    QTest::newRow("none") << QByteArray();
}

void TestInfluxDecoder::jsonChunksWhateverSeparates()
{
    QFETCH(QByteArray, separator);
    // 3.7+ print a float without fraction as an integer: the field keys say it is a float.
    const QHash<QString, QList<FieldType>> types = {{u"f"_s, {FieldType::Float}},
                                                    {u"s"_s, {FieldType::String}}};
    const QByteArray chunk1 =
        "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\","
        "\"f\",\"s\"],\"values\":[[1,100,\"}{\\\"[\"]],\"partial\":true}],\"partial\":true}]}";
    const QByteArray chunk2 =
        "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\","
        "\"columns\":[\"time\",\"f\",\"s\"],\"values\":[[2,2.5,\"\\\\\"]]}]}]}";
    const QByteArray body = chunk1 + separator + chunk2 + separator;
    const QByteArray expected = "m f=100,s=\"}{\\\"[\" 1\n"
                                "m f=2.5,s=\"\\\\\" 2\n";
    QCOMPARE(decode(body, LpDialect{true}, types).text, expected);
    for (qsizetype cut = 1; cut < body.size(); ++cut) {
        CollectingOutput out;
        InfluxResponseDecoder decoder(out, LpDialect{true}, types);
        decoder.feed(body.constData(), size_t(cut));
        decoder.feed(body.constData() + cut, size_t(body.size() - cut));
        decoder.finish();
        QCOMPARE(out.text, expected);
    }
    QCOMPARE(decode(body, LpDialect{true}, types, [] { return 1; }).text, expected);
    // Something other than a document between two is no InfluxQL answer.
    QCOMPARE(decodeError(chunk1 + " x" + chunk2).kind(), ErrorKind::Protocol);
}

void TestInfluxDecoder::unsignedForTargetsWithout()
{
    Series s{"m",
             {},
             {"time", "big", "small", "n"},
             {
                 {I(1), U(18446744073709551615ULL), I(5), I(-3)},
                 {I(2), U(9223372036854775808ULL), I(0), N()},
                 {I(3), U(9223372036854775807ULL), N(), N()}, // msgpack uint that fits in int64
             }};
    const QHash<QString, QList<FieldType>> types = {{u"big"_s, {FieldType::Unsigned}},
                                                    {u"small"_s, {FieldType::Unsigned}},
                                                    {u"n"_s, {FieldType::Unsigned}}};
    const QByteArray body = msgpackChunk({s});

    QCOMPARE(decode(body, LpDialect{true}, types).text,
             QByteArray("m big=18446744073709551615u,small=5u,n=-3i 1\n"
                        "m big=9223372036854775808u,small=0u 2\n"
                        "m big=9223372036854775807u 3\n"));
    QCOMPARE(decode(body, LpDialect{false}, types).text,
             QByteArray("m big=18446744073709551616,small=5i,n=-3i 1\n"
                        "m big=9223372036854775808,small=0i 2\n"
                        "m big=9223372036854775807i 3\n"));
    // Without the hint a small msgpack integer is an integer; a value past INT64_MAX can only
    // be unsigned.
    QCOMPARE(decode(body, LpDialect{true}).text,
             QByteArray("m big=18446744073709551615u,small=5i,n=-3i 1\n"
                        "m big=9223372036854775808u,small=0i 2\n"
                        "m big=9223372036854775807i 3\n"));
    QCOMPARE(decode(body, LpDialect{false}).text,
             QByteArray("m big=18446744073709551616,small=5i,n=-3i 1\n"
                        "m big=9223372036854775808,small=0i 2\n"
                        "m big=9223372036854775807i 3\n"));
}

QTEST_GUILESS_MAIN(TestInfluxDecoder)
#include "test_influxdecoder.moc"
