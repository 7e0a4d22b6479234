#pragma once

#include <CheckpointStore.h>
#include <QSet>
#include <functional>
#include <optional>
#include <QWizard>
#include <TaskOptions.h>
#include <TaskProfile.h>

namespace tsm {

class OptionForm;

/**
 * The task wizard: pages in the order of the documented data-connector form (basic
 * information, connection, authentication, task with its advanced options, summary). Every field is a
 * declared option; fields validate as the user types and Next stays disabled, with the reason
 * shown under the field, while a page is invalid.
 */
class TaskWizard : public QWizard
{
    Q_OBJECT

public:
    enum PageId
    {
        BasicPage,
        ConnectionPage,
        AuthenticationPage,
        TaskPage,
        SummaryPage
    };

    explicit TaskWizard(const TaskProfile &profile, QWidget *parent = nullptr);

    /// The profile as the user has filled it in.
    TaskProfile profile() const { return m_profile; }
    /// Whether the user submitted with Submit and Start: the task is to start once saved.
    bool startsAfterSubmit() const { return m_startAfterSubmit; }
    int nextId() const override;

    /// Where the task's passwords and tokens will be kept (shown on the summary page), and
    /// whether the user chose to keep them in the task store itself.
    void setSecretsStorage(const QString &note, bool storeInProfile);
    QString secretsNote() const { return m_secretsNote; }
    bool storeSecretsInProfile() const { return m_storeSecretsInProfile; }
    void setStoreSecretsInProfile(bool store) { m_storeSecretsInProfile = store; }

    /// Called by the pages: the user changed `key` in `form`.
    void optionEdited(OptionForm *form, const QString &key);
    /// Writes a value through the option's declaration (for widgets that are not OptionForms).
    void setProfileOption(const QString &key, const QVariant &value);
    /// Seam for tests: asks whether to discard a filled-in wizard (true: discard).
    static std::function<bool(QWidget *)> &confirmDiscard();

    /// Whether a field's error is shown under it: once the user has changed the field, or from
    /// the start for a task brought in filled (edit, duplicate, import). A new task's empty
    /// fields do not greet the user with errors; the page's last line still says why Next waits.
    bool showsErrorsOf(const QString &key) const;
    /// Errors of the current profile for these keys.
    QList<FieldError> errorsFor(const QStringList &keys) const;
    void registerForm(OptionForm *form);
    /// Names of the other tasks: the name field refuses them, as Submit would replace that task.
    void setTakenNames(const QStringList &names);
    /// A warning shown at the top of the first page.
    void setNotice(const QString &text);
    /// The task being edited has run before: the summary says what its next Start will do.
    void setStoredTask(const TaskRecord &record, const UnitTotals &totals);
    /// What the next Start of the edited task will do; empty for a new task.
    QString nextStartText() const;

Q_SIGNALS:
    void profileChanged();

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void closeEvent(QCloseEvent *event) override;

private:
    void refresh();
    /// The hint on an empty password or token of a task brought back without it.
    void hintSecretsNotKept();
    /// Gives the current page's first field the focus when it is elsewhere.
    void focusFirstField();
    /// Submit and Start only on the summary page, beside Submit.
    void showButtonsOf(int id);
    /// Cancel, Escape or Ctrl+W: closes, asking first when something was filled in.
    void cancelAsked();

    TaskProfile m_profile;
    QList<OptionForm *> m_forms;
    QStringList m_takenNames;
    bool m_showAllErrors = false;
    QByteArray m_initialJson; ///< the profile as the wizard opened, to tell a change
    QSet<QString> m_touched; ///< keys the user has changed
    QString m_secretsNote;
    bool m_storeSecretsInProfile = false;
    bool m_startAfterSubmit = false;
    std::optional<QPair<TaskRecord, UnitTotals>> m_stored;
};

} // namespace tsm
