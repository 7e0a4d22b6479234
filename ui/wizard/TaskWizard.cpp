#include "wizard/TaskWizard.h"

#include "CloseKeys.h"
#include "forms/OptionForm.h"
#include "wizard/AuthenticationPage.h"
#include "wizard/BasicPage.h"
#include "wizard/FormPage.h"
#include "wizard/SummaryPage.h"
#include "wizard/TaskPage.h"

#include <ProfileJson.h>
#include <QMessageBox>
#include <QAbstractButton>
#include <QCloseEvent>
#include <QKeyEvent>
#include <QScreen>
#include <QShortcut>
#include <QToolButton>
#include <QVBoxLayout>
#include <TaskOptions.h>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

/// The advanced options, collapsed by default as in the documented form.
class AdvancedPage : public FormPage
{
public:
    explicit AdvancedPage(TaskWizard *wizard)
        : FormPage(wizard, TaskWizard::tr("Advanced Options"),
                   TaskWizard::tr("Defaults suit most servers; change them only when you know "
                                  "why."))
    {
        auto *toggle = new QToolButton(this);
        toggle->setObjectName(u"advancedToggleButton"_s);
        toggle->setText(TaskWizard::tr("Advanced Options"));
        toggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        toggle->setArrowType(Qt::RightArrow);
        toggle->setCheckable(true);
        toggle->setAutoRaise(true);
        pageLayout()->insertWidget(0, toggle);
        OptionForm *form = addForm({u"advanced.logLevel"_s, u"advanced.readConcurrency"_s,
                                    u"advanced.writeConcurrency"_s, u"advanced.batchSize"_s,
                                    u"advanced.retryAttempts"_s, u"advanced.idleTimeoutSeconds"_s,
                                    u"advanced.maxPointsPerSecond"_s, u"advanced.readIntervalMs"_s,
                                    u"advanced.onKeyClash"_s, u"advanced.onTypeConflict"_s,
                                    u"target.childTableName"_s},
                                   QString(), u"advancedOptionsWidget"_s);
        form->setVisible(false);
        QObject::connect(toggle, &QToolButton::toggled, form, [toggle, form](bool on) {
            toggle->setArrowType(on ? Qt::DownArrow : Qt::RightArrow);
            form->setVisible(on);
        });
        pageLayout()->addStretch(1);
    }
};

/// Where the source server is.
class ConnectionPage : public FormPage
{
public:
    explicit ConnectionPage(TaskWizard *wizard)
        : FormPage(wizard, TaskWizard::tr("Connection"),
                   TaskWizard::tr("The connection information of the source database, or the "
                                  "file to read."))
    {
        addForm({u"source.protocol"_s, u"source.host"_s, u"source.port"_s, u"source.tls.verify"_s,
                 u"source.tls.caFile"_s, u"source.path"_s});
        pageLayout()->addStretch(1);
    }
};

} // namespace

TaskWizard::TaskWizard(const TaskProfile &profile, QWidget *parent)
    : QWizard(parent), m_profile(profile), m_showAllErrors(!profile.name.isEmpty())
{
    setObjectName(u"taskWizard"_s);
    setWindowTitle(profile.name.isEmpty() ? tr("Add Data Source")
                                          : tr("Edit Data Source — %1").arg(profile.name));
    setWizardStyle(QWizard::ModernStyle);
    setOption(QWizard::NoBackButtonOnStartPage, true);
    setButtonText(QWizard::FinishButton, tr("Submit"));
    setPage(BasicPage, new tsm::BasicPage(this));
    setPage(ConnectionPage, new class ConnectionPage(this));
    setPage(AuthenticationPage, new tsm::AuthenticationPage(this));
    setPage(TaskPage, new tsm::TaskPage(this));
    setPage(AdvancedPage, new class AdvancedPage(this));
    setPage(SummaryPage, new tsm::SummaryPage(this));
    button(QWizard::NextButton)->setObjectName(u"nextButton"_s);
    button(QWizard::BackButton)->setObjectName(u"backButton"_s);
    button(QWizard::FinishButton)->setObjectName(u"submitButton"_s);
    button(QWizard::CancelButton)->setObjectName(u"cancelButton"_s);
    // 760 x 640, or less on a small screen (the pages scroll).
    QSize size(760, 640);
    if (const QScreen *shown = screen())
        size = size.boundedTo(shown->availableGeometry().size() * 0.95);
    resize(size);
    // Escape cancels any dialog; Ctrl+W as well, as it closes the monitor. Cancel and these
    // keys ask first when something was filled in.
    connect(addCloseKeys(this), &QShortcut::activated, this, &TaskWizard::cancelAsked);
    QAbstractButton *cancel = button(QWizard::CancelButton);
    disconnect(cancel, nullptr, this, nullptr);
    connect(cancel, &QAbstractButton::clicked, this, &TaskWizard::cancelAsked);
    m_initialJson = ProfileJson::toJson(m_profile, true);
    refresh();
}

std::function<bool(QWidget *)> &TaskWizard::confirmDiscard()
{
    static std::function<bool(QWidget *)> ask = [](QWidget *parent) {
        return QMessageBox::question(parent, tr("Discard Changes"),
                                     tr("Discard what you filled in for this task?"),
                                     QMessageBox::Discard | QMessageBox::Cancel,
                                     QMessageBox::Cancel) == QMessageBox::Discard;
    };
    return ask;
}

void TaskWizard::keyPressEvent(QKeyEvent *event)
{
    // QDialog rejects on Escape by itself, which would skip the question.
    if (event->key() == Qt::Key_Escape && event->modifiers() == Qt::NoModifier) {
        cancelAsked();
        return;
    }
    QWizard::keyPressEvent(event);
}

void TaskWizard::closeEvent(QCloseEvent *event)
{
    // The window's close button, as the user's Cancel.
    if (event->spontaneous() && ProfileJson::toJson(m_profile, true) != m_initialJson &&
        !confirmDiscard()(this)) {
        event->ignore();
        return;
    }
    QWizard::closeEvent(event);
}

void TaskWizard::cancelAsked()
{
    if (ProfileJson::toJson(m_profile, true) != m_initialJson && !confirmDiscard()(this))
        return;
    reject();
}

void TaskWizard::registerForm(OptionForm *form)
{
    m_forms.append(form);
    form->load(m_profile);
}

void TaskWizard::optionEdited(OptionForm *form, const QString &key)
{
    if (OptionEditor *editor = form->editor(key))
        editor->store(m_profile);
    m_touched.insert(key);
    refresh();
}

void TaskWizard::setProfileOption(const QString &key, const QVariant &value)
{
    if (const OptionSpec *spec = findOption(key))
        spec->set(m_profile, value);
    m_touched.insert(key);
    refresh();
}

bool TaskWizard::showsErrorsOf(const QString &key) const
{
    return m_showAllErrors || m_touched.contains(key);
}

QList<FieldError> TaskWizard::errorsFor(const QStringList &keys) const
{
    QList<FieldError> errors;
    for (const FieldError &e : validateProfile(m_profile))
        if (keys.contains(e.key))
            errors.append(e);
    if (keys.contains(u"name"_s) && m_takenNames.contains(m_profile.name.trimmed()))
        errors.append({u"name"_s, tr("A task named \"%1\" exists: choose another name")
                                      .arg(m_profile.name.trimmed())});
    return errors;
}

void TaskWizard::setTakenNames(const QStringList &names)
{
    m_takenNames = names;
    refresh();
}

void TaskWizard::setNotice(const QString &text)
{
    if (auto *first = qobject_cast<FormPage *>(page(BasicPage)))
        first->setNotice(text);
}

void TaskWizard::refresh()
{
    // A change can move other values (a new type moves the default port) and show or hide rows.
    for (OptionForm *form : std::as_const(m_forms))
        form->load(m_profile);
    for (int id : pageIds())
        if (auto *formPage = qobject_cast<FormPage *>(page(id)))
            formPage->refresh();
    Q_EMIT profileChanged();
}

void TaskWizard::setSecretsStorage(const QString &note, bool storeInProfile)
{
    m_secretsNote = note;
    m_storeSecretsInProfile = storeInProfile;
}

} // namespace tsm
