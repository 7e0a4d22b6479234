#pragma once

#include <CheckpointStore.h>
#include <QWidget>

class QLabel;
class QPushButton;
class QTableWidget;
class QTimer;

namespace tsm {

/**
 * The monitor's Verification tab: the task's last verification as the state file holds it (so
 * one made by tsmigrate-cli verify shows too): how many windows were compared and when, a table
 * of the windows that differ with both counts, and Repair, which asks for those windows to be
 * migrated again. The store is read off the UI thread.
 */
class VerificationTab : public QWidget
{
    Q_OBJECT

public:
    VerificationTab(QString storePath, QString taskName, QWidget *parent = nullptr);

    QTableWidget *table() const { return m_table; }

public Q_SLOTS:
    /// Reads the task's verification again (a read in flight is not doubled).
    void refresh();

Q_SIGNALS:
    void repairRequested(const QString &taskName);
    /// A reading of the store was shown.
    void refreshed();

private:
    struct Reading
    {
        QString error;
        bool found = false;
        VerificationSummary summary;
        QList<WindowCheck> differing;
    };
    void show(const Reading &reading);

    QString m_storePath;
    QString m_taskName;
    QLabel *m_summary;
    QTableWidget *m_table;
    QPushButton *m_repair;
    QTimer *m_timer;
    bool m_reading = false;
    qint64 m_shownCheckedMs = -1;
};

} // namespace tsm
