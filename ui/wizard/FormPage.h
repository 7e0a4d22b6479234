#pragma once

#include <QList>
#include <QWizardPage>

class QLabel;
class QVBoxLayout;

namespace tsm {

class OptionForm;
class TaskWizard;

/**
 * A wizard page made of option forms (each optionally in a titled group). Complete when none of
 * its visible fields has a validation error; the first error is repeated at the bottom so the
 * reason Next is disabled is always in view.
 */
class FormPage : public QWizardPage
{
    Q_OBJECT

public:
    FormPage(TaskWizard *wizard, const QString &title, const QString &subtitle);

    /// Adds a form of these options, in a group box titled `groupTitle` when not empty.
    OptionForm *addForm(const QStringList &keys, const QString &groupTitle = QString(),
                        const QString &objectName = QString());
    /// Validates `key` too, showing its messages in `errorLabel` (for fields that are not
    /// OptionForm rows, like the bucket list).
    void addExtraKey(const QString &key, QLabel *errorLabel);
    bool isComplete() const override;
    /// A warning at the top of the page (empty: none), such as a copy sharing its target file.
    void setNotice(const QString &text);
    /// Re-shows values, visibility and messages after the profile changed.
    virtual void refresh();

protected:
    TaskWizard *taskWizard() const { return m_wizard; }
    QVBoxLayout *pageLayout() const { return m_layout; }
    QStringList visibleKeys() const;

private:
    TaskWizard *m_wizard;
    QVBoxLayout *m_layout;
    QList<OptionForm *> m_forms;
    QList<QPair<QString, QLabel *>> m_extraKeys;
    QLabel *m_blockedLabel;
    QLabel *m_notice;
};

} // namespace tsm
