#pragma once

#include "MonitorReader.h"

#include <QList>
#include <QPointF>
#include <QWidget>
#include <functional>

class QAreaSeries;
class QChart;
class QChartView;
class QComboBox;
class QDateTimeAxis;
class QGridLayout;
class QLabel;
class QLineSeries;
class QPushButton;
class QTableView;
class QTabWidget;
class QTableWidget;
class QThread;
class QValueAxis;

namespace tsm {

class EventLevelFilter;
class EventLogModel;
class MeasurementTableModel;
class VerificationTab;

/** The header figures as last shown (tests compare them with the store and the CLI). */
struct MonitorFigures
{
    QString state;
    qint64 pointsRead = 0;
    qint64 pointsWritten = 0;
    qint64 pointsRejected = 0;
    qint64 unitsDone = 0;
    qint64 unitsTotal = 0;
    qint64 retries = 0;
    qint64 estimatedTotal = -1; ///< -1 while estimating or when the source cannot tell
    qint64 elapsedMs = 0;
    qint64 etaSeconds = -1;
    double writeRate = 0;   ///< points/s over the last 30 s of samples
    bool following = false; ///< follows new data: no total, no ETA
    QString health;         ///< while a run works on the task (TaskHealth); empty otherwise
};

/**
 * Watches one task live, from the checkpoint store (so equally a task run by tsmigrate-cli in
 * another process, or one that ran yesterday): throughput and cumulative charts, header figures
 * with an ETA from the recent rate, per-measurement progress, the event log with a level filter,
 * failed units and the rejects file. The store is read on a thread of its own.
 */
class MonitorWindow : public QWidget
{
    Q_OBJECT

public:
    enum class Range
    {
        LastFiveMinutes,
        LastHour,
        All
    };

    MonitorWindow(QString storePath, QString taskName, QWidget *parent = nullptr);
    ~MonitorWindow() override;

    QString taskName() const { return m_taskName; }
    const MonitorFigures &figures() const { return m_figures; }
    const QList<ProgressSample> &samples() const { return m_samples; }
    /// The series hold the samples in the range shown, thinned out beyond 2000.
    QLineSeries *readRateSeries() const { return m_readRate; }
    QLineSeries *writeRateSeries() const { return m_writeRate; }
    QLineSeries *writtenSeries() const { return m_written; }
    QLineSeries *estimateSeries() const { return m_estimate; }
    /// The grey bands of the throughput chart over the time between runs.
    QAreaSeries *rateIdleSeries() const { return m_rateIdle; }
    /// How many snapshots of the store have been shown (tests wait for one more).
    int refreshCount() const { return m_refreshes; }
    VerificationTab *verificationTab() const { return m_verification; }

    /// Seam for tests: where an export goes (empty: cancelled); `suggested` is the path the
    /// dialog proposes.
    static std::function<QString(QWidget *, const QString &title, const QString &filter,
                                 const QString &suggested)> &
    chooseExportFile();

public Q_SLOTS:
    void setRange(tsm::MonitorWindow::Range range);
    void exportPng();
    void exportCsv();

Q_SIGNALS:
    void refreshed();
    /// An export finished: the path written, or an error (empty path).
    void exported(const QString &path, const QString &error);
    /// Repair on the Verification tab: migrate the differing windows of the task again.
    void repairRequested(const QString &taskName);

private:
    /// Asks where an export goes, proposing <task>-<time>.<suffix> beside the state file.
    QString exportPath(const QString &title, const QString &filter, const QString &suffix);
    // The window's parts, built once by the constructor.
    QGridLayout *buildFigures();
    QWidget *buildCharts();
    QWidget *buildMeasurementTab();
    QWidget *buildLogTab();
    QWidget *buildErrorTab();
    /// The last verification with Repair (a widget of its own: VerificationTab).
    QWidget *buildVerificationTab();
    /// A size that fits the available part of the screen, centred on it.
    void fitToScreen();
    /// The reader of the state file, on its own thread.
    void startReader();

    void apply(const MonitorSnapshot &snap);
    void appendSamples(const QList<ProgressSample> &samples);
    void updateAxes();
    void updateSeries(qint64 from);
    /// Draws the stretches between runs as bands from 0 to `top` of `area`'s chart.
    void updateIdle(QAreaSeries *area, QLineSeries *edge, qreal top);
    void updateFigures(const MonitorSnapshot &snap);
    MonitorFigures computeFigures(const MonitorSnapshot &snap) const;
    void showFigures(const MonitorSnapshot &snap);
    /// One sentence on what happened, above the figures.
    void showMessage(const MonitorSnapshot &snap);
    void updateErrors(const MonitorSnapshot &snap);
    QWidget *makeFigure(const QString &title, const QString &objectName, QLabel *&value);

    QString m_storePath;
    QString m_taskName;
    QThread *m_thread;
    MonitorReader *m_reader;
    Range m_range = Range::All;
    int m_refreshes = 0;

    QList<ProgressSample> m_samples;
    QList<QPointF> m_readPoints; ///< every sample's point; the series hold what is drawn
    QList<QPointF> m_writePoints;
    QList<QPointF> m_writtenPoints;
    MonitorFigures m_figures;

    QLabel *m_message;
    QLabel *m_state, *m_elapsed, *m_eta, *m_read, *m_writtenLabel, *m_rejected, *m_retries,
        *m_concurrency, *m_units, *m_total, *m_rateLimit;
    QWidget *m_charts;
    QChartView *m_throughputView;
    QChartView *m_cumulativeView;
    QChart *m_throughput;
    QChart *m_cumulative;
    QLineSeries *m_readRate;
    QLineSeries *m_writeRate;
    QLineSeries *m_written;
    QLineSeries *m_estimate;
    QLineSeries *m_projection;
    QAreaSeries *m_rateIdle;
    QAreaSeries *m_cumulativeIdle;
    QLineSeries *m_rateIdleEdge;
    QLineSeries *m_cumulativeIdleEdge;
    /// Stretches between runs (first, last: the samples either side), in time order.
    QList<QPair<qint64, qint64>> m_idle;
    QDateTimeAxis *m_rateTime;
    QValueAxis *m_rateValue;
    QDateTimeAxis *m_cumulativeTime;
    QValueAxis *m_cumulativeValue;
    QComboBox *m_rangeCombo;
    QPushButton *m_exportPng;
    QPushButton *m_exportCsv;

    QTabWidget *m_tabs;
    bool m_showedFailure = false;
    MeasurementTableModel *m_measurements;
    QTableView *m_measurementTable;
    EventLogModel *m_events;
    EventLevelFilter *m_eventFilter;
    QTableView *m_eventTable;
    QComboBox *m_levelCombo;
    QTableWidget *m_failedTable;
    QLabel *m_rejectsLink;
    QLabel *m_lastError;
    VerificationTab *m_verification;
};

} // namespace tsm
