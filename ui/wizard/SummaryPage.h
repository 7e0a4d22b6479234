#pragma once

#include "core/CancelToken.h"

#include <QWizardPage>
#include <TaskProfile.h>
#include <memory>

class QCheckBox;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTabWidget;
class QTreeWidget;

namespace tsm {

class TaskWizard;

struct OptionSpec;
struct TaskPlan;

/** Before Submit: the plan of the task (what would move, what the target cannot hold; read off
 *  the UI thread by the engine's PlanMaker, nothing written) and the task as it will be saved,
 *  option by option (secrets masked). */
class SummaryPage : public QWizardPage
{
    Q_OBJECT

public:
    explicit SummaryPage(TaskWizard *wizard);
    ~SummaryPage() override;
    void initializePage() override;
    void cleanupPage() override;

    /// The summary text of a profile: "Label: value" for every option that applies.
    static QString summaryOf(const TaskProfile &profile);
    /// One option's value as the summary shows it (secrets masked, times with their zone).
    static QString valueText(const OptionSpec &spec, const TaskProfile &profile);

private:
    void startPlan();
    void cancelPlan();
    void showPlan(const TaskPlan &plan);
    void showPlanError(const QString &message);

    TaskWizard *m_wizard;
    QTabWidget *m_tabs;
    QLabel *m_nextStart;
    QLabel *m_planStatus;
    QProgressBar *m_planBusy;
    QTreeWidget *m_planTree;
    QLabel *m_planDetail; ///< the selected row in full (long reasons are cut in the tree)
    QPushButton *m_planAgain;
    std::shared_ptr<CancelToken> m_planCancel;
    int m_planGeneration = 0;
    QPlainTextEdit *m_text;
    QLabel *m_secretsNote;
    QCheckBox *m_storeSecrets;
};

} // namespace tsm
