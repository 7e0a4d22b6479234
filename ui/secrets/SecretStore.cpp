#include "secrets/SecretStore.h"

#include "UiLog.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <TaskOptions.h>
#include <qt6keychain/keychain.h>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

/// A job that deletes itself when done and never stores in plain text.
template<typename Job> Job *makeJob(const QString &key)
{
    auto *job = new Job(SecretStore::serviceName());
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(key);
    return job;
}

} // namespace

SecretStore::SecretStore(QString storePath, QObject *parent)
    : QObject(parent), m_storePath(QFileInfo(storePath).absoluteFilePath())
{}

QString SecretStore::serviceName()
{
    return u"tsmigrate"_s;
}

QString SecretStore::keyFor(const QString &taskName) const
{
    return u"task %1 in %2"_s.arg(taskName, QDir::toNativeSeparators(m_storePath));
}

void SecretStore::probe()
{
    auto *job = makeJob<QKeychain::ReadPasswordJob>(u"availability check"_s);
    connect(job, &QKeychain::Job::finished, this, [this](QKeychain::Job *finished) {
        const QKeychain::Error error = finished->error();
        if (error == QKeychain::NoError || error == QKeychain::EntryNotFound) {
            m_availability = Availability::Available;
            m_reason.clear();
        } else {
            m_availability = Availability::Unavailable;
            m_reason = finished->errorString();
            qCInfo(lcUi).noquote() << "no system keychain:" << m_reason;
        }
        Q_EMIT availabilityKnown();
    });
    job->start();
}

void SecretStore::read(const QString &taskName, QObject *context,
                       std::function<void(const Secrets &, const QString &)> done)
{
    auto *job = makeJob<QKeychain::ReadPasswordJob>(keyFor(taskName));
    connect(job, &QKeychain::Job::finished, context,
            [job, done = std::move(done)](QKeychain::Job *) {
                if (job->error() == QKeychain::EntryNotFound)
                    return done({}, QString());
                if (job->error() != QKeychain::NoError)
                    return done({}, job->errorString());
                Secrets secrets;
                const QJsonObject object = QJsonDocument::fromJson(job->binaryData()).object();
                for (auto it = object.begin(); it != object.end(); ++it)
                    if (const OptionSpec *spec = findOption(it.key());
                        spec && spec->kind == OptionKind::Secret)
                        secrets.insert(it.key(), it.value().toString());
                done(secrets, QString());
            });
    job->start();
}

void SecretStore::write(const QString &taskName, const Secrets &secrets, QObject *context,
                        std::function<void(const QString &)> done)
{
    QJsonObject object;
    for (auto it = secrets.begin(); it != secrets.end(); ++it)
        object.insert(it.key(), it.value());
    auto *job = makeJob<QKeychain::WritePasswordJob>(keyFor(taskName));
    job->setBinaryData(QJsonDocument(object).toJson(QJsonDocument::Compact));
    connect(job, &QKeychain::Job::finished, context,
            [done = std::move(done)](QKeychain::Job *finished) {
                done(finished->error() == QKeychain::NoError ? QString() : finished->errorString());
            });
    job->start();
}

void SecretStore::remove(const QString &taskName)
{
    if (m_availability != Availability::Available)
        return;
    makeJob<QKeychain::DeletePasswordJob>(keyFor(taskName))->start();
}

SecretStore::Secrets SecretStore::secretsOf(const TaskProfile &profile)
{
    Secrets secrets;
    for (const OptionSpec &spec : taskOptions())
        if (spec.kind == OptionKind::Secret) {
            const QString value = spec.get(profile).toString();
            if (!value.isEmpty())
                secrets.insert(spec.key, value);
        }
    return secrets;
}

void SecretStore::applySecrets(const Secrets &secrets, TaskProfile &profile)
{
    for (auto it = secrets.begin(); it != secrets.end(); ++it)
        if (const OptionSpec *spec = findOption(it.key()); spec && spec->kind == OptionKind::Secret)
            spec->set(profile, it.value());
}

} // namespace tsm
