#include "VerificationTab.h"

#include "BackgroundCall.h"
#include "LocalTime.h"

#include <QDateTime>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <TimeText.h>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

enum Column
{
    Measurement,
    Start,
    End,
    Source,
    Target,
    Detail,
    ColumnCount
};

} // namespace

VerificationTab::VerificationTab(QString storePath, QString taskName, QWidget *parent)
    : QWidget(parent), m_storePath(std::move(storePath)), m_taskName(std::move(taskName))
{
    setObjectName(u"verificationTab"_s);
    auto *layout = new QVBoxLayout(this);
    auto *top = new QHBoxLayout;
    m_summary = new QLabel(tr("Not verified yet: Verify in the task list counts each window in "
                              "the source and the target."),
                           this);
    m_summary->setObjectName(u"verificationSummaryLabel"_s);
    m_summary->setWordWrap(true);
    top->addWidget(m_summary, 1);
    m_repair = new QPushButton(tr("Repair"), this);
    m_repair->setObjectName(u"repairButton"_s);
    m_repair->setToolTip(tr("Migrate the windows that differ again, then verify again"));
    m_repair->setEnabled(false);
    connect(m_repair, &QPushButton::clicked, this, [this] {
        m_repair->setEnabled(false);
        Q_EMIT repairRequested(m_taskName);
    });
    top->addWidget(m_repair);
    layout->addLayout(top);

    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setObjectName(u"differingWindowsTableWidget"_s);
    m_table->setHorizontalHeaderLabels({tr("Measurement"), tr("Window start"), tr("Window end"),
                                        tr("Source"), tr("Target"), tr("What differs")});
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(m_table, 1);

    m_timer = new QTimer(this);
    connect(m_timer, &QTimer::timeout, this, &VerificationTab::refresh);
    m_timer->start(1000);
    refresh();
}

void VerificationTab::refresh()
{
    if (m_reading || !QFileInfo::exists(m_storePath))
        return;
    m_reading = true;
    const QString path = m_storePath;
    const QString name = m_taskName;
    runInBackground<Reading>(
        this,
        [path, name] {
            Reading reading;
            CheckpointStore store;
            if (!store.open(path, CheckpointStore::Mode::ReadOnly)) {
                reading.error = store.lastError();
                return reading;
            }
            const std::optional<TaskRecord> task = store.task(name);
            if (!task)
                return reading;
            const auto summaries = store.verificationSummaries();
            reading.found = summaries.contains(task->id);
            reading.summary = summaries.value(task->id);
            if (reading.found)
                reading.differing = store.verification(task->id, true);
            return reading;
        },
        [this](const Reading &reading) {
            m_reading = false;
            show(reading);
            Q_EMIT refreshed();
        });
}

void VerificationTab::show(const Reading &reading)
{
    if (!reading.error.isEmpty()) {
        m_summary->setText(reading.error);
        return;
    }
    if (!reading.found || reading.summary.checkedMs == m_shownCheckedMs)
        return;
    m_shownCheckedMs = reading.summary.checkedMs;
    const QLocale locale;
    const QString when = localTimeText(reading.summary.checkedMs);
    m_summary->setText(reading.summary.differing == 0 && reading.summary.windows == 1
                           ? tr("Verified %1: its one window agrees.").arg(when)
                       : reading.summary.differing == 0
                           ? tr("Verified %1: all %2 windows agree.")
                                 .arg(when, locale.toString(reading.summary.windows))
                           : tr("Verified %1: %2 of %3 windows differ. Repair migrates them again.")
                                 .arg(when)
                                 .arg(reading.summary.differing)
                                 .arg(reading.summary.windows));
    m_table->setRowCount(int(reading.differing.size()));
    for (int row = 0; row < reading.differing.size(); ++row) {
        const WindowCheck &w = reading.differing.at(row);
        const QString measurement =
            w.context.isEmpty() ? w.measurement : u"%1 (%2)"_s.arg(w.measurement, w.context);
        const QStringList cells{measurement,
                                TimeText::format(w.start),
                                TimeText::format(w.end),
                                locale.toString(w.sourceCount),
                                locale.toString(w.targetCount),
                                w.detail};
        for (int column = 0; column < ColumnCount; ++column) {
            auto *item = new QTableWidgetItem(cells.at(column));
            if (column == Source || column == Target)
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_table->setItem(row, column, item);
        }
    }
    m_table->resizeColumnsToContents();
    m_repair->setEnabled(reading.summary.differing > 0);
}

} // namespace tsm
