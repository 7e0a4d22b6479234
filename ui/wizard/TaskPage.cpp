#include "wizard/TaskPage.h"

#include "BackgroundCall.h"
#include "connectors/Connectors.h"
#include "core/Error.h"
#include "forms/OptionForm.h"
#include "forms/TimeField.h"
#include "wizard/TaskWizard.h"
#include "wizard/TimeSpanDelegate.h"

#include <Kinds.h>
#include <QAbstractButton>
#include <QComboBox>
#include <QCompleter>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QToolButton>
#include <TimeText.h>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

struct SchemaResult
{
    QString error;
    QStringList buckets;
    QStringList measurements;
    QHash<QString, QString> bucketSpans;      ///< bucket -> "first … last"
    QHash<QString, QString> measurementSpans; ///< of the selected bucket
    QString unread; ///< what Get schema did not look at, to keep it quick
};

/// Reading the first and last time costs two queries a measurement: Get schema stops after
/// this many.
constexpr int kMaxBoundsQueries = 400;
constexpr int kMaxBuckets = 20;

const QStringList kAdvancedKeys = {u"advanced.logLevel"_s,
                                   u"advanced.readConcurrency"_s,
                                   u"advanced.writeConcurrency"_s,
                                   u"advanced.batchSize"_s,
                                   u"advanced.retryAttempts"_s,
                                   u"advanced.idleTimeoutSeconds"_s,
                                   u"advanced.maxPointsPerSecond"_s,
                                   u"advanced.readIntervalMs"_s,
                                   u"advanced.onKeyClash"_s,
                                   u"advanced.onTypeConflict"_s,
                                   u"target.childTableName"_s,
                                   u"advanced.bounceErrors"_s,
                                   u"advanced.bounceWindowSeconds"_s,
                                   u"advanced.idleSeconds"_s,
                                   u"advanced.rejectsFile"_s,
                                   u"advanced.onRefused"_s};

/// In UTC, as the start field takes it.
QString spanText(const TimeRange &range)
{
    return u"%1 … %2"_s.arg(TimeText::format(range.start), TimeText::format(range.end - 1));
}

/// Each measurement's first and last time in `bucket`, and the bucket's; false when the
/// budget ran out first.
bool readSpans(Source &source, const QString &bucket, const QStringList &measurements,
               int &budget, QHash<QString, QString> *measurementSpans,
               QHash<QString, QString> &bucketSpans, const CancelToken &cancel)
{
    std::optional<TimeRange> all;
    for (const QString &m : measurements) {
        if (budget-- <= 0)
            return false;
        const auto bounds = source.timeBounds(bucket, m, cancel);
        if (!bounds)
            continue;
        if (measurementSpans)
            measurementSpans->insert(m, spanText(*bounds));
        all = all ? TimeRange{std::min(all->start, bounds->start), std::max(all->end, bounds->end)}
                  : *bounds;
    }
    if (all)
        bucketSpans.insert(bucket, spanText(*all));
    return true;
}

/// The source's kind, whose words the page uses; InfluxDB's while none is chosen.
const SourceKind &kindOf(const TaskProfile &p)
{
    const SourceKind *kind = kinds::source(p.source);
    return kind ? *kind : *kinds::source(SourceId::Influx1);
}

/// "super tables" → "Super Tables", as the form's labels are written.
QString titleCase(const QString &words)
{
    QStringList parts = words.split(u' ');
    for (QString &part : parts)
        if (!part.isEmpty())
            part[0] = part.at(0).toUpper();
    return parts.join(u' ');
}

} // namespace

TaskPage::TaskPage(TaskWizard *wizard)
    : FormPage(wizard, tr("Task"), tr("What to migrate, and over which time range."))
{
    // One form for the whole page, so every label and field lines up.
    OptionForm *form = addForm(
        {u"task.retentionPolicy"_s, u"task.start"_s, u"task.end"_s, u"task.timeZone"_s,
         u"task.windowMinutes"_s, u"task.delaySeconds"_s, u"task.mode"_s, u"task.retro"_s,
         u"task.pollSeconds"_s, u"task.schemaSync"_s, u"task.tables"_s,
         u"source.acceptRoundedFloats"_s, u"source.sparse"_s, u"task.seriesFilter"_s,
         u"task.rename"_s, u"task.renameFile"_s, u"task.addTags"_s});
    QFormLayout *formLayout = form->formLayout();
    m_alignedForms.append(formLayout);
    auto *bucketRow = new QHBoxLayout;
    m_bucket = new QComboBox(this);
    m_bucket->setObjectName(u"bucketComboBox"_s);
    m_bucket->setEditable(true);
    m_bucket->setToolTip(findOption(u"task.bucket"_s)->help);
    m_schemaButton = new QPushButton(tr("Get Schema"), this);
    m_schemaButton->setObjectName(u"getSchemaButton"_s);
    bucketRow->addWidget(m_bucket, 1);
    bucketRow->addWidget(m_schemaButton);
    auto *bucketColumn = new QVBoxLayout;
    bucketColumn->addLayout(bucketRow);
    auto *bucketError = new QLabel(this);
    bucketError->setObjectName(u"taskBucketErrorLabel"_s);
    bucketColumn->addWidget(bucketError);
    m_schemaStatus = new QLabel(this);
    m_schemaStatus->setObjectName(u"schemaStatusLabel"_s);
    m_schemaStatus->setWordWrap(true);
    bucketColumn->addWidget(m_schemaStatus);
    m_bucketLabel = new QLabel(findOption(u"task.bucket"_s)->label + u" *"_s, this);
    m_bucketLabel->setObjectName(u"bucketLabel"_s);
    formLayout->insertRow(0, m_bucketLabel, bucketColumn);

    auto *measurementColumn = new QVBoxLayout;
    m_filter = new QLineEdit(this);
    m_filter->setObjectName(u"measurementFilterLineEdit"_s);
    m_filter->setPlaceholderText(tr("Filter measurements"));
    m_filter->setClearButtonEnabled(true);
    m_measurements = new QListWidget(this);
    m_measurements->setObjectName(u"measurementsListWidget"_s);
    m_measurements->setUniformItemSizes(true); // thousands of names stay fast
    m_measurements->setMinimumHeight(110);
    m_measurements->setToolTip(findOption(u"task.measurements"_s)->help);
    // Get schema adds each one's first and last time, to choose a start from.
    m_measurements->setItemDelegate(new TimeSpanDelegate(m_measurements));
    m_bucket->view()->setItemDelegate(new TimeSpanDelegate(m_bucket));
    m_measurementsHint = new QLabel(this);
    m_measurementsHint->setObjectName(u"measurementsHintLabel"_s);
    measurementColumn->addWidget(m_filter);
    measurementColumn->addWidget(m_measurements);
    measurementColumn->addWidget(m_measurementsHint);
    m_measurementsLabel = new QLabel(findOption(u"task.measurements"_s)->label, this);
    m_measurementsLabel->setObjectName(u"measurementsLabel"_s);
    formLayout->insertRow(1, m_measurementsLabel, measurementColumn);
    addExtraKey(u"task.bucket"_s, bucketError);

    // The keyboard goes as the eyes do: the bucket and its measurements first, then the fields.
    QList<QWidget *> order{m_bucket, m_schemaButton, m_filter, m_measurements};
    for (const QString &key : form->keys()) {
        QWidget *field = form->editor(key)->widget();
        if (auto *time = qobject_cast<TimeField *>(field))
            order << time->lineEdit() << time->calendarButton();
        else
            order << (field->focusProxy() ? field->focusProxy() : field);
        // A field's own buttons (a file's Browse…) come right after it.
        if (field->focusProxy())
            for (QAbstractButton *button :
                 field->findChildren<QAbstractButton *>(Qt::FindDirectChildrenOnly))
                order << button;
    }
    for (qsizetype i = 0; i + 1 < order.size(); ++i)
        setTabOrder(order.at(i), order.at(i + 1));
    addAdvancedOptions();

    connect(m_bucket, &QComboBox::currentTextChanged, this, &TaskPage::changeBucket);
    connect(m_schemaButton, &QPushButton::clicked, this, &TaskPage::getSchema);
    connect(m_filter, &QLineEdit::textChanged, this, &TaskPage::applyFilter);
    connect(m_measurements, &QListWidget::itemChanged, this, &TaskPage::storeMeasurements);
}

void TaskPage::addAdvancedOptions()
{
    // As the documented form has them: a collapsed section under the task's fields that says
    // which values differ from the defaults while it is closed.
    m_advancedToggle = new QToolButton(this);
    m_advancedToggle->setObjectName(u"advancedToggleButton"_s);
    m_advancedToggle->setText(tr("Advanced Options"));
    m_advancedToggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_advancedToggle->setArrowType(Qt::RightArrow);
    m_advancedToggle->setCheckable(true);
    m_advancedToggle->setAutoRaise(true);
    m_advancedToggle->setFocusPolicy(Qt::StrongFocus);
    pageLayout()->insertWidget(pageLayout()->count() - 1, m_advancedToggle);
    m_advancedSummary = new QLabel(this);
    m_advancedSummary->setObjectName(u"advancedSummaryLabel"_s);
    m_advancedSummary->setWordWrap(true);
    m_advancedSummary->setIndent(m_advancedToggle->iconSize().width() + 8);
    pageLayout()->insertWidget(pageLayout()->count() - 1, m_advancedSummary);
    OptionForm *advanced = addForm(kAdvancedKeys, QString(), u"advancedOptionsWidget"_s);
    advanced->setVisible(false);
    m_alignedForms.append(advanced->formLayout());
    connect(m_advancedToggle, &QToolButton::toggled, this, [this, advanced](bool open) {
        m_advancedToggle->setArrowType(open ? Qt::DownArrow : Qt::RightArrow);
        advanced->setVisible(open);
        m_advancedSummary->setVisible(!open);
    });
    connect(taskWizard(), &TaskWizard::profileChanged, this, [this] {
        const QStringList changed = changedOptions(taskWizard()->profile(), kAdvancedKeys);
        m_advancedSummary->setText(changed.isEmpty()
                                       ? tr("All at their defaults.")
                                       : tr("Changed from the defaults: %1")
                                             .arg(changed.join(u"; "_s)));
    });
}

QStringList TaskPage::changedOptions(const TaskProfile &profile, const QStringList &keys)
{
    QStringList changed;
    for (const QString &key : keys) {
        const OptionSpec *spec = findOption(key);
        if (!spec || !spec->appliesTo(profile))
            continue;
        const QVariant value = spec->get(profile);
        if (value.toString() == spec->defaultValue.toString())
            continue;
        const QString shown = spec->kind == OptionKind::Choice
                                  ? choiceLabel(*spec, value.toString())
                              : spec->kind == OptionKind::Boolean
                                  ? (value.toBool() ? tr("on") : tr("off"))
                                  : value.toString();
        changed.append(u"%1 %2"_s.arg(spec->label, shown));
    }
    return changed;
}

void TaskPage::initializePage()
{
    const TaskProfile p = taskWizard()->profile();
    // Each kind has its own words: TDengine 2.x speaks of databases and super tables where
    // InfluxDB has buckets and measurements.
    const SourceKind &nouns = kindOf(p);
    m_bucketLabel->setText(titleCase(nouns.container) +
                           (isRequired(*findOption(u"task.bucket"_s), p) ? u" *"_s : QString()));
    m_measurementsLabel->setText(titleCase(nouns.seriesPlural));
    m_filter->setPlaceholderText(tr("Filter %1").arg(nouns.seriesPlural));
    if (m_bucket->currentText() != p.task.bucket)
        m_bucket->setEditText(p.task.bucket);
    if (m_measurements->count() == 0)
        loadMeasurements(p.task.measurements);
    storeMeasurements(); // the hint below the list, in the words of this source
    FormPage::initializePage();
    alignLabels();
}

void TaskPage::alignLabels()
{
    QList<QWidget *> labels;
    for (QFormLayout *form : std::as_const(m_alignedForms))
        for (int row = 0; row < form->rowCount(); ++row)
            if (QLayoutItem *item = form->itemAt(row, QFormLayout::LabelRole);
                item && item->widget())
                labels.append(item->widget());
    int width = 0;
    for (QWidget *label : std::as_const(labels)) {
        label->setMinimumWidth(0);
        width = std::max(width, label->sizeHint().width());
    }
    for (QWidget *label : std::as_const(labels))
        label->setMinimumWidth(width);
}

void TaskPage::changeBucket(const QString &bucket)
{
    if (bucket == taskWizard()->profile().task.bucket)
        return;
    // The ticks and the list belong to the bucket left: another bucket's measurements are
    // listed anew, none of them checked.
    taskWizard()->setProfileOption(u"task.bucket"_s, bucket);
    m_spans.clear();
    {
        const QSignalBlocker blocker(m_measurements);
        m_measurements->clear();
    }
    storeMeasurements();
    if (m_bucket->findText(bucket, Qt::MatchExactly) >= 0)
        getSchema(); // a bucket Get schema listed: read its measurements now
}

void TaskPage::getSchema()
{
    const TaskProfile profile = taskWizard()->profile();
    const int generation = ++m_schemaGeneration;
    m_schemaButton->setEnabled(false);
    m_schemaStatus->setStyleSheet(QString());
    m_schemaStatus->setText(tr("Reading the schema…"));
    runInBackground<SchemaResult>(
        this,
        [profile]() -> SchemaResult {
            SchemaResult result;
            try {
                CancelToken cancel;
                auto source = Connectors::createSource(profile);
                result.buckets = source->listDatabases(cancel);
                QString bucket = profile.task.bucket;
                if (bucket.isEmpty() && !result.buckets.isEmpty())
                    bucket = result.buckets.first();
                const SourceKind *kind = kinds::source(profile.source);
                if (!bucket.isEmpty() &&
                    (result.buckets.contains(bucket) || (kind && kind->isFile())))
                    result.measurements = source->listMeasurements(bucket, cancel);
                // First and last times: the selected bucket's measurements, then the others'.
                int budget = kMaxBoundsQueries;
                bool complete = readSpans(*source, bucket, result.measurements, budget,
                                          &result.measurementSpans, result.bucketSpans, cancel);
                int skipped = 0;
                for (const QString &other : std::as_const(result.buckets)) {
                    if (other == bucket)
                        continue;
                    if (!complete || result.bucketSpans.size() >= kMaxBuckets) {
                        ++skipped;
                        continue;
                    }
                    complete = readSpans(*source, other, source->listMeasurements(other, cancel),
                                         budget, nullptr, result.bucketSpans, cancel);
                    if (!complete)
                        ++skipped;
                }
                if (skipped > 0 || !complete)
                    result.unread = QObject::tr("first and last times not read for every one, "
                                                "to keep this quick");
            } catch (const Error &error) {
                result.error = error.message();
            }
            return result;
        },
        [this, generation](const SchemaResult &result) {
            if (generation != m_schemaGeneration)
                return; // the bucket changed while it was read: a newer read answers
            m_schemaButton->setEnabled(true);
            if (!result.error.isEmpty()) {
                m_schemaStatus->setStyleSheet(u"color: #b3261e;"_s);
                m_schemaStatus->setText(tr("Failed: %1").arg(result.error));
                return;
            }
            const QString current = taskWizard()->profile().task.bucket;
            {
                const QSignalBlocker blocker(m_bucket);
                m_bucket->clear();
                m_bucket->addItems(result.buckets);
                for (int i = 0; i < m_bucket->count(); ++i)
                    m_bucket->setItemData(i, result.bucketSpans.value(m_bucket->itemText(i)),
                                          TimeSpanDelegate::kSpanRole);
                m_bucket->setEditText(current.isEmpty() && !result.buckets.isEmpty()
                                          ? result.buckets.first()
                                          : current);
            }
            if (m_bucket->currentText() != current)
                taskWizard()->setProfileOption(u"task.bucket"_s, m_bucket->currentText());
            m_spans = result.measurementSpans;
            loadMeasurements(result.measurements);
            const SourceKind &nouns = kindOf(taskWizard()->profile());
            const auto buckets = result.buckets.size();
            const auto tables = result.measurements.size();
            QString text = tr("%1 %2, %3 %4 in the selected %5")
                               .arg(buckets)
                               .arg(buckets == 1 ? nouns.container : nouns.containers)
                               .arg(tables)
                               .arg(tables == 1 ? nouns.series : nouns.seriesPlural,
                                    nouns.container);
            const QString span = result.bucketSpans.value(m_bucket->currentText());
            if (!span.isEmpty())
                text += tr("; data from %1").arg(span);
            if (!result.unread.isEmpty())
                text += u" ("_s + result.unread + u')';
            m_schemaStatus->setText(text);
        });
}

void TaskPage::loadMeasurements(const QStringList &names)
{
    const QStringList checked = taskWizard()->profile().task.measurements;
    const QSignalBlocker blocker(m_measurements);
    m_measurements->clear();
    QStringList all = names;
    for (const QString &name : checked)
        if (!all.contains(name))
            all.append(name); // saved with the task even if the schema was not fetched yet
    for (const QString &name : std::as_const(all)) {
        auto *item = new QListWidgetItem(name, m_measurements);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setData(TimeSpanDelegate::kSpanRole, m_spans.value(name));
        item->setCheckState(checked.contains(name) ? Qt::Checked : Qt::Unchecked);
    }
    applyFilter();
    storeMeasurements();
}

void TaskPage::applyFilter()
{
    const QString filter = m_filter->text().trimmed();
    for (int i = 0; i < m_measurements->count(); ++i) {
        QListWidgetItem *item = m_measurements->item(i);
        item->setHidden(!filter.isEmpty() && !item->text().contains(filter, Qt::CaseInsensitive));
    }
}

void TaskPage::storeMeasurements()
{
    QStringList checked;
    for (int i = 0; i < m_measurements->count(); ++i)
        if (m_measurements->item(i)->checkState() == Qt::Checked)
            checked.append(m_measurements->item(i)->text());
    const SourceKind &nouns = kindOf(taskWizard()->profile());
    m_measurementsHint->setText(
        checked.isEmpty() ? tr("None checked: all %1 are migrated.").arg(nouns.seriesPlural)
                          : tr("%1 %2 checked.")
                                .arg(checked.size())
                                .arg(checked.size() == 1 ? nouns.series : nouns.seriesPlural));
    if (checked != taskWizard()->profile().task.measurements)
        taskWizard()->setProfileOption(u"task.measurements"_s, checked);
}

} // namespace tsm
