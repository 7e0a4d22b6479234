#include "wizard/AuthenticationPage.h"

#include "BackgroundCall.h"
#include "connectors/Connectors.h"
#include "core/Error.h"
#include "forms/OptionForm.h"
#include "wizard/TaskWizard.h"

#include <Kinds.h>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTabWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

struct CheckResult
{
    bool ok = false;
    QString text;
    QString version; ///< as the Version field takes it
};

/// The version a check found, as the Version field offers it: an edition the server names
/// ("Core", "Cloud"), or the version number it reports.
QString detectedVersion(const ConnectionInfo &info, const QStringList &offered)
{
    const QString said = info.product + u' ' + info.detail;
    for (const QString &edition : offered)
        if (!edition.front().isDigit() && said.contains(edition, Qt::CaseInsensitive))
            return edition;
    return info.version;
}

} // namespace

AuthenticationPage::AuthenticationPage(TaskWizard *wizard)
    : FormPage(wizard, tr("Authentication"),
               tr("Different versions of InfluxDB need different authentication; choose the tab "
                  "of your server."))
{
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(u"authTabWidget"_s);
    pageLayout()->insertWidget(pageLayout()->count() - 1, m_tabs);

    // One tab per API family of the source type (InfluxDB: 1.x, 2.x, 3), or one named for a
    // type with a single API. Both forms live in one box that moves to the current tab; each
    // shows the rows that apply to the chosen API, and FormPage still validates and fills them.
    m_authBox = new QWidget(this);
    auto *box = new QVBoxLayout(m_authBox);
    box->setContentsMargins(0, 0, 0, 0);
    // The version first: each tab offers the versions of its API.
    box->addWidget(addForm({u"source.auth.version"_s, u"source.auth.user"_s,
                            u"source.auth.password"_s, u"source.auth.orgId"_s,
                            u"source.auth.token"_s, u"source.auth.addDbrp"_s}));
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        placeAuthBox();
        // A check's answer speaks of the API it checked: another tab starts without one, and
        // an answer still on its way is dropped.
        ++m_checkGeneration;
        m_checkButton->setEnabled(true);
        m_status->clear();
        if (const QString api = m_tabApis.value(index); !api.isEmpty())
            taskWizard()->setProfileOption(u"source.auth.apiVersion"_s, api);
    });

    auto *row = new QHBoxLayout;
    m_checkButton = new QPushButton(tr("Check Connection"), this);
    m_checkButton->setObjectName(u"checkConnectionButton"_s);
    m_status = new QLabel(this);
    m_status->setObjectName(u"connectionStatusLabel"_s);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    row->addWidget(m_checkButton);
    row->addWidget(m_status, 1);
    pageLayout()->insertLayout(pageLayout()->count() - 1, row);
    pageLayout()->addStretch(1);
    connect(m_checkButton, &QPushButton::clicked, this, &AuthenticationPage::checkConnection);
}

void AuthenticationPage::refresh()
{
    const TaskProfile p = taskWizard()->profile();
    const SourceKind *kind = kinds::source(p.source);
    QStringList apis = kinds::apisOf(p.source.type);
    if (apis.isEmpty() && kind && kind->auth != AuthStyle::None)
        apis.append(QString()); // one tab, named for the type
    if (apis != m_tabApis || (!apis.isEmpty() && m_tabs->count() == 0))
        rebuildTabs(p.source.type, apis);
    m_tabs->setVisible(!m_tabApis.isEmpty());
    const bool families = m_tabApis.size() > 1;
    setSubTitle(families ? tr("Different versions of InfluxDB need different authentication; "
                              "choose the tab of your server.")
                : !m_tabApis.isEmpty()
                    ? tr("The %1 user; left empty, TDengine's default user root with its default "
                         "password is used.")
                          .arg(kind->label)
                    : tr("A line-protocol file needs no authentication."));
    const int wanted = std::max(0, int(m_tabApis.indexOf(p.source.apiVersion)));
    if (!m_tabApis.isEmpty() && m_tabs->currentIndex() != wanted) {
        const QSignalBlocker blocker(m_tabs);
        m_tabs->setCurrentIndex(wanted);
    }
    placeAuthBox();
    FormPage::refresh();
}

void AuthenticationPage::rebuildTabs(const QString &sourceType, const QStringList &apis)
{
    const QSignalBlocker blocker(m_tabs);
    m_authBox->setParent(this); // out of the tab page that goes
    m_authBox->hide();
    while (m_tabs->count() > 0) {
        QWidget *page = m_tabs->widget(0);
        m_tabs->removeTab(0);
        delete page;
    }
    m_tabApis = apis;
    for (const QString &api : apis) {
        SourceSettings settings;
        settings.type = sourceType;
        settings.apiVersion = api;
        const SourceKind *kind = kinds::source(settings);
        auto *page = new QWidget(m_tabs);
        auto *layout = new QVBoxLayout(page);
        layout->setContentsMargins(0, 0, 0, 0);
        m_tabs->addTab(page, kind ? kind->authTab : api);
    }
}

void AuthenticationPage::placeAuthBox()
{
    QWidget *page = m_tabs->currentWidget();
    if (!page || m_authBox->parentWidget() == page)
        return;
    page->layout()->addWidget(m_authBox);
    m_authBox->show();
}

void AuthenticationPage::checkConnection()
{
    const TaskProfile profile = taskWizard()->profile();
    const SourceKind *kind = kinds::source(profile.source);
    const QStringList offered = kind ? kind->versions : QStringList();
    const int generation = ++m_checkGeneration;
    m_checkButton->setEnabled(false);
    m_status->setStyleSheet(QString());
    m_status->setText(tr("Checking %1:%2…").arg(profile.source.host).arg(profile.source.port));
    runInBackground<CheckResult>(
        this,
        [profile, offered]() -> CheckResult {
            try {
                CancelToken cancel;
                const ConnectionInfo info =
                    Connectors::createSource(profile)->checkConnection(cancel);
                return {true,
                        QObject::tr("Connected: %1 %2 (%3)")
                            .arg(info.product, info.version, info.detail),
                        detectedVersion(info, offered)};
            } catch (const Error &error) {
                return {false, QObject::tr("Failed: %1").arg(error.message()), QString()};
            }
        },
        [this, generation](const CheckResult &result) {
            if (generation != m_checkGeneration)
                return;
            m_checkButton->setEnabled(true);
            m_status->setText(result.text);
            m_status->setStyleSheet(result.ok ? u"color: #1b6e20;"_s : u"color: #b3261e;"_s);
            // The Version field shows what the server is.
            if (result.ok && !result.version.isEmpty() &&
                findOption(u"source.auth.version"_s)->appliesTo(taskWizard()->profile()))
                taskWizard()->setProfileOption(u"source.auth.version"_s, result.version);
        });
}

} // namespace tsm
