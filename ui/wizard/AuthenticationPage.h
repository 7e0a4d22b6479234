#pragma once

#include "wizard/FormPage.h"

class QLabel;
class QPushButton;
class QTabWidget;

namespace tsm {

/**
 * Authentication with the form's two tabs, 1.x version (user, password) and 2.x version
 * (organization ID, token, add database retention policy), and Check connection, which runs off
 * the UI thread and reports the server's version or the reason for the failure.
 */
class AuthenticationPage : public FormPage
{
    Q_OBJECT

public:
    explicit AuthenticationPage(TaskWizard *wizard);
    void refresh() override;

private:
    void checkConnection();

    QTabWidget *m_tabs;
    QPushButton *m_checkButton;
    QLabel *m_status;
};

} // namespace tsm
