#pragma once

#include "wizard/FormPage.h"

#include <QStringList>

class QLabel;
class QPushButton;
class QTabWidget;

namespace tsm {

/**
 * Authentication with a tab per API family of the source: for InfluxDB the form's 1.x version
 * (user, password) and 2.x version (organization ID, token, add database retention policy) and
 * the 3.x version (token); for TDengine 2.x one tab with its user. Check connection runs off the
 * UI thread and reports the server's version or the reason for the failure.
 */
class AuthenticationPage : public FormPage
{
    Q_OBJECT

public:
    explicit AuthenticationPage(TaskWizard *wizard);
    void refresh() override;

private:
    void checkConnection();
    void rebuildTabs(const QString &sourceType, const QStringList &apis);
    /// Moves the box of authentication fields into the current tab.
    void placeAuthBox();

    QTabWidget *m_tabs;
    QWidget *m_authBox;
    QStringList m_tabApis; ///< the API family of each tab; one empty entry for a single API
    QPushButton *m_checkButton = nullptr;
    QLabel *m_status = nullptr;
    int m_checkGeneration = 0; ///< the newest Check connection; older answers are dropped
};

} // namespace tsm
