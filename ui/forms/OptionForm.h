#pragma once

#include "forms/OptionEditor.h"

#include <QHash>
#include <QWidget>

class QFormLayout;
class QLabel;

namespace tsm {

/// Makes a field's message line keep one line's height while hidden, so that the fields below
/// do not move as messages come and go.
void keepPlaceWhenHidden(QLabel *errorLabel);

/**
 * A form of declared options: label, editor and, under it, the field's validation message.
 * Rows of options that do not apply to the profile (e.g. a token for a 1.x source) are hidden.
 * The same form serves the wizard and any later task editor.
 */
class OptionForm : public QWidget
{
    Q_OBJECT

public:
    OptionForm(const QStringList &keys, QWidget *parent = nullptr);

    void load(const TaskProfile &profile);
    void store(TaskProfile &profile) const;
    /// Shows the messages of this form's visible fields; returns how many there are.
    int showErrors(const QList<FieldError> &errors);
    OptionEditor *editor(const QString &key) const { return m_editors.value(key); }
    QStringList keys() const { return m_keys; }
    QFormLayout *formLayout() const { return m_layout; }

Q_SIGNALS:
    /// The user changed the option `key`.
    void edited(const QString &key);

private:
    QStringList m_keys;
    QFormLayout *m_layout;
    QHash<QString, OptionEditor *> m_editors;
    QHash<QString, QLabel *> m_errorLabels;
    QHash<QString, bool> m_visible;
};

} // namespace tsm
