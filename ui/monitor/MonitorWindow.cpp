#include "MonitorWindow.h"

#include "BackgroundCall.h"
#include "CloseKeys.h"
#include "EventLogModel.h"
#include "FileNames.h"
#include "LocalTime.h"
#include "MeasurementTableModel.h"
#include "VerificationTab.h"

#include <Counted.h>
#include <Progress.h>
#include <QApplication>
#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLocale>
#include <QPainter>
#include <QPushButton>
#include <QSaveFile>
#include <QScreen>
#include <QScrollArea>
#include <QShortcut>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStyledItemDelegate>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QThread>
#include <QUrl>
#include <QVBoxLayout>
#include <QValueAxis>
#include <cmath>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

constexpr int kPollMs = 500; // samples come once a second: new points show within 1.5 s
constexpr qint64 kGapMs = Progress::kRunGapMs; // samples further apart: different runs
constexpr qsizetype kMaxDrawn = 2000;          // points per series drawn, whatever the range holds

/// A round step (1, 2 or 5 × 10^n) that cuts `top` into about five intervals.
double niceStep(double top)
{
    const double raw = std::max(top, 1.0) / 5;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    const double residual = raw / magnitude;
    return magnitude * (residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10);
}

/// 0 .. a little above `top`, with grid lines at round values (not a range stretched to one).
void setValueRange(QValueAxis *axis, double top)
{
    const double step = niceStep(top * 1.05);
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(0);
    axis->setTickInterval(step);
    axis->setRange(0, std::max(top * 1.05, step));
}

QString duration(qint64 seconds)
{
    if (seconds < 0)
        return QString();
    const qint64 h = seconds / 3600, m = (seconds / 60) % 60, s = seconds % 60;
    if (h >= 48)
        return MonitorWindow::tr("%1 d %2 h").arg(h / 24).arg(h % 24);
    return u"%1:%2:%3"_s.arg(h).arg(m, 2, 10, QLatin1Char('0')).arg(s, 2, 10, QLatin1Char('0'));
}

/** Draws the Progress column as a progress bar. */
class ProgressBarDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override
    {
        QStyledItemDelegate::paint(painter, QStyleOptionViewItem(option), QModelIndex());
        QStyleOptionProgressBar bar;
        bar.rect = option.rect.adjusted(2, 2, -2, -2);
        bar.minimum = 0;
        bar.maximum = 1000;
        bar.progress =
            int(std::lround(index.data(MeasurementTableModel::SortRole).toDouble() * 1000));
        bar.text = index.data(Qt::DisplayRole).toString();
        bar.textVisible = true;
        bar.textAlignment = Qt::AlignCenter;
        bar.state = option.state | QStyle::State_Horizontal;
        QStyle *style = option.widget ? option.widget->style() : QApplication::style();
        style->drawControl(QStyle::CE_ProgressBar, &bar, painter, option.widget);
    }
};

QLineSeries *newSeries(const QString &name, const QString &objectName, const QColor &color,
                       Qt::PenStyle style = Qt::SolidLine)
{
    auto *series = new QLineSeries;
    series->setName(name);
    series->setObjectName(objectName);
    QPen pen(color);
    pen.setWidthF(style == Qt::SolidLine ? 2.0 : 1.5);
    pen.setStyle(style);
    series->setPen(pen);
    return series;
}

/// Grey bands over the stretches between runs (paused, stopped, or the process not running),
/// drawn beneath the lines: `upper` gets four points per stretch.
QAreaSeries *newIdleArea(QLineSeries *&upper, const QString &objectName)
{
    upper = new QLineSeries;
    auto *area = new QAreaSeries(upper);
    upper->setParent(area);
    area->setName(MonitorWindow::tr("idle"));
    area->setObjectName(objectName);
    area->setColor(QColor(0, 0, 0, 28));
    area->setBorderColor(Qt::transparent);
    return area;
}

QChart *newChart(const QString &title)
{
    auto *chart = new QChart;
    chart->setTitle(title);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->setBackgroundRoundness(0);
    return chart;
}

} // namespace

std::function<QString(QWidget *, const QString &, const QString &, const QString &)> &
MonitorWindow::chooseExportFile()
{
    static std::function<QString(QWidget *, const QString &, const QString &, const QString &)>
        choose = [](QWidget *parent, const QString &title, const QString &filter,
                    const QString &suggested) {
            return QFileDialog::getSaveFileName(parent, title, suggested, filter);
        };
    return choose;
}

QString MonitorWindow::exportPath(const QString &title, const QString &filter,
                                  const QString &suffix)
{
    // <task>-<time>.<suffix> beside the task's state file; the suffix added when not typed.
    const QString stamp = QDateTime::currentDateTime().toString(u"yyyyMMdd-HHmmss"_s);
    const QString suggested = filenames::suggested(QFileInfo(m_storePath).absolutePath(),
                                                   m_taskName + u'-' + stamp, suffix);
    return filenames::withSuffix(chooseExportFile()(this, title, filter, suggested), suffix);
}

QWidget *MonitorWindow::makeFigure(const QString &title, const QString &objectName, QLabel *&value)
{
    auto *box = new QWidget(this);
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(8, 2, 8, 2);
    layout->setSpacing(0);
    auto *caption = new QLabel(title, box);
    QFont small = caption->font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    caption->setFont(small);
    caption->setStyleSheet(u"color: palette(mid);"_s);
    value = new QLabel(u"—"_s, box);
    value->setObjectName(objectName);
    QFont big = value->font();
    big.setPointSizeF(big.pointSizeF() * 1.25);
    big.setBold(true);
    value->setFont(big);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(caption);
    layout->addWidget(value);
    return box;
}

MonitorWindow::MonitorWindow(QString storePath, QString taskName, QWidget *parent)
    : QWidget(parent, Qt::Window), m_storePath(std::move(storePath)),
      m_taskName(std::move(taskName))
{
    setObjectName(u"monitorWindow"_s);
    setWindowTitle(tr("Monitor — %1").arg(m_taskName));
    // On a small screen (or a large scale factor) the window keeps to the screen and its
    // content scrolls, rather than the window growing past the screen's edges.
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto *scroll = new QScrollArea(this);
    scroll->setObjectName(u"monitorScrollArea"_s);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    outer->addWidget(scroll);
    auto *content = new QWidget(scroll);
    auto *root = new QVBoxLayout(content);
    // Header: what happened, then the figures.
    m_message = new QLabel(tr("Reading the task's progress…"), this);
    m_message->setObjectName(u"messageLabel"_s);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    root->addWidget(m_message);
    root->addLayout(buildFigures());
    // Per measurement, log, errors.
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(u"monitorTabWidget"_s);
    m_tabs->addTab(buildMeasurementTab(), tr("Measurements"));
    m_tabs->addTab(buildLogTab(), tr("Log"));
    m_tabs->addTab(buildErrorTab(), tr("Errors"));
    m_tabs->addTab(buildVerificationTab(), tr("Verification"));
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(buildCharts());
    splitter->addWidget(m_tabs);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    root->addWidget(splitter, 1);
    scroll->setWidget(content);
    fitToScreen();
    connect(addCloseKeys(this), &QShortcut::activated, this, &QWidget::close);
    updateAxes();

    startReader();
}

void MonitorWindow::fitToScreen()
{
    QScreen *screen = parentWidget() ? parentWidget()->screen() : this->screen();
    const QRect available = screen->availableGeometry();
    // Room for the window manager's frame around it.
    const QSize room = available.size() - QSize(40, 60);
    resize(QSize(1100, 820).boundedTo(room));
    move(available.topLeft() +
         QPoint((available.width() - width()) / 2, (available.height() - height()) / 2));
}

QGridLayout *MonitorWindow::buildFigures()
{
    auto *figures = new QGridLayout;
    figures->setHorizontalSpacing(4);
    figures->addWidget(makeFigure(tr("State"), u"stateValueLabel"_s, m_state), 0, 0);
    figures->addWidget(makeFigure(tr("Elapsed"), u"elapsedValueLabel"_s, m_elapsed), 0, 1);
    figures->addWidget(makeFigure(tr("ETA"), u"etaValueLabel"_s, m_eta), 0, 2);
    figures->addWidget(makeFigure(tr("Read windows"), u"unitsValueLabel"_s, m_units), 0, 3);
    figures->addWidget(makeFigure(tr("Estimated total"), u"totalValueLabel"_s, m_total), 0, 4);
    figures->addWidget(makeFigure(tr("Rate limit"), u"rateLimitValueLabel"_s, m_rateLimit), 0, 5);
    figures->addWidget(makeFigure(tr("Points read"), u"readValueLabel"_s, m_read), 1, 0);
    figures->addWidget(makeFigure(tr("Points written"), u"writtenValueLabel"_s, m_writtenLabel), 1,
                       1);
    figures->addWidget(makeFigure(tr("Rejected"), u"rejectedValueLabel"_s, m_rejected), 1, 2);
    figures->addWidget(makeFigure(tr("Retries"), u"retriesValueLabel"_s, m_retries), 1, 3);
    figures->addWidget(makeFigure(tr("In flight now"), u"concurrencyValueLabel"_s, m_concurrency),
                       1, 4);
    return figures;
}

QWidget *MonitorWindow::buildCharts()
{
    // Charts with their range and exports.
    auto *controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Show:"), this));
    m_rangeCombo = new QComboBox(this);
    m_rangeCombo->setObjectName(u"rangeComboBox"_s);
    m_rangeCombo->addItem(tr("Last 5 minutes"), int(Range::LastFiveMinutes));
    m_rangeCombo->addItem(tr("Last hour"), int(Range::LastHour));
    m_rangeCombo->addItem(tr("All"), int(Range::All));
    m_rangeCombo->setCurrentIndex(2);
    connect(m_rangeCombo, &QComboBox::currentIndexChanged, this,
            [this](int index) { setRange(Range(m_rangeCombo->itemData(index).toInt())); });
    controls->addWidget(m_rangeCombo);
    // The charts' time axes carry no zone: it is said once beside them.
    auto *zone = new QLabel(tr("(times in %1)").arg(localZoneName()), this);
    zone->setObjectName(u"timeZoneLabel"_s);
    controls->addWidget(zone);
    controls->addStretch(1);
    m_exportPng = new QPushButton(tr("Export Charts as PNG…"), this);
    m_exportPng->setObjectName(u"exportPngButton"_s);
    connect(m_exportPng, &QPushButton::clicked, this, &MonitorWindow::exportPng);
    m_exportCsv = new QPushButton(tr("Export Samples as CSV…"), this);
    m_exportCsv->setObjectName(u"exportCsvButton"_s);
    connect(m_exportCsv, &QPushButton::clicked, this, &MonitorWindow::exportCsv);
    controls->addWidget(m_exportPng);
    controls->addWidget(m_exportCsv);

    m_throughput = newChart(tr("Throughput (points/s)"));
    m_cumulative = newChart(tr("Points written"));
    m_rateIdle = newIdleArea(m_rateIdleEdge, u"rateIdleSeries"_s);
    m_cumulativeIdle = newIdleArea(m_cumulativeIdleEdge, u"cumulativeIdleSeries"_s);
    m_throughput->addSeries(m_rateIdle);
    m_cumulative->addSeries(m_cumulativeIdle);
    m_readRate = newSeries(tr("read"), u"readRateSeries"_s, QColor(31, 119, 180));
    m_writeRate = newSeries(tr("written"), u"writeRateSeries"_s, QColor(44, 160, 44));
    m_throughput->addSeries(m_readRate);
    m_throughput->addSeries(m_writeRate);
    m_rateTime = new QDateTimeAxis;
    m_rateValue = new QValueAxis;
    m_rateValue->setLabelFormat(u"%.0f"_s);
    m_rateValue->setMin(0);
    m_throughput->addAxis(m_rateTime, Qt::AlignBottom);
    m_throughput->addAxis(m_rateValue, Qt::AlignLeft);
    for (QAbstractSeries *s :
         std::initializer_list<QAbstractSeries *>{m_rateIdle, m_readRate, m_writeRate}) {
        s->attachAxis(m_rateTime);
        s->attachAxis(m_rateValue);
    }

    m_written = newSeries(tr("written"), u"writtenSeries"_s, QColor(44, 160, 44));
    m_estimate =
        newSeries(tr("estimated total"), u"estimateSeries"_s, QColor(214, 39, 40), Qt::DashLine);
    m_projection = newSeries(tr("at the recent rate"), u"projectionSeries"_s, QColor(127, 127, 127),
                             Qt::DotLine);
    m_cumulative->addSeries(m_written);
    m_cumulative->addSeries(m_estimate);
    m_cumulative->addSeries(m_projection);
    m_cumulativeTime = new QDateTimeAxis;
    m_cumulativeValue = new QValueAxis;
    m_cumulativeValue->setLabelFormat(u"%.0f"_s);
    m_cumulative->addAxis(m_cumulativeTime, Qt::AlignBottom);
    m_cumulative->addAxis(m_cumulativeValue, Qt::AlignLeft);
    for (QAbstractSeries *s : std::initializer_list<QAbstractSeries *>{m_cumulativeIdle, m_written,
                                                                       m_estimate, m_projection}) {
        s->attachAxis(m_cumulativeTime);
        s->attachAxis(m_cumulativeValue);
    }

    m_charts = new QWidget(this);
    m_charts->setObjectName(u"chartsWidget"_s);
    auto *chartRow = new QHBoxLayout(m_charts);
    chartRow->setContentsMargins(0, 0, 0, 0);
    m_throughputView = new QChartView(m_throughput, m_charts);
    m_throughputView->setObjectName(u"throughputChartView"_s);
    m_cumulativeView = new QChartView(m_cumulative, m_charts);
    m_cumulativeView->setObjectName(u"cumulativeChartView"_s);
    for (QChartView *view : {m_throughputView, m_cumulativeView}) {
        view->setRenderHint(QPainter::Antialiasing);
        view->setMinimumSize(240, 180);
        chartRow->addWidget(view);
    }
    auto *chartBox = new QWidget(this);
    auto *chartLayout = new QVBoxLayout(chartBox);
    chartLayout->setContentsMargins(0, 0, 0, 0);
    chartLayout->addLayout(controls);
    chartLayout->addWidget(m_charts, 1);

    return chartBox;
}

QWidget *MonitorWindow::buildMeasurementTab()
{
    m_measurements = new MeasurementTableModel(this);
    auto *sorted = new QSortFilterProxyModel(this);
    sorted->setSourceModel(m_measurements);
    sorted->setSortRole(MeasurementTableModel::SortRole);
    m_measurementTable = new QTableView(this);
    m_measurementTable->setObjectName(u"measurementTableView"_s);
    m_measurementTable->setModel(sorted);
    m_measurementTable->setSortingEnabled(true);
    m_measurementTable->sortByColumn(-1, Qt::AscendingOrder); // plan order until a click
    m_measurementTable->setItemDelegateForColumn(MeasurementTableModel::Progress,
                                                 new ProgressBarDelegate(m_measurementTable));
    m_measurementTable->verticalHeader()->hide();
    m_measurementTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_measurementTable->setWordWrap(false);
    m_measurementTable->horizontalHeader()->setStretchLastSection(true);
    m_measurementTable->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_measurementTable->setColumnWidth(MeasurementTableModel::Measurement, 160);
    m_measurementTable->setColumnWidth(MeasurementTableModel::Progress, 140);
    return m_measurementTable;
}

QWidget *MonitorWindow::buildLogTab()
{
    auto *logPage = new QWidget(this);
    auto *logLayout = new QVBoxLayout(logPage);
    auto *levelRow = new QHBoxLayout;
    levelRow->addWidget(new QLabel(tr("Show events up to:"), logPage));
    m_levelCombo = new QComboBox(logPage);
    m_levelCombo->setObjectName(u"logLevelComboBox"_s);
    for (EventLevel level : {EventLevel::Error, EventLevel::Warn, EventLevel::Info,
                             EventLevel::Debug, EventLevel::Trace})
        m_levelCombo->addItem(eventLevelName(level), int(level));
    m_levelCombo->setCurrentIndex(int(EventLevel::Trace));
    levelRow->addWidget(m_levelCombo);
    levelRow->addStretch(1);
    logLayout->addLayout(levelRow);
    m_events = new EventLogModel(this);
    m_eventFilter = new EventLevelFilter(this);
    m_eventFilter->setSourceModel(m_events);
    connect(m_levelCombo, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_eventFilter->setMaxLevel(EventLevel(m_levelCombo->itemData(index).toInt()));
    });
    m_eventTable = new QTableView(logPage);
    m_eventTable->setObjectName(u"eventTableView"_s);
    m_eventTable->setModel(m_eventFilter);
    m_eventTable->verticalHeader()->hide();
    m_eventTable->setWordWrap(false);
    m_eventTable->horizontalHeader()->setStretchLastSection(true);
    // As wide as a time with its zone in the table's font.
    m_eventTable->setColumnWidth(EventLogModel::Time,
                                 m_eventTable->fontMetrics().horizontalAdvance(
                                     localTimeText(QDateTime::currentMSecsSinceEpoch()) + u"  "_s) +
                                     12);
    m_eventTable->setColumnWidth(EventLogModel::Level, 60);
    logLayout->addWidget(m_eventTable);
    return logPage;
}

QWidget *MonitorWindow::buildErrorTab()
{
    auto *errorPage = new QWidget(this);
    auto *errorLayout = new QVBoxLayout(errorPage);
    m_lastError = new QLabel(errorPage);
    m_lastError->setObjectName(u"lastErrorLabel"_s);
    m_lastError->setWordWrap(true);
    m_lastError->setTextInteractionFlags(Qt::TextSelectableByMouse);
    errorLayout->addWidget(m_lastError);
    m_failedTable = new QTableWidget(0, 4, errorPage);
    m_failedTable->setObjectName(u"failedUnitsTableWidget"_s);
    m_failedTable->setHorizontalHeaderLabels(
        {tr("Measurement"), tr("Window"), tr("Attempts"), tr("Last error")});
    m_failedTable->verticalHeader()->hide();
    m_failedTable->horizontalHeader()->setStretchLastSection(true);
    m_failedTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_failedTable->setColumnWidth(1, 280);
    errorLayout->addWidget(m_failedTable);
    m_rejectsLink = new QLabel(errorPage);
    m_rejectsLink->setObjectName(u"rejectsLinkLabel"_s);
    m_rejectsLink->setOpenExternalLinks(true);
    m_rejectsLink->setTextInteractionFlags(Qt::TextBrowserInteraction);
    errorLayout->addWidget(m_rejectsLink);
    return errorPage;
}

QWidget *MonitorWindow::buildVerificationTab()
{
    m_verification = new VerificationTab(m_storePath, m_taskName, this);
    connect(m_verification, &VerificationTab::repairRequested, this,
            &MonitorWindow::repairRequested);
    return m_verification;
}

void MonitorWindow::startReader()
{
    m_thread = new QThread(this);
    m_thread->setObjectName(u"tsm-monitor"_s);
    m_reader = new MonitorReader(m_storePath, m_taskName);
    m_reader->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_reader, &QObject::deleteLater);
    connect(m_reader, &MonitorReader::snapshot, this, &MonitorWindow::apply);
    m_thread->start();
    MonitorReader *reader = m_reader;
    QMetaObject::invokeMethod(
        reader, [reader] { reader->start(kPollMs); }, Qt::QueuedConnection);
}

MonitorWindow::~MonitorWindow()
{
    m_thread->quit();
    m_thread->wait();
}

void MonitorWindow::setRange(Range range)
{
    m_range = range;
    const int index = m_rangeCombo->findData(int(range));
    if (index != m_rangeCombo->currentIndex())
        m_rangeCombo->setCurrentIndex(index);
    updateAxes();
}

void MonitorWindow::apply(const MonitorSnapshot &snap)
{
    if (snap.restarted) {
        m_samples.clear();
        m_readPoints.clear();
        m_writePoints.clear();
        m_writtenPoints.clear();
        m_idle.clear();
        m_events->clear();
    }
    appendSamples(snap.newSamples);
    m_events->append(snap.newEvents);
    if (snap.taskFound) {
        m_measurements->setEstimating(isActive(snap.task.state) && !snap.following);
        m_measurements->setRows(snap.measurementRows);
    }
    const MonitorFigures before = m_figures;
    updateFigures(snap);
    updateErrors(snap);
    // The charts change only with new samples or new figures they draw: most polls between two
    // samples redraw nothing.
    if (snap.restarted || !snap.newSamples.isEmpty() || m_refreshes == 0 ||
        before.state != m_figures.state || before.estimatedTotal != m_figures.estimatedTotal ||
        before.etaSeconds != m_figures.etaSeconds)
        updateAxes();
    ++m_refreshes;
    Q_EMIT refreshed();
}

void MonitorWindow::appendSamples(const QList<ProgressSample> &samples)
{
    for (const ProgressSample &s : samples) {
        // Between two runs nothing moved: the rate falls to 0 right after the last sample of a
        // run instead of sloping down to the next run's first, and the stretch is shaded.
        if (!m_samples.isEmpty() && s.timeMs - m_samples.last().timeMs > kGapMs) {
            const ProgressSample &end = m_samples.last();
            const qreal x = qreal(end.timeMs + 1);
            m_readPoints.append(QPointF(x, 0));
            m_writePoints.append(QPointF(x, 0));
            m_writtenPoints.append(QPointF(x, qreal(end.pointsWritten)));
            m_idle.append({end.timeMs, s.timeMs});
        }
        const Progress::Rates rate =
            m_samples.isEmpty() ? Progress::Rates() : Progress::between(m_samples.last(), s);
        const qreal x = qreal(s.timeMs);
        m_readPoints.append(QPointF(x, rate.read));
        m_writePoints.append(QPointF(x, rate.written));
        m_writtenPoints.append(QPointF(x, qreal(s.pointsWritten)));
        m_samples.append(s);
    }
}

void MonitorWindow::updateSeries(qint64 from)
{
    // The samples within the range, at most kMaxDrawn per series: a day has 86,400 samples,
    // and a chart draws (and strokes) every point it is given. Beyond that, each bucket keeps
    // its lowest and highest point, so peaks and dips stay visible.
    const auto begin =
        std::lower_bound(m_writtenPoints.cbegin(), m_writtenPoints.cend(), qreal(from),
                         [](const QPointF &p, qreal x) { return p.x() < x; });
    const qsizetype offset = begin - m_writtenPoints.cbegin();
    const qsizetype count = m_writtenPoints.size() - offset;
    const auto visible = [&](const QList<QPointF> &all) {
        if (count <= kMaxDrawn)
            return all.mid(offset);
        QList<QPointF> drawn;
        drawn.reserve(kMaxDrawn);
        const qsizetype bucket = (count + kMaxDrawn / 2 - 1) / (kMaxDrawn / 2);
        for (qsizetype b = offset; b < all.size(); b += bucket) {
            const auto first = all.cbegin() + b;
            const auto end = all.cbegin() + std::min(b + bucket, all.size());
            const auto [low, high] = std::minmax_element(
                first, end, [](const QPointF &l, const QPointF &r) { return l.y() < r.y(); });
            drawn.append(low < high ? *low : *high);
            if (low != high)
                drawn.append(low < high ? *high : *low);
        }
        return drawn;
    };
    // replace(): one update of the chart, where append() redraws once per point.
    m_readRate->replace(visible(m_readPoints));
    m_writeRate->replace(visible(m_writePoints));
    m_written->replace(visible(m_writtenPoints));
    // A short run has few samples: show them as dots, or one sample would be invisible.
    const bool dots = count <= 60;
    for (QLineSeries *series : {m_readRate, m_writeRate, m_written})
        series->setPointsVisible(dots);
}

void MonitorWindow::updateAxes()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    qint64 last = m_samples.isEmpty() ? now : m_samples.last().timeMs;
    qint64 first = m_samples.isEmpty() ? now - 60000 : m_samples.first().timeMs;
    if (m_range == Range::LastFiveMinutes)
        first = std::max(first, last - 5 * 60000);
    else if (m_range == Range::LastHour)
        first = std::max(first, last - 3600000);
    // At least a minute: a running task grows from the left edge, a short finished run sits in
    // the middle; a little room at both ends keeps the first and last points off the axes.
    const qint64 dataFirst = first;
    if (last - first < 60000) {
        if (m_figures.state == u"running")
            last = first + 60000;
        else {
            first -= (60000 - (last - first)) / 2;
            last = first + 60000;
        }
    }
    const qint64 pad = std::max<qint64>(1000, (last - first) / 50);
    first -= pad;
    if (m_figures.state != u"running")
        last += pad;
    updateSeries(dataFirst);
    // The visible part decides the scale of the rate axis.
    double maxRate = 0;
    for (QLineSeries *series : {m_readRate, m_writeRate})
        for (const QPointF &p : series->points())
            maxRate = std::max(maxRate, p.y());
    // Without samples the time axis has nothing to show times of.
    m_rateTime->setLabelsVisible(!m_samples.isEmpty());
    m_cumulativeTime->setLabelsVisible(!m_samples.isEmpty());
    const QString format = last - first > 2 * 86400000LL ? u"MM-dd HH:mm"_s : u"HH:mm:ss"_s;
    m_rateTime->setFormat(format);
    m_rateTime->setRange(QDateTime::fromMSecsSinceEpoch(first),
                         QDateTime::fromMSecsSinceEpoch(last));
    setValueRange(m_rateValue, maxRate > 0 ? maxRate : 10);

    // The cumulative chart reaches to the expected end when it is known.
    qint64 cumulativeLast = last;
    if (m_figures.etaSeconds >= 0 && !m_samples.isEmpty())
        cumulativeLast =
            std::max(last, m_samples.last().timeMs + m_figures.etaSeconds * 1000 + 1000);
    m_cumulativeTime->setFormat(cumulativeLast - first > 2 * 86400000LL ? u"MM-dd HH:mm"_s
                                                                        : u"HH:mm:ss"_s);
    m_cumulativeTime->setRange(QDateTime::fromMSecsSinceEpoch(first),
                               QDateTime::fromMSecsSinceEpoch(cumulativeLast));
    const qint64 top = std::max<qint64>(
        {m_figures.estimatedTotal, m_samples.isEmpty() ? 0 : m_samples.last().pointsWritten, 10});
    setValueRange(m_cumulativeValue, double(top));

    QList<QPointF> estimate, projection;
    if (m_figures.estimatedTotal >= 0 && !m_samples.isEmpty()) {
        estimate = {QPointF(qreal(m_samples.first().timeMs), qreal(m_figures.estimatedTotal)),
                    QPointF(qreal(cumulativeLast), qreal(m_figures.estimatedTotal))};
        if (m_figures.etaSeconds > 0)
            projection = {
                QPointF(qreal(m_samples.last().timeMs), qreal(m_samples.last().pointsWritten)),
                QPointF(qreal(m_samples.last().timeMs + m_figures.etaSeconds * 1000),
                        qreal(m_figures.estimatedTotal))};
    }
    m_estimate->replace(estimate);
    m_projection->replace(projection);
    updateIdle(m_rateIdle, m_rateIdleEdge, m_rateValue->max());
    updateIdle(m_cumulativeIdle, m_cumulativeIdleEdge, m_cumulativeValue->max());
}

void MonitorWindow::updateIdle(QAreaSeries *area, QLineSeries *edge, qreal top)
{
    QList<QPointF> bands;
    for (const auto &[from, to] : std::as_const(m_idle)) {
        bands.append({QPointF(qreal(from), 0), QPointF(qreal(from), top), QPointF(qreal(to), top),
                      QPointF(qreal(to), 0)});
    }
    edge->replace(bands);
    // The throughput chart's legend names the grey, when there is some.
    for (QLegendMarker *marker : area->chart()->legend()->markers(area))
        marker->setVisible(area == m_rateIdle && !bands.isEmpty());
}

void MonitorWindow::updateFigures(const MonitorSnapshot &snap)
{
    if (!snap.taskFound) {
        m_message->setText(snap.storeError);
        m_message->setStyleSheet(u"color: #b00020;"_s);
        m_state->setText(tr("unknown"));
        return;
    }
    m_figures = computeFigures(snap);
    showFigures(snap);
    showMessage(snap);
    // A failure is news: show its details once, then leave the tabs to the user.
    if (snap.task.state == TaskState::Failed && !m_showedFailure) {
        m_showedFailure = true;
        m_tabs->setCurrentIndex(2);
    }
}

MonitorFigures MonitorWindow::computeFigures(const MonitorSnapshot &snap) const
{
    const bool active = isActive(snap.task.state);
    MonitorFigures f;
    f.state = taskStateName(snap.task.state);
    if (active)
        f.health = taskHealthName(snap.task.health);
    f.following = snap.following;
    f.unitsDone = snap.totals.done;
    f.unitsTotal = snap.totals.total;
    // While a task runs the samples count points as they go; the ledger counts them when a
    // window is done, and is what stays (and what tsmigrate-cli status reports).
    const ProgressSample *last = m_samples.isEmpty() ? nullptr : &m_samples.last();
    // The newer of the two is shown while it runs (a sample is up to a second old).
    if (active && last) {
        f.pointsRead = std::max(last->pointsRead, snap.totals.pointsRead);
        f.pointsWritten = std::max(last->pointsWritten, snap.totals.pointsWritten);
        f.pointsRejected = std::max(last->pointsRejected, snap.totals.pointsRejected);
    } else {
        f.pointsRead = snap.totals.pointsRead;
        f.pointsWritten = snap.totals.pointsWritten;
        f.pointsRejected = snap.totals.pointsRejected;
    }
    f.retries = last ? last->retries : 0;

    // Estimated total: known once every measurement is estimated. New data keeps coming to a
    // task that follows it, so it has neither a total nor an end to wait for.
    const Progress::EstimatedTotal total = Progress::estimatedTotal(snap.measurements);
    f.estimatedTotal = f.following ? -1 : total.points;

    // Elapsed: the time covered by samples, runs added up without the pauses between them;
    // each run's first sample comes about a second after it started.
    for (qsizetype i = 0; i < m_samples.size(); ++i) {
        const qint64 dt = i > 0 ? m_samples.at(i).timeMs - m_samples.at(i - 1).timeMs : kGapMs + 1;
        f.elapsedMs += dt > 0 && dt <= kGapMs ? dt : 1000;
    }
    // Recent rate: the last 30 s of the current run, not the average since the start.
    if (last) {
        const Progress::Rates rate = Progress::recent(m_samples);
        f.writeRate = rate.written;
        if (active && !f.following)
            f.etaSeconds = Progress::etaSeconds(
                rate, Progress::remaining(total, last->pointsWritten, last->pointsRejected,
                                          f.unitsDone, f.unitsTotal));
    }
    return f;
}

void MonitorWindow::showFigures(const MonitorSnapshot &snap)
{
    const QLocale locale;
    const MonitorFigures &f = m_figures;
    const TaskRecord &task = snap.task;
    const bool active = isActive(task.state);
    const Progress::EstimatedTotal total = Progress::estimatedTotal(snap.measurements);
    const bool estimating = total.state == Progress::EstimatedTotal::State::NotYet;
    const bool unknown = total.state == Progress::EstimatedTotal::State::Unknown;
    const ProgressSample *last = m_samples.isEmpty() ? nullptr : &m_samples.last();
    const QString noEnd = tr("The task follows new data: it has no total and no end.");

    // A running task that follows new data says how far behind it is, as the task list does.
    // A run's health follows its state: "running · SinkError", the reason in the tooltip.
    const QString state = f.following && active ? snap.phase : f.state;
    m_state->setText(f.health.isEmpty() ? state : tr("%1 · %2").arg(state, f.health));
    m_state->setToolTip(active ? snap.task.healthDetail : QString());
    m_elapsed->setText(m_samples.isEmpty() ? u"—"_s : duration(f.elapsedMs / 1000));
    if (task.state == TaskState::Completed)
        m_eta->setText(tr("done"));
    else if (!active || f.following)
        m_eta->setText(u"—"_s);
    else
        m_eta->setText(f.etaSeconds >= 0 ? duration(f.etaSeconds) : tr("computing…"));
    m_eta->setToolTip(f.following ? noEnd : QString());
    if (f.following)
        m_units->setText(tr("%1 pending").arg(locale.toString(f.unitsTotal - f.unitsDone)));
    else
        m_units->setText(
            u"%1 / %2"_s.arg(locale.toString(f.unitsDone), locale.toString(f.unitsTotal)));
    if (f.estimatedTotal >= 0)
        m_total->setText(locale.toString(f.estimatedTotal));
    else if (f.following)
        m_total->setText(u"—"_s);
    else if (unknown)
        m_total->setText(tr("unknown"));
    else if (estimating && active)
        m_total->setText(tr("estimating…"));
    else
        m_total->setText(snap.measurements.isEmpty() ? u"—"_s : tr("not estimated"));
    m_total->setToolTip(f.following ? noEnd
                        : unknown   ? tr("The source cannot count its points cheaply.")
                                    : QString());
    m_read->setText(locale.toString(f.pointsRead));
    m_writtenLabel->setText(locale.toString(f.pointsWritten));
    m_rejected->setText(locale.toString(f.pointsRejected));
    m_retries->setText(locale.toString(f.retries));
    m_rateLimit->setText(snap.maxPointsPerSecond > 0
                             ? tr("%1 points/s").arg(locale.toString(snap.maxPointsPerSecond))
                             : tr("none"));
    if (active && last)
        m_concurrency->setText(tr("reads %1/%2 · writes %3/%4")
                                   .arg(last->readersBusy)
                                   .arg(snap.readConcurrency)
                                   .arg(last->writersBusy)
                                   .arg(snap.writeConcurrency));
    else
        m_concurrency->setText(
            tr("— (at most %1/%2)").arg(snap.readConcurrency).arg(snap.writeConcurrency));
    m_throughput->setTitle(m_samples.isEmpty() ? tr("Throughput (points/s) — no samples yet")
                                               : tr("Throughput (points/s)"));
    m_cumulative->setTitle(
        f.estimatedTotal >= 0
            ? tr("Points written of %1 estimated").arg(locale.toString(f.estimatedTotal))
            : (estimating && active && !f.following ? tr("Points written (estimating the total…)")
                                                    : tr("Points written")));
}

void MonitorWindow::showMessage(const MonitorSnapshot &snap)
{
    // One sentence on what happened.
    const QLocale locale;
    const TaskRecord &task = snap.task;
    QString message;
    QString style;
    const QString when = localTimeText(task.updatedMs);
    QStringList reading;
    for (const MeasurementProgress &m : snap.measurements)
        if (m.unitsRunning > 0)
            reading.append(MeasurementTableModel::displayName(m.measurement));
    switch (task.state) {
    case TaskState::Idle:
        message = m_samples.isEmpty()
                      ? tr("This task has not run yet, so there is no progress to show. Start it "
                           "(here or with tsmigrate-cli run); the charts fill in while it runs.")
                      : tr("Idle.");
        break;
    case TaskState::Planning:
        message = tr("Planning the read windows…");
        break;
    case TaskState::Running:
        if (snap.following)
            message = tr("Following new data: everything before %1 is in the target.")
                          .arg(localTimeText(task.watermarkNs / 1000000));
        else
            message = reading.isEmpty() ? tr("Running.")
                                        : tr("Running — reading %1.").arg(reading.join(u", "_s));
        break;
    case TaskState::Retrying:
        message = tr("Retrying: %1").arg(task.lastError);
        break;
    case TaskState::Paused:
        message = tr("Paused since %1; resume to continue where it stopped.").arg(when);
        break;
    case TaskState::Stopped:
        message = tr("Stopped at %1; start it again to continue where it stopped.").arg(when);
        break;
    case TaskState::Completed:
        message = tr("Completed at %1: %2 written, %3 rejected.")
                      .arg(when, points(m_figures.pointsWritten, locale),
                           locale.toString(m_figures.pointsRejected));
        break;
    case TaskState::Failed:
        message = m_samples.isEmpty()
                      ? tr("Failed at %1 before any point was moved: %2").arg(when, task.lastError)
                      : tr("Failed at %1: %2").arg(when, task.lastError);
        style = u"color: #b00020;"_s;
        break;
    }
    m_message->setText(message);
    m_message->setStyleSheet(style);
}

void MonitorWindow::updateErrors(const MonitorSnapshot &snap)
{
    m_lastError->setText(snap.task.lastError.isEmpty()
                             ? (snap.failedUnits.isEmpty() ? tr("No errors.") : QString())
                             : tr("Task: %1").arg(snap.task.lastError));
    m_failedTable->setRowCount(int(snap.failedUnits.size()));
    int row = 0;
    for (const UnitRecord &u : snap.failedUnits) {
        const QString window =
            u.context.isEmpty() && u.rangeStart > 1000000000000LL
                ? u"%1 .. %2"_s.arg(QDateTime::fromMSecsSinceEpoch(u.rangeStart / 1000000, Qt::UTC)
                                        .toString(Qt::ISODate),
                                    QDateTime::fromMSecsSinceEpoch(u.rangeEnd / 1000000, Qt::UTC)
                                        .toString(Qt::ISODate))
                : u"%1 .. %2"_s.arg(u.rangeStart).arg(u.rangeEnd);
        const QStringList cells{MeasurementTableModel::displayName(u.measurement), window,
                                QString::number(u.attempts), u.lastError};
        for (int c = 0; c < cells.size(); ++c) {
            QTableWidgetItem *item = m_failedTable->item(row, c);
            if (!item) {
                item = new QTableWidgetItem;
                m_failedTable->setItem(row, c, item);
            }
            item->setText(cells.at(c));
            item->setToolTip(cells.at(c));
        }
        ++row;
    }
    if (snap.rejectsFile.isEmpty()) {
        m_rejectsLink->setText(tr("No rejected points."));
    } else {
        m_rejectsLink->setText(
            tr("Rejected points, each with the server's reason: <a href=\"%1\">%2</a>")
                .arg(QUrl::fromLocalFile(snap.rejectsFile).toString(),
                     snap.rejectsFile.toHtmlEscaped()));
    }
}

void MonitorWindow::exportPng()
{
    const QString path = exportPath(tr("Export Charts"), tr("PNG images (*.png)"), u"png"_s);
    if (path.isEmpty())
        return;
    // Grabbing must happen here; encoding and writing the file need not.
    const QImage image = m_charts->grab().toImage();
    runInBackground<QString>(
        this,
        [image, path] {
            return image.save(path, "PNG") ? QString() : tr("Cannot write the image %1").arg(path);
        },
        [this, path](const QString &error) {
            Q_EMIT exported(error.isEmpty() ? path : QString(), error);
        });
}

void MonitorWindow::exportCsv()
{
    const QString path = exportPath(tr("Export Samples"), tr("CSV files (*.csv)"), u"csv"_s);
    if (path.isEmpty())
        return;
    const QList<ProgressSample> samples = m_samples;
    runInBackground<QString>(
        this,
        [samples, path] {
            QSaveFile file(path);
            if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
                return tr("Cannot write %1: %2").arg(path, file.errorString());
            QByteArray out = "time,points_read,points_written,points_rejected,units_done,"
                             "units_total,retries,readers_busy,writers_busy,read_per_s,"
                             "written_per_s\n";
            for (qsizetype i = 0; i < samples.size(); ++i) {
                const ProgressSample &s = samples.at(i);
                const Progress::Rates rate =
                    i > 0 ? Progress::between(samples.at(i - 1), s) : Progress::Rates();
                const double readRate = rate.read;
                const double writeRate = rate.written;
                out += QDateTime::fromMSecsSinceEpoch(s.timeMs, Qt::UTC)
                           .toString(Qt::ISODateWithMs)
                           .toUtf8() +
                       ',' + QByteArray::number(s.pointsRead) + ',' +
                       QByteArray::number(s.pointsWritten) + ',' +
                       QByteArray::number(s.pointsRejected) + ',' +
                       QByteArray::number(s.unitsDone) + ',' + QByteArray::number(s.unitsTotal) +
                       ',' + QByteArray::number(s.retries) + ',' +
                       QByteArray::number(s.readersBusy) + ',' + QByteArray::number(s.writersBusy) +
                       ',' + QByteArray::number(readRate, 'f', 1) + ',' +
                       QByteArray::number(writeRate, 'f', 1) + '\n';
            }
            if (file.write(out) != out.size() || !file.commit())
                return tr("Cannot write %1: %2").arg(path, file.errorString());
            return QString();
        },
        [this, path](const QString &error) {
            Q_EMIT exported(error.isEmpty() ? path : QString(), error);
        });
}

} // namespace tsm
