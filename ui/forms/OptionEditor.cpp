#include "forms/OptionEditor.h"

#include "forms/TimeField.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QToolButton>

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

/**
 * A number box that keeps what was typed: any number of as many digits as the largest allowed
 * value is taken, so that an out-of-range value stays visible and the form's validation names
 * the range, where a plain QSpinBox silently drops the digit that would leave its range (45
 * typed into 1–30 became 4). The arrows and the keyboard's steps stay within the range.
 */
class TypedSpinBox : public QSpinBox
{
public:
    TypedSpinBox(qint64 minimum, qint64 maximum, QWidget *parent)
        : QSpinBox(parent), m_minimum(int(minimum)), m_maximum(int(maximum))
    {
        qint64 typed = 9;
        while (typed < maximum && typed < std::numeric_limits<int>::max() / 10)
            typed = typed * 10 + 9;
        setRange(int(std::min<qint64>(minimum, 0)), int(std::max(typed, maximum)));
    }

    void stepBy(int steps) override
    {
        setValue(std::clamp(value() + steps, m_minimum, m_maximum));
    }

protected:
    StepEnabled stepEnabled() const override
    {
        StepEnabled enabled = StepNone;
        if (value() < m_maximum)
            enabled |= StepUpEnabled;
        if (value() > m_minimum)
            enabled |= StepDownEnabled;
        return enabled;
    }

private:
    int m_minimum;
    int m_maximum;
};

} // namespace

QString OptionEditor::objectNameFor(const QString &key, const QString &widgetType)
{
    QString name;
    const QStringList parts = key.split(u'.');
    for (const QString &part : parts) {
        if (name.isEmpty())
            name = part;
        else
            name += part.left(1).toUpper() + part.mid(1);
    }
    return name + widgetType;
}

OptionEditor::OptionEditor(const OptionSpec &spec, QWidget *parent) : QObject(parent), m_spec(spec)
{
    m_label = new QLabel(spec.label + (spec.required ? u" *"_s : QString()), parent);
    m_label->setObjectName(objectNameFor(spec.key, u"Label"_s));
    m_label->setToolTip(spec.help);

    switch (spec.kind) {
    case OptionKind::Integer: {
        auto *box = new TypedSpinBox(spec.minimum, spec.maximum, parent);
        box->setObjectName(objectNameFor(spec.key, u"SpinBox"_s));
        box->setAccelerated(true);
        connect(box, &QSpinBox::valueChanged, this, [this] {
            if (!m_loading)
                Q_EMIT edited();
        });
        m_widget = box;
        break;
    }
    case OptionKind::Boolean: {
        auto *box = new QCheckBox(parent);
        box->setObjectName(objectNameFor(spec.key, u"CheckBox"_s));
        connect(box, &QCheckBox::toggled, this, [this] {
            if (!m_loading)
                Q_EMIT edited();
        });
        m_widget = box;
        break;
    }
    case OptionKind::Choice: {
        auto *box = new QComboBox(parent);
        box->setObjectName(objectNameFor(spec.key, u"ComboBox"_s));
        for (qsizetype i = 0; i < spec.choices.size(); ++i)
            box->addItem(spec.choiceLabels.value(i, spec.choices.at(i)), spec.choices.at(i));
        connect(box, &QComboBox::currentIndexChanged, this, [this] {
            if (!m_loading)
                Q_EMIT edited();
        });
        m_widget = box;
        break;
    }
    case OptionKind::Path: {
        auto *row = new QWidget(parent);
        auto *layout = new QHBoxLayout(row);
        layout->setContentsMargins(0, 0, 0, 0);
        auto *edit = new QLineEdit(row);
        edit->setObjectName(objectNameFor(spec.key, u"LineEdit"_s));
        auto *browse = new QToolButton(row);
        browse->setObjectName(objectNameFor(spec.key, u"BrowseButton"_s));
        browse->setText(u"…"_s);
        browse->setToolTip(tr("Choose a file"));
        layout->addWidget(edit, 1);
        layout->addWidget(browse);
        connect(edit, &QLineEdit::textChanged, this, [this] {
            if (!m_loading)
                Q_EMIT edited();
        });
        connect(browse, &QToolButton::clicked, this, [this, edit] {
            // The rejects file is written too, appended to: no question about replacing it.
            const bool appended = m_spec.key == u"advanced.rejectsFile"_s;
            const bool saving = m_spec.key.startsWith(u"target."_s) || appended;
            const QString path =
                saving ? QFileDialog::getSaveFileName(
                             edit, m_spec.label, edit->text(), QString(), nullptr,
                             appended ? QFileDialog::DontConfirmOverwrite : QFileDialog::Options())
                       : QFileDialog::getOpenFileName(edit, m_spec.label, edit->text());
            if (!path.isEmpty())
                edit->setText(path);
        });
        row->setObjectName(objectNameFor(spec.key, u"Widget"_s));
        row->setFocusProxy(edit);
        m_widget = row;
        break;
    }
    case OptionKind::Time: {
        auto *field = new TimeField(objectNameFor(spec.key, QString()), parent);
        connect(field->lineEdit(), &QLineEdit::textChanged, this, [this] {
            if (!m_loading)
                Q_EMIT edited();
        });
        m_widget = field;
        break;
    }
    case OptionKind::Text:
        if (spec.suggestions) {
            // Free text with values to pick from: typing filters the list by any part.
            auto *box = new QComboBox(parent);
            box->setObjectName(objectNameFor(spec.key, u"ComboBox"_s));
            box->setEditable(true);
            box->setInsertPolicy(QComboBox::NoInsert);
            // Wide enough for "America/Argentina/Buenos_Aires" or "Cloud Dedicated".
            box->setMinimumContentsLength(24);
            box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
            box->lineEdit()->setPlaceholderText(tr("choose or type"));
            box->completer()->setCompletionMode(QCompleter::PopupCompletion);
            box->completer()->setFilterMode(Qt::MatchContains);
            box->completer()->setCaseSensitivity(Qt::CaseInsensitive);
            connect(box, &QComboBox::currentTextChanged, this, [this] {
                if (!m_loading)
                    Q_EMIT edited();
            });
            m_widget = box;
            break;
        }
        [[fallthrough]];
    case OptionKind::TextList:
    case OptionKind::Secret: {
        auto *edit = new QLineEdit(parent);
        edit->setObjectName(objectNameFor(spec.key, u"LineEdit"_s));
        if (spec.kind == OptionKind::Secret)
            edit->setEchoMode(QLineEdit::Password);
        if (!spec.placeholder.isEmpty())
            edit->setPlaceholderText(spec.placeholder);
        else if (spec.kind == OptionKind::TextList)
            edit->setPlaceholderText(tr("comma-separated; empty = all"));
        connect(edit, &QLineEdit::textChanged, this, [this] {
            if (!m_loading)
                Q_EMIT edited();
        });
        m_widget = edit;
        break;
    }
    }
    m_widget->setToolTip(spec.help);
    m_widget->setWhatsThis(spec.help);
    m_label->setBuddy(m_widget->focusProxy() ? m_widget->focusProxy() : m_widget.data());
}

void OptionEditor::load(const TaskProfile &profile)
{
    if (auto *field = qobject_cast<TimeField *>(m_widget))
        field->setZone(profile.task.timeZone);
    if (auto *box = qobject_cast<QComboBox *>(m_widget); box && m_spec.suggestions)
        offer(box, m_spec.suggestions(profile));
    const QVariant v = m_spec.get(profile);
    if (v == value())
        return; // leave the widget (and its cursor) alone
    m_loading = true;
    setValue(v);
    m_loading = false;
}

void OptionEditor::offer(QComboBox *box, const QStringList &values)
{
    QStringList shown;
    for (int i = 0; i < box->count(); ++i)
        shown.append(box->itemText(i));
    if (shown == values)
        return;
    // Another tab offers its own versions; what was typed stays.
    const bool loading = m_loading;
    m_loading = true;
    const QString text = box->currentText();
    box->clear();
    box->addItems(values);
    const int index = box->findText(text);
    if (index >= 0)
        box->setCurrentIndex(index);
    else
        box->setEditText(text);
    m_loading = loading;
}

void OptionEditor::store(TaskProfile &profile) const
{
    m_spec.set(profile, value());
}

QVariant OptionEditor::value() const
{
    if (auto *box = qobject_cast<QSpinBox *>(m_widget))
        return box->value();
    if (auto *box = qobject_cast<QCheckBox *>(m_widget))
        return box->isChecked();
    if (auto *box = qobject_cast<QComboBox *>(m_widget))
        return box->isEditable() ? QVariant(box->currentText()) : box->currentData();
    if (auto *field = qobject_cast<TimeField *>(m_widget))
        return field->value();
    const auto *edit = m_widget->findChild<QLineEdit *>()
                           ? m_widget->findChild<QLineEdit *>()
                           : qobject_cast<QLineEdit *>(m_widget.data());
    const QString text = edit ? edit->text() : QString();
    if (m_spec.kind == OptionKind::TextList) {
        QStringList items;
        for (const QString &item : text.split(u',', Qt::SkipEmptyParts))
            if (!item.trimmed().isEmpty())
                items.append(item.trimmed());
        return items;
    }
    return text;
}

void OptionEditor::setValue(const QVariant &value)
{
    if (auto *box = qobject_cast<QSpinBox *>(m_widget)) {
        box->setValue(value.toInt());
        return;
    }
    if (auto *box = qobject_cast<QCheckBox *>(m_widget)) {
        box->setChecked(value.toBool());
        return;
    }
    if (auto *box = qobject_cast<QComboBox *>(m_widget); box && box->isEditable()) {
        const int index = box->findText(value.toString());
        if (index >= 0)
            box->setCurrentIndex(index);
        else
            box->setEditText(value.toString());
        return;
    }
    if (auto *box = qobject_cast<QComboBox *>(m_widget)) {
        box->setCurrentIndex(std::max(0, box->findData(value.toString())));
        return;
    }
    auto *edit = m_widget->findChild<QLineEdit *>() ? m_widget->findChild<QLineEdit *>()
                                                    : qobject_cast<QLineEdit *>(m_widget.data());
    if (!edit)
        return;
    if (m_spec.kind == OptionKind::TextList)
        edit->setText(value.toStringList().join(u", "_s));
    else
        edit->setText(value.toString());
}

} // namespace tsm
