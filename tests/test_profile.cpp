#include "CheckpointStore.h"
#include "LogLevels.h"
#include "ProfileJson.h"
#include "ProfileLoader.h"
#include "TaskOptions.h"
#include "TaskProfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QScopeGuard>
#include <QLoggingCategory>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <functional>

using namespace Qt::StringLiterals;
using namespace tsm;

namespace {

/// DESIGN.md's example profile, comments and all, as it is printed there.
const char *const kDesignExample = R"json({
  "version": 1,
  "name": "test_influxdb_01",
  "source": {
    "type": "influxdb",                      // influxdb | tdengine2 | lpfile
    "protocol": "http", "host": "127.0.0.1", "port": 8086,
    "tls": { "verify": true, "caFile": "" },
    "auth": { "apiVersion": "1.x", "version": "1.8",
              "user": "", "password": "",      // 1.x
              "orgId": "", "token": "", "addDbrp": false },  // 2.x
    "path": ""                               // lpfile: a .lp or .lp.gz file
  },
  "target": {
    "type": "tdengine3",                     // tdengine3 | influxdb1 | influxdb2 | influxdb3 | lpfile
    "protocol": "http", "host": "127.0.0.1", "port": 6041,
    "tls": { "verify": true, "caFile": "" },
    "auth": { "user": "root", "password": "", "orgId": "", "token": "" },
    "database": "dst", "createDatabase": true,
    "path": "", "compress": false            // lpfile target
  },
  "task": {
    "bucket": "src", "retentionPolicy": "", "measurements": [],
    "start": "2020-01-01T00:00:00Z", "end": "", "timeZone": "UTC",
    "windowMinutes": 60, "delaySeconds": 10,
    "mode": "history", "schemaSync": "always"
  },
  "advanced": { "logLevel": "info", "readConcurrency": 50,
                "writeConcurrency": 50, "batchSize": 5000 }
})json";

/// Drops // comments outside strings: the comments explain the example, they are not JSON.
QByteArray stripComments(const QByteArray &text)
{
    QByteArray out;
    bool inString = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text.at(i);
        if (inString) {
            out += c;
            if (c == '\\' && i + 1 < text.size())
                out += text.at(++i);
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
            out += c;
        } else if (c == '/' && i + 1 < text.size() && text.at(i + 1) == '/') {
            while (i < text.size() && text.at(i) != '\n')
                ++i;
            out += '\n';
        } else {
            out += c;
        }
    }
    return out;
}

/// "a.b.c" for every leaf of a JSON object.
QSet<QString> leafKeys(const QJsonObject &object, const QString &prefix = QString())
{
    QSet<QString> keys;
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString key = prefix.isEmpty() ? it.key() : prefix + u'.' + it.key();
        if (it.value().isObject())
            keys.unite(leafKeys(it.value().toObject(), key));
        else
            keys.insert(key);
    }
    return keys;
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) &&
           file.write(content) == content.size();
}

/// A profile that validates: the defaults plus what the form requires.
TaskProfile validProfile()
{
    TaskProfile p = TaskProfile::withDefaults();
    p.name = u"test_influxdb_01"_s;
    p.target.database = u"dst"_s;
    p.task.bucket = u"src"_s;
    p.task.start = u"2024-01-01T00:00:00Z"_s;
    return p;
}

/// Every field set to something other than its default, with awkward text.
TaskProfile populatedProfile()
{
    TaskProfile p;
    p.version = 1;
    p.name = u"Mig \"quoted\" täsk 🚀 with\\backslash and\ttab"_s;
    p.source.type = u"tdengine2"_s;
    p.source.protocol = u"https"_s;
    p.source.host = u"influx.example.com"_s;
    p.source.port = 18086;
    p.source.tls.verify = false;
    p.source.tls.caFile = u"/etc/ssl/ca with space.pem"_s;
    p.source.apiVersion = u"2.x"_s;
    p.source.version = u"2.7"_s;
    p.source.user = u"reader"_s;
    p.source.password = u"pä$$\"word"_s;
    p.source.orgId = u"0123456789abcdef"_s;
    p.source.token = u"tok==/+"_s;
    p.source.addDbrp = true;
    p.source.acceptRoundedFloats = true;
    p.source.sparse = true;
    p.source.path = u"/data/in.lp.gz"_s;
    p.target.type = u"influxdb2"_s;
    p.target.protocol = u"https"_s;
    p.target.host = u"::1"_s;
    p.target.port = 9999;
    p.target.tls.verify = false;
    p.target.tls.caFile = u"/ca2.pem"_s;
    p.target.user = u"writer"_s;
    p.target.password = u"secret2"_s;
    p.target.orgId = u"fedcba9876543210"_s;
    p.target.token = u"tok2"_s;
    p.target.database = u"dst db"_s;
    p.target.createDatabase = false;
    p.target.path = u"/out/ünïcode.lp"_s;
    p.target.compress = true;
    p.task.bucket = u"src/autogen"_s;
    p.task.retentionPolicy = u"one week"_s;
    p.task.measurements = {u"cpu"_s, u"disk io"_s, u"m,with\"comma"_s, u"🌡️"_s};
    p.task.start = u"2020-01-01T08:00:00.123456789+08:00"_s;
    p.task.end = u"2021-01-01 00:00:00"_s;
    p.task.timeZone = u"Asia/Shanghai"_s;
    p.task.windowMinutes = 1440;
    p.task.delaySeconds = 30;
    p.task.mode = u"both"_s;
    p.task.schemaSync = u"none"_s;
    p.task.tables = {u"meters.d1001"_s, u"m.`a b`"_s};
    p.advanced.logLevel = u"trace"_s;
    p.advanced.readConcurrency = 7;
    p.advanced.writeConcurrency = 9;
    p.advanced.batchSize = 1000000;
    p.advanced.retryAttempts = 100;
    p.advanced.idleTimeoutSeconds = 7;
    p.advanced.onKeyClash = u"reject"_s;
    p.advanced.onTypeConflict = u"convert"_s;
    p.target.childTableName = u"host ünï"_s;
    p.task.seriesFilter = u"host = 'a\\'b' AND dc =~ /eu-.*/"_s;
    p.task.rename = {u"measurement:cpu=compute"_s, u"tag:host=nöde"_s};
    p.task.renameFile = u"/etc/renames.csv"_s;
    p.task.addTags = {u"env=prod"_s};
    p.advanced.maxPointsPerSecond = 20000;
    p.advanced.readIntervalMs = 250;
    return p;
}

void compareProfiles(const TaskProfile &a, const TaskProfile &b)
{
    QCOMPARE(a.version, b.version);
    QCOMPARE(a.name, b.name);
    QCOMPARE(a.source.type, b.source.type);
    QCOMPARE(a.source.protocol, b.source.protocol);
    QCOMPARE(a.source.host, b.source.host);
    QCOMPARE(a.source.port, b.source.port);
    QCOMPARE(a.source.tls.verify, b.source.tls.verify);
    QCOMPARE(a.source.tls.caFile, b.source.tls.caFile);
    QCOMPARE(a.source.apiVersion, b.source.apiVersion);
    QCOMPARE(a.source.version, b.source.version);
    QCOMPARE(a.source.user, b.source.user);
    QCOMPARE(a.source.password, b.source.password);
    QCOMPARE(a.source.orgId, b.source.orgId);
    QCOMPARE(a.source.token, b.source.token);
    QCOMPARE(a.source.addDbrp, b.source.addDbrp);
    QCOMPARE(a.source.acceptRoundedFloats, b.source.acceptRoundedFloats);
    QCOMPARE(a.source.sparse, b.source.sparse);
    QCOMPARE(a.source.path, b.source.path);
    QCOMPARE(a.target.type, b.target.type);
    QCOMPARE(a.target.protocol, b.target.protocol);
    QCOMPARE(a.target.host, b.target.host);
    QCOMPARE(a.target.port, b.target.port);
    QCOMPARE(a.target.tls.verify, b.target.tls.verify);
    QCOMPARE(a.target.tls.caFile, b.target.tls.caFile);
    QCOMPARE(a.target.user, b.target.user);
    QCOMPARE(a.target.password, b.target.password);
    QCOMPARE(a.target.orgId, b.target.orgId);
    QCOMPARE(a.target.token, b.target.token);
    QCOMPARE(a.target.database, b.target.database);
    QCOMPARE(a.target.createDatabase, b.target.createDatabase);
    QCOMPARE(a.target.path, b.target.path);
    QCOMPARE(a.target.compress, b.target.compress);
    QCOMPARE(a.task.bucket, b.task.bucket);
    QCOMPARE(a.task.retentionPolicy, b.task.retentionPolicy);
    QCOMPARE(a.task.measurements, b.task.measurements);
    QCOMPARE(a.task.start, b.task.start);
    QCOMPARE(a.task.end, b.task.end);
    QCOMPARE(a.task.timeZone, b.task.timeZone);
    QCOMPARE(a.task.windowMinutes, b.task.windowMinutes);
    QCOMPARE(a.task.delaySeconds, b.task.delaySeconds);
    QCOMPARE(a.task.mode, b.task.mode);
    QCOMPARE(a.task.schemaSync, b.task.schemaSync);
    QCOMPARE(a.task.tables, b.task.tables);
    QCOMPARE(a.advanced.logLevel, b.advanced.logLevel);
    QCOMPARE(a.advanced.readConcurrency, b.advanced.readConcurrency);
    QCOMPARE(a.advanced.writeConcurrency, b.advanced.writeConcurrency);
    QCOMPARE(a.advanced.batchSize, b.advanced.batchSize);
    QCOMPARE(a.advanced.retryAttempts, b.advanced.retryAttempts);
    QCOMPARE(a.advanced.idleTimeoutSeconds, b.advanced.idleTimeoutSeconds);
    QCOMPARE(a.advanced.onKeyClash, b.advanced.onKeyClash);
    QCOMPARE(a.advanced.onTypeConflict, b.advanced.onTypeConflict);
    QCOMPARE(a.target.childTableName, b.target.childTableName);
    QCOMPARE(a.task.seriesFilter, b.task.seriesFilter);
    QCOMPARE(a.task.rename, b.task.rename);
    QCOMPARE(a.task.renameFile, b.task.renameFile);
    QCOMPARE(a.task.addTags, b.task.addTags);
    QCOMPARE(a.advanced.maxPointsPerSecond, b.advanced.maxPointsPerSecond);
    QCOMPARE(a.advanced.readIntervalMs, b.advanced.readIntervalMs);
}

QString describe(const QList<FieldError> &errors)
{
    QStringList lines;
    for (const FieldError &e : errors)
        lines.append(e.key + u": "_s + e.message);
    return lines.isEmpty() ? u"(no errors)"_s : lines.join(u"; "_s);
}

/// Variants in which different options apply, so every declaration can be exercised.
QList<TaskProfile> variants()
{
    QList<TaskProfile> list;
    list.append(validProfile());
    TaskProfile v2 = validProfile();
    v2.source.apiVersion = u"2.x"_s;
    v2.source.orgId = u"0123abcd"_s;
    v2.source.token = u"t"_s;
    list.append(v2);
    TaskProfile td = validProfile();
    td.source.type = u"tdengine2"_s;
    list.append(td);
    TaskProfile tdRealtime = td;
    tdRealtime.task.mode = u"realtime"_s;
    list.append(tdRealtime);
    TaskProfile file = validProfile();
    file.source.type = u"lpfile"_s;
    file.source.path = u"in.lp"_s;
    file.target.type = u"lpfile"_s;
    file.target.path = u"out.lp"_s;
    list.append(file);
    TaskProfile influx2 = validProfile();
    influx2.target.type = u"influxdb2"_s;
    influx2.target.orgId = u"0123abcd"_s;
    influx2.target.token = u"t"_s;
    list.append(influx2);
    TaskProfile tls = validProfile();
    tls.source.protocol = u"https"_s;
    tls.target.protocol = u"https"_s;
    list.append(tls);
    return list;
}

std::optional<TaskProfile> variantWhere(const OptionSpec &spec)
{
    for (const TaskProfile &p : variants()) {
        if (spec.appliesTo(p))
            return p;
    }
    return std::nullopt;
}

} // namespace

/** Task options, validation and the profile JSON format. */
class TestProfile : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void declarationsAreComplete()
    {
        const QSet<QString> groups = {u"basic"_s, u"connection"_s, u"auth1"_s,
                                      u"auth2"_s, u"task"_s,       u"advanced"_s};
        QSet<QString> keys;
        for (const OptionSpec &spec : taskOptions()) {
            QVERIFY2(!keys.contains(spec.key), qPrintable(u"declared twice: "_s + spec.key));
            keys.insert(spec.key);
            QVERIFY2(groups.contains(spec.group), qPrintable(spec.key));
            QVERIFY2(!spec.label.isEmpty(), qPrintable(spec.key));
            QVERIFY2(spec.help.size() > 20, qPrintable(spec.key));
            QVERIFY2(!spec.help.contains(u'{'), qPrintable(spec.key)); // placeholders filled
            QVERIFY2(spec.get && spec.set && spec.appliesTo, qPrintable(spec.key));
            QVERIFY2(spec.defaultValue.isValid(), qPrintable(spec.key));
            QCOMPARE(findOption(spec.key), &spec);
            if (spec.kind == OptionKind::Integer) {
                QVERIFY2(spec.minimum < spec.maximum, qPrintable(spec.key));
                const qint64 d = spec.defaultValue.toLongLong();
                QVERIFY2(d >= spec.minimum && d <= spec.maximum, qPrintable(spec.key));
            }
            if (spec.kind == OptionKind::Choice) {
                QVERIFY2(spec.choices.contains(spec.defaultValue.toString()), qPrintable(spec.key));
            }
        }
        QCOMPARE(findOption(u"no.such.key"_s), nullptr);
        // Every field of TaskProfile has a declaration (66 fields, version is the format's).
        QCOMPARE(keys.size(), 66);

        // Form order: basic information first, advanced options last.
        const auto &options = taskOptions();
        QCOMPARE(options.front().key, u"name"_s);
        QCOMPARE(options.at(1).key, u"source.type"_s);
        QCOMPARE(options.back().group, u"advanced"_s);
        QStringList groupOrder;
        for (const OptionSpec &spec : options) {
            if (groupOrder.isEmpty() || groupOrder.last() != spec.group)
                groupOrder.append(spec.group);
        }
        QCOMPARE(groupOrder, QStringList({u"basic"_s, u"connection"_s, u"auth1"_s, u"auth2"_s,
                                          u"task"_s, u"advanced"_s}));
    }

    void labelsAndHelpFollowTheForm()
    {
        const QList<std::pair<QString, QString>> labels = {
            {u"name"_s, u"Name"_s},
            {u"source.type"_s, u"Type"_s},
            {u"target.database"_s, u"Target Database"_s},
            {u"source.protocol"_s, u"Protocol"_s},
            {u"source.host"_s, u"Host"_s},
            {u"source.port"_s, u"Port"_s},
            {u"source.auth.version"_s, u"Version"_s},
            {u"source.auth.user"_s, u"User"_s},
            {u"source.auth.password"_s, u"Password"_s},
            {u"source.auth.orgId"_s, u"Organization ID"_s},
            {u"source.auth.token"_s, u"Token"_s},
            {u"source.auth.addDbrp"_s, u"Add Database Retention Policy"_s},
            {u"task.bucket"_s, u"Bucket"_s},
            {u"task.measurements"_s, u"Measurements"_s},
            {u"task.start"_s, u"Start Time"_s},
            {u"task.end"_s, u"End Time"_s},
            {u"task.windowMinutes"_s, u"Time Range per Read (minutes)"_s},
            {u"task.delaySeconds"_s, u"Delay (seconds)"_s},
            {u"task.mode"_s, u"Mode"_s},
            {u"task.schemaSync"_s, u"Schema Sync"_s},
            {u"advanced.logLevel"_s, u"Log Level"_s},
            {u"advanced.readConcurrency"_s, u"Max Read Concurrency"_s},
            {u"advanced.writeConcurrency"_s, u"Max Write Concurrency"_s},
            {u"advanced.batchSize"_s, u"Batch Size"_s},
        };
        for (const auto &[key, label] : labels) {
            const OptionSpec *spec = findOption(key);
            QVERIFY2(spec, qPrintable(key));
            QCOMPARE(spec->label, label);
        }
        QVERIFY(findOption(u"task.delaySeconds"_s)->help.contains(u"out-of-order"_s));
        QVERIFY(findOption(u"task.delaySeconds"_s)->help.contains(u"between 1 and 30"_s));
        QVERIFY(findOption(u"task.windowMinutes"_s)->help.contains(u"memory"_s));
        QVERIFY(findOption(u"source.auth.orgId"_s)->help.contains(u"hexadecimal"_s));
        QVERIFY(findOption(u"source.auth.orgId"_s)->help.contains(u"not the organization name"_s));
        QVERIFY(findOption(u"source.auth.orgId"_s)->help.contains(u"Organization → About"_s));
        QVERIFY(findOption(u"source.auth.addDbrp"_s)->help.contains(u"DBRP"_s));
        QVERIFY(findOption(u"source.auth.password"_s)->kind == OptionKind::Secret);
        QVERIFY(findOption(u"source.auth.token"_s)->kind == OptionKind::Secret);
        QVERIFY(findOption(u"target.auth.password"_s)->kind == OptionKind::Secret);
        QVERIFY(findOption(u"target.auth.token"_s)->kind == OptionKind::Secret);
    }

    void defaultsComeFromTheDeclarations()
    {
        const TaskProfile p = TaskProfile::withDefaults();
        for (const OptionSpec &spec : taskOptions()) {
            QVERIFY2(spec.get(p) == spec.defaultValue,
                     qPrintable(u"%1: %2 != %3"_s.arg(spec.key, spec.get(p).toString(),
                                                      spec.defaultValue.toString())));
        }
        // The defaults the design asks for.
        QCOMPARE(p.source.type, u"influxdb"_s);
        QCOMPARE(p.source.protocol, u"http"_s);
        QCOMPARE(p.source.host, u"127.0.0.1"_s);
        QCOMPARE(p.source.port, 8086);
        QCOMPARE(p.source.tls.verify, true);
        QCOMPARE(p.source.apiVersion, u"1.x"_s);
        QCOMPARE(p.target.type, u"tdengine3"_s);
        QCOMPARE(p.target.port, 6041);
        QCOMPARE(p.target.user, u"root"_s);
        QCOMPARE(p.target.createDatabase, true);
        QCOMPARE(p.task.windowMinutes, 60);
        QCOMPARE(p.task.delaySeconds, 10);
        QCOMPARE(p.task.mode, u"history"_s);
        QCOMPARE(p.task.schemaSync, u"always"_s);
        QCOMPARE(p.task.timeZone, u"UTC"_s);
        QCOMPARE(p.advanced.logLevel, u"info"_s);
        QCOMPARE(p.advanced.readConcurrency, 50);
        QCOMPARE(p.advanced.writeConcurrency, 50);
        QCOMPARE(p.advanced.batchSize, 5000);
        QCOMPARE(p.advanced.retryAttempts, 6);
        QCOMPARE(p.advanced.idleTimeoutSeconds, 120);
        QCOMPARE(defaultPort(u"influxdb"_s), 8086);
        QCOMPARE(defaultPort(u"influxdb2"_s), 8086);
        QCOMPARE(defaultPort(u"tdengine2"_s), 6041);
        QCOMPARE(defaultPort(u"tdengine3"_s), 6041);
        QCOMPARE(defaultPort(u"lpfile"_s), 0);
    }

    void eachDeclarationOwnsItsField()
    {
        // Setting one option through its declaration changes that option and no other (types
        // may move the port and user that follow them), and get reads it back.
        for (const OptionSpec &spec : taskOptions()) {
            TaskProfile p = TaskProfile::withDefaults();
            QVariant value;
            switch (spec.kind) {
            case OptionKind::Integer:
                value = spec.defaultValue.toLongLong() == spec.minimum + 1 ? spec.minimum + 2
                                                                           : spec.minimum + 1;
                break;
            case OptionKind::Boolean:
                value = !spec.defaultValue.toBool();
                break;
            case OptionKind::Choice:
                value = spec.choices.last() == spec.defaultValue.toString() ? spec.choices.first()
                                                                            : spec.choices.last();
                break;
            case OptionKind::TextList:
                value = QStringList{u"a"_s, u"b"_s};
                break;
            default:
                value = u"value of "_s + spec.key;
                break;
            }
            spec.set(p, value);
            QVERIFY2(spec.get(p) == value, qPrintable(spec.key));
            const TaskProfile defaults = TaskProfile::withDefaults();
            for (const OptionSpec &other : taskOptions()) {
                if (&other == &spec || other.key.endsWith(u".port"_s) ||
                    other.key == u"target.auth.user"_s) {
                    continue;
                }
                QVERIFY2(other.get(p) == other.get(defaults),
                         qPrintable(u"setting %1 changed %2"_s.arg(spec.key, other.key)));
            }
        }
    }

    void influxDb3NeedsNoOrganization()
    {
        TaskProfile p = validProfile();
        p.source.type = u"influxdb"_s;
        p.source.apiVersion = u"2.x"_s;
        p.source.token = u"tok"_s;
        p.source.orgId.clear();
        p.source.version = u"2.7"_s;
        bool orgMissing = false;
        for (const FieldError &e : validateProfile(p))
            orgMissing = orgMissing || e.key == u"source.auth.orgId"_s;
        QVERIFY(orgMissing); // 2.x needs its organization
        p.source.apiVersion = u"3"_s;
        for (const FieldError &e : validateProfile(p))
            QVERIFY2(e.key != u"source.auth.orgId"_s, qPrintable(e.message));
        // A profile from before the API family was a choice named InfluxDB 3 in its version:
        // it is read as the 3 API.
        for (const QString &version : {u"3.0.1"_s, u"v3"_s, u"Clustered"_s, u"Cloud Dedicated"_s}) {
            p.source.apiVersion = u"2.x"_s;
            p.source.version = version;
            const auto loaded = ProfileJson::fromJson(ProfileJson::toJson(p, true));
            QVERIFY(loaded.errors.isEmpty());
            QCOMPARE(loaded.profile.source.apiVersion, u"3"_s);
            for (const FieldError &e : validateProfile(loaded.profile))
                QVERIFY2(e.key != u"source.auth.orgId"_s,
                         qPrintable(version + u": "_s + e.message));
        }
        p.source.version = u"2.7.1"_s;
        QCOMPARE(ProfileJson::fromJson(ProfileJson::toJson(p, true)).profile.source.apiVersion,
                 u"2.x"_s);
        QVERIFY(isInfluxDb3(u" 3 "_s));
        QVERIFY(!isInfluxDb3(u"2.7.1"_s));
    }

    void portAndUserFollowTheType()
    {
        const OptionSpec *sourceType = findOption(u"source.type"_s);
        const OptionSpec *targetType = findOption(u"target.type"_s);
        TaskProfile p = TaskProfile::withDefaults();
        sourceType->set(p, u"tdengine2"_s);
        QCOMPARE(p.source.port, 6041);
        sourceType->set(p, u"influxdb"_s);
        QCOMPARE(p.source.port, 8086);
        p.source.port = 18086; // typed by the user: kept
        sourceType->set(p, u"tdengine2"_s);
        QCOMPARE(p.source.port, 18086);

        TaskProfile t = TaskProfile::withDefaults();
        targetType->set(t, u"influxdb2"_s);
        QCOMPARE(t.target.port, 8086);
        QCOMPARE(t.target.user, QString());
        targetType->set(t, u"lpfile"_s);
        QCOMPARE(t.target.port, 8086); // a file has no port; the last one is kept
        targetType->set(t, u"tdengine3"_s);
        QCOMPARE(t.target.port, 6041);
        QCOMPARE(t.target.user, u"root"_s);
        t.target.user = u"admin"_s;
        targetType->set(t, u"influxdb1"_s);
        QCOMPARE(t.target.user, u"admin"_s);

        // A profile that names only its types gets their ports.
        const auto loaded = ProfileJson::fromJson(
            R"({"version": 1, "source": {"type": "tdengine2"}, "target": {"type": "influxdb3"}})");
        QVERIFY2(loaded.ok(), qPrintable(describe(loaded.errors)));
        QCOMPARE(loaded.profile.source.port, 6041);
        QCOMPARE(loaded.profile.target.port, 8086);
        QCOMPARE(loaded.profile.target.user, QString());
        // ... and an explicit port wins whatever the order of the keys.
        const auto explicitPort =
            ProfileJson::fromJson(R"({"source": {"port": 8086, "type": "tdengine2"}})");
        QCOMPARE(explicitPort.profile.source.port, 8086);
    }

    void jsonRoundTrip()
    {
        const TaskProfile original = populatedProfile();
        const QByteArray json = ProfileJson::toJson(original, true);
        const ProfileJson::LoadResult loaded = ProfileJson::fromJson(json);
        QVERIFY2(loaded.ok(), qPrintable(describe(loaded.errors)));
        compareProfiles(loaded.profile, original);
        // Writing it again gives the same text: the output is deterministic.
        QCOMPARE(ProfileJson::toJson(loaded.profile, true), json);
    }

    void jsonShapeIsTheDesignsFormat()
    {
        const QByteArray json = ProfileJson::toJson(TaskProfile::withDefaults(), true);
        QVERIFY(json.startsWith("{\n    \"version\": 1,\n    \"name\": \"\","));
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        const QJsonObject root = doc.object();
        QCOMPARE(root.value(u"version"_s).toInt(), 1);
        QVERIFY(root.value(u"source"_s).toObject().value(u"tls"_s).isObject());
        QVERIFY(root.value(u"source"_s).toObject().value(u"auth"_s).isObject());
        QVERIFY(root.value(u"target"_s).toObject().value(u"auth"_s).isObject());
        QCOMPARE(root.value(u"source"_s).toObject().value(u"port"_s).toInt(), 8086);
        QVERIFY(root.value(u"task"_s).toObject().value(u"measurements"_s).isArray());
        QVERIFY(root.value(u"source"_s)
                    .toObject()
                    .value(u"tls"_s)
                    .toObject()
                    .value(u"verify"_s)
                    .isBool());

        // Every key of DESIGN.md's example is written, and nothing else but the keys added
        // since (which the format allows).
        const QJsonObject design = QJsonDocument::fromJson(stripComments(kDesignExample)).object();
        QVERIFY(!design.isEmpty());
        QSet<QString> ours = leafKeys(root);
        const QSet<QString> theirs = leafKeys(design);
        for (const QString &key : theirs)
            QVERIFY2(ours.contains(key), qPrintable(u"missing: "_s + key));
        ours.subtract(theirs);
        QCOMPARE(ours, QSet<QString>({u"advanced.retryAttempts"_s, u"advanced.retryFor"_s,
                                      u"advanced.idleTimeoutSeconds"_s, u"advanced.verify"_s,
                                      u"source.acceptRoundedFloats"_s, u"advanced.onKeyClash"_s,
                                      u"advanced.onTypeConflict"_s, u"advanced.bounceErrors"_s,
                                      u"advanced.bounceWindowSeconds"_s, u"advanced.idleSeconds"_s,
                                      u"target.childTableName"_s, u"task.seriesFilter"_s,
                                      u"task.rename"_s, u"task.renameFile"_s, u"task.addTags"_s,
                                      u"advanced.maxPointsPerSecond"_s,
                                      u"advanced.readIntervalMs"_s, u"task.retro"_s,
                                      u"task.pollSeconds"_s, u"advanced.rejectsFile"_s,
                                      u"advanced.onRefused"_s, u"task.tables"_s,
                                      u"source.sparse"_s}));
    }

    void secretsOnlyWhenAsked()
    {
        const TaskProfile original = populatedProfile();
        const QByteArray without = ProfileJson::toJson(original, false);
        for (const QString &secret : {original.source.password, original.source.token,
                                      original.target.password, original.target.token}) {
            const QByteArray escaped =
                QJsonDocument(QJsonArray{secret}).toJson(QJsonDocument::Compact);
            QVERIFY2(!without.contains(escaped.mid(1, escaped.size() - 2)), qPrintable(secret));
        }
        QVERIFY(!without.contains("\"password\""));
        QVERIFY(!without.contains("\"token\""));
        const auto loaded = ProfileJson::fromJson(without);
        QVERIFY2(loaded.ok(), qPrintable(describe(loaded.errors)));
        QCOMPARE(loaded.profile.source.password, QString());
        QCOMPARE(loaded.profile.source.token, QString());
        QCOMPARE(loaded.profile.target.password, QString());
        QCOMPARE(loaded.profile.target.token, QString());
        QCOMPARE(loaded.profile.source.user, original.source.user); // not a secret
        QCOMPARE(loaded.profile.name, original.name);

        const QByteArray with = ProfileJson::toJson(original, true);
        QVERIFY(with.contains("\"password\": \"pä$$\\\"word\""));
        QVERIFY(with.contains("\"token\": \"tok2\""));
    }

    void missingKeysTakeDefaults()
    {
        const auto loaded = ProfileJson::fromJson("{}");
        QVERIFY2(loaded.ok(), qPrintable(describe(loaded.errors)));
        compareProfiles(loaded.profile, TaskProfile::withDefaults());

        const auto partial = ProfileJson::fromJson(
            R"({"version": 1, "name": "n", "task": {"delaySeconds": 3, "end": null}})");
        QVERIFY2(partial.ok(), qPrintable(describe(partial.errors)));
        QCOMPARE(partial.profile.task.delaySeconds, 3);
        QCOMPARE(partial.profile.task.windowMinutes, 60);
        QCOMPARE(partial.profile.task.end, QString());
        QCOMPARE(partial.profile.advanced.batchSize, 5000);
    }

    void unknownKeysAreRefused()
    {
        // Each key no option declares is named, wherever it sits (issue: a misspelt key ran
        // with the default, silently).
        const auto loaded = ProfileJson::fromJson(
            R"({"version": 1, "name": "n", "colour": "red", "extra": {"a": [1, 2]},
                "source": {"agent": "x", "auth": {"kerberos": true}}})");
        QStringList keys;
        for (const FieldError &e : loaded.errors)
            keys.append(e.key);
        keys.sort();
        QCOMPARE(keys, (QStringList{u"colour"_s, u"extra"_s, u"source.agent"_s,
                                    u"source.auth.kerberos"_s}));
    }

    void wrongTypes_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("message");
        QTest::newRow("number as text")
            << QByteArray(R"({"task": {"delaySeconds": "10"}})") << u"task.delaySeconds"_s
            << u"task.delaySeconds must be a number"_s;
        QTest::newRow("fraction") << QByteArray(R"({"source": {"port": 80.5}})") << u"source.port"_s
                                  << u"source.port must be a whole number"_s;
        QTest::newRow("bool as text")
            << QByteArray(R"({"source": {"tls": {"verify": "yes"}}})") << u"source.tls.verify"_s
            << u"source.tls.verify must be true or false"_s;
        QTest::newRow("text as number")
            << QByteArray(R"({"name": 5})") << u"name"_s << u"name must be a string"_s;
        QTest::newRow("list as text")
            << QByteArray(R"({"task": {"measurements": "cpu"}})") << u"task.measurements"_s
            << u"task.measurements must be a list of strings"_s;
        QTest::newRow("list of numbers")
            << QByteArray(R"({"task": {"measurements": [1]}})") << u"task.measurements"_s
            << u"task.measurements must be a list of strings"_s;
        QTest::newRow("object as number")
            << QByteArray(R"({"source": 5})") << u"source"_s << u"source must be an object"_s;
        QTest::newRow("nested object as text")
            << QByteArray(R"({"source": {"auth": "none"}})") << u"source.auth"_s
            << u"source.auth must be an object"_s;
    }
    void wrongTypes()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, key);
        QFETCH(QString, message);
        const auto loaded = ProfileJson::fromJson(json);
        QCOMPARE(loaded.errors.size(), 1);
        QCOMPARE(loaded.errors.first().key, key);
        QCOMPARE(loaded.errors.first().message, message);
        // The field keeps its default rather than a half-read value.
        const OptionSpec *spec = findOption(key);
        if (spec)
            QCOMPARE(spec->get(loaded.profile), spec->defaultValue);
    }

    void hugeNumbersStayOutOfRange()
    {
        const auto loaded = ProfileJson::fromJson(R"({"advanced": {"batchSize": 1e12}})");
        QVERIFY(loaded.ok());
        const auto errors = validateProfile(loaded.profile);
        bool found = false;
        for (const FieldError &e : errors)
            found = found || e.key == u"advanced.batchSize"_s;
        QVERIFY2(found, qPrintable(describe(errors)));
    }

    void malformedJson()
    {
        const QByteArray json = "{\n  \"name\": \"x\",\n  \"task\": {\"delaySeconds\": 10,,}\n}";
        const auto loaded = ProfileJson::fromJson(json);
        QCOMPARE(loaded.errors.size(), 1);
        QCOMPARE(loaded.errors.first().key, QString());
        const QString message = loaded.errors.first().message;
        QVERIFY2(message.contains(u"line 3"_s), qPrintable(message));
        QVERIFY2(message.contains(u"column"_s), qPrintable(message));
        QVERIFY2(message.contains(u"offset"_s), qPrintable(message));

        QCOMPARE(ProfileJson::fromJson("").errors.size(), 1);
        QCOMPARE(ProfileJson::fromJson("{\"name\": \"x\"").errors.size(), 1);
        const auto array = ProfileJson::fromJson("[1, 2]");
        QCOMPARE(array.errors.size(), 1);
        QVERIFY(array.errors.first().message.contains(u"object"_s));
    }

    void versions()
    {
        const auto future = ProfileJson::fromJson(R"({"version": 2, "name": "x"})");
        QCOMPARE(future.errors.size(), 1);
        QCOMPARE(future.errors.first().key, u"version"_s);
        QVERIFY2(future.errors.first().message.contains(u"version 2"_s),
                 qPrintable(future.errors.first().message));

        const auto text = ProfileJson::fromJson(R"({"version": "1"})");
        QCOMPARE(text.errors.size(), 1);
        QCOMPARE(text.errors.first().key, u"version"_s);

        const auto zero = ProfileJson::fromJson(R"({"version": 0})");
        QCOMPARE(zero.errors.size(), 1);

        const auto one = ProfileJson::fromJson(R"({"version": 1, "name": "x"})");
        QVERIFY(one.ok());
        QCOMPARE(one.profile.version, 1);
        QCOMPARE(one.profile.name, u"x"_s);
    }

    void designExampleLoads()
    {
        const auto loaded = ProfileJson::fromJson(stripComments(kDesignExample));
        QVERIFY2(loaded.ok(), qPrintable(describe(loaded.errors)));
        const TaskProfile &p = loaded.profile;
        QCOMPARE(p.name, u"test_influxdb_01"_s);
        QCOMPARE(p.source.type, u"influxdb"_s);
        QCOMPARE(p.source.version, u"1.8"_s);
        QCOMPARE(p.target.database, u"dst"_s);
        QCOMPARE(p.target.user, u"root"_s);
        QCOMPARE(p.task.bucket, u"src"_s);
        QCOMPARE(p.task.start, u"2020-01-01T00:00:00Z"_s);
        QCOMPARE(p.advanced.batchSize, 5000);
        const auto errors = validateProfile(p);
        QVERIFY2(errors.isEmpty(), qPrintable(describe(errors)));
    }

    void exampleProfilesLoad_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("demo") << u"demo.json"_s;
        QTest::newRow("influxdb-to-influxdb") << u"influxdb-to-influxdb.json"_s;
    }
    void exampleProfilesLoad()
    {
        QFETCH(QString, file);
        const QString path = QFINDTESTDATA(u"../resources/profiles/"_s + file);
        QVERIFY2(!path.isEmpty(), qPrintable(file));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto loaded = ProfileJson::fromJson(f.readAll());
        QVERIFY2(loaded.ok(), qPrintable(describe(loaded.errors)));
        const auto errors = validateProfile(loaded.profile);
        QVERIFY2(errors.isEmpty(), qPrintable(describe(errors)));
        if (file == u"demo.json"_s) {
            QCOMPARE(loaded.profile.source.type, u"lpfile"_s);
            // Paths in a profile are relative to the profile's folder (as the CLI reads them):
            // this one names resources/sample.lp.
            QCOMPARE(loaded.profile.source.path, u"../sample.lp"_s);
            QVERIFY(QFileInfo(QFileInfo(path).absoluteDir(), loaded.profile.source.path).isFile());
            QCOMPARE(loaded.profile.target.type, u"lpfile"_s);
            QCOMPARE(loaded.profile.target.path, u"demo-output.lp"_s);
            QCOMPARE(loaded.profile.task.bucket, u"demo"_s);
            QCOMPARE(loaded.profile.task.start, u"2024-01-01T00:00:00Z"_s);
            QCOMPARE(loaded.profile.task.end, u"2024-01-04T00:00:00Z"_s);
            QCOMPARE(loaded.profile.task.mode, u"history"_s);
        } else {
            QCOMPARE(loaded.profile.source.type, u"influxdb"_s);
            QCOMPARE(loaded.profile.source.apiVersion, u"1.x"_s);
            QCOMPARE(loaded.profile.target.type, u"influxdb1"_s);
        }
    }

    void readFileResolvesPathsAgainstItsFolder()
    {
        // The CLI and the desktop app's Import read a profile file through readFile, so a
        // relative path means the same file to both, whatever the working directory.
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkpath(u"profiles"_s));
        TaskProfile p = validProfile();
        p.source.type = u"lpfile"_s;
        p.source.path = u"../data/in.lp.gz"_s;
        p.target.type = u"lpfile"_s;
        p.target.path = u"out.lp"_s;
        const QString path = dir.filePath(u"profiles/p.json"_s);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(ProfileJson::toJson(p, false));
        file.close();
        const ProfileJson::LoadResult loaded = ProfileJson::readFile(path);
        QVERIFY2(loaded.ok(), qPrintable(describe(loaded.errors)));
        QCOMPARE(loaded.profile.source.path, QDir(dir.path()).filePath(u"data/in.lp.gz"_s));
        QCOMPARE(loaded.profile.target.path, QDir(dir.path()).filePath(u"profiles/out.lp"_s));
        // The profile loader (the CLI's and Import's) reads it the same way, whatever it adds.
        for (const LoadedProfile &same :
             {ProfileLoader(ProfileRef::file(path)).load(),
              ProfileLoader(ProfileRef::file(path)).withEnvironmentSecrets().validated().load()}) {
            QVERIFY2(same.ok(), qPrintable(same.problems.join(u'\n')));
            QCOMPARE(ProfileJson::toJson(same.profile, true),
                     ProfileJson::toJson(loaded.profile, true));
        }

        // An absolute path stays as it is.
        TaskProfile absolute = p;
        absolute.source.path = u"/srv/in.lp"_s;
        ProfileJson::resolvePaths(absolute, dir.path());
        QCOMPARE(absolute.source.path, u"/srv/in.lp"_s);

        // A file that cannot be read is one error for the file (key ""), naming why.
        const ProfileJson::LoadResult missing = ProfileJson::readFile(dir.filePath(u"nope.json"_s));
        QCOMPARE(missing.errors.size(), 1);
        QCOMPARE(missing.errors.first().key, QString());
        QVERIFY(missing.errors.first().message.startsWith(u"cannot be read: "_s));
    }

    void loaderSetPathsStartFromTheProfilesFolder()
    {
        // --set source.path=relative means a file beside the profile, as in the file itself.
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkpath(u"profiles"_s));
        TaskProfile p = validProfile();
        p.source.type = u"lpfile"_s;
        p.source.path = u"in.lp"_s;
        p.target.type = u"lpfile"_s;
        p.target.path = u"out.lp"_s;
        const QString path = dir.filePath(u"profiles/p.json"_s);
        QVERIFY(writeFile(path, ProfileJson::toJson(p, false)));
        const LoadedProfile loaded =
            ProfileLoader(ProfileRef::file(path))
                .withSettings({u"source.path=../data/other.lp"_s, u"advanced.batchSize=77"_s,
                               u"target.path=/srv/out.lp"_s, u"task.measurements=a,b"_s})
                .validated()
                .load();
        QVERIFY2(loaded.ok(), qPrintable(loaded.problems.join(u'\n')));
        QCOMPARE(loaded.profile.source.path, QDir(dir.path()).filePath(u"data/other.lp"_s));
        QCOMPARE(loaded.profile.target.path, u"/srv/out.lp"_s);
        QCOMPARE(loaded.profile.advanced.batchSize, 77);
        QCOMPARE(loaded.profile.task.measurements, QStringList({u"a"_s, u"b"_s}));
    }

    void loaderTakesSecretsFromTheEnvironmentWhenAsked()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"p.json"_s);
        TaskProfile p = validProfile();
        p.source.user = u"reader"_s;
        p.source.password = u"in the file"_s;
        QVERIFY(writeFile(path, ProfileJson::toJson(p, true)));
        qputenv("TSMIGRATE_SOURCE_PASSWORD", "from the environment");
        qputenv("TSMIGRATE_TARGET_TOKEN", "token");
        const auto unset = qScopeGuard([] {
            qunsetenv("TSMIGRATE_SOURCE_PASSWORD");
            qunsetenv("TSMIGRATE_TARGET_TOKEN");
        });
        const LoadedProfile cli =
            ProfileLoader(ProfileRef::file(path)).withEnvironmentSecrets().load();
        QCOMPARE(cli.profile.source.password, u"from the environment"_s);
        QCOMPARE(cli.profile.target.token, u"token"_s);
        // The desktop app's Import does not read the environment.
        const LoadedProfile imported = ProfileLoader(ProfileRef::file(path)).load();
        QCOMPARE(imported.profile.source.password, u"in the file"_s);
        QVERIFY(imported.profile.target.token.isEmpty());
    }

    void loaderReadsATaskSavedInTheStateFile()
    {
        QTemporaryDir dir;
        const QString state = dir.filePath(u"state.sqlite"_s);
        // No state file: it holds no task, and is not created.
        const LoadedProfile none = ProfileLoader(ProfileRef::task(u"t"_s, state)).load();
        QCOMPARE(none.problems,
                 QStringList{
                     u"The state file %1 does not exist, so it holds no task \"t\""_s.arg(state)});
        QVERIFY(!QFileInfo::exists(state));

        TaskProfile p = validProfile();
        p.source.user = u"reader"_s;
        p.source.password = u"secret"_s;
        {
            CheckpointStore store;
            QVERIFY2(store.open(state), qPrintable(store.lastError()));
            QVERIFY(store.saveTask(u"saved"_s, ProfileJson::toJson(p, false)));
        }
        const LoadedProfile saved =
            ProfileLoader(ProfileRef::task(u"saved"_s, state)).validated().load();
        QVERIFY2(saved.ok(), qPrintable(saved.problems.join(u'\n')));
        QCOMPARE(saved.profile.name, u"saved"_s);
        QCOMPARE(saved.profile.source.user, u"reader"_s);
        QVERIFY(saved.profile.source.password.isEmpty());
        // Saved without its password: the note names the variable that gives it.
        QCOMPARE(saved.notes.size(), 1);
        QVERIFY2(saved.notes.first().contains(u"TSMIGRATE_SOURCE_PASSWORD"_s),
                 qPrintable(saved.notes.first()));

        const LoadedProfile other = ProfileLoader(ProfileRef::task(u"other"_s, state)).load();
        QCOMPARE(other.problems,
                 QStringList{u"No task named \"other\" in %1 (tasks: \"saved\")"_s.arg(state)});
    }

    void loaderSaysWhatIsWrong()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"p.json"_s);
        TaskProfile p = validProfile();
        p.task.start.clear();
        QVERIFY(writeFile(path, ProfileJson::toJson(p, false)));

        // Validation only when asked: the wizard shows what is missing itself.
        QVERIFY(ProfileLoader(ProfileRef::file(path)).load().ok());
        const LoadedProfile invalid = ProfileLoader(ProfileRef::file(path)).validated().load();
        QVERIFY(!invalid.ok());
        QVERIFY2(invalid.problems.first().startsWith(path + u": task.start: "_s),
                 qPrintable(invalid.problems.join(u'\n')));

        const auto problemOf = [&](const QString &setting) {
            const LoadedProfile loaded =
                ProfileLoader(ProfileRef::file(path)).withSettings({setting}).load();
            return loaded.problems.value(0);
        };
        QCOMPARE(problemOf(u"nothing"_s), u"--set takes KEY=VALUE, got \"nothing\""_s);
        QCOMPARE(problemOf(u"no.such=1"_s),
                 u"Unknown option \"no.such\" (tsmigrate-cli options lists them)"_s);
        QCOMPARE(problemOf(u"advanced.batchSize=many"_s),
                 u"advanced.batchSize must be a whole number, got \"many\""_s);
        QCOMPARE(problemOf(u"target.createDatabase=perhaps"_s),
                 u"target.createDatabase must be true or false, got \"perhaps\""_s);

        const QString broken = dir.filePath(u"broken.json"_s);
        QVERIFY(writeFile(broken, "{ not json"));
        const LoadedProfile unreadable = ProfileLoader(ProfileRef::file(broken)).load();
        QVERIFY(!unreadable.ok());
        QVERIFY2(unreadable.problems.first().startsWith(broken + u": "_s),
                 qPrintable(unreadable.problems.first()));
    }

    void logLevelsMapOntoEveryModulesCategory()
    {
        // The task's level decides what each module's category prints, in the CLI and the app.
        const auto enabled = [](const QString &level, const char *category, QtMsgType type) {
            LogLevels::apply(level);
            QLoggingCategory c(category);
            return c.isEnabled(type);
        };
        QVERIFY(!enabled(u"error"_s, "tsm.engine", QtWarningMsg));
        QVERIFY(enabled(u"error"_s, "tsm.store", QtCriticalMsg));
        QVERIFY(enabled(u"warn"_s, "tsm.engine", QtWarningMsg));
        QVERIFY(!enabled(u"info"_s, "tsm.engine", QtDebugMsg));
        QVERIFY(enabled(u"debug"_s, "tsm.store", QtDebugMsg));
        QVERIFY(enabled(u"debug"_s, "tsm.ui", QtInfoMsg));
        QVERIFY(!enabled(u"debug"_s, "tsm.http", QtDebugMsg));
        QVERIFY(enabled(u"trace"_s, "tsm.http", QtDebugMsg));
        QVERIFY(enabled(u"trace"_s, "tsm.cli", QtDebugMsg));
        LogLevels::apply(u"info"_s);
    }

    void unknownAndDuplicatedKeysAreRefused()
    {
        // A misspelt key would otherwise run with the default, silently.
        const auto typo = ProfileJson::fromJson("{\"advanced\": {\"batchSise\": 10}}");
        QCOMPARE(typo.errors.size(), 1);
        QCOMPARE(typo.errors.first().key, u"advanced.batchSise"_s);
        QVERIFY2(typo.errors.first().message.contains(u"did you mean advanced.batchSize?"_s),
                 qPrintable(typo.errors.first().message));

        const auto stranger = ProfileJson::fromJson("{\"sauce\": {\"type\": \"influxdb\"}}");
        QCOMPARE(stranger.errors.size(), 1);
        QCOMPARE(stranger.errors.first().key, u"sauce"_s);

        // QJsonDocument keeps one of two equal keys; the profile says which was meant twice.
        const auto twice = ProfileJson::fromJson("{\"task\": {\"bucket\": \"a\", \"start\": "
                                                 "\"2024-01-01T00:00:00Z\", \"bucket\": \"b\"}}");
        QCOMPARE(twice.errors.size(), 1);
        QCOMPARE(twice.errors.first().key, u"task.bucket"_s);
        QVERIFY(twice.errors.first().message.contains(u"twice"_s));
        // The same key in two objects is no duplicate; escaped names are read as names.
        const QByteArray apartJson =
            "{\"source\": {\"host\": \"a\", \"tls\": {\"verify\": true}}, \"target\": "
            "{\"host\": \"b\", \"tls\": {\"verify\": false}}, \"task\": {\"bucket\": "
            "\"x\\\"y\", \"measurements\": [\"m\", \"m\"]}}";
        const auto apart = ProfileJson::fromJson(apartJson);
        QVERIFY2(apart.ok(), qPrintable(describe(apart.errors)));
        QCOMPARE(apart.profile.task.bucket, u"x\"y"_s);
    }

    void anEmptyTimeZoneIsRefused()
    {
        TaskProfile p = validProfile();
        p.task.timeZone.clear();
        const auto errors = validateProfile(p);
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors.first().key, u"task.timeZone"_s);
        QVERIFY2(errors.first().message.contains(u"required"_s),
                 qPrintable(errors.first().message));
    }

    void validProfileHasNoErrors()
    {
        for (const TaskProfile &p : variants()) {
            const auto errors = validateProfile(p);
            QVERIFY2(errors.isEmpty(), qPrintable(describe(errors)));
        }
        TaskProfile p = validProfile();
        p.name = u"Migrate the old 🌡️ sensors, part 2"_s;
        p.task.start = u"2024-01-01 08:00:00"_s;
        p.task.end = u"2024-01-02"_s;
        p.task.timeZone = u"Asia/Shanghai"_s;
        p.task.measurements = {u"cpu"_s, u"mem"_s};
        const auto errors = validateProfile(p);
        QVERIFY2(errors.isEmpty(), qPrintable(describe(errors)));
    }

    void validationMessages()
    {
        struct Case
        {
            const char *what;
            std::function<void(TaskProfile &)> change;
            QString key;
            QString message;
        };
        const QString notATime =
            u"Start time is not a valid time: use RFC 3339, e.g. 2024-01-01T00:00:00Z"_s;
        const QString orgIdHex = u"Organization ID must be hexadecimal (the ID from "
                                 u"Organization → About, not the organization name)"_s;
        const QList<Case> cases = {
            {"no name", [](TaskProfile &p) { p.name.clear(); }, u"name"_s, u"Name is required"_s},
            {"blank name", [](TaskProfile &p) { p.name = u"  "_s; }, u"name"_s,
             u"Name is required"_s},
            {"no start", [](TaskProfile &p) { p.task.start.clear(); }, u"task.start"_s,
             u"Start time is required"_s},
            {"bad start", [](TaskProfile &p) { p.task.start = u"yesterday"_s; }, u"task.start"_s,
             notATime},
            {"start without seconds", [](TaskProfile &p) { p.task.start = u"2024-01-01T00:00"_s; },
             u"task.start"_s, notATime},
            {"end before start", [](TaskProfile &p) { p.task.end = u"2023-12-31T00:00:00Z"_s; },
             u"task.end"_s, u"End time must be after start time"_s},
            {"end equals start", [](TaskProfile &p) { p.task.end = p.task.start; }, u"task.end"_s,
             u"End time must be after start time"_s},
            {"end before start across zones",
             [](TaskProfile &p) { p.task.end = u"2024-01-01T07:00:00+08:00"_s; }, u"task.end"_s,
             u"End time must be after start time"_s},
            {"bad end", [](TaskProfile &p) { p.task.end = u"2024-02-30"_s; }, u"task.end"_s,
             u"End time is not a valid time: use RFC 3339, e.g. 2024-01-01T00:00:00Z"_s},
            {"delay 0", [](TaskProfile &p) { p.task.delaySeconds = 0; }, u"task.delaySeconds"_s,
             u"Delay must be between 1 and 30 seconds"_s},
            {"delay 31", [](TaskProfile &p) { p.task.delaySeconds = 31; }, u"task.delaySeconds"_s,
             u"Delay must be between 1 and 30 seconds"_s},
            {"poll 0", [](TaskProfile &p) { p.task.pollSeconds = 0; }, u"task.pollSeconds"_s,
             u"Poll interval must be between 1 and 3600 seconds"_s},
            {"retro not a duration",
             [](TaskProfile &p) {
                 p.task.mode = u"realtime"_s;
                 p.task.retro = u"2 hours"_s;
             },
             u"task.retro"_s,
             u"Back-fill \"2 hours\" is not a duration: use a whole number and a unit, e.g. 30m, "
             u"2h, 7d or 1h30m"_s},
            {"refused neither continue nor stop",
             [](TaskProfile &p) { p.advanced.onRefused = u"halt"_s; }, u"advanced.onRefused"_s,
             u"On refused points must be one of: continue, stop"_s},
            {"window 0", [](TaskProfile &p) { p.task.windowMinutes = 0; }, u"task.windowMinutes"_s,
             u"Time range per read must be between 1 and 525600 minutes"_s},
            {"batch 0", [](TaskProfile &p) { p.advanced.batchSize = 0; }, u"advanced.batchSize"_s,
             u"Batch size must be between 1 and 1000000"_s},
            {"batch too big", [](TaskProfile &p) { p.advanced.batchSize = 1000001; },
             u"advanced.batchSize"_s, u"Batch size must be between 1 and 1000000"_s},
            {"read concurrency", [](TaskProfile &p) { p.advanced.readConcurrency = 501; },
             u"advanced.readConcurrency"_s, u"Max read concurrency must be between 1 and 500"_s},
            {"retries", [](TaskProfile &p) { p.advanced.retryAttempts = 0; },
             u"advanced.retryAttempts"_s, u"Retry attempts must be between 1 and 100"_s},
            {"port 0", [](TaskProfile &p) { p.source.port = 0; }, u"source.port"_s,
             u"Port must be between 1 and 65535"_s},
            {"port 65536", [](TaskProfile &p) { p.source.port = 65536; }, u"source.port"_s,
             u"Port must be between 1 and 65535"_s},
            {"target port", [](TaskProfile &p) { p.target.port = -1; }, u"target.port"_s,
             u"Target port must be between 1 and 65535"_s},
            {"no host", [](TaskProfile &p) { p.source.host.clear(); }, u"source.host"_s,
             u"Host is required"_s},
            {"org ID is a name",
             [](TaskProfile &p) {
                 p.source.apiVersion = u"2.x"_s;
                 p.source.orgId = u"my org"_s;
                 p.source.token = u"t"_s;
             },
             u"source.auth.orgId"_s, orgIdHex},
            {"no org ID",
             [](TaskProfile &p) {
                 p.source.apiVersion = u"2.x"_s;
                 p.source.token = u"t"_s;
             },
             u"source.auth.orgId"_s, u"Organization ID is required for the 2.x version"_s},
            {"no token",
             [](TaskProfile &p) {
                 p.source.apiVersion = u"2.x"_s;
                 p.source.orgId = u"0123456789abcdef"_s;
             },
             u"source.auth.token"_s, u"Token is required for the 2.x version"_s},
            {"no bucket", [](TaskProfile &p) { p.task.bucket.clear(); }, u"task.bucket"_s,
             u"Bucket is required"_s},
            // In the words of the task page: TDengine 2.x has databases.
            {"no TDengine 2.x database",
             [](TaskProfile &p) {
                 p.source.type = u"tdengine2"_s;
                 p.task.bucket.clear();
             },
             u"task.bucket"_s, u"Database is required"_s},
            {"no file",
             [](TaskProfile &p) {
                 p.source.type = u"lpfile"_s;
                 p.source.path.clear();
             },
             u"source.path"_s, u"File is required for a line-protocol file source"_s},
            {"no target file",
             [](TaskProfile &p) {
                 p.target.type = u"lpfile"_s;
                 p.target.path.clear();
             },
             u"target.path"_s, u"Target file is required for a line-protocol file target"_s},
            {"no target database", [](TaskProfile &p) { p.target.database.clear(); },
             u"target.database"_s, u"Target database is required"_s},
            {"no bucket", [](TaskProfile &p) { p.task.bucket.clear(); }, u"task.bucket"_s,
             u"Bucket is required"_s},
            {"unknown type", [](TaskProfile &p) { p.source.type = u"oracle"_s; }, u"source.type"_s,
             u"Type must be one of: influxdb, tdengine2, lpfile"_s},
            {"unknown target type", [](TaskProfile &p) { p.target.type = u"mysql"_s; },
             u"target.type"_s,
             u"Target type must be one of: tdengine3, influxdb1, influxdb2, influxdb3, lpfile"_s},
            {"unknown mode", [](TaskProfile &p) { p.task.mode = u"sometimes"_s; }, u"task.mode"_s,
             u"Mode must be one of: history, realtime, both"_s},
            {"unknown log level", [](TaskProfile &p) { p.advanced.logLevel = u"verbose"_s; },
             u"advanced.logLevel"_s,
             u"Log level must be one of: error, warn, info, debug, trace"_s},
            {"unknown protocol", [](TaskProfile &p) { p.source.protocol = u"ws"_s; },
             u"source.protocol"_s, u"Protocol must be one of: http, https"_s},
            {"schema sync for TDengine 2",
             [](TaskProfile &p) {
                 p.source.type = u"tdengine2"_s;
                 p.task.schemaSync = u"sometimes"_s;
             },
             u"task.schemaSync"_s, u"Schema sync must be one of: always, none, only"_s},
            {"schema sync only into a file",
             [](TaskProfile &p) {
                 p.source.type = u"tdengine2"_s;
                 p.target.type = u"lpfile"_s;
                 p.target.path = u"/tmp/out.lp"_s;
                 p.task.schemaSync = u"only"_s;
             },
             u"task.schemaSync"_s,
             u"Schema sync \"only\" creates the target's tables and moves no data; a "
             u"Line-protocol file target has no table structure to create: choose always or "
             u"none"_s},
            {"schema sync only from InfluxDB", [](TaskProfile &p) { p.task.schemaSync = u"only"_s; },
             u"task.schemaSync"_s,
             u"Schema sync \"only\" creates the tables of a TDengine 2.x source and moves no "
             u"data; this source is InfluxDB 1.x, which has no tables to create: choose always"_s},
            {"unknown zone", [](TaskProfile &p) { p.task.timeZone = u"Mars/Base"_s; },
             u"task.timeZone"_s, u"Time zone \"Mars/Base\" is unknown"_s},
            {"unknown zone, time without offset",
             [](TaskProfile &p) {
                 p.task.timeZone = u"Mars/Base"_s;
                 p.task.start = u"2024-01-01 00:00:00"_s;
             },
             u"task.timeZone"_s, u"Time zone \"Mars/Base\" is unknown"_s},
            {"target org ID",
             [](TaskProfile &p) {
                 p.target.type = u"influxdb2"_s;
                 p.target.orgId = u"acme"_s;
                 p.target.token = u"t"_s;
             },
             u"target.auth.orgId"_s,
             u"Target organization ID must be hexadecimal (the ID from Organization → About, "
             u"not the organization name)"_s},
            {"target token for 2.x",
             [](TaskProfile &p) {
                 p.target.type = u"influxdb2"_s;
                 p.target.orgId = u"0123abcd"_s;
             },
             u"target.auth.token"_s, u"Target token is required for an InfluxDB 2.x target"_s},
        };
        for (const Case &c : cases) {
            TaskProfile p = validProfile();
            c.change(p);
            const QList<FieldError> errors = validateProfile(p);
            const QString got = describe(errors);
            QVERIFY2(errors.size() == 1, qPrintable(QString::fromUtf8(c.what) + u": "_s + got));
            QVERIFY2(errors.first().key == c.key,
                     qPrintable(QString::fromUtf8(c.what) + u": "_s + got));
            QVERIFY2(errors.first().message == c.message,
                     qPrintable(QString::fromUtf8(c.what) + u": "_s + got));
        }
    }

    void onlyApplicableOptionsAreChecked()
    {
        // A line-protocol file source has no server, password or bucket.
        TaskProfile file = validProfile();
        file.source.type = u"lpfile"_s;
        file.source.path = u"in.lp"_s;
        file.source.host.clear();
        file.source.port = 0;
        file.source.protocol = u"gopher"_s;
        file.source.password = u"irrelevant"_s;
        file.task.bucket.clear();
        QVERIFY2(validateProfile(file).isEmpty(), qPrintable(describe(validateProfile(file))));

        // The 2.x tab's fields mean nothing with the 1.x tab, and the reverse.
        TaskProfile v1 = validProfile();
        v1.source.orgId = u"not hex"_s;
        QVERIFY2(validateProfile(v1).isEmpty(), qPrintable(describe(validateProfile(v1))));

        // Schema sync is a TDengine 2.x option.
        TaskProfile influx = validProfile();
        influx.task.schemaSync = u"sometimes"_s;
        QVERIFY2(validateProfile(influx).isEmpty(), qPrintable(describe(validateProfile(influx))));

        // A file target needs no database or host.
        TaskProfile fileTarget = validProfile();
        fileTarget.target.type = u"lpfile"_s;
        fileTarget.target.path = u"out.lp"_s;
        fileTarget.target.database.clear();
        fileTarget.target.host.clear();
        QVERIFY2(validateProfile(fileTarget).isEmpty(),
                 qPrintable(describe(validateProfile(fileTarget))));
    }

    /// The controls of following apply to every source that can be followed, TDengine 2.x
    /// included; the back-fill only in realtime; the rejects controls to every task.
    void followControlsApplyWhereTheyMeanSomething()
    {
        auto applies = [](const QString &key, const TaskProfile &p) {
            return findOption(key)->appliesTo(p);
        };
        for (const QString &type : {u"tdengine2"_s, u"influxdb"_s}) {
            TaskProfile p = validProfile();
            p.source.type = type;
            p.task.mode = u"realtime"_s;
            for (const QString &key : {u"task.retro"_s, u"task.pollSeconds"_s,
                                       u"task.delaySeconds"_s, u"advanced.rejectsFile"_s,
                                       u"advanced.onRefused"_s})
                QVERIFY2(applies(key, p), qPrintable(type + u": "_s + key));
            p.task.mode = u"both"_s;
            QVERIFY(!applies(u"task.retro"_s, p));
            QVERIFY(applies(u"task.pollSeconds"_s, p));
            // Hidden there, and ignored: a back-fill left from realtime is no error.
            p.task.retro = u"not a duration"_s;
            QVERIFY2(validateProfile(p).isEmpty(), qPrintable(describe(validateProfile(p))));
        }
        TaskProfile file = validProfile();
        file.source.type = u"lpfile"_s;
        file.source.path = u"in.lp"_s;
        QVERIFY(!applies(u"task.retro"_s, file));
        QVERIFY(!applies(u"task.pollSeconds"_s, file));
        QVERIFY(applies(u"advanced.rejectsFile"_s, file));
        QVERIFY(applies(u"advanced.onRefused"_s, file));
        QVERIFY(findOption(u"task.delaySeconds"_s)->help.contains(u"out-of-order wait"_s));
        const TaskProfile defaults = TaskProfile::withDefaults();
        QCOMPARE(defaults.task.pollSeconds, 5); // what following waited with the default delay
        QCOMPARE(defaults.advanced.onRefused, u"continue"_s);
        QVERIFY(defaults.task.retro.isEmpty() && defaults.advanced.rejectsFile.isEmpty());
    }

    /// A relative rejects file is relative to the profile's folder, as every file path of it.
    void relativeRejectsFileFromTheProfilesFolder()
    {
        QTemporaryDir dir;
        TaskProfile p = validProfile();
        p.advanced.rejectsFile = u"out/refused.lp"_s;
        const QString path = dir.filePath(u"p.json"_s);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(ProfileJson::toJson(p, false));
        file.close();
        const ProfileJson::LoadResult loaded = ProfileJson::readFile(path);
        QVERIFY(loaded.ok());
        QCOMPARE(loaded.profile.advanced.rejectsFile, dir.filePath(u"out/refused.lp"_s));
    }

    void rangesAndChoicesComeFromTheDeclarations()
    {
        // Whatever is declared is enforced, without a hand-written rule per option.
        for (const OptionSpec &spec : taskOptions()) {
            const std::optional<TaskProfile> base = variantWhere(spec);
            QVERIFY2(base, qPrintable(u"no variant where %1 applies"_s.arg(spec.key)));
            QList<QVariant> badValues;
            if (spec.kind == OptionKind::Integer)
                badValues = {spec.minimum - 1, spec.maximum + 1};
            else if (spec.kind == OptionKind::Choice)
                badValues = {u"bogus"_s};
            else if (spec.required && spec.kind != OptionKind::Boolean)
                badValues = {QVariant(spec.kind == OptionKind::TextList ? QVariant(QStringList())
                                                                        : QVariant(QString()))};
            for (const QVariant &bad : badValues) {
                TaskProfile p = *base;
                spec.set(p, bad);
                const auto errors = validateProfile(p);
                bool named = false;
                for (const FieldError &e : errors)
                    named = named || e.key == spec.key;
                QVERIFY2(named, qPrintable(u"%1 = %2: %3"_s.arg(spec.key, bad.toString(),
                                                                describe(errors))));
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestProfile)
#include "test_profile.moc"
