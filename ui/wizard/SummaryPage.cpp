#include "wizard/SummaryPage.h"

#include "secrets/SecretStore.h"
#include "wizard/TaskWizard.h"

#include <QCheckBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QVBoxLayout>
#include <TaskOptions.h>

using namespace Qt::StringLiterals;

namespace tsm {

SummaryPage::SummaryPage(TaskWizard *wizard) : QWizardPage(wizard), m_wizard(wizard)
{
    setTitle(tr("Summary"));
    setSubTitle(tr("Check the task, then Submit to save it to the list of data sources."));
    auto *layout = new QVBoxLayout(this);
    m_text = new QPlainTextEdit(this);
    m_text->setObjectName(u"summaryTextEdit"_s);
    m_text->setReadOnly(true);
    layout->addWidget(m_text);

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

QString SummaryPage::summaryOf(const TaskProfile &profile)
{
    QStringList lines;
    for (const OptionSpec &spec : taskOptions()) {
        if (spec.appliesTo && !spec.appliesTo(profile))
            continue;
        const QVariant value = spec.get(profile);
        QString text;
        switch (spec.kind) {
        case OptionKind::Secret:
            text = value.toString().isEmpty() ? tr("(none)") : u"••••••"_s;
            break;
        case OptionKind::Choice:
            text = choiceLabel(spec, value.toString());
            break;
        case OptionKind::Boolean:
            text = value.toBool() ? tr("yes") : tr("no");
            break;
        case OptionKind::TextList:
            text =
                value.toStringList().isEmpty() ? tr("(all)") : value.toStringList().join(u", "_s);
            break;
        default:
            text = value.toString();
            if (text.isEmpty())
                text =
                    spec.key == u"task.end" ? tr("(none: keep following new data)") : tr("(none)");
        }
        lines.append(u"%1: %2"_s.arg(spec.label, text));
    }
    return lines.join(u'\n');
}

void SummaryPage::initializePage()
{
    m_text->setPlainText(summaryOf(m_wizard->profile()));
    const bool hasSecrets = !SecretStore::secretsOf(m_wizard->profile()).isEmpty();
    m_secretsNote->setText(hasSecrets ? m_wizard->secretsNote() : QString());
    m_secretsNote->setVisible(hasSecrets && !m_wizard->secretsNote().isEmpty());
    m_storeSecrets->setChecked(m_wizard->storeSecretsInProfile());
    m_storeSecrets->setVisible(hasSecrets);
}

} // namespace tsm
