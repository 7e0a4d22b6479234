#pragma once

#include "wizard/FormPage.h"

class QLabel;
class QPushButton;

namespace tsm {

/** Basic information: task name, source type, and the target with Create database. */
class BasicPage : public FormPage
{
    Q_OBJECT

public:
    explicit BasicPage(TaskWizard *wizard);

private:
    void createDatabase();

    QPushButton *m_createButton;
    QLabel *m_createStatus;
};

} // namespace tsm
