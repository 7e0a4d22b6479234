#include "wizard/AuthenticationPage.h"

#include "BackgroundCall.h"
#include "core/Endpoints.h"
#include "core/Error.h"
#include "forms/OptionForm.h"
#include "wizard/TaskWizard.h"

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
};

} // namespace

AuthenticationPage::AuthenticationPage(TaskWizard *wizard)
    : FormPage(wizard, tr("Authentication"),
               tr("Different versions of InfluxDB need different authentication; choose the tab "
                  "of your server."))
{
    addForm({u"source.auth.version"_s});
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(u"authTabWidget"_s);
    pageLayout()->insertWidget(pageLayout()->count() - 1, m_tabs);

    // The forms live in the tabs; FormPage still validates and fills them.
    OptionForm *v1 = addForm({u"source.auth.user"_s, u"source.auth.password"_s});
    OptionForm *v2 =
        addForm({u"source.auth.orgId"_s, u"source.auth.token"_s, u"source.auth.addDbrp"_s});
    m_tabs->addTab(v1, tr("1.x version"));
    m_tabs->addTab(v2, tr("2.x version"));
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        taskWizard()->setProfileOption(u"source.auth.apiVersion"_s,
                                       index == 1 ? u"2.x"_s : u"1.x"_s);
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
    const bool influx = p.source.type == u"influxdb";
    const bool tdengine2 = p.source.type == u"tdengine2";
    // TDengine 2.x has a user and a password only: the first tab, named for it.
    m_tabs->setVisible(influx || tdengine2);
    m_tabs->setTabVisible(1, influx);
    m_tabs->setTabText(0, tdengine2 ? tr("TDengine 2.x") : tr("1.x version"));
    setSubTitle(influx      ? tr("Different versions of InfluxDB need different authentication; "
                                      "choose the tab of your server.")
                : tdengine2 ? tr("The TDengine 2.x user; left empty, TDengine's default user "
                                 "root with its default password is used.")
                            : tr("A line-protocol file needs no authentication."));
    const int wanted = influx && p.source.apiVersion == u"2.x" ? 1 : 0;
    if (m_tabs->currentIndex() != wanted) {
        const QSignalBlocker blocker(m_tabs);
        m_tabs->setCurrentIndex(wanted);
    }
    FormPage::refresh();
}

void AuthenticationPage::checkConnection()
{
    const TaskProfile profile = taskWizard()->profile();
    m_checkButton->setEnabled(false);
    m_status->setStyleSheet(QString());
    m_status->setText(tr("Checking %1:%2…").arg(profile.source.host).arg(profile.source.port));
    runInBackground<CheckResult>(
        this,
        [profile]() -> CheckResult {
            try {
                CancelToken cancel;
                const ConnectionInfo info =
                    Endpoints::createSource(profile)->checkConnection(cancel);
                return {true, QObject::tr("Connected: %1 %2 (%3)")
                                  .arg(info.product, info.version, info.detail)};
            } catch (const Error &error) {
                return {false, QObject::tr("Failed: %1").arg(error.message())};
            }
        },
        [this](const CheckResult &result) {
            m_checkButton->setEnabled(true);
            m_status->setText(result.text);
            m_status->setStyleSheet(result.ok ? u"color: #1b6e20;"_s : u"color: #b3261e;"_s);
        });
}

} // namespace tsm
