#include "support/InfluxDump.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTest>
#include <QUrl>
#include <QUrlQuery>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <curl/curl.h>
#include <msgpack.h>

using namespace Qt::StringLiterals;

namespace tsm::test {

namespace {

size_t collect(char *data, size_t size, size_t count, void *user)
{
    static_cast<QByteArray *>(user)->append(data, qsizetype(size * count));
    return size * count;
}

QString str(const msgpack_object &o)
{
    if (o.type == MSGPACK_OBJECT_STR)
        return QString::fromUtf8(o.via.str.ptr, qsizetype(o.via.str.size));
    return QString();
}

const msgpack_object *find(const msgpack_object &map, const char *key)
{
    if (map.type != MSGPACK_OBJECT_MAP)
        return nullptr;
    for (uint32_t i = 0; i < map.via.map.size; ++i) {
        const msgpack_object &k = map.via.map.ptr[i].key;
        if (k.type == MSGPACK_OBJECT_STR && k.via.str.size == std::strlen(key) &&
            std::memcmp(k.via.str.ptr, key, k.via.str.size) == 0)
            return &map.via.map.ptr[i].val;
    }
    return nullptr;
}

QString typed(const msgpack_object &o)
{
    switch (o.type) {
    case MSGPACK_OBJECT_BOOLEAN:
        return o.via.boolean ? u"boolean|true"_s : u"boolean|false"_s;
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        return u"integer|"_s + QString::number(o.via.u64);
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        return u"integer|"_s + QString::number(o.via.i64);
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        // QString::number() writes −0 as "0": the sign is a value too.
        if (o.via.f64 == 0 && std::signbit(o.via.f64))
            return u"float|-0"_s;
        return u"float|"_s + QString::number(o.via.f64, 'g', 17);
    case MSGPACK_OBJECT_STR:
        return u"string|"_s + QString::fromLatin1(str(o).toUtf8().toPercentEncoding(" "));
    default:
        return u"other|"_s + QString::number(int(o.type));
    }
}

} // namespace

InfluxDump::InfluxDump(QString baseUrl, QString user, QString password)
    : m_baseUrl(std::move(baseUrl)), m_user(std::move(user)), m_password(std::move(password))
{}

QByteArray InfluxDump::get(const QString &database, const QString &statement, bool msgpack)
{
    QUrl url(m_baseUrl + u"/query"_s);
    QUrlQuery query;
    query.addQueryItem(u"db"_s, QString::fromUtf8(QUrl::toPercentEncoding(database)));
    query.addQueryItem(u"epoch"_s, u"ns"_s);
    query.addQueryItem(u"q"_s, QString::fromUtf8(QUrl::toPercentEncoding(statement)));
    url.setQuery(query);
    CURL *curl = curl_easy_init();
    QByteArray body;
    const QByteArray urlBytes = url.toEncoded();
    curl_easy_setopt(curl, CURLOPT_URL, urlBytes.constData());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    curl_slist *headers = nullptr;
    if (msgpack)
        headers = curl_slist_append(headers, "Accept: application/x-msgpack");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    const QByteArray user = m_user.toUtf8(), password = m_password.toUtf8();
    if (!m_user.isEmpty()) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, user.constData());
        curl_easy_setopt(curl, CURLOPT_PASSWORD, password.constData());
    }
    const CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK || status != 200) {
        m_error = u"%1 failed: curl %2, HTTP %3: %4"_s.arg(statement).arg(int(rc)).arg(status).arg(
            QString::fromUtf8(body.left(300)));
        return QByteArray();
    }
    return body;
}

QStringList InfluxDump::dump(const QString &database)
{
    m_error.clear();
    // Shard groups of the database: each value is read inside one of them.
    const QByteArray shardsJson = get(QString(), u"SHOW SHARDS"_s, false);
    if (!m_error.isEmpty())
        return {};
    QList<QPair<QString, QString>> groups;
    const QJsonArray seriesList =
        QJsonDocument::fromJson(shardsJson)[u"results"_s][0][u"series"_s].toArray();
    for (const QJsonValue &series : seriesList) {
        const QJsonArray columns = series[u"columns"_s].toArray();
        const int db = int(columns.toVariantList().indexOf(u"database"_s));
        const int start = int(columns.toVariantList().indexOf(u"start_time"_s));
        const int end = int(columns.toVariantList().indexOf(u"end_time"_s));
        for (const QJsonValue &row : series[u"values"_s].toArray())
            if (row[db].toString() == database) {
                const QPair<QString, QString> group{row[start].toString(), row[end].toString()};
                if (!groups.contains(group))
                    groups.append(group);
            }
    }

    QStringList lines;
    const QByteArray measurementsJson = get(database, u"SHOW MEASUREMENTS"_s, false);
    if (!m_error.isEmpty())
        return {};
    QStringList measurements;
    for (const QJsonValue &row :
         QJsonDocument::fromJson(measurementsJson)[u"results"_s][0][u"series"_s][0][u"values"_s]
             .toArray())
        measurements.append(row[0].toString());

    for (const QString &measurement : measurements) {
        QString quoted = measurement;
        quoted.replace(u"\\"_s, u"\\\\"_s).replace(u"\""_s, u"\\\""_s);
        for (const auto &[start, end] : groups) {
            const QString statement =
                u"SELECT * FROM \"%1\" WHERE time >= '%2' AND time < '%3' GROUP BY *"_s.arg(
                    quoted, start, end);
            const QByteArray body = get(database, statement, true);
            if (!m_error.isEmpty())
                return {};
            msgpack_unpacked result;
            msgpack_unpacked_init(&result);
            size_t offset = 0;
            if (msgpack_unpack_next(&result, body.constData(), size_t(body.size()), &offset) !=
                MSGPACK_UNPACK_SUCCESS) {
                m_error = u"Unreadable msgpack answer to %1"_s.arg(statement);
                msgpack_unpacked_destroy(&result);
                return {};
            }
            const msgpack_object *results = find(result.data, "results");
            const msgpack_object *first =
                results && results->via.array.size > 0 ? &results->via.array.ptr[0] : nullptr;
            if (const msgpack_object *err = first ? find(*first, "error") : nullptr) {
                m_error = u"%1: %2"_s.arg(statement, str(*err));
                msgpack_unpacked_destroy(&result);
                return {};
            }
            const msgpack_object *series = first ? find(*first, "series") : nullptr;
            for (uint32_t s = 0; series && s < series->via.array.size; ++s) {
                const msgpack_object &ser = series->via.array.ptr[s];
                QStringList tagPairs;
                if (const msgpack_object *tags = find(ser, "tags"))
                    for (uint32_t t = 0; t < tags->via.map.size; ++t)
                        if (tags->via.map.ptr[t].val.via.str.size > 0)
                            tagPairs.append(str(tags->via.map.ptr[t].key) + u'=' +
                                            str(tags->via.map.ptr[t].val));
                tagPairs.sort();
                const QString seriesKey = measurement + u'|' + tagPairs.join(u',');
                const msgpack_object *columns = find(ser, "columns");
                const msgpack_object *values = find(ser, "values");
                for (uint32_t r = 0; values && r < values->via.array.size; ++r) {
                    const msgpack_object &row = values->via.array.ptr[r];
                    const QString time = QString::number(row.via.array.ptr[0].via.i64);
                    for (uint32_t c = 1; c < row.via.array.size; ++c) {
                        if (row.via.array.ptr[c].type == MSGPACK_OBJECT_NIL)
                            continue;
                        lines.append(seriesKey + u'|' + time + u'|' +
                                     str(columns->via.array.ptr[c]) + u'|' +
                                     typed(row.via.array.ptr[c]));
                    }
                }
            }
            msgpack_unpacked_destroy(&result);
        }
    }
    lines.sort();
    return lines;
}

qint64 InfluxDump::pointCount(const QStringList &dump)
{
    QSet<QString> points;
    for (const QString &line : dump) {
        const QStringList parts = line.split(u'|');
        points.insert(parts.mid(0, 3).join(u'|'));
    }
    return points.size();
}

QString compareDumps(const QStringList &expected, const QStringList &actual)
{
    if (expected == actual)
        return QString();
    QStringList report;
    report.append(u"expected %1 values, got %2"_s.arg(expected.size()).arg(actual.size()));
    const QSet<QString> e(expected.begin(), expected.end());
    const QSet<QString> a(actual.begin(), actual.end());
    int shown = 0;
    for (const QString &line : expected)
        if (!a.contains(line) && shown++ < 10)
            report.append(u"missing: "_s + line);
    shown = 0;
    for (const QString &line : actual)
        if (!e.contains(line) && shown++ < 10)
            report.append(u"unexpected: "_s + line);
    return report.join(u'\n');
}

void verifyCopy(InfluxDump &source, const QString &sourceDb, InfluxDump &target,
                const QString &targetDb, qint64 points)
{
    const QStringList expected = source.dump(sourceDb);
    const QStringList actual = target.dump(targetDb);
    QVERIFY2(source.error().isEmpty(), qPrintable(source.error()));
    QVERIFY2(target.error().isEmpty(), qPrintable(target.error()));
    QCOMPARE(InfluxDump::pointCount(expected), points);
    const QString diff = compareDumps(expected, actual);
    QVERIFY2(diff.isEmpty(), qPrintable(diff));
}

void verifyCopy(InfluxDump &dump, const QString &sourceDb, const QString &targetDb, qint64 points)
{
    verifyCopy(dump, sourceDb, dump, targetDb, points);
}

} // namespace tsm::test
