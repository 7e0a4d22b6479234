#include "wizard/BasicPage.h"

#include "BackgroundCall.h"
#include "connectors/Connectors.h"
#include "core/Error.h"
#include "wizard/TaskWizard.h"

#include <Kinds.h>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace tsm {

BasicPage::BasicPage(TaskWizard *wizard)
    : FormPage(wizard, tr("Basic Information"),
               tr("Name the task, choose where the data comes from and where it goes."))
{
    addForm({u"name"_s, u"source.type"_s});
    addForm({u"target.type"_s, u"target.database"_s, u"target.createDatabase"_s,
             u"target.protocol"_s, u"target.host"_s, u"target.port"_s, u"target.tls.verify"_s,
             u"target.tls.caFile"_s, u"target.auth.user"_s, u"target.auth.password"_s,
             u"target.auth.orgId"_s, u"target.auth.token"_s, u"target.path"_s,
             u"target.compress"_s},
            tr("Target"), u"targetGroupBox"_s);

    auto *row = new QHBoxLayout;
    m_createButton = new QPushButton(tr("Create Database…"), this);
    m_createButton->setObjectName(u"createDatabaseButton"_s);
    m_createButton->setToolTip(
        tr("Create the target database now (TDengine: with nanosecond precision). An existing "
           "database of another precision is refused with the reason."));
    m_createStatus = new QLabel(this);
    m_createStatus->setObjectName(u"createDatabaseStatusLabel"_s);
    m_createStatus->setWordWrap(true);
    row->addWidget(m_createButton);
    row->addWidget(m_createStatus, 1);
    pageLayout()->insertLayout(pageLayout()->count() - 1, row);
    pageLayout()->addStretch(1);
    connect(m_createButton, &QPushButton::clicked, this, &BasicPage::createDatabase);
    connect(wizard, &TaskWizard::profileChanged, this, [this] {
        const TaskProfile p = taskWizard()->profile();
        const TargetKind *kind = kinds::target(p.target);
        m_createButton->setVisible(!kind || !kind->isFile());
        m_createButton->setEnabled(!p.target.database.isEmpty());
    });
}

void BasicPage::createDatabase()
{
    TaskProfile profile = taskWizard()->profile();
    profile.target.createDatabase = true;
    m_createButton->setEnabled(false);
    m_createStatus->setText(tr("Creating database \"%1\"…").arg(profile.target.database));
    runInBackground<QString>(
        this,
        [profile]() -> QString {
            try {
                CancelToken cancel;
                Connectors::createSink(profile)->prepare(cancel);
                return QString();
            } catch (const Error &error) {
                return error.message();
            }
        },
        [this, database = profile.target.database](const QString &error) {
            m_createButton->setEnabled(true);
            m_createStatus->setText(error.isEmpty() ? tr("Database \"%1\" is ready.").arg(database)
                                                    : tr("Not created: %1").arg(error));
            m_createStatus->setStyleSheet(error.isEmpty() ? u"color: #1b6e20;"_s
                                                          : u"color: #b3261e;"_s);
        });
}

} // namespace tsm
