#pragma once

#include <QHash>
#include <QObject>
#include <QString>
#include <TaskProfile.h>
#include <functional>

namespace tsm {

/**
 * Passwords and tokens of the tasks of one checkpoint store, kept in the system keychain
 * through QtKeychain (Secret Service, KWallet, macOS Keychain, Windows Credential Store): one
 * entry per task, holding its secret options as JSON. Everything is asynchronous; callbacks run
 * on the thread of this object. Where no keychain service runs, probe() finds out and
 * availability() says so with the reason; nothing falls back to plain-text storage here.
 */
class SecretStore : public QObject
{
    Q_OBJECT

public:
    enum class Availability
    {
        Unknown,
        Available,
        Unavailable
    };

    /// Secrets are told apart by store, so two stores may hold tasks of the same name.
    explicit SecretStore(QString storePath, QObject *parent = nullptr);

    /// Finds out whether a keychain service answers; emits availabilityKnown().
    void probe();
    Availability availability() const { return m_availability; }
    /// Why the keychain cannot be used, in the service's words.
    QString unavailableReason() const { return m_reason; }

    using Secrets = QHash<QString, QString>; ///< option key → value
    /// Reads the task's secrets (empty when the keychain has none); `error` is empty on success.
    void read(const QString &taskName, QObject *context,
              std::function<void(const Secrets &secrets, const QString &error)> done);
    void write(const QString &taskName, const Secrets &secrets, QObject *context,
               std::function<void(const QString &error)> done);
    void remove(const QString &taskName);

    /// The non-empty secret options of a profile.
    static Secrets secretsOf(const TaskProfile &profile);
    static void applySecrets(const Secrets &secrets, TaskProfile &profile);
    /// The keychain service all entries are filed under.
    static QString serviceName();

Q_SIGNALS:
    void availabilityKnown();

private:
    QString keyFor(const QString &taskName) const;

    QString m_storePath;
    Availability m_availability = Availability::Unknown;
    QString m_reason;
};

} // namespace tsm
