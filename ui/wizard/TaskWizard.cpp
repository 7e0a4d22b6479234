#include "wizard/TaskWizard.h"

#include "CloseKeys.h"
#include "forms/OptionForm.h"
#include "run/RunRange.h"
#include "wizard/AuthenticationPage.h"
#include "wizard/BasicPage.h"
#include "wizard/FormPage.h"
#include "wizard/SummaryPage.h"
#include "wizard/TaskPage.h"

#include <Kinds.h>
#include <ProfileJson.h>
#include <QMessageBox>
#include <QAbstractButton>
#include <QCloseEvent>
#include <QKeyEvent>
#include <QLineEdit>
#include <QScreen>
#include <QShortcut>
#include <QTimeZone>
#include <QVBoxLayout>
#include <TaskOptions.h>
#include <TimeText.h>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

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
    // Submit and Start saves the task and starts it at once, as the cloud form's Add does.
    setOption(QWizard::HaveCustomButton1, true);
    setButtonText(QWizard::CustomButton1, tr("Submit and &Start"));
    button(QWizard::CustomButton1)->setObjectName(u"submitAndStartButton"_s);
    button(QWizard::CustomButton1)->setToolTip(tr("Save the task and start it now"));
    connect(this, &QWizard::customButtonClicked, this, [this](int which) {
        if (which != QWizard::CustomButton1)
            return;
        m_startAfterSubmit = true;
        button(QWizard::FinishButton)->click();
        m_startAfterSubmit = result() == QDialog::Accepted;
    });
    connect(this, &QWizard::currentIdChanged, this, &TaskWizard::showButtonsOf);
    connect(this, &QWizard::currentIdChanged, this, &TaskWizard::focusFirstField);
    setPage(BasicPage, new tsm::BasicPage(this));
    setPage(ConnectionPage, new class ConnectionPage(this));
    setPage(AuthenticationPage, new tsm::AuthenticationPage(this));
    setPage(TaskPage, new tsm::TaskPage(this));
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
    // A new task's times are read in the zone of this computer unless the user picks another.
    if (profile.name.isEmpty() && profile.task.start.isEmpty() &&
        profile.task.timeZone == findOption(u"task.timeZone"_s)->defaultValue.toString())
        m_profile.task.timeZone = QString::fromUtf8(QTimeZone::systemTimeZoneId());
    if (!profile.name.isEmpty())
        hintSecretsNotKept();
    m_initialJson = ProfileJson::toJson(m_profile, true);
    refresh();
    showButtonsOf(currentId());
}

void TaskWizard::hintSecretsNotKept()
{
    // A task brought back (edit, duplicate, import) comes without the passwords and tokens that
    // were neither in the keychain nor in the task store: an empty one says so.
    for (OptionForm *form : std::as_const(m_forms))
        for (const QString &key : form->keys()) {
            const OptionEditor *editor = form->editor(key);
            if (!editor || editor->spec().kind != OptionKind::Secret ||
                !editor->spec().get(m_profile).toString().isEmpty())
                continue;
            if (auto *edit = qobject_cast<QLineEdit *>(editor->widget()))
                edit->setPlaceholderText(tr("Not kept with the task: enter it again if it has one"));
        }
}

void TaskWizard::focusFirstField()
{
    // Next (or Enter) leaves the focus on the page gone: the new page's first field takes it,
    // so that the keyboard goes on where the eyes do.
    QWidget *page = currentPage();
    if (!page || (focusWidget() && page->isAncestorOf(focusWidget()) &&
                  focusWidget()->isVisibleTo(page)))
        return;
    for (QWidget *w = page->nextInFocusChain(); w && w != page && page->isAncestorOf(w);
         w = w->nextInFocusChain())
        if ((w->focusPolicy() & Qt::TabFocus) && w->isEnabled() && w->isVisibleTo(page)) {
            w->setFocus(Qt::TabFocusReason);
            return;
        }
}

int TaskWizard::nextId() const
{
    // A file has no authentication: the connection page leads to the task.
    const SourceKind *kind = kinds::source(m_profile.source);
    if (currentId() == ConnectionPage && kind && kind->auth == AuthStyle::None)
        return TaskPage;
    return QWizard::nextId();
}

void TaskWizard::showButtonsOf(int id)
{
    QList<WizardButton> layout = {QWizard::Stretch, QWizard::BackButton, QWizard::NextButton};
    if (id == SummaryPage)
        layout.append(QWizard::CustomButton1);
    layout += {QWizard::FinishButton, QWizard::CancelButton};
    setButtonLayout(layout);
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

void TaskWizard::setStoredTask(const TaskRecord &record, const UnitTotals &totals)
{
    m_stored = qMakePair(record, totals);
}

QString TaskWizard::nextStartText() const
{
    if (!m_stored)
        return {};
    return tsm::nextStartText(m_profile.task, m_stored->first, m_stored->second,
                              kinds::is(m_profile.source, SourceId::LpFile), TimeText::nowNs());
}

void TaskWizard::refresh()
{
    // A file is read once: history is its only mode (the field is not shown for it).
    if (const SourceKind *kind = kinds::source(m_profile.source);
        kind && !kind->canFollow && kinds::follows(m_profile.task.mode))
        m_profile.task.mode = kinds::modeName(TaskMode::History);
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
