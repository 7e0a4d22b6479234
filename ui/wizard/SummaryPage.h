#pragma once

#include <QWizardPage>
#include <TaskProfile.h>

class QCheckBox;
class QLabel;
class QPlainTextEdit;

namespace tsm {

class TaskWizard;

/** The task as it will be saved, option by option (secrets masked), before Submit. */
class SummaryPage : public QWizardPage
{
    Q_OBJECT

public:
    explicit SummaryPage(TaskWizard *wizard);
    void initializePage() override;

    /// The summary text of a profile: "Label: value" for every option that applies.
    static QString summaryOf(const TaskProfile &profile);

private:
    TaskWizard *m_wizard;
    QPlainTextEdit *m_text;
    QLabel *m_secretsNote;
    QCheckBox *m_storeSecrets;
};

} // namespace tsm
