// InfluxDB 2.x emulator. It follows /work/shared/PROTOCOLS.md:
//   §1.1  /ping: 204 with X-Influxdb-Build: OSS and X-Influxdb-Version: v<version> on every
//         answer. The "v" prefix is [U] in PROTOCOLS.md (two third-party logs of 2.2.0 and
//         2.7.12 show it; not checked on a server here).
//   §3    token authentication (401 {"code":"unauthorized","message":"unauthorized access"});
//         GET /api/v2/orgs?org=, GET /api/v2/orgs/{id}; GET/POST /api/v2/buckets (default page
//         20, limit 1..100, links.next when a page is full, system buckets _monitoring and
//         _tasks); GET/POST /api/v2/dbrps (orgID or org required; virtual mappings from 2.4 on);
//         /health; POST /api/v2/write (org|orgID and bucket required, precision ns|us|ms|s,
//         partial write 422, 404 bucket not found, 413); the 1.x-compatible /query with its DBRP
//         check, SHOW DATABASES and SHOW RETENTION POLICIES answered from the mappings as 2.x
//         does ("168h0m0s" whatever the bucket's shard groups), SHOW SHARDS and DDL answered
//         "not implemented: ...". Messages are those of influxdb 2.7's source (S11–S14).
//   §1.2–1.4, §2, §9  everything else a query or a write does is done by a real influxd 1.x
//         behind it: each bucket is an influxd database of its own (storageDatabase(), policy
//         autogen, the bucket's shard group duration), as 2.x keeps bucket <id> as the v1
//         database <id>; /query is resolved to a bucket as 2.x resolves it
//         (v1/coordinator/statement_executor.go: SHOW MEASUREMENTS ON db[.rp], SHOW TAG KEYS
//         and VALUES from the default mapping whatever FROM says, FROM db.rp.m and the rp
//         parameter through normalizeMeasurement; mappings from dbrp/service.go FindMany,
//         virtual ones for "db/rp" buckets included) and relayed to that database, Accept,
//         chunked and chunk_size passed through and the answer streamed chunk by chunk.
// Not covered: Flux (/api/v2/query), the v1 /write, /api/v2/delete, labels, users and token
// management; more than one organization; per-token permissions beyond what a token scoped to
// buckets sees of the organization, its buckets and their mappings (/query and /api/v2/write do
// not check the scope); the `after` paging parameter; the system buckets' virtual mappings;
// statements with more than one source, ON *, or other than SELECT and SHOW (answered 501),
// and more than one statement per request (501); 2.7 shortening a new shard group so that it
// does not overlap an older one of another duration; 2.x refusing a whole write that has an
// unparsable line (influxd stores the valid lines before the emulator answers 400); the
// emulator's own InfluxQL answers are JSON even when msgpack is asked for (the engine detects
// the format from the first byte).
#include "emulators/Influx2Emulator.h"

#include "http/HttpClient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>
#include <QRegularExpression>
#include <QWaitCondition>
#include <algorithm>

using namespace Qt::StringLiterals;

namespace tsm::test {

namespace {

constexpr int kDefaultPageSize = 20;
constexpr int kMaxPageSize = 100;
constexpr qint64 kDay = 24 * 3600;

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

/// 2.x's error body, with the header it sends along.
TestHttpServer::Reply error(int status, const QString &code, const QString &message)
{
    TestHttpServer::Reply reply =
        TestHttpServer::Reply::json(status, json({{u"code"_s, code}, {u"message"_s, message}}));
    reply.header("X-Platform-Error-Code", code.toUtf8());
    return reply;
}

TestHttpServer::Reply unauthorized()
{
    return error(401, u"unauthorized"_s, u"unauthorized access"_s);
}

/// platform.IDFromString's verdict on `text`: empty when it is a valid ID.
QString idProblem(const QString &text)
{
    if (text.size() != 16)
        return u"id must have a length of 16 bytes"_s;
    static const QRegularExpression hex(u"^[0-9a-fA-F]{16}$"_s);
    if (!hex.match(text).hasMatch())
        return u"invalid ID"_s;
    return {};
}

/// One InfluxQL result: {"results":[{"statement_id":0,...}]}, a line of its own when chunked.
TestHttpServer::Reply influxqlResult(const QJsonObject &result, bool chunked)
{
    QJsonObject withId = result;
    withId.insert(u"statement_id"_s, 0);
    QByteArray body = json({{u"results"_s, QJsonArray{withId}}});
    if (chunked)
        body += '\n';
    return TestHttpServer::Reply::json(200, body);
}

TestHttpServer::Reply statementError(const QString &message, bool chunked)
{
    return influxqlResult({{u"error"_s, message}}, chunked);
}

/// "x", "\"x\"" (with \" \\ \n escapes) -> x
QString unquote(const QString &identifier)
{
    if (!identifier.startsWith(u'"'))
        return identifier;
    QString out;
    for (qsizetype i = 1; i + 1 < identifier.size(); ++i) {
        QChar c = identifier.at(i);
        if (c == u'\\' && i + 2 < identifier.size()) {
            c = identifier.at(++i);
            if (c == u'n')
                c = u'\n';
        }
        out.append(c);
    }
    return out;
}

/// Where `keyword` stands in `statement` as a word outside quoted names and strings; -1 when
/// it does not.
qsizetype keywordAt(const QString &statement, QLatin1StringView keyword)
{
    QChar quote;
    for (qsizetype i = 0; i < statement.size(); ++i) {
        const QChar c = statement.at(i);
        if (!quote.isNull()) {
            if (c == u'\\')
                ++i;
            else if (c == quote)
                quote = QChar();
            continue;
        }
        if (c == u'"' || c == u'\'') {
            quote = c;
            continue;
        }
        const qsizetype after = i + keyword.size();
        if ((i == 0 || statement.at(i - 1).isSpace()) &&
            QStringView(statement).mid(i, keyword.size()).compare(keyword, Qt::CaseInsensitive) ==
                0 &&
            (after == statement.size() || statement.at(after).isSpace()))
            return i;
    }
    return -1;
}

/// A dotted name as InfluxQL writes a source (db.rp.m, rp.m, m) or an ON clause (db.rp).
struct DottedName
{
    QStringList parts; ///< unquoted; an empty one where a part is left out ("db".."m")
    QString last;      ///< the last part as written: a name (quoted or not) or a /regex/
    qsizetype start = 0;
    qsizetype firstEnd = 0; ///< where the first part ends
    qsizetype end = 0;      ///< one past the name
};

DottedName readDottedName(const QString &text, qsizetype at, bool allowRegex)
{
    DottedName name;
    while (at < text.size() && text.at(at).isSpace())
        ++at;
    name.start = at;
    for (;;) {
        const qsizetype partStart = at;
        if (at < text.size() && (text.at(at) == u'"' || (allowRegex && text.at(at) == u'/'))) {
            const QChar close = text.at(at);
            for (++at; at < text.size() && text.at(at) != close; ++at)
                if (text.at(at) == u'\\')
                    ++at;
            at = std::min(at + 1, text.size());
        } else {
            while (at < text.size() && (text.at(at).isLetterOrNumber() || text.at(at) == u'_'))
                ++at;
        }
        name.last = text.mid(partStart, at - partStart);
        name.parts.append(unquote(name.last));
        if (name.parts.size() == 1)
            name.firstEnd = at;
        if (at >= text.size() || text.at(at) != u'.' || name.parts.size() == 3)
            break;
        ++at;
    }
    name.end = at;
    return name;
}

QString quoted(const QString &name)
{
    return u'"' + QString(name).replace(u'\\', u"\\\\"_s).replace(u'"', u"\\\""_s) + u'"';
}

} // namespace

Influx2Emulator::Influx2Emulator() : Influx2Emulator(Options{}) {}

Influx2Emulator::Influx2Emulator(Options options)
    : m_options(std::move(options)), m_server(m_options.port)
{
    // Every organization has these two; they are listed with the user buckets.
    m_buckets.append(
        {bucketIdFor(m_nextId++), u"_monitoring"_s, u"system"_s, 7 * kDay, 0, QString()});
    m_buckets.append({bucketIdFor(m_nextId++), u"_tasks"_s, u"system"_s, 3 * kDay, 0, QString()});
    m_server.setHandler([this](const Request &request) { return handle(request); });
}

Influx2Emulator::~Influx2Emulator()
{
    // The relays push into the server: they must be done before it goes.
    decltype(m_relays) relays;
    {
        QMutexLocker locker(&m_mutex);
        m_closing = true;
        relays.swap(m_relays);
    }
    for (auto &relay : relays)
        relay.first.join();
}

bool Influx2Emulator::start()
{
    return m_influxd.start();
}

QString Influx2Emulator::bucketIdFor(int n) const
{
    return QString::asprintf("%016llx", 0x0b00000000000000ULL + quint64(n));
}

bool Influx2Emulator::hasVirtualDbrps() const
{
    const QStringList parts = m_options.version.split(u'.');
    const int major = parts.value(0).toInt();
    const int minor = parts.value(1).toInt();
    return major > 2 || (major == 2 && minor >= 4);
}

qint64 Influx2Emulator::shardGroupSeconds(const Bucket &bucket) const
{
    if (bucket.shardGroupSeconds > 0)
        return bucket.shardGroupSeconds;
    if (bucket.retentionSeconds == 0 || bucket.retentionSeconds >= 180 * kDay)
        return 7 * kDay;
    if (bucket.retentionSeconds >= 2 * kDay)
        return kDay;
    return 3600;
}

QString Influx2Emulator::influxdStatement(const QString &statement) const
{
    HttpClient client;
    HttpRequest request;
    request.method = "POST";
    request.url = m_influxd.url().toUtf8() + "/query";
    request.headers.emplaceBack("Content-Type", "application/x-www-form-urlencoded");
    request.body = "q=" + HttpClient::percentEncode(statement);
    try {
        const HttpResponse response = client.perform(request);
        const QJsonObject root = QJsonDocument::fromJson(response.body).object();
        const QString message = root.value(u"results"_s)
                                    .toArray()
                                    .at(0)
                                    .toObject()
                                    .value(u"error"_s)
                                    .toString(root.value(u"error"_s).toString());
        if (response.status != 200 || !message.isEmpty())
            return u"%1: %2"_s.arg(response.status).arg(message);
        return {};
    } catch (const std::exception &e) {
        return QString::fromUtf8(e.what());
    }
}

QString Influx2Emulator::addBucket(const QString &name, qint64 retentionSeconds,
                                   qint64 shardGroupSeconds)
{
    Bucket bucket{QString(), name, u"user"_s, retentionSeconds, shardGroupSeconds, QString()};
    {
        QMutexLocker locker(&m_mutex);
        bucket.id = bucketIdFor(m_nextId++);
    }
    // influxd refuses '/' and '\\' in database names (meta.ValidName).
    bucket.storage = name.contains(u'/') || name.contains(u'\\') ? u"bucket_"_s + bucket.id : name;
    const QString duration =
        retentionSeconds > 0 ? QString::number(retentionSeconds) + u's' : u"INF"_s;
    const QString problem = influxdStatement(
        u"CREATE DATABASE %1 WITH DURATION %2 SHARD DURATION %3s NAME \"autogen\""_s
            .arg(u'"' + QString(bucket.storage).replace(u'\\', u"\\\\"_s).replace(u'"', u"\\\""_s) +
                     u'"',
                 duration)
            .arg(this->shardGroupSeconds(bucket)));
    if (!problem.isEmpty())
        qWarning("Influx2Emulator: influxd refused bucket %s: %s", qPrintable(name),
                 qPrintable(problem));
    QMutexLocker locker(&m_mutex);
    m_buckets.append(bucket);
    return bucket.id;
}

QString Influx2Emulator::storageDatabase(const QString &bucket) const
{
    const auto found = bucketByName(bucket);
    return found ? found->storage : QString();
}

void Influx2Emulator::setShardGroupDuration(const QString &bucketName, qint64 seconds)
{
    // NormalisedShardDuration (v1/services/meta/data.go): 0 picks one for the retention, less
    // than an hour becomes an hour. The existing groups keep the duration they were made
    // with (CreateShardGroup truncates a new group's start by the policy's duration then).
    // Not followed: 2.7 shortens a new group so that it does not overlap an older one;
    // influxd 1.6 does not, so tests write no data where old and new groups would overlap.
    QMutexLocker locker(&m_mutex);
    for (Bucket &bucket : m_buckets) {
        if (bucket.name != bucketName)
            continue;
        bucket.shardGroupSeconds = seconds == 0 ? 0 : std::max<qint64>(seconds, 3600);
        const QString problem = influxdStatement(
            u"ALTER RETENTION POLICY \"autogen\" ON \"%1\" SHARD DURATION %2s"_s.arg(bucket.storage)
                .arg(shardGroupSeconds(bucket)));
        if (!problem.isEmpty())
            qWarning("Influx2Emulator: influxd refused the shard duration of %s: %s",
                     qPrintable(bucketName), qPrintable(problem));
    }
}

void Influx2Emulator::addDbrp(const QString &bucket, const QString &database,
                              const QString &retentionPolicy, bool isDefault)
{
    const auto found = bucketByName(bucket);
    QMutexLocker locker(&m_mutex);
    m_dbrps.append({QString::asprintf("%016llx", 0x0d00000000000000ULL + quint64(m_nextId++)),
                    database, retentionPolicy, found ? found->id : QString(), isDefault});
}

QList<Influx2Emulator::Dbrp> Influx2Emulator::dbrps() const
{
    QMutexLocker locker(&m_mutex);
    return m_dbrps;
}

std::optional<Influx2Emulator::Bucket> Influx2Emulator::bucketByName(const QString &name) const
{
    QMutexLocker locker(&m_mutex);
    for (const Bucket &bucket : m_buckets)
        if (bucket.name == name)
            return bucket;
    return std::nullopt;
}

std::optional<Influx2Emulator::Bucket> Influx2Emulator::bucketById(const QString &id) const
{
    QMutexLocker locker(&m_mutex);
    for (const Bucket &bucket : m_buckets)
        if (bucket.id == id)
            return bucket;
    return std::nullopt;
}

QList<Influx2Emulator::Dbrp> Influx2Emulator::findMany(const DbrpFilter &filter) const
{
    auto passes = [&filter](const Dbrp &d) {
        return (filter.bucketId.isEmpty() || d.bucketId == filter.bucketId) &&
               (filter.database.isEmpty() || d.database == filter.database) &&
               (filter.retentionPolicy.isEmpty() || d.retentionPolicy == filter.retentionPolicy) &&
               (!filter.isDefault || d.isDefault == *filter.isDefault);
    };
    QMutexLocker locker(&m_mutex);
    QList<Dbrp> found;
    for (const Dbrp &d : std::as_const(m_dbrps))
        if (passes(d))
            found.append(d);
    if (!hasVirtualDbrps())
        return found;
    // dbrp/service.go FindMany and bucketToMapping (2.4+): bucket "db/rp" is db, rp; any other
    // name is name/autogen, the default. A virtual mapping is compared only with the stored
    // mappings that passed the filter: under a bucketID filter it is listed even when another
    // bucket's stored mapping has the same db/rp, which is what queries resolve db/rp to.
    const qsizetype stored = found.size();
    for (const Bucket &bucket : std::as_const(m_buckets)) {
        if (bucket.type != u"user" || (!filter.bucketId.isEmpty() && bucket.id != filter.bucketId))
            continue;
        const qsizetype slash = bucket.name.indexOf(u'/');
        Dbrp virtualDbrp{bucket.id,
                         slash < 0 ? bucket.name : bucket.name.left(slash),
                         slash < 0 ? u"autogen"_s : bucket.name.mid(slash + 1),
                         bucket.id,
                         slash < 0,
                         true};
        bool shadowed = false;
        for (qsizetype i = 0; i < stored; ++i) {
            const Dbrp &m = found.at(i);
            if (m.database != virtualDbrp.database)
                continue;
            if (m.retentionPolicy == virtualDbrp.retentionPolicy) {
                shadowed = true;
                break;
            }
            if (m.isDefault && virtualDbrp.isDefault) {
                virtualDbrp.isDefault = false;
                break;
            }
        }
        if (!shadowed && passes(virtualDbrp))
            found.append(virtualDbrp);
    }
    return found;
}

std::optional<Influx2Emulator::Dbrp> Influx2Emulator::defaultMapping(const QString &database,
                                                                     QString *problem) const
{
    // v1/coordinator/statement_executor.go getDefaultRP.
    const QList<Dbrp> found = findMany({QString(), database, QString(), true});
    if (found.isEmpty())
        *problem = u"default retention policy not set for: "_s + database;
    else if (found.size() > 1)
        *problem = u"finding DBRP mappings: expected 1, found %1"_s.arg(found.size());
    else
        return found.first();
    return std::nullopt;
}

std::optional<Influx2Emulator::Dbrp>
Influx2Emulator::sourceMapping(const QString &database, const QString &retentionPolicy,
                               const QString &defaultRetentionPolicy, QString *problem) const
{
    // statement_executor.go normalizeMeasurement: no policy in FROM takes the rp parameter,
    // else the database's default mapping; shard_mapper.go then finds db+rp's one mapping.
    if (database.isEmpty()) {
        *problem = u"database name required"_s;
        return std::nullopt;
    }
    const QList<Dbrp> ofDatabase = findMany({QString(), database, QString(), std::nullopt});
    if (ofDatabase.isEmpty()) {
        *problem = u"database not found: "_s + database;
        return std::nullopt;
    }
    QString rp = retentionPolicy.isEmpty() ? defaultRetentionPolicy : retentionPolicy;
    if (rp.isEmpty())
        for (const Dbrp &d : ofDatabase)
            if (d.isDefault && rp.isEmpty())
                rp = d.retentionPolicy;
    if (rp.isEmpty()) {
        *problem = u"default retention policy not set for: "_s + database;
        return std::nullopt;
    }
    const QList<Dbrp> found = findMany({QString(), database, rp, std::nullopt});
    if (found.isEmpty())
        *problem = u"retention policy not found: "_s + rp;
    else if (found.size() > 1)
        *problem = u"finding DBRP mappings: expected 1, found %1"_s.arg(found.size());
    else
        return found.first();
    return std::nullopt;
}

QString Influx2Emulator::tokenOf(const Request &request, bool v1) const
{
    const QByteArray authorization = request.header("authorization");
    if (authorization.startsWith("Token ")) {
        QString token = QString::fromUtf8(authorization.mid(6)).trimmed();
        // The 1.x routes also take "Token user:token".
        if (v1 && token.contains(u':'))
            token = token.section(u':', 1);
        return token;
    }
    if (!v1)
        return {};
    if (authorization.startsWith("Basic ")) {
        const QByteArray pair = QByteArray::fromBase64(authorization.mid(6).trimmed());
        return QString::fromUtf8(pair.mid(pair.indexOf(':') + 1));
    }
    return request.queryItem(u"p"_s);
}

TestHttpServer::Reply Influx2Emulator::handle(const Request &request)
{
    Reply reply;
    const QByteArray path = request.path;
    if (path == "/ping" && (request.method == "GET" || request.method == "HEAD")) {
        reply = Reply::empty(204);
    } else if (path == "/health" && request.method == "GET") {
        reply = Reply::json(200, json({{u"name"_s, u"influxdb"_s},
                                       {u"message"_s, u"ready for queries and writes"_s},
                                       {u"status"_s, u"pass"_s},
                                       {u"checks"_s, QJsonArray()},
                                       {u"version"_s, m_options.version},
                                       {u"commit"_s, u"emulator"_s}}));
    } else if (path == "/query") {
        reply = knownToken(tokenOf(request, true)) ? handleQuery(request) : unauthorized();
    } else if (path.startsWith("/api/v2/")) {
        const QString token = tokenOf(request, false);
        const auto scoped = m_options.scopedTokens.constFind(token);
        const QStringList *scope =
            scoped == m_options.scopedTokens.cend() ? nullptr : &scoped.value();
        if (!knownToken(token))
            reply = unauthorized();
        else if (path == "/api/v2/orgs" || path.startsWith("/api/v2/orgs/"))
            reply = handleOrgs(request, scope);
        else if (path == "/api/v2/buckets")
            reply = handleBuckets(request, scope);
        else if (path == "/api/v2/dbrps")
            reply = handleDbrps(request, scope);
        else if (path == "/api/v2/write" && request.method == "POST")
            reply = handleWrite(request);
        else
            reply = error(501, u"not implemented"_s,
                          u"%1 %2 is not covered by the emulator"_s.arg(
                              QString::fromUtf8(request.method), QString::fromUtf8(path)));
    } else {
        reply = error(501, u"not implemented"_s,
                      u"%1 %2 is not covered by the emulator"_s.arg(
                          QString::fromUtf8(request.method), QString::fromUtf8(path)));
    }
    reply.header("X-Influxdb-Build", "OSS");
    reply.header("X-Influxdb-Version", "v" + m_options.version.toUtf8());
    return reply;
}

bool Influx2Emulator::knownToken(const QString &token) const
{
    return m_options.tokens.contains(token) || m_options.scopedTokens.contains(token);
}

bool Influx2Emulator::mayRead(const QStringList *scope, const Bucket &bucket) const
{
    // authorizer/authorize.go AuthorizeReadBucket: a system bucket needs read:orgs/<org>
    // (authorizeReadSystemBucket), which a token scoped to buckets does not have.
    return !scope || (bucket.type == u"user" && scope->contains(bucket.name));
}

TestHttpServer::Reply Influx2Emulator::handleOrgs(const Request &request, const QStringList *scope)
{
    const QJsonObject org{
        {u"id"_s, m_options.orgId},
        {u"name"_s, m_options.orgName},
        {u"description"_s, QString()},
        {u"links"_s, QJsonObject{{u"self"_s, u"/api/v2/orgs/"_s + m_options.orgId}}}};
    if (request.method != "GET")
        return error(405, u"method not allowed"_s, u"method not allowed"_s);
    if (request.path.startsWith("/api/v2/orgs/")) {
        const QString id = QString::fromUtf8(request.path.mid(13));
        if (const QString problem = idProblem(id); !problem.isEmpty())
            return error(400, u"invalid"_s, problem);
        // tenant/middleware_org_auth.go FindOrganizationByID: AuthorizeReadOrg first, whose
        // refusal (authorizer/authorize.go isAllowedAll) reads "<permission> is unauthorized".
        if (scope)
            return error(401, u"unauthorized"_s, u"read:orgs/%1 is unauthorized"_s.arg(id));
        if (id != m_options.orgId)
            return error(404, u"not found"_s, u"organization not found"_s);
        return Reply::json(200, json(org));
    }
    if (scope) // FindOrganizations keeps only the organizations the token may read
        return Reply::json(200, json({{u"links"_s, QJsonObject{{u"self"_s, u"/api/v2/orgs"_s}}},
                                      {u"orgs"_s, QJsonArray()}}));
    if (request.hasQueryItem(u"org"_s) && request.queryItem(u"org"_s) != m_options.orgName)
        return error(404, u"not found"_s,
                     u"organization name \"%1\" not found"_s.arg(request.queryItem(u"org"_s)));
    return Reply::json(200, json({{u"links"_s, QJsonObject{{u"self"_s, u"/api/v2/orgs"_s}}},
                                  {u"orgs"_s, QJsonArray{org}}}));
}

TestHttpServer::Reply Influx2Emulator::handleBuckets(const Request &request,
                                                     const QStringList *scope)
{
    auto bucketJson = [this](const Bucket &b) {
        QJsonArray rules;
        const bool before21 = m_options.version.startsWith(u"2.0"_s);
        if (!before21)
            rules.append(QJsonObject{{u"type"_s, u"expire"_s},
                                     {u"everySeconds"_s, b.retentionSeconds},
                                     {u"shardGroupDurationSeconds"_s, shardGroupSeconds(b)}});
        else if (b.retentionSeconds > 0)
            rules.append(
                QJsonObject{{u"type"_s, u"expire"_s}, {u"everySeconds"_s, b.retentionSeconds}});
        return QJsonObject{{u"id"_s, b.id},
                           {u"orgID"_s, m_options.orgId},
                           {u"type"_s, b.type},
                           {u"name"_s, b.name},
                           {u"retentionRules"_s, rules},
                           {u"labels"_s, QJsonArray()},
                           {u"links"_s, QJsonObject{{u"self"_s, u"/api/v2/buckets/"_s + b.id}}}};
    };

    if (request.method == "POST") {
        const QJsonObject body = QJsonDocument::fromJson(request.body).object();
        const QString orgId = body.value(u"orgID"_s).toString();
        if (orgId.isEmpty())
            return error(400, u"invalid"_s, u"organization id must be provided"_s);
        if (const QString problem = idProblem(orgId); !problem.isEmpty())
            return error(400, u"invalid"_s, problem);
        const QString name = body.value(u"name"_s).toString();
        if (name.startsWith(u'_'))
            return error(
                400, u"invalid"_s,
                u"bucket name %1 is invalid. Buckets may not start with underscore"_s.arg(name));
        if (orgId != m_options.orgId)
            return error(404, u"not found"_s, u"organization not found"_s);
        if (bucketByName(name))
            return error(422, u"conflict"_s, u"bucket with name %1 already exists"_s.arg(name));
        const QJsonObject rule = body.value(u"retentionRules"_s).toArray().at(0).toObject();
        addBucket(name, rule.value(u"everySeconds"_s).toInteger(),
                  rule.value(u"shardGroupDurationSeconds"_s).toInteger());
        return Reply::json(201, json(bucketJson(*bucketByName(name))));
    }
    if (request.method != "GET")
        return error(405, u"method not allowed"_s, u"method not allowed"_s);

    int limit = kDefaultPageSize;
    int offset = 0;
    if (request.hasQueryItem(u"offset"_s)) {
        bool ok = false;
        offset = request.queryItem(u"offset"_s).toInt(&ok);
        if (!ok)
            return error(400, u"invalid"_s, u"offset is invalid"_s);
    }
    if (request.hasQueryItem(u"limit"_s)) {
        bool ok = false;
        limit = request.queryItem(u"limit"_s).toInt(&ok);
        if (!ok)
            return error(400, u"invalid"_s, u"limit is invalid"_s);
        if (limit < 1 || limit > kMaxPageSize)
            return error(400, u"invalid"_s, u"limit must be between 1 and %1"_s.arg(kMaxPageSize));
    }
    const QString orgId = request.queryItem(u"orgID"_s);
    if (!orgId.isEmpty())
        if (const QString problem = idProblem(orgId); !problem.isEmpty())
            return error(400, u"invalid"_s, problem);
    const QString orgName = request.queryItem(u"org"_s);
    if (orgId.isEmpty() && !orgName.isEmpty() && orgName != m_options.orgName)
        return error(404, u"not found"_s, u"organization name \"%1\" not found"_s.arg(orgName));
    // Buckets of an organization the token cannot read are left out, as 2.x's authorizer does.
    const bool visible = orgId.isEmpty() || orgId == m_options.orgId;
    const QString name = request.queryItem(u"name"_s);

    QList<Bucket> matching;
    {
        QMutexLocker locker(&m_mutex);
        for (const Bucket &b : std::as_const(m_buckets))
            if (visible && (name.isEmpty() || b.name == name))
                matching.append(b);
    }
    if (!name.isEmpty() && !orgId.isEmpty() &&
        std::none_of(matching.cbegin(), matching.cend(),
                     [&](const Bucket &b) { return mayRead(scope, b); }))
        return error(404, u"not found"_s, u"bucket \"%1\" not found"_s.arg(name));
    // The store pages first, the authorizer filters the page afterwards
    // (tenant/middleware_bucket_auth.go FindBuckets → authorizer.AuthorizeFindBuckets), and
    // links.next is there only when what is left fills the page (paging.go NewPagingLinks):
    // to a scoped token a short page, even an empty one, is not the end of the list.
    QJsonArray page;
    qsizetype kept = 0;
    for (qsizetype i = offset; i < matching.size() && i < offset + limit; ++i)
        if (mayRead(scope, matching.at(i))) {
            page.append(bucketJson(matching.at(i)));
            ++kept;
        }

    auto link = [&](int at) {
        QString link = u"/api/v2/buckets?descending=false&limit=%1&offset=%2"_s.arg(limit).arg(at);
        if (!orgId.isEmpty())
            link += u"&orgID="_s + orgId;
        return link;
    };
    QJsonObject links{{u"self"_s, link(offset)}};
    if (kept >= limit)
        links.insert(u"next"_s, link(offset + limit));
    if (offset > 0)
        links.insert(u"prev"_s, link(std::max(0, offset - limit)));
    return Reply::json(200, json({{u"links"_s, links}, {u"buckets"_s, page}}));
}

TestHttpServer::Reply Influx2Emulator::handleDbrps(const Request &request, const QStringList *scope)
{
    auto dbrpJson = [this](const Dbrp &d, bool isVirtual) {
        return QJsonObject{{u"id"_s, d.id},
                           {u"database"_s, d.database},
                           {u"retention_policy"_s, d.retentionPolicy},
                           {u"default"_s, d.isDefault},
                           {u"orgID"_s, m_options.orgId},
                           {u"bucketID"_s, d.bucketId},
                           {u"virtual"_s, isVirtual}};
    };
    // orgID, else org by name (dbrp's mustGetOrgIDFromHTTPRequest).
    auto organization = [this](const QString &id, const QString &name,
                               QString *resolved) -> std::optional<Reply> {
        if (!id.isEmpty()) {
            if (const QString problem = idProblem(id); !problem.isEmpty())
                return error(400, u"invalid"_s, u"invalid org ID \"%1\": %2"_s.arg(id, problem));
            *resolved = id;
            return std::nullopt;
        }
        if (name.isEmpty())
            return error(400, u"invalid"_s, u"either 'org' or 'orgID' must be provided"_s);
        if (name != m_options.orgName)
            return error(404, u"not found"_s, u"invalid org \"%1\""_s.arg(name));
        *resolved = m_options.orgId;
        return std::nullopt;
    };

    if (request.method == "POST") {
        const QJsonObject body = QJsonDocument::fromJson(request.body).object();
        QString orgId;
        if (const auto refused = organization(body.value(u"orgID"_s).toString(),
                                              body.value(u"org"_s).toString(), &orgId))
            return *refused;
        const QString bucketId = body.value(u"bucketID"_s).toString();
        if (const QString problem = idProblem(bucketId); !problem.isEmpty())
            return error(400, u"invalid"_s,
                         u"invalid bucket ID \"%1\": %2"_s.arg(bucketId, problem));
        const QString database = body.value(u"database"_s).toString();
        const QString rp = body.value(u"retention_policy"_s).toString();
        if (database.isEmpty() || rp.isEmpty())
            return error(400, u"invalid"_s, u"DBRP provided is invalid"_s);
        if (orgId != m_options.orgId)
            return error(404, u"not found"_s, u"organization not found"_s);
        bool bucketExists = false;
        {
            QMutexLocker locker(&m_mutex);
            for (const Bucket &b : std::as_const(m_buckets))
                bucketExists = bucketExists || (b.id == bucketId && b.type == u"user");
            for (const Dbrp &d : std::as_const(m_dbrps))
                if (d.database == database && d.retentionPolicy == rp)
                    return error(422, u"conflict"_s, u"DBRP already exists"_s);
        }
        if (!bucketExists)
            return error(404, u"not found"_s, u"bucket not found"_s);
        Dbrp created{QString(), database, rp, bucketId, body.value(u"default"_s).toBool()};
        {
            QMutexLocker locker(&m_mutex);
            created.id = QString::asprintf("%016llx", 0x0d00000000000000ULL + quint64(m_nextId++));
            // One default per database: the new default takes over.
            if (created.isDefault)
                for (Dbrp &d : m_dbrps)
                    if (d.database == database)
                        d.isDefault = false;
            m_dbrps.append(created);
        }
        return Reply::json(201, json(dbrpJson(created, false)));
    }
    if (request.method != "GET")
        return error(405, u"method not allowed"_s, u"method not allowed"_s);

    QString orgId;
    if (const auto refused =
            organization(request.queryItem(u"orgID"_s), request.queryItem(u"org"_s), &orgId))
        return *refused;
    const QString bucketId = request.queryItem(u"bucketID"_s);
    if (!bucketId.isEmpty())
        if (const QString problem = idProblem(bucketId); !problem.isEmpty())
            return error(400, u"invalid"_s,
                         u"invalid bucket ID \"%1\": %2"_s.arg(bucketId, problem));
    const QString db = request.queryItem(u"db"_s);
    const QString rp = request.queryItem(u"rp"_s);
    const QString isDefault = request.queryItem(u"default"_s);
    if (!isDefault.isEmpty() && isDefault != u"true" && isDefault != u"false")
        return error(400, u"invalid"_s, u"invalid default parameter"_s);
    QJsonArray content;
    if (orgId == m_options.orgId) {
        const DbrpFilter filter{bucketId, db, rp,
                                isDefault.isEmpty() ? std::nullopt
                                                    : std::optional<bool>(isDefault == u"true")};
        // dbrp/middleware_auth.go FindMany: only mappings of buckets the token may read
        // (authorizer.AuthorizeFindDBRPs).
        for (const Dbrp &d : findMany(filter))
            if (const auto bucket = bucketById(d.bucketId); bucket && mayRead(scope, *bucket))
                content.append(dbrpJson(d, d.isVirtual));
    }
    return Reply::json(200, json({{u"content"_s, content}}));
}

TestHttpServer::Reply Influx2Emulator::handleWrite(const Request &request)
{
    QString precision = request.queryItem(u"precision"_s);
    if (precision.isEmpty())
        precision = u"ns"_s;
    static const QStringList precisions{u"ns"_s, u"us"_s, u"ms"_s, u"s"_s};
    if (!precisions.contains(precision))
        return error(400, u"invalid"_s,
                     u"invalid precision; valid precision units are ns, us, ms, and s"_s);
    const QString bucketName = request.queryItem(u"bucket"_s);
    if (bucketName.isEmpty())
        return error(404, u"not found"_s, u"bucket not found"_s);
    if (request.body.size() > m_options.maxWriteBytes)
        return error(413, u"request too large"_s,
                     u"unable to read data: points batch is too large"_s);
    const QString orgId = request.queryItem(u"orgID"_s);
    const QString orgName = request.queryItem(u"org"_s);
    if (!orgId.isEmpty()) {
        if (const QString problem = idProblem(orgId); !problem.isEmpty())
            return error(400, u"invalid"_s, problem);
        if (orgId != m_options.orgId)
            return error(404, u"not found"_s, u"organization not found"_s);
    } else if (!orgName.isEmpty()) {
        if (orgName != m_options.orgName)
            return error(404, u"not found"_s, u"organization name \"%1\" not found"_s.arg(orgName));
    } else {
        return error(400, u"invalid"_s, u"Please provide either orgID or org"_s);
    }
    // The bucket by ID, else by name (2.x's findBucket).
    std::optional<Bucket> bucket;
    {
        QMutexLocker locker(&m_mutex);
        for (const Bucket &b : std::as_const(m_buckets))
            if (b.id == bucketName)
                bucket = b;
    }
    if (!bucket)
        bucket = bucketByName(bucketName);
    if (!bucket || bucket->type != u"user")
        return error(404, u"not found"_s, u"bucket \"%1\" not found"_s.arg(bucketName));

    HttpRequest forward;
    forward.method = "POST";
    QList<QPair<QByteArray, QString>> parameters{{"db", bucket->storage}};
    if (precision != u"ns")
        parameters.append({"precision", precision == u"us" ? u"u"_s : precision});
    forward.url = m_influxd.url().toUtf8() + "/write?";
    for (const auto &[key, value] : parameters)
        forward.url += key + '=' + HttpClient::percentEncode(value) + '&';
    forward.url.chop(1);
    forward.body = request.body;
    HttpResponse response;
    try {
        HttpClient client;
        response = client.perform(forward);
    } catch (const std::exception &e) {
        return error(503, u"unavailable"_s, QString::fromUtf8(e.what()));
    }
    if (response.status == 204)
        return Reply::empty(204);
    const QString message =
        QJsonDocument::fromJson(response.body).object().value(u"error"_s).toString();
    static const QRegularExpression dropped(u"\\s+dropped=\\d+$"_s);
    if (response.status == 400 && message.startsWith(u"partial write: unable to parse"_s))
        return error(400, u"invalid"_s, message.mid(15).remove(dropped));
    if (response.status == 400 && message.startsWith(u"partial write"_s))
        return error(422, u"unprocessable entity"_s,
                     u"failure writing points to database: "_s + message);
    if (response.status == 400)
        return error(400, u"invalid"_s, message);
    return error(500, u"internal error"_s,
                 u"unexpected error writing points to database: %1"_s.arg(message));
}

TestHttpServer::Reply Influx2Emulator::handleQuery(const Request &request)
{
    // Parameters from the URL or a form body, as r.FormValue reads them.
    auto parameter = [&request](const QString &name) {
        return request.hasQueryItem(name) ? request.queryItem(name) : request.formItem(name);
    };
    const QString statement = parameter(u"q"_s).trimmed();
    const bool chunked = parameter(u"chunked"_s) == u"true";
    if (statement.isEmpty())
        return error(400, u"invalid"_s, u"missing query"_s);
    QString single = statement;
    if (single.endsWith(u';'))
        single.chop(1);
    if (single.contains(u';'))
        return error(501, u"not implemented"_s,
                     u"more than one statement per request is not covered by the emulator"_s);

    const QString upper = single.simplified().toUpper();
    static const QStringList notImplemented{u"SHOW SHARD GROUPS"_s,
                                            u"SHOW SHARDS"_s,
                                            u"SHOW USERS"_s,
                                            u"SHOW STATS"_s,
                                            u"SHOW DIAGNOSTICS"_s,
                                            u"SHOW CONTINUOUS QUERIES"_s,
                                            u"SHOW SUBSCRIPTIONS"_s,
                                            u"SHOW GRANTS"_s,
                                            u"SHOW QUERIES"_s,
                                            u"CREATE DATABASE"_s,
                                            u"CREATE RETENTION POLICY"_s,
                                            u"CREATE USER"_s,
                                            u"CREATE CONTINUOUS QUERY"_s,
                                            u"CREATE SUBSCRIPTION"_s,
                                            u"DROP DATABASE"_s,
                                            u"DROP RETENTION POLICY"_s,
                                            u"DROP SERIES"_s,
                                            u"DROP SHARD"_s,
                                            u"DROP USER"_s,
                                            u"ALTER RETENTION POLICY"_s,
                                            u"GRANT"_s,
                                            u"REVOKE"_s};
    for (const QString &op : notImplemented)
        if (upper.startsWith(op))
            return statementError(u"not implemented: "_s + op, chunked);

    if (upper == u"SHOW DATABASES") {
        QJsonArray values;
        QStringList seen;
        for (const Dbrp &d : findMany({}))
            if (!seen.contains(d.database)) {
                seen.append(d.database);
                values.append(QJsonArray{d.database});
            }
        QJsonObject series{{u"name"_s, u"databases"_s}, {u"columns"_s, QJsonArray{u"name"_s}}};
        if (!values.isEmpty())
            series.insert(u"values"_s, values);
        return influxqlResult({{u"series"_s, QJsonArray{series}}}, chunked);
    }

    // The statement is run on the influxd database of the bucket that 2.x resolves it to
    // (v1/coordinator/statement_executor.go), with its ON clause taken out and its source
    // named "<that database>"."autogen".m: the database holds that bucket alone, as 2.x keeps
    // each bucket as a database of its own.
    QString rest = single;
    QString onDatabase;
    QString onPolicy;
    if (const qsizetype on = keywordAt(single, "ON"_L1); on >= 0 && upper.startsWith(u"SHOW"_s)) {
        const DottedName name = readDottedName(single, on + 2, false);
        if (name.parts.first().isEmpty())
            return error(501, u"not implemented"_s,
                         u"ON without a database name is not covered by the emulator"_s);
        onDatabase = name.parts.first();
        if (name.parts.size() > 1) {
            // influxql parses ON db.rp in SHOW MEASUREMENTS from 2.1 on (the wildcards change,
            // influxdb#22396); nowhere else. The "expected" list of the real message is longer.
            if (!upper.startsWith(u"SHOW MEASUREMENTS"_s) || m_options.version.startsWith(u"2.0"_s))
                return error(400, u"invalid"_s,
                             u"failed to parse query: found ., expected ; at line 1, char %1"_s.arg(
                                 name.firstEnd + 1));
            onPolicy = name.parts.at(1);
        }
        rest = single.left(on) + single.mid(name.end);
    }
    const QString database = onDatabase.isEmpty() ? parameter(u"db"_s) : onDatabase;
    auto storageOf = [this](const Dbrp &mapping) {
        const auto bucket = bucketById(mapping.bucketId);
        return bucket ? bucket->storage : QString();
    };
    QString problem;

    if (upper.startsWith(u"SHOW RETENTION POLICIES"_s)) {
        // executeShowRetentionPoliciesStatement: the database's mappings, constant durations.
        if (database.isEmpty())
            return statementError(u"database name required"_s, chunked);
        QJsonArray values;
        for (const Dbrp &d : findMany({QString(), database, QString(), std::nullopt}))
            values.append(QJsonArray{d.retentionPolicy, u"0s"_s, u"168h0m0s"_s, 1, d.isDefault});
        QJsonObject series{
            {u"columns"_s, QJsonArray{u"name"_s, u"duration"_s, u"shardGroupDuration"_s,
                                      u"replicaN"_s, u"default"_s}}};
        if (!values.isEmpty())
            series.insert(u"values"_s, values);
        return influxqlResult({{u"series"_s, QJsonArray{series}}}, chunked);
    }

    if (upper.startsWith(u"SHOW MEASUREMENTS"_s)) {
        if (database.isEmpty())
            return statementError(u"database name required"_s, chunked);
        if (m_options.version.startsWith(u"2.0"_s)) {
            // 2.0: getDefaultRP(q.Database), the default mapping's bucket only.
            const auto mapping = defaultMapping(database, &problem);
            if (!mapping)
                return statementError(problem, chunked);
            return forwardQuery(request, rest, storageOf(*mapping));
        }
        // 2.1+: the mappings of db/rp (the default one without rp), the measurements of each
        // of their buckets; with a policy named, as rows of name, database, retention policy.
        QList<Dbrp> mappings =
            findMany({QString(), database, onPolicy,
                      onPolicy.isEmpty() ? std::optional<bool>(true) : std::nullopt});
        std::sort(mappings.begin(), mappings.end(), [](const Dbrp &a, const Dbrp &b) {
            return a.database != b.database ? a.database < b.database
                                            : a.retentionPolicy < b.retentionPolicy;
        });
        QJsonArray values;
        for (const Dbrp &mapping : std::as_const(mappings)) {
            const QJsonArray series = influxdSeries(storageOf(mapping), rest, &problem);
            if (!problem.isEmpty())
                return statementError(problem, chunked);
            for (const QJsonValue &one : series)
                for (const QJsonValue &row : one.toObject().value(u"values"_s).toArray()) {
                    const QString name = row.toArray().at(0).toString();
                    values.append(onPolicy.isEmpty() ? QJsonArray{name}
                                                     : QJsonArray{name, mapping.database,
                                                                  mapping.retentionPolicy});
                }
        }
        if (values.isEmpty())
            return influxqlResult({}, chunked);
        const QJsonArray columns =
            onPolicy.isEmpty() ? QJsonArray{u"name"_s}
                               : QJsonArray{u"name"_s, u"database"_s, u"retention policy"_s};
        const QJsonObject series{
            {u"name"_s, u"measurements"_s}, {u"columns"_s, columns}, {u"values"_s, values}};
        return influxqlResult({{u"series"_s, QJsonArray{series}}}, chunked);
    }

    if (upper.startsWith(u"SHOW TAG KEYS"_s) || upper.startsWith(u"SHOW TAG VALUES"_s)) {
        // executeShowTagKeys / executeShowTagValues: always getDefaultRP(q.Database); FROM only
        // names measurements (a condition on their names), whatever db and rp it gives.
        if (database.isEmpty())
            return statementError(u"database name required"_s, chunked);
        const auto mapping = defaultMapping(database, &problem);
        if (!mapping)
            return statementError(problem, chunked);
        if (const qsizetype from = keywordAt(rest, "FROM"_L1); from >= 0) {
            const DottedName name = readDottedName(rest, from + 4, true);
            rest = rest.left(name.start) + name.last + rest.mid(name.end);
        }
        return forwardQuery(request, rest, storageOf(*mapping));
    }

    if (upper.startsWith(u"SELECT"_s) || upper.startsWith(u"SHOW FIELD KEYS"_s) ||
        upper.startsWith(u"SHOW SERIES"_s)) {
        // normalizeMeasurement: FROM's db, else the db parameter (SHOW: ON); FROM's rp, else
        // the rp parameter, else the database's default mapping. A statement without FROM
        // reads the default source of its database (rewriteSources).
        QString sourceDatabase = database;
        QString sourcePolicy;
        const qsizetype from = keywordAt(rest, "FROM"_L1);
        DottedName name;
        if (from >= 0) {
            name = readDottedName(rest, from + 4, true);
            if (name.parts.size() == 3 && !name.parts.first().isEmpty())
                sourceDatabase = name.parts.first();
            if (name.parts.size() > 1)
                sourcePolicy = name.parts.at(name.parts.size() - 2);
        }
        const auto mapping =
            sourceMapping(sourceDatabase, sourcePolicy, parameter(u"rp"_s), &problem);
        if (!mapping)
            return statementError(problem, chunked);
        const QString storage = storageOf(*mapping);
        if (storage.isEmpty())
            return statementError(u"database not found: "_s + mapping->bucketId, chunked);
        if (from >= 0)
            rest = rest.left(name.start) + quoted(storage) + u".\"autogen\"."_s + name.last +
                   rest.mid(name.end);
        return forwardQuery(request, rest, storage);
    }
    return error(501, u"not implemented"_s,
                 u"the statement \"%1\" is not covered by the emulator"_s.arg(single));
}

QJsonArray Influx2Emulator::influxdSeries(const QString &database, const QString &statement,
                                          QString *problem) const
{
    HttpClient client;
    HttpRequest request;
    request.url = m_influxd.url().toUtf8() + "/query?db=" + HttpClient::percentEncode(database) +
                  "&q=" + HttpClient::percentEncode(statement);
    try {
        const HttpResponse response = client.perform(request);
        const QJsonObject root = QJsonDocument::fromJson(response.body).object();
        const QJsonObject result = root.value(u"results"_s).toArray().at(0).toObject();
        const QString message =
            result.value(u"error"_s).toString(root.value(u"error"_s).toString());
        if (response.status != 200 || !message.isEmpty()) {
            *problem = message.isEmpty() ? QString::fromUtf8(response.body) : message;
            return {};
        }
        return result.value(u"series"_s).toArray();
    } catch (const std::exception &e) {
        *problem = QString::fromUtf8(e.what());
        return {};
    }
}

TestHttpServer::Reply Influx2Emulator::forwardQuery(const Request &request,
                                                    const QString &statement, const QString &bucket)
{
    auto parameter = [&request](const QString &name) {
        return request.hasQueryItem(name) ? request.queryItem(name) : request.formItem(name);
    };
    QByteArray url = m_influxd.url().toUtf8() + "/query?db=" + HttpClient::percentEncode(bucket) +
                     "&q=" + HttpClient::percentEncode(statement);
    // No rp: the database holds the bucket alone, in its policy autogen.
    for (const QString &name : {u"epoch"_s, u"chunked"_s, u"chunk_size"_s, u"params"_s}) {
        const QString value = parameter(name);
        if (!value.isEmpty())
            url += '&' + name.toUtf8() + '=' + HttpClient::percentEncode(value);
    }
    HttpRequest upstream;
    upstream.url = url;
    // 2.x matches Accept exactly, as 1.4–1.7 do; influxd gets it as sent.
    const QByteArray accept = request.header("accept");
    if (!accept.isEmpty())
        upstream.headers.emplaceBack("Accept", accept);

    struct Relay
    {
        QMutex mutex;
        QWaitCondition changed;
        bool started = false;
        bool done = false;
        HttpResponse response;
    };
    auto relay = std::make_shared<Relay>();
    auto stream = std::make_shared<TestHttpServer::ReplyStream>();
    upstream.onData = [relay, stream](const char *data, size_t size) {
        {
            QMutexLocker locker(&relay->mutex);
            if (!relay->started) {
                relay->started = true;
                relay->changed.wakeAll();
            }
        }
        stream->push(QByteArray(data, qsizetype(size)));
        return !stream->cancelled();
    };
    {
        QMutexLocker locker(&m_mutex);
        if (m_closing)
            return error(503, u"unavailable"_s, u"the emulator is shutting down"_s);
        // Join the relays that are done, so that threads do not pile up over a long test.
        for (auto it = m_relays.begin(); it != m_relays.end();) {
            if (it->second->load()) {
                it->first.join();
                it = m_relays.erase(it);
            } else {
                ++it;
            }
        }
        auto finished = std::make_shared<std::atomic<bool>>(false);
        std::thread thread([relay, stream, upstream, finished] {
            HttpResponse response;
            try {
                HttpClient client;
                response = client.perform(upstream);
            } catch (const std::exception &e) {
                response.status = 503;
                response.body = json(
                    {{u"code"_s, u"unavailable"_s}, {u"message"_s, QString::fromUtf8(e.what())}});
            }
            {
                QMutexLocker locker(&relay->mutex);
                relay->response = response;
                relay->done = true;
                relay->changed.wakeAll();
            }
            stream->finish();
            finished->store(true);
        });
        m_relays.emplace_back(std::move(thread), finished);
    }

    QMutexLocker locker(&relay->mutex);
    while (!relay->started && !relay->done)
        relay->changed.wait(&relay->mutex);
    if (relay->started) {
        // influxd sends the type Accept asked for; so does 2.x.
        Reply reply;
        reply.status = 200;
        reply.stream = stream;
        reply.header("Content-Type", accept == "application/x-msgpack" ? "application/x-msgpack"
                                                                       : "application/json");
        return reply;
    }
    const HttpResponse &response = relay->response;
    if (response.status == 200)
        return Reply::json(200, response.body);
    if (response.status == 400)
        return error(400, u"invalid"_s,
                     QJsonDocument::fromJson(response.body)
                         .object()
                         .value(u"error"_s)
                         .toString(QString::fromUtf8(response.body)));
    return error(response.status >= 500 ? response.status : 500, u"internal error"_s,
                 QString::fromUtf8(response.body));
}

} // namespace tsm::test
