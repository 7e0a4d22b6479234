#include "influx/InfluxV2Api.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

constexpr qint64 kSecondNs = 1000000000LL;
constexpr qint64 kDaySeconds = 24 * 3600;
constexpr int kPageSize = 100; // the most /api/v2/buckets hands out at once

QJsonObject jsonObject(const HttpResponse &response, const QString &what)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(response.body, &error);
    if (!document.isObject())
        throw Error(
            ErrorKind::Protocol,
            u"%1 sent an answer that is not a JSON object: %2"_s.arg(what, error.errorString()),
            response.status);
    return document.object();
}

InfluxV2Api::Bucket bucketFrom(const QJsonObject &object)
{
    InfluxV2Api::Bucket bucket;
    bucket.id = object.value(u"id"_s).toString();
    bucket.name = object.value(u"name"_s).toString();
    bucket.type = object.value(u"type"_s).toString();
    const QJsonArray rules = object.value(u"retentionRules"_s).toArray();
    if (!rules.isEmpty()) {
        const QJsonObject rule = rules.first().toObject();
        bucket.retentionSeconds = rule.value(u"everySeconds"_s).toInteger();
        bucket.shardGroupSeconds = rule.value(u"shardGroupDurationSeconds"_s).toInteger();
    }
    return bucket;
}

HttpRequest jsonPost(const QByteArray &url, const QJsonObject &body)
{
    HttpRequest request;
    request.method = "POST";
    request.url = url;
    request.headers.emplaceBack("Content-Type", "application/json");
    request.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    return request;
}

} // namespace

bool InfluxV2Api::Bucket::isSystem() const
{
    return type == u"system" || name == u"_monitoring" || name == u"_tasks";
}

qint64 InfluxV2Api::Bucket::shardGroupDurationNs() const
{
    if (shardGroupSeconds > 0)
        return shardGroupSeconds * kSecondNs;
    if (retentionSeconds == 0 || retentionSeconds >= 180 * kDaySeconds)
        return 7 * kDaySeconds * kSecondNs;
    if (retentionSeconds >= 2 * kDaySeconds)
        return kDaySeconds * kSecondNs;
    return 3600 * kSecondNs;
}

bool InfluxV2Api::isId(const QString &text)
{
    static const QRegularExpression id(u"^[0-9a-fA-F]{16}$"_s);
    return id.match(text).hasMatch();
}

QString InfluxV2Api::healthVersion(const CancelToken &cancel)
{
    HttpRequest request;
    request.url = m_api.url("/health");
    const HttpResponse response = m_api.call(request, cancel, {404, 503}, where());
    QString version =
        QJsonDocument::fromJson(response.body).object().value(u"version"_s).toString();
    if (version.startsWith(u'v'))
        version.remove(0, 1);
    return version;
}

ConnectionInfo InfluxV2Api::identify(const CancelToken &cancel, const QString &adviceFor1,
                                     const QString &adviceFor3)
{
    ConnectionInfo info;
    try {
        info = m_api.ping(cancel);
    } catch (const Error &error) {
        if (error.kind() != ErrorKind::Protocol)
            throw;
        info.product = u"InfluxDB"_s; // Cloud may have no /ping
    }
    if (info.version.isEmpty()) {
        info.version = healthVersion(cancel);
        if (!info.version.isEmpty() && info.detail.startsWith(u"no version header"_s))
            info.detail.clear();
    }
    const int major = InfluxApi::majorVersion(info);
    if (major == 1 || major == 3)
        throw Error(ErrorKind::Config,
                    u"%1 is %2 %3, not InfluxDB 2.x: %4"_s.arg(
                        where(), info.product, info.version, major == 1 ? adviceFor1 : adviceFor3));
    return info;
}

QString InfluxV2Api::where() const
{
    return u"InfluxDB at "_s + m_api.endpoint().baseUrl;
}

InfluxV2Api::Organization InfluxV2Api::organizationByName(const QString &name,
                                                          const CancelToken &cancel, bool *refused)
{
    HttpRequest request;
    request.url = m_api.url("/api/v2/orgs", {{"org", name}});
    const HttpResponse response = m_api.call(request, cancel, {401, 403, 404}, where());
    // A wrong token is "unauthorized access"; a token without read:orgs is refused by name.
    if (response.status == 401 && InfluxApi::messageOf(response) == u"unauthorized access")
        throw InfluxApi::errorFromResponse(response, where());
    *refused = response.status == 401 || response.status == 403;
    Organization org;
    if (response.status != 200)
        return org;
    const QJsonArray orgs = jsonObject(response, where()).value(u"orgs"_s).toArray();
    for (const QJsonValue &value : orgs) {
        const QJsonObject object = value.toObject();
        if (object.value(u"name"_s).toString() == name) {
            org.id = object.value(u"id"_s).toString();
            org.name = name;
        }
    }
    return org;
}

QList<InfluxV2Api::Bucket> InfluxV2Api::organizationBuckets(const QString &orgId,
                                                            const QString &label,
                                                            const CancelToken &cancel)
{
    const QString id = orgId.trimmed();
    if (id.isEmpty())
        throw Error(ErrorKind::Config,
                    u"%1 is empty: enter the organization's ID (16 hexadecimal digits, shown under "
                    u"Organization → About in the InfluxDB UI)"_s.arg(label));
    if (!isId(id)) {
        bool refused = false;
        const Organization org = organizationByName(id, cancel, &refused);
        if (!org.id.isEmpty())
            throw Error(ErrorKind::Config,
                        u"%1 \"%2\" is the organization's name, not its ID; the ID of "
                        u"organization \"%2\" is %3: enter %3 as %1"_s.arg(label, id, org.id));
        throw Error(ErrorKind::Config,
                    refused ? u"%1 \"%2\" is not an organization ID (16 hexadecimal digits, shown "
                              u"under Organization → About in the InfluxDB UI)"_s.arg(label, id)
                            : u"%1 \"%2\" is not an organization ID (16 hexadecimal digits), and "
                              u"no organization on %3 is called that"_s.arg(
                                  label, id, m_api.endpoint().baseUrl));
    }

    QList<Bucket> buckets;
    qint64 seen = 0;
    for (int offset = 0;; offset += kPageSize) {
        HttpRequest request;
        request.url = m_api.url("/api/v2/buckets", {{"orgID", id},
                                                    {"limit", QString::number(kPageSize)},
                                                    {"offset", QString::number(offset)}});
        const QJsonObject page = jsonObject(m_api.call(request, cancel, {}, where()), where());
        const QJsonArray array = page.value(u"buckets"_s).toArray();
        for (const QJsonValue &value : array) {
            const Bucket bucket = bucketFrom(value.toObject());
            if (!bucket.isSystem())
                buckets.append(bucket);
        }
        seen += array.size();
        // 2.x filters a page after paging it (tenant/middleware_bucket_auth.go FindBuckets →
        // authorizer.AuthorizeFindBuckets) and links.next only follows a full page, so to a
        // token scoped to some buckets a short page is not the end of the list; an empty one
        // is taken for it. (A task's own bucket is looked up by name: findBucket.)
        if (array.isEmpty())
            break;
    }
    if (seen > 0)
        return buckets;

    // Not even the system buckets: the organization is unknown, or the token may not read it.
    HttpRequest request;
    request.url = m_api.url("/api/v2/orgs/" + HttpClient::percentEncode(id));
    const HttpResponse org = m_api.call(request, cancel, {401, 403, 404}, where());
    if (org.status == 404)
        throw Error(ErrorKind::NotFound,
                    u"%1 %2: no organization on %3 has that ID (%4)"_s.arg(
                        label, id, m_api.endpoint().baseUrl, InfluxApi::messageOf(org)),
                    404);
    if (org.status == 401 || org.status == 403)
        throw Error(ErrorKind::NotFound,
                    u"%1 %2: the token sees no bucket of that organization on %3; check the ID "
                    u"and that the token may read the organization (%4)"_s.arg(
                        label, id, m_api.endpoint().baseUrl, InfluxApi::messageOf(org)),
                    org.status);
    return buckets;
}

std::optional<InfluxV2Api::Bucket>
InfluxV2Api::findBucket(const QString &orgId, const QString &name, const CancelToken &cancel)
{
    HttpRequest request;
    request.url = m_api.url("/api/v2/buckets", {{"orgID", orgId}, {"name", name}});
    const HttpResponse response = m_api.call(request, cancel, {404}, where());
    if (response.status == 404)
        return std::nullopt;
    const QJsonArray array = jsonObject(response, where()).value(u"buckets"_s).toArray();
    for (const QJsonValue &value : array) {
        const Bucket bucket = bucketFrom(value.toObject());
        if (bucket.name == name)
            return bucket;
    }
    return std::nullopt;
}

InfluxV2Api::Bucket InfluxV2Api::createBucket(const QString &orgId, const QString &name,
                                              const CancelToken &cancel)
{
    const QJsonObject body{
        {u"orgID"_s, orgId}, {u"name"_s, name}, {u"retentionRules"_s, QJsonArray()}};
    const HttpResponse response =
        m_api.call(jsonPost(m_api.url("/api/v2/buckets"), body), cancel, {},
                   u"Creating bucket \"%1\" on %2"_s.arg(name, where()));
    return bucketFrom(jsonObject(response, where()));
}

QList<InfluxV2Api::Dbrp> InfluxV2Api::dbrps(const QString &orgId,
                                            const QList<QPair<QByteArray, QString>> &filter,
                                            const CancelToken &cancel)
{
    QList<QPair<QByteArray, QString>> parameters{{"orgID", orgId}};
    parameters.append(filter);
    HttpRequest request;
    request.url = m_api.url("/api/v2/dbrps", parameters);
    const QJsonArray content =
        jsonObject(m_api.call(request, cancel, {}, where()), where()).value(u"content"_s).toArray();
    QList<Dbrp> mappings;
    for (const QJsonValue &value : content) {
        const QJsonObject object = value.toObject();
        Dbrp dbrp;
        dbrp.id = object.value(u"id"_s).toString();
        dbrp.database = object.value(u"database"_s).toString();
        dbrp.retentionPolicy = object.value(u"retention_policy"_s).toString();
        dbrp.bucketId = object.value(u"bucketID"_s).toString();
        dbrp.isDefault = object.value(u"default"_s).toBool();
        dbrp.isVirtual = object.value(u"virtual"_s).toBool();
        mappings.append(dbrp);
    }
    return mappings;
}

bool InfluxV2Api::createDbrp(const QString &orgId, const QString &bucketId, const QString &database,
                             const QString &retentionPolicy, const CancelToken &cancel)
{
    const QJsonObject body{{u"bucketID"_s, bucketId},
                           {u"database"_s, database},
                           {u"retention_policy"_s, retentionPolicy},
                           {u"default"_s, true},
                           {u"orgID"_s, orgId}};
    const HttpResponse response =
        m_api.call(jsonPost(m_api.url("/api/v2/dbrps"), body), cancel, {422},
                   u"Creating the mapping %1/%2 on %3"_s.arg(database, retentionPolicy, where()));
    return response.status != 422;
}

} // namespace tsm
