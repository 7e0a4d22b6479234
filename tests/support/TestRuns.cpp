#include "support/TestRuns.h"

#include <QTest>

namespace tsm::test {

void runVerified(const TaskProfile &profile, const QString &statePath, RunOutcome *outcome)
{
    Runner runner(profile, statePath);
    runner.run();
    if (outcome)
        *outcome = runner.outcome();
    QVERIFY2(runner.outcome().status == RunOutcome::Status::Completed,
             qPrintable(runner.outcome().message));
    QVERIFY(runner.outcome().windowsVerified > 0);
    QCOMPARE(runner.outcome().windowsDiffering, 0);
}

} // namespace tsm::test
