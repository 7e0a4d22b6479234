#include "support/TestProfiles.h"

#include <ProfileJson.h>
#include <QFile>

using namespace Qt::StringLiterals;

namespace tsm::test {

TaskProfile influxToInflux(const QString &name, const QString &sourceUrl, const QString &sourceDb,
                           const QString &targetUrl, const QString &targetDb)
{
    TaskProfile p = TaskProfile::withDefaults();
    p.name = name;
    p.source.type = u"influxdb"_s;
    setServer(p.source, sourceUrl);
    p.source.apiVersion = u"1.x"_s;
    p.target.type = u"influxdb1"_s;
    setServer(p.target, targetUrl);
    p.target.user.clear();
    p.target.database = targetDb;
    p.target.createDatabase = true;
    p.task.bucket = sourceDb;
    p.task.start = u"1900-01-01T00:00:00Z"_s;
    p.task.end = u"2200-01-01T00:00:00Z"_s;
    p.advanced.readConcurrency = 4;
    p.advanced.writeConcurrency = 2;
    p.advanced.batchSize = 1000;
    p.advanced.retryAttempts = 3;
    return p;
}

TaskProfile oneAtATime(TaskProfile profile, int windowMinutes, int batchSize)
{
    profile.task.windowMinutes = windowMinutes;
    profile.advanced.readConcurrency = 1;
    profile.advanced.writeConcurrency = 1;
    profile.advanced.batchSize = batchSize;
    return profile;
}

TaskProfile lpfileToLpfile(const QString &name, const QString &sourcePath,
                           const QString &targetPath)
{
    TaskProfile p = TaskProfile::withDefaults();
    p.name = name;
    p.source.type = u"lpfile"_s;
    p.source.path = sourcePath;
    p.target.type = u"lpfile"_s;
    p.target.path = targetPath;
    p.task.bucket = u"db"_s;
    return p;
}

TaskProfile lpfileSince2020(const QString &name, const QString &sourcePath,
                            const QString &targetPath)
{
    TaskProfile p = lpfileToLpfile(name, sourcePath, targetPath);
    p.task.bucket.clear();
    p.task.start = u"2020-01-01T00:00:00Z"_s;
    return p;
}

TaskProfile fullProfile()
{
    TaskProfile p = influxToInflux(u"nightly, \"quoted\" 🌙"_s, u"http://influx.example:8087"_s,
                                   u"telegraf"_s, u"http://target.example:9086"_s, u"archive"_s);
    p.source.user = u"reader"_s;
    p.source.password = u"s3cret pässword"_s;
    p.target.user = u"writer"_s;
    p.target.password = u"t0ken"_s;
    p.task.measurements = {u"cpu"_s, u"disk io"_s};
    p.task.start = u"2021-02-03T04:05:06.123456789Z"_s;
    p.task.end = u"2022-01-01T00:00:00Z"_s;
    p.task.windowMinutes = 15;
    p.task.delaySeconds = 30;
    p.advanced.batchSize = 20000;
    p.advanced.readConcurrency = 8;
    return p;
}

TaskProfile withoutSecrets(TaskProfile profile)
{
    profile.source.password.clear();
    profile.source.token.clear();
    profile.target.password.clear();
    profile.target.token.clear();
    return profile;
}

bool saveProfile(const TaskProfile &profile, const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return file.write(ProfileJson::toJson(profile, true)) > 0;
}

} // namespace tsm::test
