// The ledger of a task that follows new data: an interrupted cycle is dropped from the
// watermark on, done units below it are merged per measurement with exact totals, and the phase
// a task is in reads back from the store.
#include "support/TestRecords.h"

#include <CheckpointStore.h>
#include <ProfileJson.h>
#include <QTemporaryDir>
#include <QtTest>
#include <TaskPhase.h>
#include <TaskProfile.h>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::test;

/** Ledger operations of the follow phase. */
class TestRealtimeLedger : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    CheckpointStore m_store;
    qint64 m_task = 0;

    /// Marks every unit done with `written` points and `rejected` rejects each.
    void finishAll(qint64 written, qint64 rejected)
    {
        QList<UnitUpdate> updates;
        for (const UnitRecord &u : m_store.unfinishedUnits(m_task)) {
            UnitUpdate update;
            update.unitId = u.id;
            update.status = UnitStatus::Done;
            update.attemptsDelta = 1;
            update.pointsRead = written + rejected;
            update.pointsWritten = written;
            update.pointsRejected = rejected;
            updates.append(update);
        }
        QVERIFY(m_store.updateUnits(updates));
    }

private Q_SLOTS:
    void init()
    {
        m_store.close();
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_store.open(m_dir.filePath(
                     u"%1.sqlite"_s.arg(QString::fromLatin1(QTest::currentTestFunction())))),
                 qPrintable(m_store.lastError()));
        TaskProfile profile = TaskProfile::withDefaults();
        profile.name = u"t"_s;
        profile.task.mode = u"both"_s;
        const auto id = m_store.saveTask(u"t"_s, ProfileJson::toJson(profile, false));
        QVERIFY(id);
        m_task = *id;
    }

    void mergeKeepsOneDoneUnitPerMeasurementWithExactTotals()
    {
        // History [0, 100): two units that must stay as they are.
        QCOMPARE(m_store.addUnits(m_task, {unit(u"a"_s, 0, 50), unit(u"a"_s, 50, 100)}), 2);
        finishAll(10, 0);
        // Three follow cycles from 100, two measurements, one with a second context.
        for (qint64 cycle = 0; cycle < 3; ++cycle) {
            const qint64 from = 100 + cycle * 10;
            QCOMPARE(m_store.addUnits(m_task, {unit(u"a"_s, from + 1, from + 9),
                                               unit(u"b"_s, from, from + 10),
                                               unit(u"b"_s, from + 2, from + 5, u"x"_s)}),
                     3);
            finishAll(7, 1);
            QVERIFY2(m_store.mergeDoneUnits(m_task, 100, from + 10),
                     qPrintable(m_store.lastError()));
        }
        // A pending unit of the next cycle is left alone, and so is a done one past `toNs`.
        QCOMPARE(m_store.addUnits(m_task, {unit(u"a"_s, 131, 139), unit(u"b"_s, 130, 140)}), 2);
        QVERIFY(m_store.mergeDoneUnits(m_task, 100, 130));

        const QList<UnitRecord> units = m_store.units(m_task);
        QCOMPARE(units.size(), 2 + 3 + 2);
        auto find = [&](const QString &m, const QString &context, qint64 start) {
            for (const UnitRecord &u : units)
                if (u.measurement == m && u.context == context && u.rangeStart == start)
                    return u;
            return UnitRecord();
        };
        QCOMPARE(find(u"a"_s, {}, 0).rangeEnd, 50);
        QCOMPARE(find(u"a"_s, {}, 50).pointsWritten, 10);
        const UnitRecord a = find(u"a"_s, {}, 101);
        QCOMPARE(a.rangeEnd, 129);
        QCOMPARE(a.status, UnitStatus::Done);
        QCOMPARE(a.pointsWritten, 21);
        QCOMPARE(a.pointsRejected, 3);
        QCOMPARE(a.pointsRead, 24);
        QCOMPARE(a.attempts, 3);
        QCOMPARE(find(u"b"_s, {}, 100).rangeEnd, 130);
        QCOMPARE(find(u"b"_s, u"x"_s, 102).rangeEnd, 125);
        QCOMPARE(find(u"b"_s, {}, 130).status, UnitStatus::Pending);

        const UnitTotals totals = m_store.unitTotals(m_task);
        QCOMPARE(totals.pointsWritten, 2 * 10 + 9 * 7);
        QCOMPARE(totals.pointsRejected, 9);
        QCOMPARE(totals.pending, 2);
    }

    void deleteFromDropsAnInterruptedCycle()
    {
        QCOMPARE(m_store.addUnits(m_task, {unit(u"a"_s, 0, 100), unit(u"a"_s, 100, 110),
                                           unit(u"b"_s, 105, 110), unit(u"b"_s, 99, 101)}),
                 4);
        finishAll(1, 0);
        QCOMPARE(m_store.deleteUnitsFrom(m_task, 100), 2);
        QList<qint64> starts;
        for (const UnitRecord &u : m_store.units(m_task))
            starts.append(u.rangeStart);
        QCOMPARE(starts, (QList<qint64>{0, 99}));
        // Planned again: the same starts are new units, not ignored as known ones.
        QCOMPARE(m_store.addUnits(m_task, {unit(u"a"_s, 100, 120), unit(u"b"_s, 105, 120)}), 2);
        QCOMPARE(m_store.unfinishedUnits(m_task).size(), 2);
    }

    void phaseReadsFromTheStore()
    {
        TaskRecord task = *m_store.task(m_task);
        QCOMPARE(TaskPhase::describe(task, m_store.unitTotals(m_task), 0), QString());
        QVERIFY(m_store.addUnits(m_task, {unit(u"a"_s, 0, 50), unit(u"a"_s, 50, 100)}));
        QVERIFY(m_store.setPlan(m_task, true, 0, 100));
        QVERIFY(m_store.updateUnits({UnitUpdate{
            m_store.units(m_task).at(0).id, UnitStatus::Done, 1, 5, 5, 0, std::nullopt, {}}}));
        QVERIFY(m_store.setTaskState(m_task, TaskState::Running));
        task = *m_store.task(m_task);
        QCOMPARE(TaskPhase::describe(task, m_store.unitTotals(m_task), 0), u"history 50.0%"_s);

        finishAll(5, 0);
        const qint64 watermark = 1700000000000000000LL;
        QVERIFY(m_store.setWatermark(m_task, watermark));
        task = *m_store.task(m_task);
        QCOMPARE(TaskPhase::describe(task, m_store.unitTotals(m_task), watermark + 3500000000LL),
                 u"following, lag 3 s"_s);
        QVERIFY(m_store.setTaskState(m_task, TaskState::Stopped));
        task = *m_store.task(m_task);
        QCOMPARE(TaskPhase::describe(task, m_store.unitTotals(m_task), watermark),
                 u"following, up to 2023-11-14T22:13:20Z"_s);
    }
};

QTEST_GUILESS_MAIN(TestRealtimeLedger)
#include "test_realtime_ledger.moc"
