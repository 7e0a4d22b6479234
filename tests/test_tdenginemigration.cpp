// End to end through tsmigrate-cli: a real influxd 1.x → the TDengine 3 emulator. The rows the
// emulator stored, plus the points in the rejects file, must equal the source value by value
// and type by type (read independently with InfluxDump, shard group by shard group); database
// creation and refusal, KEEP, authentication, retries and errors hidden in HTTP 200 are checked
// the way a user meets them: exit codes and messages.
#include "emulators/TDengine3Emulator.h"
#include "lp/LineParser.h"
#include "run/Runner.h"
#include "sinks/TDengineSink.h"
#include "support/FaultProxy.h"
#include "support/InfluxDump.h"
#include "support/InfluxdFixture.h"
#include "support/TestCli.h"
#include "support/TestHttpServer.h"
#include "support/TestProfiles.h"
#include "support/TestTime.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>
#include <TimeText.h>
#include <algorithm>
#include <csignal>

using namespace Qt::StringLiterals;
using namespace tsm;
using namespace tsm::test;

namespace {

/// Sixty days ago, with every nanosecond digit in use: inside TDengine's default KEEP, and two
/// weeks later still in the past.
qint64 baseTime()
{
    static const qint64 base = (TimeText::nowNs() - 60 * kDay) / kSecond * kSecond + 123456789;
    return base;
}

/// Every way a migration to TDengine can lose or alter a value.
QByteArray tortureData()
{
    QByteArray lp;
    auto line = [&lp](const QByteArray &text) { lp += text + '\n'; };
    auto t = [](qint64 offsetNs) { return QByteArray::number(baseTime() + offsetNs); };
    // Every field type InfluxDB 1.x has; series with different tag sets; sparse rows.
    line("cpu,host=a,region=eu usage=12.5,count=3i,note=\"ok\",up=true " + t(0));
    line("cpu,host=a,region=eu usage=13 " + t(kSecond)); // a float that looks whole
    line("cpu,host=b usage=-0.25,count=-9223372036854775807i " + t(0));
    line("cpu,host=b note=\"only a string\" " + t(2 * kSecond));
    line("cpu,host=c,region=us,rack=7 up=false,count=9223372036854775807i " + t(3 * kSecond));
    line("cpu,host=a,region=eu usage=1e-300,count=0i " + t(4 * kSecond));
    // Escaping and unicode in names and values.
    line("weird\\ name\\,with\\ comma,tag\\ key\\=1=va\\ lue\\,\\=x "
         "field\\ \\\"quoted\\\"=\"say \\\"hi\\\" C:\\\\path\\\\\",emoji=\"🌡️ 温度\" " +
         t(0));
    line("weird\\ name\\,with\\ comma,tag\\ key\\=1=plain trailing=\"ends with backslash\\\\\" " +
         t(5 * kSecond));
    // A newline inside a string: TDengine's endpoint cuts lines at every newline → rejected.
    line("weird\\ name\\,with\\ comma,tag\\ key\\=1=plain multi=\"line one\nline two\" " +
         t(6 * kSecond));
    line("温度,城市=北京 值=21.5,描述=\"晴\" " + t(0));
    line("select,from=where group=1i,order=\"by\" " + t(0)); // SQL keywords as names
    // '.' in a measurement: super table sensor_room.
    line("sensor.room,id=1 temp=20.5 " + t(0));
    // A tag and a field with the same key: one namespace in TDengine → rejected.
    line("dup,x=tagval x=1.5 " + t(0));
    // A tag too large for TDengine's NCHAR tags (16 KB in total, 4 bytes a character).
    line("big,id=" + QByteArray(4200, 'x') + " v=1i " + t(0));
    // A field with two types in two shard groups (two weeks apart).
    line("conflict y=1.5,z=\"text\" " + t(0));
    line("conflict y=2i,z=3.5 " + t(2 * kWeek));
    line("conflict y=3i " + t(2 * kWeek + kSecond));
    // 19-digit timestamps one nanosecond apart.
    line("nanos v=1i " + t(7 * kSecond));
    line("nanos v=2i " + t(7 * kSecond + 1));
    return lp;
}

QString typeOf(FieldType type)
{
    return type == FieldType::Float      ? u"float"_s
           : type == FieldType::Integer  ? u"integer"_s
           : type == FieldType::Unsigned ? u"unsigned"_s
           : type == FieldType::String   ? u"string"_s
                                         : u"boolean"_s;
}

/// One value in InfluxDump's format: "measurement|tags|time|field|type|value".
QString dumpLine(const QString &measurement, QMap<QString, QString> tags, qint64 time,
                 const QString &key, const lp::Field &field)
{
    QStringList tagPairs;
    for (auto it = tags.begin(); it != tags.end(); ++it)
        tagPairs.append(it.key() + u'=' + it.value());
    tagPairs.sort();
    QString value;
    switch (field.type) {
    case FieldType::Float:
        value = QString::number(field.f, 'g', 17);
        break;
    case FieldType::Integer:
        value = QString::number(field.i);
        break;
    case FieldType::Unsigned:
        value = QString::number(field.u);
        break;
    case FieldType::String:
        value = QString::fromLatin1(QByteArray::fromStdString(field.s).toPercentEncoding(" "));
        break;
    case FieldType::Boolean:
        value = field.b ? u"true"_s : u"false"_s;
        break;
    }
    return u"%1|%2|%3|%4|%5|%6"_s.arg(measurement, tagPairs.join(u','), QString::number(time), key,
                                      typeOf(field.type), value);
}

/// What the emulator stored in `database`, in InfluxDump's format (super table names).
QStringList emulatorDump(const TDengine3Emulator &td, const QString &database)
{
    QStringList lines;
    for (const QString &stable : td.stables(database))
        for (const TDengine3Emulator::Row &row : td.rows(database, stable))
            for (auto it = row.values.begin(); it != row.values.end(); ++it)
                lines.append(dumpLine(stable, row.tags, row.ts, it.key(), it.value()));
    lines.sort();
    return lines;
}

struct Rejected
{
    QStringList dump;    ///< values of the rejected points, measurement mapped to super table
    QStringList reasons; ///< one per rejected point
    QList<QByteArray> lines;
};

/// Reads a rejects file: "# <time> unit N: <reason>" then the line as it came.
Rejected readRejects(const QString &path)
{
    Rejected rejected;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return rejected;
    const QByteArray data = file.readAll();
    size_t from = 0;
    QString reason;
    while (from < size_t(data.size())) {
        const size_t end = lp::lineEnd(data.constData(), size_t(data.size()), from);
        const QByteArray line = data.mid(qsizetype(from), qsizetype(end - from));
        from = end + 1;
        if (line.startsWith("# ")) {
            reason = QString::fromUtf8(line.mid(line.indexOf(": ") + 2));
            continue;
        }
        lp::Point point;
        QString why;
        if (!lp::parseLine(std::string_view(line.constData(), size_t(line.size())), point, &why))
            continue;
        rejected.lines.append(line);
        rejected.reasons.append(reason);
        QMap<QString, QString> tags;
        for (const auto &[key, value] : point.tags)
            tags.insert(QString::fromStdString(key), QString::fromStdString(value));
        const QString stable =
            TDengineSink::superTableName(QString::fromStdString(point.measurement));
        for (const lp::Field &field : point.fields)
            rejected.dump.append(
                dumpLine(stable, tags, point.time, QString::fromStdString(field.key), field));
    }
    return rejected;
}

/// The source dump with measurements named as TDengine names super tables.
QStringList asSuperTables(const QStringList &dump)
{
    QStringList mapped;
    for (const QString &line : dump) {
        const qsizetype bar = line.indexOf(u'|');
        mapped.append(TDengineSink::superTableName(line.left(bar)) + line.mid(bar));
    }
    mapped.sort();
    return mapped;
}

/// Stored values under their source names again, by the mapping the README documents for the
/// test data: the tag x of "dup" is x_tag (a field x exists), the values of "conflict" whose type
/// is not the field's first are in <field>_<type>.
QStringList documentedNamesBack(const QStringList &dump)
{
    QStringList mapped;
    for (QString line : dump) {
        line.replace(u"dup|x_tag="_s, u"dup|x="_s);
        line.replace(u"|y_integer|integer|"_s, u"|y|integer|"_s);
        line.replace(u"|z_float|float|"_s, u"|z|float|"_s);
        mapped.append(line);
    }
    mapped.sort();
    return mapped;
}

/// Columns and tags of every super table of `database`, as "stable.name TYPE[ tag]", sorted.
QStringList columnSet(const TDengine3Emulator &td, const QString &database)
{
    QStringList set;
    for (const QString &stable : td.stables(database))
        for (const TDengine3Emulator::Column &column : td.columns(database, stable))
            set.append(u"%1.%2 %3%4"_s.arg(stable, column.name, column.type,
                                         column.tag ? u" tag"_s : QString()));
    set.sort();
    return set;
}

TaskProfile toTDengine(const QString &name, const QString &influxUrl, const QString &sourceDb,
                       const QString &tdUrl, const QString &targetDb)
{
    TaskProfile p = influxToInflux(name, influxUrl, sourceDb, tdUrl, targetDb);
    p.target.type = u"tdengine3"_s;
    p.target.user = u"root"_s;
    p.target.password = u"taosdata"_s;
    p.task.start = TimeText::format(baseTime() - kDay);
    p.task.end = TimeText::format(TimeText::nowNs() + kDay);
    return p;
}

/// A tag value TDengine cannot hold: 4200 characters are 16800 bytes of NCHAR, over 16384.
QByteArray oversizedTag()
{
    return QByteArray(4200, 'x');
}

/// Six hours of a point a minute in three series, and one point TDengine refuses (its tag is
/// too large) at 4:30 among them.
QByteArray refusingData()
{
    QByteArray lp;
    for (int i = 0; i < 360; ++i)
        lp += "meter,id=m" + QByteArray::number(i % 3) + " kwh=" + QByteArray::number(i) +
              ".5 " + QByteArray::number(baseTime() + qint64(i) * 60 * kSecond) + '\n';
    lp += "meter,id=" + oversizedTag() + " kwh=1.5 " +
          QByteArray::number(baseTime() + 270 * 60 * kSecond + 1) + '\n';
    return lp;
}

/// One window of an hour a read unit, read and written one after another.
TaskProfile oneUnitAtATime(const QString &name, const QString &influxUrl, const QString &db,
                           const QString &tdUrl)
{
    TaskProfile p = toTDengine(name, influxUrl, db, tdUrl, u"dst"_s);
    p.task.windowMinutes = 60;
    p.advanced.readConcurrency = 1;
    p.advanced.writeConcurrency = 1;
    p.advanced.batchSize = 20;
    return p;
}

/// `tsmigrate-cli status --json` of every task in `state`, by name.
QJsonObject statusJsonByTask(const QString &state)
{
    const CliResult status = runCli({u"status"_s, u"--json"_s, u"--state"_s, state});
    QJsonObject byName;
    if (status.exitCode != 0)
        return byName;
    // The output is stdout and stderr: the document starts at its first brace.
    const QByteArray json = status.output.mid(status.output.indexOf(u'{')).toUtf8();
    for (const QJsonValue &task : QJsonDocument::fromJson(json)[u"tasks"_s].toArray())
        byName.insert(task[u"name"_s].toString(), task);
    return byName;
}

} // namespace

/** InfluxDB 1.x → TDengine 3 (emulated) through tsmigrate-cli, compared value by value. */
class TestTDengineMigration : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        TSM_START_SHARED_INFLUXD(m_influx);
        QVERIFY(m_influx->fill(u"src"_s, tortureData()));
        QByteArray simple;
        for (int i = 0; i < 2000; ++i)
            simple += "meter,id=m" + QByteArray::number(i % 20) + " kwh=" + QByteArray::number(i) +
                      ".5,n=" + QByteArray::number(i) + "i " +
                      QByteArray::number(baseTime() + qint64(i) * kSecond) + '\n';
        QVERIFY(m_influx->fill(u"simple"_s, simple));
        InfluxDump dump(m_influx->url());
        m_source = dump.dump(u"src"_s);
        QVERIFY2(dump.error().isEmpty(), qPrintable(dump.error()));
        // The fixture data must really hold what the tests claim to cover.
        const QString t0 = QString::number(baseTime());
        QVERIFY(m_source.contains(u"conflict||"_s + t0 + u"|z|string|text"_s));
        QVERIFY(m_source.contains(u"conflict||"_s + QString::number(baseTime() + 2 * kWeek) +
                                  u"|z|float|3.5"_s));
        QVERIFY(m_source.contains(u"conflict||"_s + QString::number(baseTime() + 2 * kWeek) +
                                  u"|y|integer|2"_s));
        QCOMPARE(t0.size(), 19);
    }

    void cleanupTestCase() { m_influx.reset(); }

    void influxToTDengineValueByValue()
    {
        TDengine3Emulator td;
        QTemporaryDir dir;
        const QString profilePath = dir.filePath(u"p.json"_s);
        const QString state = dir.filePath(u"state.sqlite"_s);
        QVERIFY(
            saveProfile(toTDengine(u"to tdengine"_s, m_influx->url(), u"src"_s, td.url(), u"dst"_s),
                        profilePath));
        const CliResult run = runCli({u"run"_s, profilePath, u"--state"_s, state});
        // Complete, but TDengine cannot take the oversized tag: exit 6, and it is in the file.
        // Verified at the end, the renamed fields' values counted under the source's names.
        QVERIFY2(run.exitCode == 6, qPrintable(run.output));
        QVERIFY2(run.output.contains(u"agree"_s) && !run.output.contains(u"differ"_s),
                 qPrintable(run.output));
        QVERIFY(td.statements().contains(u"CREATE DATABASE IF NOT EXISTS `dst` PRECISION 'ns'"_s));

        // Every value is stored but the oversized tag's point, the renamed ones under the names
        // the README documents, with their types and times.
        const Rejected rejected = readRejects(Runner::rejectsPath(state, u"to tdengine"_s));
        const QStringList stored = emulatorDump(td, u"dst"_s);
        const QString t0 = QString::number(baseTime());
        const QString t2w = QString::number(baseTime() + 2 * kWeek);
        QVERIFY2(stored.contains(u"dup|x_tag=tagval|%1|x|float|1.5"_s.arg(t0)),
                 qPrintable(stored.join(u'\n')));
        QVERIFY(stored.contains(u"conflict||%1|y|float|1.5"_s.arg(t0)));
        QVERIFY(stored.contains(u"conflict||%1|z|string|text"_s.arg(t0)));
        QVERIFY(stored.contains(u"conflict||%1|y_integer|integer|2"_s.arg(t2w)));
        QVERIFY(stored.contains(u"conflict||%1|z_float|float|3.5"_s.arg(t2w)));
        QStringList together = documentedNamesBack(stored) + rejected.dump;
        together.sort();
        const QString diff = compareDumps(asSuperTables(m_source), together);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
        QCOMPARE(rejected.lines.size(), 1);
        QVERIFY(rejected.lines.at(0).startsWith("big,id="));
        QVERIFY2(rejected.reasons.at(0).contains(u"NCHAR"_s) &&
                     rejected.reasons.at(0).contains(u"16384"_s),
                 qPrintable(rejected.reasons.at(0)));

        // The string with a newline went in with SQL, escaped, into the row its line made.
        const QStringList statements = td.statements();
        QVERIFY2(std::any_of(statements.begin(), statements.end(),
                             [](const QString &sql) {
                                 return sql.startsWith(u"INSERT INTO `dst`.`t_"_s) &&
                                        sql.contains(u"'line one\\nline two'"_s);
                             }),
                 qPrintable(statements.join(u'\n')));

        // Every renaming is told once per measurement in the event log, and in status.
        CheckpointStore store;
        QVERIFY(store.open(state, CheckpointStore::Mode::ReadOnly));
        const auto task = store.task(u"to tdengine"_s);
        QVERIFY(task);
        QCOMPARE(store.renamings(task->id).size(), 3);
        QStringList told;
        for (const EventRecord &event : store.events(task->id))
            if (event.message.startsWith(u"Renamed in the target"_s))
                told.append(event.message);
        QCOMPARE(told.size(), 2);
        const QList<EventRecord> events = store.events(task->id);
        QVERIFY(std::any_of(events.begin(), events.end(), [](const EventRecord &event) {
            return event.message.startsWith(
                u"Measurement \"sensor.room\" is written to the table \"sensor_room\""_s);
        }));
        QVERIFY2(told.join(u'\n').contains(u"tag \"x\" → \"x_tag\""_s), qPrintable(told.join(u'\n')));
        QVERIFY2(told.join(u'\n').contains(u"integer values → \"y_integer\" (the field is float first)"_s),
                 qPrintable(told.join(u'\n')));
        const CliResult status = runCli({u"status"_s, u"--state"_s, state});
        QVERIFY2(status.output.contains(u"conflict: field \"z\": float values → \"z_float\""_s),
                 qPrintable(status.output));

        // Names and types as documented: '.' → '_', tags NCHAR, columns by value type.
        QVERIFY(td.stables(u"dst"_s).contains(u"sensor_room"_s));
        QVERIFY(td.stables(u"dst"_s).contains(u"weird name,with comma"_s));
        QVERIFY(td.stables(u"dst"_s).contains(u"温度"_s));
        for (const auto &column : td.columns(u"dst"_s, u"cpu"_s)) {
            if (column.tag)
                QCOMPARE(column.type, u"NCHAR"_s);
        }

        // The counts over SQL agree with the rows stored.
        TDengineEndpoint endpoint;
        endpoint.baseUrl = td.url();
        endpoint.password = u"taosdata"_s;
        TDengineSink sink(endpoint, RetryPolicy(), u"dst"_s, false);
        CancelToken cancel;
        const TimeRange all{baseTime() - kDay, TimeText::nowNs()};
        for (const QString &stable : td.stables(u"dst"_s))
            QCOMPARE(sink.count(stable, all, cancel), qint64(td.rows(u"dst"_s, stable).size()));
        QCOMPARE(sink.count(u"cpu"_s, all, cancel), 6);
        QCOMPARE(sink.count(u"nanos"_s, {baseTime() + 7 * kSecond + 1, TimeText::nowNs()}, cancel),
                 1);

        // A second run has nothing left to do and changes nothing.
        const int writes = td.writeRequests();
        const CliResult again = runCli({u"run"_s, profilePath, u"--state"_s, state});
        QVERIFY2(again.exitCode == 6, qPrintable(again.output));
        QCOMPARE(td.writeRequests(), writes);
        QCOMPARE(emulatorDump(td, u"dst"_s), stored);
    }

    /// advanced.onKeyClash and onTypeConflict = reject: what TDengine refuses is rejected with
    /// its reason, as before there were policies; the string with a newline is still stored.
    void rejectPoliciesRejectAsTDengineDoes()
    {
        TDengine3Emulator td;
        QTemporaryDir dir;
        const QString state = dir.filePath(u"state.sqlite"_s);
        const CliResult run = runWithPolicies(td, state, u"rejecting"_s, u"reject"_s, u"reject"_s);
        QVERIFY2(run.exitCode == 6, qPrintable(run.output));

        const Rejected rejected = readRejects(Runner::rejectsPath(state, u"rejecting"_s));
        const QStringList stored = emulatorDump(td, u"dst"_s);
        QStringList together = stored + rejected.dump;
        together.sort();
        const QString diff = compareDumps(asSuperTables(m_source), together);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
        auto reasonFor = [&rejected](const QByteArray &needle) {
            for (qsizetype i = 0; i < rejected.lines.size(); ++i)
                if (rejected.lines.at(i).contains(needle))
                    return rejected.reasons.at(i);
            return QString();
        };
        QVERIFY2(reasonFor("dup,x=tagval").contains(u"used twice"_s), qPrintable(run.output));
        QVERIFY(reasonFor("multi=").isEmpty());
        int conflicts = 0;
        for (const QByteArray &line : rejected.lines)
            conflicts += line.startsWith("conflict ") ? 1 : 0;
        // y is DOUBLE or BIGINT depending on which shard was written first; the other
        // shard's points are refused by TDengine (0x3002), never converted or dropped.
        QVERIFY(conflicts == 1 || conflicts == 2);
        QVERIFY2(reasonFor("conflict ").contains(u"[0x3002] point type and db type mismatch"_s),
                 qPrintable(reasonFor("conflict ")));
        QCOMPARE(rejected.lines.size(), 2 + conflicts);
        CheckpointStore store;
        QVERIFY(store.open(state, CheckpointStore::Mode::ReadOnly));
        QVERIFY(store.renamings(store.task(u"rejecting"_s)->id).isEmpty());
    }

    /// advanced.rejectsFile: the refused point is where the profile asks (relative to the
    /// profile's folder), not beside the state file; the run's outcome and status name it.
    void rejectsFileWhereAsked()
    {
        QVERIFY(m_influx->fill(u"refusing1"_s, refusingData()));
        TDengine3Emulator td;
        QTemporaryDir dir;
        const QString profilePath = dir.filePath(u"p.json"_s);
        const QString state = dir.filePath(u"state.sqlite"_s);
        TaskProfile profile = oneUnitAtATime(u"asked"_s, m_influx->url(), u"refusing1"_s, td.url());
        profile.advanced.rejectsFile = u"out/refused.lp"_s;
        QVERIFY(saveProfile(profile, profilePath));
        const CliResult run = runCli({u"run"_s, profilePath, u"--state"_s, state});
        QVERIFY2(run.exitCode == 6, qPrintable(run.output));
        const QString asked = dir.filePath(u"out/refused.lp"_s);
        QVERIFY2(run.output.contains(u"recorded with the reasons in %1"_s.arg(asked)),
                 qPrintable(run.output));
        const Rejected rejected = readRejects(asked);
        QCOMPARE(rejected.lines.size(), 1);
        QVERIFY(rejected.lines.at(0).startsWith("meter,id=" + oversizedTag()));
        QVERIFY2(rejected.reasons.at(0).contains(u"16384"_s), qPrintable(rejected.reasons.at(0)));
        QVERIFY(!QFileInfo::exists(Runner::rejectsPath(state, u"asked"_s)));
        QCOMPARE(td.rowCount(u"dst"_s), 360);
        const CliResult status = runCli({u"status"_s, u"--state"_s, state});
        QVERIFY2(status.output.contains(u"  rejects: %1"_s.arg(asked)), qPrintable(status.output));

        // A rejects file that cannot be written (its folder is a file) stops the task before
        // anything is read or written, naming the field and the local side.
        TDengine3Emulator untouched;
        QFile blocker(dir.filePath(u"blocker"_s));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        profile = oneUnitAtATime(u"unwritable"_s, m_influx->url(), u"refusing1"_s,
                                 untouched.url());
        profile.advanced.rejectsFile = dir.filePath(u"blocker/refused.lp"_s);
        QVERIFY(saveProfile(profile, profilePath));
        const CliResult refused = runCli({u"run"_s, profilePath, u"--state"_s, state});
        QVERIFY2(refused.exitCode == 2, qPrintable(refused.output));
        QVERIFY2(refused.output.contains(u"advanced.rejectsFile"_s) &&
                     refused.output.contains(u"(local)"_s) &&
                     refused.output.contains(dir.filePath(u"blocker/refused.lp"_s)),
                 qPrintable(refused.output));
        QVERIFY2(untouched.statements().isEmpty(), qPrintable(untouched.statements().join(u'\n')));
        QCOMPARE(untouched.writeRequests(), 0);

        // status --json names the file as the text does: for the task with a refused point,
        // not for the one without.
        const QJsonObject tasks = statusJsonByTask(state);
        QCOMPARE(tasks[u"asked"_s].toObject()[u"pointsRejected"_s].toInteger(), 1);
        QCOMPARE(tasks[u"asked"_s].toObject()[u"rejectsFile"_s].toString(), asked);
        QVERIFY2(tasks.contains(u"unwritable"_s), QJsonDocument(tasks).toJson().constData());
        QCOMPARE(tasks[u"unwritable"_s].toObject()[u"pointsRejected"_s].toInteger(), 0);
        QVERIFY(!tasks[u"unwritable"_s].toObject().contains(u"rejectsFile"_s));
    }

    /// advanced.onRefused = stop: the first refused point stops the task, exit 1, naming the
    /// measurement, TDengine's reason and the rejects file; the units done before stay done and
    /// the one with the refusal is not. Once the cause is gone, running again completes without
    /// loss or duplicates and without reading the done units again.
    void refusedPointStopsTheTask()
    {
        QVERIFY(m_influx->fill(u"refusing2"_s, refusingData()));
        TDengine3Emulator td;
        QTemporaryDir dir;
        const QString profilePath = dir.filePath(u"p.json"_s);
        const QString state = dir.filePath(u"state.sqlite"_s);
        TaskProfile profile =
            oneUnitAtATime(u"stopping"_s, m_influx->url(), u"refusing2"_s, td.url());
        QVERIFY(saveProfile(profile, profilePath));
        const CliResult run = runCli({u"run"_s, profilePath, u"--state"_s, state, u"--set"_s,
                                      u"advanced.onRefused=stop"_s});
        QVERIFY2(run.exitCode == 1, qPrintable(run.output));
        const QString rejectsFile = Runner::rejectsPath(state, u"stopping"_s);
        // Checked before sending, as TDengine's client checks it (see TDengine 3 in the README).
        const QString failure = run.output.mid(run.output.lastIndexOf(u"error: "_s));
        QVERIFY2(failure.contains(u"The target refused a point of measurement \"meter\""_s) &&
                     failure.contains(u"TDengine allows 16384 in total per point"_s) &&
                     failure.contains(u"advanced.onRefused = stop"_s) &&
                     failure.contains(rejectsFile),
                 qPrintable(failure));
        const Rejected rejected = readRejects(rejectsFile);
        QCOMPARE(rejected.lines.size(), 1);
        QVERIFY(rejected.lines.at(0).startsWith("meter,id=" + oversizedTag()));

        const qint64 refusedAt = baseTime() + 270 * 60 * kSecond + 1;
        QList<qint64> doneFirst;
        {
            CheckpointStore store;
            QVERIFY(store.open(state, CheckpointStore::Mode::ReadOnly));
            const auto task = store.task(u"stopping"_s);
            QCOMPARE(task->state, TaskState::Failed);
            for (const UnitRecord &unit : store.units(task->id)) {
                if (unit.status == UnitStatus::Done)
                    doneFirst.append(unit.id);
                if (unit.rangeStart <= refusedAt && refusedAt < unit.rangeEnd)
                    QVERIFY(unit.status != UnitStatus::Done);
            }
            const UnitTotals totals = store.unitTotals(task->id);
            QVERIFY2(!doneFirst.isEmpty() && totals.done < totals.total,
                     qPrintable(u"%1 of %2 done"_s.arg(totals.done).arg(totals.total)));
        }
        QVERIFY(td.rowCount(u"dst"_s) < 360);

        // The cause goes; the task goes on from where it stopped.
        QVERIFY(m_influx->query(u"DROP SERIES FROM meter WHERE id = '%1'"_s.arg(
                                    QString::fromLatin1(oversizedTag())),
                                u"refusing2"_s));
        const CliResult again = runCli({u"run"_s, profilePath, u"--state"_s, state, u"--set"_s,
                                        u"advanced.onRefused=stop"_s});
        QVERIFY2(again.exitCode == 0, qPrintable(again.output));
        InfluxDump dump(m_influx->url());
        const QStringList source = asSuperTables(dump.dump(u"refusing2"_s));
        QCOMPARE(InfluxDump::pointCount(dump.dump(u"refusing2"_s)), 360);
        const QString diff = compareDumps(source, emulatorDump(td, u"dst"_s));
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
        QCOMPARE(td.rowCount(u"dst"_s), 360);
        CheckpointStore store;
        QVERIFY(store.open(state, CheckpointStore::Mode::ReadOnly));
        for (const UnitRecord &unit : store.units(store.task(u"stopping"_s)->id)) {
            QCOMPARE(unit.status, UnitStatus::Done);
            if (doneFirst.contains(unit.id))
                QCOMPARE(unit.attempts, 1); // not read again
        }
    }

    /// advanced.onTypeConflict = convert: integers a float holds exactly join the float field;
    /// a string first and floats later still go to a field of their own.
    void convertPolicyTurnsExactIntegersIntoFloats()
    {
        TDengine3Emulator td;
        QTemporaryDir dir;
        const CliResult run = runWithPolicies(td, dir.filePath(u"state.sqlite"_s),
                                              u"converting"_s, u"rename"_s, u"convert"_s);
        QVERIFY2(run.exitCode == 6, qPrintable(run.output));
        const QStringList stored = emulatorDump(td, u"dst"_s);
        const QString t2w = QString::number(baseTime() + 2 * kWeek);
        QVERIFY2(stored.contains(u"conflict||%1|y|float|2"_s.arg(t2w)),
                 qPrintable(stored.join(u'\n')));
        QVERIFY(stored.contains(u"conflict||%1|z_float|float|3.5"_s.arg(t2w)));
        for (const QString &line : stored)
            QVERIFY2(!line.contains(u"y_integer"_s), qPrintable(line));
    }

    /// A run killed in the middle and run again ends with the columns of a run never stopped:
    /// the renamings are decided once and kept in the state file.
    void resumedRunWritesTheSameColumns()
    {
        TDengine3Emulator whole;
        QTemporaryDir dir;
        const QString wholePath = dir.filePath(u"whole.json"_s);
        QVERIFY(saveProfile(
            toTDengine(u"whole"_s, m_influx->url(), u"src"_s, whole.url(), u"dst"_s), wholePath));
        const CliResult uninterrupted =
            runCli({u"run"_s, wholePath, u"--state"_s, dir.filePath(u"whole.sqlite"_s)});
        QVERIFY2(uninterrupted.exitCode == 6, qPrintable(uninterrupted.output));

        // One point per write, and writes held after the fifth: the run is mid-way when killed.
        TDengine3Emulator td;
        FaultProxy proxy(td.url());
        proxy.tripAfter("/influxdb/v1/write", 5, FaultProxy::Fault::Hold);
        const QString profilePath = dir.filePath(u"p.json"_s);
        const QString state = dir.filePath(u"state.sqlite"_s);
        TaskProfile profile = toTDengine(u"killed"_s, m_influx->url(), u"src"_s, proxy.url(),
                                         u"dst"_s);
        profile.advanced.batchSize = 1;
        profile.advanced.writeConcurrency = 1;
        profile.advanced.readConcurrency = 1;
        QVERIFY(saveProfile(profile, profilePath));
        CliRun run;
        QVERIFY(run.start(profilePath, state));
        CheckpointStore watcher;
        waitForUnitsDone(run.process(), watcher, state, u"killed"_s, 1);
        QVERIFY2(run.process().state() == QProcess::Running,
                 qPrintable(u"finished before it could be killed: "_s + run.readOutput()));
        ::kill(pid_t(run.process().processId()), SIGKILL);
        QVERIFY(run.process().waitForFinished());
        const auto task = watcher.task(u"killed"_s);
        QVERIFY(task);
        const UnitTotals before = watcher.unitTotals(task->id);
        QVERIFY2(before.done < before.total,
                 qPrintable(u"%1 of %2 done"_s.arg(before.done).arg(before.total)));
        QCOMPARE(watcher.renamings(task->id).size(), 3);
        proxy.up();

        const CliResult resumed = runCli({u"run"_s, profilePath, u"--state"_s, state});
        QVERIFY2(resumed.exitCode == 6, qPrintable(resumed.output));
        QCOMPARE(columnSet(td, u"dst"_s), columnSet(whole, u"dst"_s));
        QCOMPARE(emulatorDump(td, u"dst"_s), emulatorDump(whole, u"dst"_s));
    }

    /// target.childTableName: the tag's value names the child table (not stored as a tag);
    /// points without the tag get TDengine's MD5 name; a string with a newline still goes in
    /// with SQL, into the named table.
    void childTablesNamedByATag()
    {
        const qint64 t = baseTime();
        QVERIFY(m_influx->fill(u"named"_s,
                               "m,host=h.1,k=v s=\"a\nb\",n=1i " + QByteArray::number(t) +
                                   "\nm,k=v s=\"c\",n=2i " + QByteArray::number(t + kSecond) +
                                   "\nm,host=h2 n=3i " + QByteArray::number(t + 2 * kSecond) +
                                   "\n"));
        TDengine3Emulator td;
        QTemporaryDir dir;
        const QString profilePath = dir.filePath(u"p.json"_s);
        TaskProfile profile =
            toTDengine(u"named"_s, m_influx->url(), u"named"_s, td.url(), u"dst"_s);
        profile.target.childTableName = u"host"_s;
        QVERIFY(saveProfile(profile, profilePath));
        const CliResult run =
            runCli({u"run"_s, profilePath, u"--state"_s, dir.filePath(u"s.sqlite"_s)});
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));
        const auto children = td.childTables(u"dst"_s, u"m"_s);
        const QString hashed = TDengine3Emulator::childTableName(u"m"_s, {{"k", "v"}});
        QCOMPARE(children.keys(), (QStringList{u"h2"_s, u"h_1"_s, hashed}));
        QCOMPARE(children.value(u"h_1"_s), (QMap<QString, QString>{{u"k"_s, u"v"_s}}));
        const QStringList stored = emulatorDump(td, u"dst"_s);
        QVERIFY2(stored.contains(u"m|k=v|"_s + QString::number(t) + u"|s|string|a%0Ab"_s),
                 qPrintable(stored.join(u'\n')));
        QCOMPARE(td.rowCount(u"dst"_s), 3);
    }

    /// Points before 1970 are stored (with SQL, at their own times) and verified, in a database
    /// the task creates with a KEEP that reaches them.
    void pointsBefore1970AreStored()
    {
        const qint64 moon = -14182940000000000LL; // 1969-07-20T20:17:40Z
        QVERIFY(m_influx->fill(u"old"_s, "apollo,craft=eagle alt=0.5,msg=\"landed\" " +
                                             QByteArray::number(moon) + "\napollo,craft=eagle "
                                             "alt=1.5 " + QByteArray::number(moon + kSecond) +
                                             "\napollo,craft=eagle alt=2.5 " +
                                             QByteArray::number(baseTime()) + "\n"));
        TDengine3Emulator td;
        QTemporaryDir dir;
        const QString profilePath = dir.filePath(u"p.json"_s);
        TaskProfile profile = toTDengine(u"old"_s, m_influx->url(), u"old"_s, td.url(), u"dst"_s);
        profile.task.start = u"1969-01-01T00:00:00Z"_s;
        QVERIFY(saveProfile(profile, profilePath));
        const CliResult run =
            runCli({u"run"_s, profilePath, u"--state"_s, dir.filePath(u"s.sqlite"_s)});
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));
        QVERIFY2(run.output.contains(u"agree"_s), qPrintable(run.output));
        QVERIFY(td.statements().contains(
            u"CREATE DATABASE IF NOT EXISTS `dst` PRECISION 'ns' KEEP 106580"_s));
        QStringList expected{
            u"apollo|craft=eagle|%1|alt|float|0.5"_s.arg(moon),
            u"apollo|craft=eagle|%1|msg|string|landed"_s.arg(moon),
            u"apollo|craft=eagle|%1|alt|float|1.5"_s.arg(moon + kSecond),
            u"apollo|craft=eagle|%1|alt|float|2.5"_s.arg(baseTime()),
        };
        expected.sort();
        QCOMPARE(emulatorDump(td, u"dst"_s), expected);
    }

    /// Verified against TDengine 3: COUNT(*) and COUNT(column) of the super table over _ts
    /// against InfluxDB's COUNT(*); a point TDengine holds and the source does not is named.
    void verifyAgainstTDengine()
    {
        TDengine3Emulator td;
        QTemporaryDir dir;
        const QString profilePath = dir.filePath(u"p.json"_s);
        const QString state = dir.filePath(u"state.sqlite"_s);
        QVERIFY(saveProfile(
            toTDengine(u"verified"_s, m_influx->url(), u"simple"_s, td.url(), u"vdb"_s),
            profilePath));
        const CliResult run = runCli({u"run"_s, profilePath, u"--state"_s, state});
        // One window or two: the data's hour depends on when the test runs.
        QVERIFY2(run.exitCode == 0 && (run.output.contains(u"windows agree"_s) ||
                                       run.output.contains(u"1 window agrees"_s)),
                 qPrintable(run.output));
        const QStringList statements = td.statements();
        QVERIFY2(std::any_of(statements.begin(), statements.end(),
                             [](const QString &sql) {
                                 return sql.startsWith(u"SELECT COUNT(*), COUNT(`kwh`), COUNT(`n`) "
                                                       u"FROM `vdb`.`meter` WHERE `_ts` >= "_s);
                             }),
                 qPrintable(statements.join(u'\n')));
        const CliResult clean = runCli({u"verify"_s, profilePath, u"--state"_s, state});
        QVERIFY2(clean.exitCode == 0, qPrintable(clean.output));

        // One more point in the target, in the first window.
        TDengineEndpoint endpoint;
        endpoint.baseUrl = td.url();
        endpoint.password = u"taosdata"_s;
        TDengineSink sink(endpoint, RetryPolicy(), u"vdb"_s, false);
        CancelToken cancel;
        sink.prepare(cancel);
        Batch extra;
        // 1 ns after the first point: in the first window whatever the hour it falls in.
        extra.lines = "meter,id=m1 kwh=1.5,n=1i " + QByteArray::number(baseTime() + 1) + "\n";
        extra.countLine(1);
        QCOMPARE(sink.write(extra, cancel).written, 1);
        const CliResult differs = runCli({u"verify"_s, profilePath, u"--state"_s, state});
        QVERIFY2(differs.exitCode == 7 && differs.output.contains(u"1 of "_s) &&
                     differs.output.contains(u"meter "_s + TimeText::format(baseTime())) &&
                     differs.output.contains(u"kwh "_s),
                 qPrintable(differs.output));
    }

    void millisecondDatabaseIsRefused()
    {
        TDengine3Emulator td;
        td.createDatabase(u"msdst"_s, u"ms"_s);
        QTemporaryDir dir;
        const QString profilePath = dir.filePath(u"p.json"_s);
        QVERIFY(saveProfile(toTDengine(u"ms"_s, m_influx->url(), u"simple"_s, td.url(), u"msdst"_s),
                            profilePath));
        const CliResult run =
            runCli({u"run"_s, profilePath, u"--state"_s, dir.filePath(u"s.sqlite"_s)});
        QVERIFY2(run.exitCode == 2, qPrintable(run.output));
        QVERIFY2(run.output.contains(u"has precision 'ms'; InfluxDB data needs 'ns'"_s),
                 qPrintable(run.output));
        QCOMPARE(td.writeRequests(), 0);
    }

    void rangeOlderThanKeepIsRefusedBeforeAnyWrite()
    {
        TDengine3Emulator td;
        td.createDatabase(u"short"_s, u"ns"_s, 30);
        QTemporaryDir dir;
        const QString profilePath = dir.filePath(u"p.json"_s);
        const TaskProfile profile =
            toTDengine(u"keep"_s, m_influx->url(), u"simple"_s, td.url(), u"short"_s);
        QVERIFY(saveProfile(profile, profilePath));
        const CliResult run =
            runCli({u"run"_s, profilePath, u"--state"_s, dir.filePath(u"s.sqlite"_s)});
        QVERIFY2(run.exitCode == 2, qPrintable(run.output));
        QVERIFY2(run.output.contains(u"keeps data for 30 days (KEEP 30d,30d,30d)"_s),
                 qPrintable(run.output));
        QVERIFY2(run.output.contains(u"the task starts at "_s + profile.task.start),
                 qPrintable(run.output));
        QCOMPARE(td.writeRequests(), 0);
        QCOMPARE(td.rowCount(u"short"_s), 0);
    }

    void wrongPasswordExitsWithFour()
    {
        TDengine3Emulator td;
        QTemporaryDir dir;
        const QString profilePath = dir.filePath(u"p.json"_s);
        TaskProfile profile =
            toTDengine(u"auth"_s, m_influx->url(), u"simple"_s, td.url(), u"dst"_s);
        profile.target.password = u"wrong"_s;
        QVERIFY(saveProfile(profile, profilePath));
        const CliResult check = runCli({u"check"_s, profilePath});
        QVERIFY2(check.exitCode == 4, qPrintable(check.output));
        QVERIFY2(check.output.contains(u"refused the credentials of user \"root\""_s),
                 qPrintable(check.output));
        const CliResult run =
            runCli({u"run"_s, profilePath, u"--state"_s, dir.filePath(u"s.sqlite"_s)});
        QVERIFY2(run.exitCode == 4, qPrintable(run.output));
        QCOMPARE(td.writeRequests(), 0);
        QVERIFY(td.databases().isEmpty());

        // The right password from the environment: the same profile works.
        const CliResult fixed =
            runCli({u"run"_s, profilePath, u"--state"_s, dir.filePath(u"s.sqlite"_s)}, 300000,
                   {u"TSMIGRATE_TARGET_PASSWORD=taosdata"_s});
        QVERIFY2(fixed.exitCode == 0, qPrintable(fixed.output));
        QCOMPARE(td.rowCount(u"dst"_s), 2000);
    }

    void unavailableIsRetriedUntilItWorks()
    {
        TDengine3Emulator td;
        // taosAdapter under memory pressure: 503 with Retry-After, three times.
        td.failNext(3, 503, 1, "/influxdb/");
        QTemporaryDir dir;
        const QString profilePath = dir.filePath(u"p.json"_s);
        TaskProfile profile =
            toTDengine(u"retry"_s, m_influx->url(), u"simple"_s, td.url(), u"dst"_s);
        profile.advanced.retryAttempts = 6;
        QVERIFY(saveProfile(profile, profilePath));
        const CliResult run =
            runCli({u"run"_s, profilePath, u"--state"_s, dir.filePath(u"s.sqlite"_s)});
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));
        QCOMPARE(td.rowCount(u"dst"_s), 2000);
        QCOMPARE(td.writeRequests(), td.storingWriteRequests() + 3);

        InfluxDump dump(m_influx->url());
        const QStringList source = dump.dump(u"simple"_s);
        QVERIFY2(dump.error().isEmpty(), qPrintable(dump.error()));
        const QString diff = compareDumps(asSuperTables(source), emulatorDump(td, u"dst"_s));
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
    }

    void errorInAnHttp200AnswerFailsTheCheck()
    {
        // A taosAdapter whose every statement fails, as TDengine reports it: HTTP 200 with a
        // code. Neither check nor run may take that for success.
        TestHttpServer server;
        server.setHandler([](const TestHttpServer::Request &) {
            return TestHttpServer::Reply::json(
                200, "{\"code\":11,\"desc\":\"Unable to establish connection\"}");
        });
        QTemporaryDir dir;
        const QString profilePath = dir.filePath(u"p.json"_s);
        TaskProfile profile =
            toTDengine(u"http200"_s, m_influx->url(), u"simple"_s, server.url(), u"dst"_s);
        profile.advanced.retryAttempts = 2;
        profile.advanced.retryForMinutes = 0; // give up at once rather than wait it out
        QVERIFY(saveProfile(profile, profilePath));
        const CliResult check = runCli({u"check"_s, profilePath});
        QVERIFY2(check.exitCode != 0, qPrintable(check.output));
        QVERIFY2(check.output.contains(u"[0x000b] Unable to establish connection"_s),
                 qPrintable(check.output));
        const CliResult run =
            runCli({u"run"_s, profilePath, u"--state"_s, dir.filePath(u"s.sqlite"_s)});
        QVERIFY2(run.exitCode == 3, qPrintable(run.output));
        for (const auto &request : server.requests())
            QVERIFY(request.path == "/rest/sql");
    }

private:
    /// The torture data into `td` as task `name` with these policies, the state in `state`.
    CliResult runWithPolicies(TDengine3Emulator &td, const QString &state, const QString &name,
                              const QString &onKeyClash, const QString &onTypeConflict)
    {
        TaskProfile profile = toTDengine(name, m_influx->url(), u"src"_s, td.url(), u"dst"_s);
        profile.advanced.onKeyClash = onKeyClash;
        profile.advanced.onTypeConflict = onTypeConflict;
        const QString profilePath = state + u".json"_s;
        if (!saveProfile(profile, profilePath))
            return CliResult{};
        return runCli({u"run"_s, profilePath, u"--state"_s, state});
    }

    std::unique_ptr<InfluxdFixture> m_influx;
    QStringList m_source;
};

QTEST_GUILESS_MAIN(TestTDengineMigration)
#include "test_tdenginemigration.moc"
