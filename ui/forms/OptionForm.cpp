#include "forms/OptionForm.h"

#include <QFormLayout>
#include <QLabel>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace tsm {

void keepPlaceWhenHidden(QLabel *errorLabel)
{
    // The line under a field keeps its height while empty, so fields do not move under the
    // pointer as messages come and go.
    QSizePolicy policy = errorLabel->sizePolicy();
    policy.setRetainSizeWhenHidden(true);
    errorLabel->setSizePolicy(policy);
    errorLabel->setMinimumHeight(errorLabel->fontMetrics().height());
}

OptionForm::OptionForm(const QStringList &keys, QWidget *parent) : QWidget(parent), m_keys(keys)
{
    m_layout = new QFormLayout(this);
    m_layout->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    for (const QString &key : keys) {
        const OptionSpec *spec = findOption(key);
        Q_ASSERT_X(spec, "OptionForm", "unknown option key");
        if (!spec)
            continue;
        auto *editor = new OptionEditor(*spec, this);
        auto *field = new QWidget(this);
        auto *column = new QVBoxLayout(field);
        column->setContentsMargins(0, 0, 0, 0);
        column->setSpacing(2);
        column->addWidget(editor->widget());
        auto *error = new QLabel(field);
        error->setObjectName(OptionEditor::objectNameFor(key, u"ErrorLabel"_s));
        error->setStyleSheet(u"color: #b3261e;"_s);
        error->setWordWrap(true);
        keepPlaceWhenHidden(error);
        error->hide();
        column->addWidget(error);
        m_layout->addRow(editor->label(), field);
        m_editors.insert(key, editor);
        m_errorLabels.insert(key, error);
        connect(editor, &OptionEditor::edited, this, [this, key] { Q_EMIT edited(key); });
    }
}

void OptionForm::load(const TaskProfile &profile)
{
    for (const QString &key : std::as_const(m_keys)) {
        OptionEditor *editor = m_editors.value(key);
        if (!editor)
            continue;
        editor->load(profile);
        const bool applies = !editor->spec().appliesTo || editor->spec().appliesTo(profile);
        m_visible.insert(key, applies);
        m_layout->setRowVisible(editor->label(), applies);
    }
}

void OptionForm::store(TaskProfile &profile) const
{
    for (const QString &key : m_keys)
        if (OptionEditor *editor = m_editors.value(key); editor && m_visible.value(key, true))
            editor->store(profile);
}

int OptionForm::showErrors(const QList<FieldError> &errors)
{
    int shown = 0;
    for (const QString &key : std::as_const(m_keys)) {
        QLabel *label = m_errorLabels.value(key);
        if (!label)
            continue;
        QStringList messages;
        if (m_visible.value(key, true))
            for (const FieldError &e : errors)
                if (e.key == key)
                    messages.append(e.message);
        label->setText(messages.join(u'\n'));
        label->setVisible(!messages.isEmpty());
        shown += int(messages.size());
    }
    return shown;
}

} // namespace tsm
