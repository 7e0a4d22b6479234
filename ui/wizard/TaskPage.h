#pragma once

#include "wizard/FormPage.h"

#include <QHash>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;

namespace tsm {

/**
 * What to migrate: the bucket (filled by Get schema), the measurements (a filterable
 * multi-select for thousands of names; none checked = all), the time range and the read window.
 */
class TaskPage : public FormPage
{
    Q_OBJECT

public:
    explicit TaskPage(TaskWizard *wizard);
    void initializePage() override;

private:
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
    int m_schemaGeneration = 0; ///< the newest Get schema; older answers are dropped
    QHash<QString, QString> m_spans; ///< measurement -> its first and last time, from Get schema
};

} // namespace tsm
