#include "run/Runner.h"

#include "run/TaskRun.h"

#include <EnumNames.h>
#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

QString safeFileName(const QString &name)
{
    QString out;
    for (const QChar c : name)
        out += (c.isLetterOrNumber() || c == u'-' || c == u'_' || c == u'.') ? c : u'_';
    return out.isEmpty() ? u"task"_s : out;
}

} // namespace

QString phaseName(RunPhase phase)
{
    static const EnumNames<RunPhase> names = {
        {RunPhase::Planning, u"planning"_s},
        {RunPhase::History, u"history"_s},
        {RunPhase::Following, u"following"_s},
    };
    return names.name(phase);
}

Runner::Runner(TaskProfile profile, QString statePath, QObject *parent)
    : QObject(parent), m_profile(std::move(profile)), m_statePath(std::move(statePath))
{
    qRegisterMetaType<tsm::RunProgress>();
    qRegisterMetaType<tsm::RunOutcome>();
}

Runner::~Runner() = default;

void Runner::requestPause()
{
    m_requested.store(1);
    m_cancel.cancel();
}

void Runner::requestStop()
{
    m_requested.store(2);
    m_cancel.cancel();
}

QString Runner::rejectsPath(const QString &statePath, const QString &taskName)
{
    const QFileInfo state(statePath);
    return state.absolutePath() + u'/' + state.completeBaseName() + u".rejects/"_s +
           safeFileName(taskName) + u".lp"_s;
}

QString Runner::rejectsPath(const QString &statePath, const TaskProfile &profile)
{
    if (profile.advanced.rejectsFile.trimmed().isEmpty())
        return rejectsPath(statePath, profile.name);
    return QFileInfo(profile.advanced.rejectsFile).absoluteFilePath();
}

void Runner::run()
{
    // A pause or stop asked for before the run got going still counts; the flags are cleared
    // when a run ends, ready for the next one (resume).
    m_outcome = execute();
    m_cancel.reset();
    m_requested.store(0);
    Q_EMIT finished(m_outcome);
}

RunOutcome Runner::execute()
{
    TaskRun run(*this, m_profile, m_statePath, m_factory, m_cancel, m_requested);
    if (std::optional<RunOutcome> failed = run.open())
        return *failed;
    try {
        run.connect();
        if (std::optional<RunOutcome> done = run.schemaOnly())
            return *done;
        run.plan();
        run.decideNames();
    } catch (const Error &error) {
        return run.failWith(error);
    }
    return run.migrate();
}

} // namespace tsm
