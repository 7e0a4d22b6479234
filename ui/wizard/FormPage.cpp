#include "wizard/FormPage.h"

#include "forms/OptionForm.h"
#include "wizard/TaskWizard.h"

#include <QGroupBox>
#include <QLabel>
#include <QScrollArea>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace tsm {

FormPage::FormPage(TaskWizard *wizard, const QString &title, const QString &subtitle)
    : QWizardPage(wizard), m_wizard(wizard)
{
    setTitle(title);
    setSubTitle(subtitle);
    // The fields scroll, so the wizard fits a small or scaled screen whatever the page holds.
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto *scroll = new QScrollArea(this);
    scroll->setObjectName(u"pageScrollArea"_s);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    // Not a stop of its own: the page opens with the focus on its first field, and Tab moves
    // between fields (the area scrolls to the one that has the focus).
    scroll->setFocusPolicy(Qt::NoFocus);
    auto *content = new QWidget(scroll);
    scroll->setWidget(content);
    outer->addWidget(scroll);
    m_layout = new QVBoxLayout(content);
    m_notice = new QLabel(content);
    m_notice->setObjectName(u"pageNoticeLabel"_s);
    m_notice->setWordWrap(true);
    m_notice->setStyleSheet(u"color: #8a5300;"_s);
    m_notice->hide();
    m_layout->addWidget(m_notice);
    // Why Next waits stays in view below the scrolling fields; the page's own items go before
    // the empty last item, where this line once was.
    m_blockedLabel = new QLabel(this);
    m_blockedLabel->setObjectName(u"pageBlockedLabel"_s);
    m_blockedLabel->setWordWrap(true);
    m_blockedLabel->setStyleSheet(u"color: #b3261e;"_s);
    outer->addWidget(m_blockedLabel);
    m_blockedLabel->hide();
    m_layout->addSpacing(0);
}

OptionForm *FormPage::addForm(const QStringList &keys, const QString &groupTitle,
                              const QString &objectName)
{
    auto *form = new OptionForm(keys, this);
    QWidget *container = form;
    if (!groupTitle.isEmpty()) {
        auto *group = new QGroupBox(groupTitle, this);
        auto *layout = new QVBoxLayout(group);
        layout->addWidget(form);
        container = group;
    }
    if (!objectName.isEmpty())
        container->setObjectName(objectName);
    // Keep the "why is Next disabled" line last.
    m_layout->insertWidget(m_layout->count() - 1, container);
    m_forms.append(form);
    m_wizard->registerForm(form);
    connect(form, &OptionForm::edited, this,
            [this, form](const QString &key) { m_wizard->optionEdited(form, key); });
    return form;
}

QStringList FormPage::visibleKeys() const
{
    // Options that do not apply to the profile are not validated, so every key of the page can
    // be asked for.
    QStringList keys;
    for (OptionForm *form : m_forms)
        keys += form->keys();
    for (const auto &[key, label] : m_extraKeys)
        keys += key;
    return keys;
}

void FormPage::setNotice(const QString &text)
{
    m_notice->setText(text);
    m_notice->setVisible(!text.isEmpty());
}

void FormPage::addExtraKey(const QString &key, QLabel *errorLabel)
{
    keepPlaceWhenHidden(errorLabel);
    errorLabel->setStyleSheet(u"color: #b3261e;"_s);
    errorLabel->setWordWrap(true);
    errorLabel->hide();
    m_extraKeys.append({key, errorLabel});
}

bool FormPage::isComplete() const
{
    return m_wizard->errorsFor(visibleKeys()).isEmpty();
}

void FormPage::refresh()
{
    const QList<FieldError> errors = m_wizard->errorsFor(visibleKeys());
    QList<FieldError> shown;
    for (const FieldError &e : errors)
        if (m_wizard->showsErrorsOf(e.key))
            shown.append(e);
    for (OptionForm *form : std::as_const(m_forms))
        form->showErrors(shown);
    for (const auto &[key, label] : std::as_const(m_extraKeys)) {
        QStringList messages;
        for (const FieldError &e : std::as_const(shown))
            if (e.key == key)
                messages.append(e.message);
        label->setText(messages.join(u'\n'));
        label->setVisible(!messages.isEmpty());
    }
    m_blockedLabel->setText(
        errors.isEmpty()
            ? QString()
            : tr("Next is available once this is fixed: %1").arg(errors.first().message));
    m_blockedLabel->setVisible(!errors.isEmpty());
    Q_EMIT completeChanged();
}

} // namespace tsm
