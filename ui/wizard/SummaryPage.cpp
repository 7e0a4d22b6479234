#include "wizard/SummaryPage.h"

#include "BackgroundCall.h"
#include "core/Error.h"
#include "plan/PlanMaker.h"
#include "secrets/SecretStore.h"
#include "wizard/TaskWizard.h"

#include <Kinds.h>
#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTabWidget>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <TaskOptions.h>
#include <TimeText.h>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

struct PlanResult
{
    std::optional<TaskPlan> plan;
    QString error;
};

/// How long the plan's sample read may take in the wizard.
constexpr int kSampleMs = 2000;

const QColor kProblemColor(0xb3, 0x26, 0x1e);
const QColor kKeptColor(0x8a, 0x5a, 0x00);
const QColor kCleanColor(0x1e, 0x6b, 0x2e);

QString countText(qint64 n, bool exact = true)
{
    if (n < 0)
        return SummaryPage::tr("unknown");
    return exact ? QString::number(n) : SummaryPage::tr("≥ %1").arg(n);
}

/// "2023-11-01 12:00:00" in UTC, short enough for a column.
QString shortTime(qint64 ns)
{
    return TimeText::format(ns).left(19).replace(u'T', u' ');
}

} // namespace

SummaryPage::SummaryPage(TaskWizard *wizard) : QWizardPage(wizard), m_wizard(wizard)
{
    setTitle(tr("Summary"));
    setSubTitle(tr("Check the task, then Submit to save it to the list of data sources, or Submit "
                   "and Start to save it and run it at once."));
    auto *layout = new QVBoxLayout(this);
    m_nextStart = new QLabel(this);
    m_nextStart->setObjectName(u"nextStartLabel"_s);
    m_nextStart->setWordWrap(true);
    m_nextStart->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_nextStart);
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(u"summaryTabWidget"_s);
    layout->addWidget(m_tabs, 1);

    auto *planPage = new QWidget(m_tabs);
    auto *planLayout = new QVBoxLayout(planPage);
    auto *statusRow = new QHBoxLayout;
    m_planStatus = new QLabel(planPage);
    m_planStatus->setObjectName(u"planStatusLabel"_s);
    m_planStatus->setWordWrap(true);
    m_planStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    statusRow->addWidget(m_planStatus, 1);
    m_planAgain = new QPushButton(tr("Plan Again"), planPage);
    m_planAgain->setObjectName(u"planAgainButton"_s);
    m_planAgain->setToolTip(tr("Read the source and the target's state again; nothing is "
                               "written."));
    statusRow->addWidget(m_planAgain, 0, Qt::AlignTop);
    planLayout->addLayout(statusRow);
    m_planBusy = new QProgressBar(planPage);
    m_planBusy->setObjectName(u"planProgressBar"_s);
    m_planBusy->setRange(0, 0); // busy, no percentage
    m_planBusy->setTextVisible(false);
    m_planBusy->setMaximumHeight(8);
    planLayout->addWidget(m_planBusy);
    m_planTree = new QTreeWidget(planPage);
    m_planTree->setObjectName(u"planTreeWidget"_s);
    m_planTree->setHeaderLabels({tr("Measurement"), tr("Points"), tr("Series"), tr("First"),
                                 tr("Last"), tr("Units")});
    m_planTree->setRootIsDecorated(true);
    m_planTree->setUniformRowHeights(false);
    m_planTree->setWordWrap(true);
    m_planTree->header()->setStretchLastSection(false);
    m_planTree->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    for (int column = 1; column < 6; ++column)
        m_planTree->header()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    planLayout->addWidget(m_planTree, 1);
    m_planDetail = new QLabel(planPage);
    m_planDetail->setObjectName(u"planDetailLabel"_s);
    m_planDetail->setWordWrap(true);
    m_planDetail->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_planDetail->setMinimumHeight(3 * fontMetrics().lineSpacing());
    m_planDetail->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    planLayout->addWidget(m_planDetail);
    connect(m_planTree, &QTreeWidget::currentItemChanged, this,
            [this](QTreeWidgetItem *item) {
                m_planDetail->setText(item ? item->data(0, Qt::ToolTipRole).toString()
                                           : QString());
            });
    m_tabs->addTab(planPage, tr("Plan"));

    m_text = new QPlainTextEdit(this);
    m_text->setObjectName(u"summaryTextEdit"_s);
    m_text->setReadOnly(true);
    m_tabs->addTab(m_text, tr("Options"));
    connect(m_planAgain, &QPushButton::clicked, this, &SummaryPage::startPlan);

    m_secretsNote = new QLabel(this);
    m_secretsNote->setObjectName(u"secretsNoteLabel"_s);
    m_secretsNote->setWordWrap(true);
    layout->addWidget(m_secretsNote);
    m_storeSecrets =
        new QCheckBox(tr("Keep passwords and tokens in the task store (plain text)"), this);
    m_storeSecrets->setToolTip(tr("Anyone who can read the task store file can read them; "
                                  "tsmigrate-cli run --task can then use them."));
    m_storeSecrets->setObjectName(u"storeSecretsCheckBox"_s);
    layout->addWidget(m_storeSecrets);
    connect(m_storeSecrets, &QCheckBox::toggled, m_wizard, &TaskWizard::setStoreSecretsInProfile);
}

QString SummaryPage::valueText(const OptionSpec &spec, const TaskProfile &profile)
{
    const QVariant value = spec.get(profile);
    switch (spec.kind) {
    case OptionKind::Secret:
        return value.toString().isEmpty() ? tr("(none)") : u"••••••"_s;
    case OptionKind::Choice:
        return choiceLabel(spec, value.toString());
    case OptionKind::Boolean:
        return value.toBool() ? tr("yes") : tr("no");
    case OptionKind::TextList:
        return value.toStringList().isEmpty() ? tr("(all)") : value.toStringList().join(u", "_s);
    case OptionKind::Time:
        if (const auto ns = TimeText::parse(value.toString(), profile.task.timeZone))
            return tr("%1 (%2; UTC %3)")
                .arg(value.toString(), profile.task.timeZone,
                     TimeText::format(*ns).replace(u'T', u' '));
        break;
    default:
        break;
    }
    if (!value.toString().isEmpty())
        return value.toString();
    if (const SourceKind *kind = kinds::source(profile.source);
        spec.key == u"task.bucket"_s && kind && kind->isFile())
        return tr("(every database of the file)");
    return spec.key != u"task.end"_s            ? tr("(none)")
           : kinds::follows(profile.task.mode) ? tr("(none: keep following new data)")
                                               : tr("(none: up to the moment the task first runs)");
}

QString SummaryPage::summaryOf(const TaskProfile &profile)
{
    // Grouped as the form is read back: where from, where to, what, and how.
    const auto groupOf = [](const OptionSpec &spec) {
        if (spec.group == u"advanced"_s)
            return 3;
        if (spec.key.startsWith(u"source."_s))
            return 0;
        if (spec.key.startsWith(u"target."_s))
            return 1;
        return 2;
    };
    const QStringList titles = {tr("Source"), tr("Target"), tr("Task"), tr("Advanced")};
    QList<QStringList> groups(titles.size());
    for (const OptionSpec &spec : taskOptions())
        if (!spec.appliesTo || spec.appliesTo(profile))
            groups[groupOf(spec)].append(
                u"    %1: %2"_s.arg(optionLabel(spec, profile), valueText(spec, profile)));
    QStringList lines;
    for (qsizetype i = 0; i < groups.size(); ++i) {
        if (groups.at(i).isEmpty())
            continue;
        if (!lines.isEmpty())
            lines.append(QString());
        lines.append(titles.at(i));
        lines += groups.at(i);
    }
    return lines.join(u'\n');
}

SummaryPage::~SummaryPage()
{
    cancelPlan();
}

void SummaryPage::initializePage()
{
    m_text->setPlainText(summaryOf(m_wizard->profile()));
    const QString next = m_wizard->nextStartText();
    m_nextStart->setText(next.isEmpty() ? QString() : u"<b>%1</b> %2"_s.arg(tr("Next Start:"), next.toHtmlEscaped()));
    m_nextStart->setVisible(!next.isEmpty());
    m_tabs->setCurrentIndex(0);
    startPlan();
    const bool hasSecrets = !SecretStore::secretsOf(m_wizard->profile()).isEmpty();
    m_secretsNote->setText(hasSecrets ? m_wizard->secretsNote() : QString());
    m_secretsNote->setVisible(hasSecrets && !m_wizard->secretsNote().isEmpty());
    m_storeSecrets->setChecked(m_wizard->storeSecretsInProfile());
    m_storeSecrets->setVisible(hasSecrets);
}

void SummaryPage::cleanupPage()
{
    cancelPlan();
    QWizardPage::cleanupPage();
}

void SummaryPage::cancelPlan()
{
    if (m_planCancel)
        m_planCancel->cancel();
    m_planCancel.reset();
    ++m_planGeneration; // an answer still on its way is dropped
}

void SummaryPage::startPlan()
{
    cancelPlan();
    m_planCancel = std::make_shared<CancelToken>();
    const int generation = m_planGeneration;
    m_planTree->clear();
    m_planBusy->setVisible(true);
    m_planAgain->setEnabled(false);
    m_planStatus->setStyleSheet(QString());
    m_planStatus->setText(tr("Planning: reading the source and the target's state (nothing is "
                             "written)…"));
    const TaskProfile profile = m_wizard->profile();
    const std::shared_ptr<CancelToken> cancel = m_planCancel;
    runInBackground<PlanResult>(
        this,
        [profile, cancel]() -> PlanResult {
            PlanResult result;
            try {
                PlanMaker maker(profile);
                maker.setSampleMilliseconds(kSampleMs);
                result.plan = maker.make(*cancel);
            } catch (const Error &error) {
                result.error = error.message();
            }
            return result;
        },
        [this, generation](const PlanResult &result) {
            if (generation != m_planGeneration)
                return;
            m_planBusy->setVisible(false);
            m_planAgain->setEnabled(true);
            if (result.plan)
                showPlan(*result.plan);
            else
                showPlanError(result.error);
        });
}

void SummaryPage::showPlanError(const QString &message)
{
    m_planStatus->setStyleSheet(u"color: %1;"_s.arg(kProblemColor.name()));
    m_planStatus->setText(tr("No plan: %1").arg(message));
}

void SummaryPage::showPlan(const TaskPlan &plan)
{
    qint64 points = 0;
    bool exact = true;
    for (const MeasurementPlan &m : plan.measurements) {
        points += std::max<qint64>(0, m.points);
        exact = exact && m.pointsExact;
    }
    QString verdict;
    QColor color = kCleanColor;
    if (plan.wouldStop()) {
        verdict = tr("A run would stop before writing: see the problems below.");
        color = kProblemColor;
    } else if (plan.wouldReject()) {
        verdict = tr("The target would reject some points (they would go to the rejects file): "
                     "see the problems below.");
        color = kProblemColor;
    } else {
        verdict = tr("The target takes everything as it is.");
    }
    const QString estimate =
        !plan.estimatedSeconds        ? tr("unknown")
        : *plan.estimatedSeconds < 1 ? tr("under a second")
                                      : tr("about %1 s").arg(qint64(*plan.estimatedSeconds + 0.5));
    m_planStatus->setStyleSheet(u"QLabel { color: palette(text); }"_s);
    m_planStatus->setText(
        u"<b style=\"color:%1\">%2</b><br>%3<br>%4"_s.arg(
            color.name(), verdict.toHtmlEscaped(),
            tr("%1 %2 in %3 %4, %5 %6; target: %7")
                .arg(countText(points, exact))
                .arg(points == 1 && exact ? tr("point") : tr("points"))
                .arg(plan.measurements.size())
                .arg(plan.measurements.size() == 1 ? tr("measurement") : tr("measurements"))
                .arg(plan.readUnits)
                .arg(plan.readUnits == 1 ? tr("read unit") : tr("read units"))
                .arg(plan.targetState)
                .toHtmlEscaped(),
            tr("Estimated duration: %1 — an estimate: %2").arg(estimate, plan.estimateNote)
                .toHtmlEscaped()));
    m_planDetail->clear();

    m_planTree->clear();
    auto addProblem = [this](QTreeWidgetItem *parent, const PlanProblem &p) {
        auto *item = new QTreeWidgetItem(parent);
        const QString points = p.points < 0   ? QString()
                               : p.points == 1 ? tr(" (1 point)")
                                               : tr(" (%1 points)").arg(p.points);
        item->setText(0, u"%1 — %2%3: %4"_s.arg(outcomeName(p.outcome).toUpper(), p.subject,
                                                 points, p.reason));
        item->setToolTip(0, item->text(0));
        item->setForeground(0, p.outcome == TargetProblem::Outcome::Kept ? kKeptColor
                                                                         : kProblemColor);
        item->setFirstColumnSpanned(true);
        return item;
    };
    if (!plan.problems.isEmpty()) {
        auto *task = new QTreeWidgetItem(m_planTree, {tr("The task")});
        task->setForeground(0, kProblemColor);
        for (const PlanProblem &p : plan.problems)
            addProblem(task, p);
        task->setExpanded(true);
    }
    for (const MeasurementPlan *m : plan.measurementsProblemsFirst()) {
        auto *item = new QTreeWidgetItem(m_planTree);
        item->setText(0, m->targetName == m->name ? m->name
                                                  : u"%1 → %2"_s.arg(m->name, m->targetName));
        item->setText(1, countText(m->points, m->pointsExact));
        item->setText(2, countText(m->series));
        item->setText(3, m->bounds ? shortTime(m->bounds->start) : QString());
        item->setText(4, m->bounds ? shortTime(m->bounds->end - 1) : QString());
        item->setText(5, QString::number(m->readUnits));
        for (int column = 1; column < 6; ++column)
            item->setTextAlignment(column, Qt::AlignRight | Qt::AlignVCenter);
        bool rejects = false;
        for (const PlanProblem &p : m->problems) {
            addProblem(item, p);
            rejects = rejects || p.outcome != TargetProblem::Outcome::Kept;
        }
        if (rejects)
            item->setForeground(0, kProblemColor);
        if (!m->tagKeys.isEmpty()) {
            auto *tags = new QTreeWidgetItem(item, {tr("tags: %1").arg(m->tagKeys.join(u", "_s))});
            tags->setFirstColumnSpanned(true);
        }
        for (const PlanField &f : m->fields) {
            QStringList types;
            for (FieldType t : f.types)
                types.append(fieldTypeName(t));
            QString text = tr("field %1: %2").arg(f.name, types.join(u" | "_s));
            if (f.typeDiffers()) {
                QStringList groups;
                for (const PlanFieldStretch &s : f.stretches)
                    groups.append((s.values == 1 ? tr("%1 from %2 (1 value)")
                                                 : tr("%1 from %2 (%3 values)"))
                                      .arg(fieldTypeName(s.type), shortTime(s.range.start))
                                      .arg(s.values));
                text += tr(" — type differs between shard groups: %1").arg(groups.join(u"; "_s));
            }
            auto *field = new QTreeWidgetItem(item, {text});
            field->setToolTip(0, text);
            field->setFirstColumnSpanned(true);
            if (f.typeDiffers())
                field->setForeground(0, kKeptColor);
        }
        item->setExpanded(!m->problems.isEmpty());
        item->setToolTip(0, tr("%1: %2 %3, %4 series, %5 %6")
                                .arg(item->text(0), item->text(1),
                                     m->points == 1 ? tr("point") : tr("points"), item->text(2),
                                     item->text(5),
                                     m->readUnits == 1 ? tr("read unit") : tr("read units")));
    }
    // The first problem, in full, below the tree.
    if (QTreeWidgetItem *top = m_planTree->topLevelItem(0); top && top->childCount() > 0 &&
                                                            top->isExpanded())
        m_planTree->setCurrentItem(top->child(0));
}

} // namespace tsm
