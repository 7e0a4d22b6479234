#include "DemoTask.h"

#include <CheckpointStore.h>
#include <ProfileJson.h>
#include <QDir>
#include <QFile>
#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace tsm::DemoTask {

QString name()
{
    return u"demo"_s;
}

QString seed(const QString &storePath)
{
    const QDir folder(QFileInfo(storePath).absoluteDir().filePath(u"demo"_s));
    if (!folder.mkpath(u"."_s))
        return QObject::tr("Cannot create the folder %1").arg(folder.path());
    const QString sample = folder.filePath(u"sample.lp"_s);
    if (!QFile::exists(sample)) {
        if (!QFile::copy(u":/demo/sample.lp"_s, sample))
            return QObject::tr("Cannot write the demo sample to %1").arg(sample);
        QFile::setPermissions(sample, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup |
                                          QFile::ReadOther);
    }
    QFile json(u":/demo/profiles/demo.json"_s);
    if (!json.open(QIODevice::ReadOnly))
        return QObject::tr("The demo profile is missing from the application");
    ProfileJson::LoadResult loaded = ProfileJson::fromJson(json.readAll());
    if (!loaded.ok())
        return loaded.errors.first().message;
    TaskProfile profile = loaded.profile;
    profile.name = name();
    profile.source.path = sample;
    profile.target.path = folder.filePath(u"demo-output.lp"_s);

    CheckpointStore store;
    if (!store.open(storePath))
        return store.lastError();
    if (store.task(profile.name))
        return QString();
    if (!store.saveTask(profile.name, ProfileJson::toJson(profile, false)))
        return store.lastError();
    return QString();
}

} // namespace tsm::DemoTask
