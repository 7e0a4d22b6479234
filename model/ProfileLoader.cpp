#include "ProfileLoader.h"

#include "CheckpointStore.h"
#include "Kinds.h"
#include "ProfileJson.h"
#include "TaskOptions.h"

#include <QDir>
#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

std::optional<QVariant> parseValue(const OptionSpec &spec, const QString &key, const QString &value,
                                   QString *error)
{
    switch (spec.kind) {
    case OptionKind::Integer: {
        bool ok = false;
        const qint64 n = value.toLongLong(&ok);
        if (!ok) {
            *error = u"%1 must be a whole number, got \"%2\""_s.arg(key, value);
            return std::nullopt;
        }
        return QVariant(n);
    }
    case OptionKind::Boolean: {
        const QString lower = value.toLower();
        if (lower == u"true" || lower == u"1" || lower == u"yes" || lower == u"on")
            return QVariant(true);
        if (lower == u"false" || lower == u"0" || lower == u"no" || lower == u"off")
            return QVariant(false);
        *error = u"%1 must be true or false, got \"%2\""_s.arg(key, value);
        return std::nullopt;
    }
    case OptionKind::TextList:
        return QVariant(value.isEmpty() ? QStringList() : value.split(u','));
    default:
        return QVariant(value);
    }
}

bool usesToken(AuthStyle auth)
{
    return auth == AuthStyle::Token || auth == AuthStyle::TokenAndOrg;
}

} // namespace

ProfileRef ProfileRef::file(const QString &path)
{
    ProfileRef ref;
    ref.path = path;
    return ref;
}

ProfileRef ProfileRef::task(const QString &name, const QString &statePath)
{
    ProfileRef ref;
    ref.taskName = name;
    ref.statePath = statePath;
    return ref;
}

QString ProfileRef::label() const
{
    return taskName.isEmpty() ? path : u"task \"%1\" in %2"_s.arg(taskName, statePath);
}

ProfileLoader::ProfileLoader(ProfileRef from) : m_from(std::move(from)) {}

ProfileLoader &ProfileLoader::withSettings(const QStringList &settings)
{
    m_settings = settings;
    return *this;
}

ProfileLoader &ProfileLoader::withEnvironmentSecrets()
{
    m_environmentSecrets = true;
    return *this;
}

ProfileLoader &ProfileLoader::validated()
{
    m_validate = true;
    return *this;
}

LoadedProfile ProfileLoader::load() const
{
    LoadedProfile loaded;
    QString base; // where relative file paths start: the profile's folder
    if (!read(loaded, &base))
        return loaded;
    for (const QString &setting : m_settings) {
        QString error;
        if (!applySetting(loaded.profile, setting, &error)) {
            loaded.problems.append(error);
            return loaded;
        }
    }
    if (m_environmentSecrets)
        applyEnvironmentSecrets(loaded.profile);
    // A task saved by the desktop app keeps its passwords and tokens in the system keychain,
    // not in the state file (unless the user chose so): say where to give them.
    if (const QStringList missing = missingSecrets(loaded.profile);
        !m_from.taskName.isEmpty() && !missing.isEmpty())
        loaded.notes.append(u"Note: the task \"%1\" was saved without its secrets (the desktop app "
                            "keeps them in the system keychain); give them in %2 if the servers "
                            "ask for them"_s.arg(loaded.profile.name, missing.join(u" and "_s)));
    // Paths given with --set are relative to the profile's folder too.
    ProfileJson::resolvePaths(loaded.profile, base);
    if (m_validate)
        for (const FieldError &e : validateProfile(loaded.profile))
            loaded.problems.append(u"%1: %2: %3"_s.arg(m_from.label(), e.key, e.message));
    return loaded;
}

bool ProfileLoader::read(LoadedProfile &loaded, QString *base) const
{
    if (!m_from.taskName.isEmpty()) {
        // A saved task has no folder of its own: its paths are absolute, or from here.
        *base = QDir::currentPath();
        return readTask(loaded);
    }
    *base = QFileInfo(m_from.path).absolutePath();
    const ProfileJson::LoadResult result = ProfileJson::readFile(m_from.path);
    for (const FieldError &e : result.errors)
        loaded.problems.append(u"%1: %2%3"_s.arg(
            m_from.label(), e.key.isEmpty() ? QString() : e.key + u": "_s, e.message));
    loaded.profile = result.profile;
    return result.ok();
}

bool ProfileLoader::readTask(LoadedProfile &loaded) const
{
    const QString &state = m_from.statePath;
    const QString &name = m_from.taskName;
    if (!QFileInfo::exists(state)) {
        loaded.problems.append(
            u"The state file %1 does not exist, so it holds no task \"%2\""_s.arg(state, name));
        return false;
    }
    CheckpointStore store;
    if (!store.open(state, CheckpointStore::Mode::ReadOnly)) {
        loaded.problems.append(
            u"Cannot open the state file %1: %2"_s.arg(state, store.lastError()));
        return false;
    }
    const std::optional<TaskRecord> task = store.task(name);
    if (!task) {
        QStringList names;
        for (const TaskRecord &t : store.tasks())
            names.append(u"\"%1\""_s.arg(t.name));
        loaded.problems.append(u"No task named \"%1\" in %2 (tasks: %3)"_s.arg(
            name, state, names.isEmpty() ? u"none"_s : names.join(u", "_s)));
        return false;
    }
    const ProfileJson::LoadResult result = ProfileJson::fromJson(task->profileJson);
    for (const FieldError &e : result.errors)
        loaded.problems.append(u"%1: %2%3"_s.arg(
            m_from.label(), e.key.isEmpty() ? QString() : e.key + u": "_s, e.message));
    loaded.profile = result.profile;
    loaded.profile.name = name;
    return result.ok();
}

bool ProfileLoader::applySetting(TaskProfile &profile, const QString &assignment, QString *error)
{
    const qsizetype eq = assignment.indexOf(u'=');
    if (eq <= 0) {
        *error = u"--set takes KEY=VALUE, got \"%1\""_s.arg(assignment);
        return false;
    }
    const QString key = assignment.left(eq).trimmed();
    const OptionSpec *spec = findOption(key);
    if (!spec) {
        *error = u"Unknown option \"%1\" (tsmigrate-cli options lists them)"_s.arg(key);
        return false;
    }
    const std::optional<QVariant> value = parseValue(*spec, key, assignment.mid(eq + 1), error);
    if (!value)
        return false;
    spec->set(profile, *value);
    return true;
}

void ProfileLoader::applyEnvironmentSecrets(TaskProfile &profile)
{
    auto take = [](const char *name, QString &into) {
        if (qEnvironmentVariableIsSet(name))
            into = qEnvironmentVariable(name);
    };
    take("TSMIGRATE_SOURCE_PASSWORD", profile.source.password);
    take("TSMIGRATE_SOURCE_TOKEN", profile.source.token);
    take("TSMIGRATE_TARGET_PASSWORD", profile.target.password);
    take("TSMIGRATE_TARGET_TOKEN", profile.target.token);
}

QStringList ProfileLoader::missingSecrets(const TaskProfile &p)
{
    const SourceKind *source = kinds::source(p.source);
    const TargetKind *target = kinds::target(p.target);
    QStringList missing;
    if (source && usesToken(source->auth) && p.source.token.isEmpty())
        missing.append(u"TSMIGRATE_SOURCE_TOKEN"_s);
    else if (!p.source.user.isEmpty() && p.source.password.isEmpty())
        missing.append(u"TSMIGRATE_SOURCE_PASSWORD"_s);
    if (target && usesToken(target->auth) && p.target.token.isEmpty())
        missing.append(u"TSMIGRATE_TARGET_TOKEN"_s);
    else if (!p.target.user.isEmpty() && p.target.password.isEmpty())
        missing.append(u"TSMIGRATE_TARGET_PASSWORD"_s);
    return missing;
}

} // namespace tsm
