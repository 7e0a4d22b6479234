#pragma once

#include <QObject>
#include <QPointer>
#include <TaskOptions.h>

class QComboBox;
class QLabel;
class QWidget;

namespace tsm {

/**
 * The editor of one declared option: the widget its kind calls for (line edit, spin box with the
 * declared range, combo box of the declared choices, check box...), named after the key so tests
 * and accessibility can find it ("task.delaySeconds" -> "taskDelaySecondsSpinBox"), with the
 * declared help text as tool tip. Moves values between the widget and a profile through the
 * declaration's get/set, so the UI keeps no copy of defaults or ranges.
 */
class OptionEditor : public QObject
{
    Q_OBJECT

public:
    OptionEditor(const OptionSpec &spec, QWidget *parent);

    const OptionSpec &spec() const { return m_spec; }
    QWidget *widget() const { return m_widget; }
    QLabel *label() const { return m_label; }

    /// Shows the profile's value (without emitting edited()).
    void load(const TaskProfile &profile);
    /// Writes the widget's value into the profile.
    void store(TaskProfile &profile) const;
    QVariant value() const;

    /// "task.delaySeconds" + "SpinBox" -> "taskDelaySecondsSpinBox".
    static QString objectNameFor(const QString &key, const QString &widgetType);

Q_SIGNALS:
    void edited();

private:
    void setValue(const QVariant &value);
    /// Puts `values` in the list of a free-text field with suggestions, keeping its text.
    void offer(QComboBox *box, const QStringList &values);

    OptionSpec m_spec;
    QPointer<QWidget> m_widget;
    QLabel *m_label = nullptr;
    bool m_loading = false;
};

} // namespace tsm
