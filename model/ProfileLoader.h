#pragma once

#include "TaskProfile.h"

#include <QString>
#include <QStringList>

namespace tsm {

/** Where a profile comes from: a JSON file, or a task saved in a state file (as the desktop app
 *  saves them). */
struct ProfileRef
{
    QString path;      ///< a profile file,
    QString taskName;  ///< or the name of a task saved in
    QString statePath; ///< this state file

    static ProfileRef file(const QString &path);
    static ProfileRef task(const QString &name, const QString &statePath);
    /// The file, or "task "NAME" in STATE", as messages name it.
    QString label() const;
};

/** A profile as loaded, or the problems that kept it from loading. */
struct LoadedProfile
{
    TaskProfile profile;
    /// In words, each naming the file, task or option it is about; empty when the profile loaded.
    QStringList problems;
    /// Worth telling, though not in the way (a saved task that has no secrets).
    QStringList notes;
    bool ok() const { return problems.isEmpty(); }
};

/**
 * Reads a task profile the one way tsmigrate-cli and the desktop app's Import both do: a file
 * (ProfileJson::readFile, relative file paths against its folder) or a task saved in a state
 * file; then, as asked, `--set KEY=VALUE` overrides (file paths given there are relative to the
 * profile's folder too), secrets from the environment, and validation.
 */
class ProfileLoader
{
public:
    explicit ProfileLoader(ProfileRef from);

    /// Overrides applied in order, each "KEY=VALUE" through the option's declaration.
    ProfileLoader &withSettings(const QStringList &settings);
    /// TSMIGRATE_SOURCE_PASSWORD, TSMIGRATE_SOURCE_TOKEN, TSMIGRATE_TARGET_PASSWORD and
    /// TSMIGRATE_TARGET_TOKEN replace the profile's secrets when set.
    ProfileLoader &withEnvironmentSecrets();
    /// validateProfile's problems are problems (the wizard, which shows them, needs no such).
    ProfileLoader &validated();

    LoadedProfile load() const;

    /// Applies "KEY=VALUE" to `profile`; false with the reason in `error`.
    static bool applySetting(TaskProfile &profile, const QString &assignment, QString *error);
    static void applyEnvironmentSecrets(TaskProfile &profile);
    /// The variables that would give the secrets a profile's connections lack.
    static QStringList missingSecrets(const TaskProfile &profile);

private:
    bool read(LoadedProfile &loaded, QString *base) const;
    bool readTask(LoadedProfile &loaded) const;

    ProfileRef m_from;
    QStringList m_settings;
    bool m_environmentSecrets = false;
    bool m_validate = false;
};

} // namespace tsm
