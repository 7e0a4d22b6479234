#pragma once

#include "wizard/FormPage.h"

#include <QHash>
#include <QList>
#include <TaskProfile.h>

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QToolButton;

namespace tsm {

/**
 * What to migrate: the bucket (filled by Get schema), the measurements (a filterable
 * multi-select for thousands of names; none checked = all), the time range and the read window,
 * and the advanced options in a collapsed section.
 */
class TaskPage : public FormPage
{
    Q_OBJECT

public:
    explicit TaskPage(TaskWizard *wizard);
    void initializePage() override;
    /// "Read Concurrency 4" for each of `keys` that applies and differs from its default.
    static QStringList changedOptions(const TaskProfile &profile, const QStringList &keys);

private:
    void addAdvancedOptions();
    /// One column of labels for the task's fields and the advanced ones, as one form would.
    void alignLabels();
    void changeBucket(const QString &bucket);
    void getSchema();
    void loadMeasurements(const QStringList &names);
    void applyFilter();
    void storeMeasurements();

    QComboBox *m_bucket;
    QPushButton *m_schemaButton;
    QLabel *m_schemaStatus;
    QLineEdit *m_filter;
    QListWidget *m_measurements;
    QLabel *m_measurementsHint;
    QLabel *m_bucketLabel = nullptr;
    QLabel *m_measurementsLabel = nullptr;
    QToolButton *m_advancedToggle = nullptr;
    QLabel *m_advancedSummary = nullptr;
    QList<QFormLayout *> m_alignedForms;
    int m_schemaGeneration = 0; ///< the newest Get schema; older answers are dropped
    QHash<QString, QString> m_spans; ///< measurement -> its first and last time, from Get schema
};

} // namespace tsm
