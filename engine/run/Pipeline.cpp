#include "run/Pipeline.h"

#include "EngineLog.h"
#include "http/Retry.h"
#include "lp/LineParser.h"

#include <QScopeGuard>
#include <chrono>
#include <thread>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

/// The measurement of a line as written, still escaped: up to its first unescaped comma or space.
std::string_view rawMeasurement(std::string_view line)
{
    size_t i = 0;
    while (i < line.size() && line[i] != ',' && line[i] != ' ')
        i += line[i] == '\\' ? 2 : 1;
    return line.substr(0, std::min(i, line.size()));
}

/// The counts of `measurement` in `counts`, added when new (found without copying the name).
template<typename Counts> auto &countsOf(Counts &counts, std::string_view measurement)
{
    const auto it = counts.find(measurement);
    return it != counts.end() ? it->second : counts[std::string(measurement)];
}

} // namespace

/** A reader's batch under construction: counts lines per unit and hands full batches over. */
class Pipeline::Assembler : public BatchOutput
{
public:
    explicit Assembler(Pipeline &pipeline) : m_pipeline(pipeline) { reset(); }

    void startUnit(qint64 unitId)
    {
        m_unitId = unitId;
        m_unitInBatch = false;
        m_attempt = 0;
        m_read = 0;
        m_rejected = 0;
        m_rejectsRecorded = 0;
    }
    qint64 unitRead() const { return m_read; }
    qint64 unitRejected() const { return m_rejected; }

    /// The unit is read again from its start as `attempt`: its lines still in this batch go,
    /// and what this read counted no longer counts.
    void restartUnit(int attempt)
    {
        if (m_unitInBatch) {
            const UnitShare share = m_batch.shares.back();
            m_batch.shares.pop_back();
            m_batch.points -= share.lines;
            m_batch.lines.truncate(m_unitStartByte);
            m_committedBytes = m_unitStartByte; // the lines before it are the batch's end now
            m_pipeline.removePending(m_unitId);
            m_unitInBatch = false;
        }
        dropUncommitted();
        m_pipeline.m_counters.pointsRead.fetch_sub(m_read, std::memory_order_relaxed);
        m_pipeline.m_counters.pointsRejected.fetch_sub(m_rejected, std::memory_order_relaxed);
        m_attempt = attempt;
        m_read = 0;
        m_rejected = 0;
        m_attemptRejects = 0;
    }

    /// A source that failed may have appended the start of a line without counting it: such a
    /// torn line must never reach the target.
    void dropUncommitted() { m_batch.lines.truncate(m_committedBytes); }

    QByteArray &buffer() override { return m_batch.lines; }

    void lineAppended() override
    {
        if (!m_unitInBatch) {
            m_batch.shares.push_back(UnitShare{m_unitId, m_batch.points, 0, m_attempt});
            m_unitStartByte = m_committedBytes;
            m_pipeline.addPending(m_unitId);
            m_unitInBatch = true;
        }
        m_committedBytes = m_batch.lines.size();
        ++m_batch.shares.back().lines;
        ++m_batch.points;
        ++m_read;
        m_pipeline.m_counters.pointsRead.fetch_add(1, std::memory_order_relaxed);
        if (m_batch.points >= m_pipeline.m_settings.batchSize ||
            m_batch.lines.size() >= m_pipeline.m_settings.maxBatchBytes)
            flush();
    }

    void reject(const QByteArray &description, const QString &reason) override
    {
        ++m_read;
        ++m_rejected;
        m_pipeline.m_counters.pointsRead.fetch_add(1, std::memory_order_relaxed);
        m_pipeline.m_counters.pointsRejected.fetch_add(1, std::memory_order_relaxed);
        // A read again meets the same points in the same order: what an earlier read of the
        // unit recorded is not recorded twice.
        if (++m_attemptRejects > m_rejectsRecorded) {
            m_rejectsRecorded = m_attemptRejects;
            m_pipeline.m_observer.pointRejected(m_unitId, description, reason);
        }
        if (m_pipeline.m_settings.stopOnRefused)
            m_pipeline.refused(m_unitId, nullptr, description, reason);
    }

    /// Hands the batch to the writers (waits while their queue is full).
    void flush()
    {
        dropUncommitted();
        if (m_batch.points == 0)
            return;
        m_lastBatchBytes = m_batch.lines.size();
        m_pipeline.enqueue(std::move(m_batch));
        reset();
    }

    /// Drops what was not handed over: the units it belongs to will not be marked done.
    void discard() { reset(); }

private:
    void reset()
    {
        // Reserve what the last batch of this reader needed, and a little more, so a batch is
        // allocated once at about its size instead of growing (and doubling) line by line.
        m_batch = Batch();
        m_batch.lines.reserve(m_lastBatchBytes > 0
                                  ? m_lastBatchBytes + m_lastBatchBytes / 16
                                  : qsizetype(m_pipeline.m_settings.batchSize) * 96);
        m_unitInBatch = false;
        m_committedBytes = 0;
        m_unitStartByte = 0;
    }

    Pipeline &m_pipeline;
    Batch m_batch;
    qsizetype m_lastBatchBytes = 0; ///< size of the last batch handed over
    qsizetype m_committedBytes = 0; ///< end of the last counted line
    qsizetype m_unitStartByte = 0;  ///< where the current unit's lines start in the batch
    qint64 m_unitId = 0;
    int m_attempt = 0;
    bool m_unitInBatch = false;
    qint64 m_read = 0;
    qint64 m_rejected = 0;
    qint64 m_attemptRejects = 0;  ///< source rejects met by this read of the unit
    qint64 m_rejectsRecorded = 0; ///< source rejects of the unit already recorded
};

Pipeline::Pipeline(Source &source, Sink &sink, PlanRequest request, LpDialect dialect,
                   PipelineSettings settings, PipelineObserver &observer)
    : m_source(source), m_sink(sink), m_request(std::move(request)), m_dialect(dialect),
      m_settings(settings), m_observer(observer),
      m_clock(settings.clock ? *settings.clock : PaceClock::system())
{
    if (m_settings.maxPointsPerSecond > 0)
        m_rateLimit.emplace(m_settings.maxPointsPerSecond, m_clock);
    m_settings.readConcurrency = std::max(1, m_settings.readConcurrency);
    m_settings.writeConcurrency = std::max(1, m_settings.writeConcurrency);
    m_settings.batchSize = std::max(1, m_settings.batchSize);
}

Pipeline::Result Pipeline::run(const QList<ReadUnit> &units, CancelToken &cancel)
{
    m_cancel = &cancel;
    m_work.assign(units.begin(), units.end());
    m_readersDone = false;
    m_units.clear();
    m_unitsFailed = 0;
    m_fatal.reset();
    m_readingStopped.store(false);
    m_readCancel.reset();
    m_readCancel.setParent(&cancel);

    auto retryListener = [this](bool source) {
        return [this, source](const QString &what, const Error &error, int attempt, int delayMs) {
            m_counters.retries.fetch_add(1, std::memory_order_relaxed);
            if (source)
                m_counters.sourceFailures.fetch_add(1, std::memory_order_relaxed);
            else
                countWriteFailure(error);
            m_observer.retrying(what, error, attempt, delayMs);
        };
    };
    m_source.setRetryListener(retryListener(true));
    m_sink.setRetryListener(retryListener(false));

    std::vector<std::thread> writers;
    std::vector<std::thread> readers;
    const int readerCount =
        std::max(1, std::min({m_settings.readConcurrency, int(units.size()),
                              m_source.maxParallelReads()}));
    writers.reserve(size_t(m_settings.writeConcurrency));
    for (int i = 0; i < m_settings.writeConcurrency; ++i)
        writers.emplace_back([this] { writerLoop(); });
    for (int i = 0; i < readerCount; ++i)
        readers.emplace_back([this] { readerLoop(); });
    for (auto &t : readers)
        t.join();
    {
        std::lock_guard<std::mutex> lock(m_queueMutex);
        m_readersDone = true;
    }
    m_queueNotEmpty.notify_all();
    for (auto &t : writers)
        t.join();

    m_source.setRetryListener({});
    m_sink.setRetryListener({});

    Result result;
    result.unitsFailed = m_unitsFailed;
    if (m_fatal) {
        result.status = Result::Status::Fatal;
        result.fatal = m_fatal;
    } else if (cancel.isCancelled()) {
        result.status = Result::Status::Cancelled;
    }
    m_cancel = nullptr;
    return result;
}

bool Pipeline::takeUnit(ReadUnit &unit)
{
    std::lock_guard<std::mutex> lock(m_workMutex);
    if (m_work.empty())
        return false;
    unit = m_work.front();
    m_work.pop_front();
    return true;
}

bool Pipeline::unitsLeft()
{
    std::lock_guard<std::mutex> lock(m_workMutex);
    return !m_work.empty();
}

void Pipeline::readerLoop()
{
    Assembler assembler(*this);
    ReadUnit unit;
    bool first = true;
    while (!m_cancel->isCancelled() && !m_readingStopped.load() && takeUnit(unit)) {
        if (!first && !pauseBetweenReads())
            break;
        first = false;
        {
            std::lock_guard<std::mutex> lock(m_unitsMutex);
            m_units[unit.id] = UnitState();
        }
        m_observer.unitStarted(unit.id);
        m_counters.readersBusy.fetch_add(1);
        assembler.startUnit(unit.id);
        const bool goOn = readUnit(unit, assembler);
        m_counters.readersBusy.fetch_sub(1);
        if (!goOn)
            break;
    }
    if (m_cancel->isCancelled()) {
        assembler.discard();
        return;
    }
    try {
        // Units read completely before the source failed still go to the target.
        assembler.flush();
    } catch (const Error &) {
        assembler.discard(); // cancelled while waiting for room
    }
}

bool Pipeline::pauseBetweenReads()
{
    if (m_settings.readIntervalMs <= 0)
        return true;
    try {
        m_clock.sleepNs(qint64(m_settings.readIntervalMs) * 1000000, m_readCancel);
        return true;
    } catch (const Error &) {
        return false; // stopped while pausing: the unit was not started and stays pending
    }
}

bool Pipeline::readUnit(const ReadUnit &unit, Assembler &assembler)
{
    const RetryPolicy &policy = m_settings.unitRetry;
    if (unit.measurement.isEmpty()) {
        std::lock_guard<std::mutex> lock(m_unitsMutex);
        m_units[unit.id].mixed = true;
    }
    for (int attempt = 1;; ++attempt) {
        try {
            m_source.read(unit, m_request, m_dialect, assembler, m_readCancel);
            readFinished(unit.id, assembler.unitRead(), assembler.unitRejected(), nullptr);
            // Nothing else to read soon: don't keep finished units waiting in a partial batch.
            if (!unitsLeft())
                assembler.flush();
            return true;
        } catch (const Error &error) {
            assembler.dropUncommitted();
            if (error.kind() == ErrorKind::Cancelled || m_readCancel.isCancelled()) {
                assembler.restartUnit(supersede(unit.id)); // not done: none of it is counted
                return false;
            }
            // The source retries a request that failed before anything arrived itself; one
            // that broke after points arrived is read again from the start here.
            const bool brokeMidAnswer = error.isRetryable() && assembler.unitRead() > 0;
            if (brokeMidAnswer && attempt < std::max(1, policy.attempts)) {
                const int delay = policy.delayMs(attempt, error);
                m_counters.retries.fetch_add(1, std::memory_order_relaxed);
                m_counters.sourceFailures.fetch_add(1, std::memory_order_relaxed);
                m_observer.retrying(
                    u"Reading %1 (read unit %2, broke after %3 points)"_s.arg(unit.measurement)
                        .arg(unit.id)
                        .arg(assembler.unitRead()),
                    error, attempt, delay);
                assembler.restartUnit(supersede(unit.id));
                try {
                    sleepCancellable(delay, m_readCancel);
                } catch (const Error &) {
                    return false;
                }
                continue;
            }
            if (error.kind() == ErrorKind::Auth || error.kind() == ErrorKind::Tls ||
                error.isRetryable()) {
                // The source itself is unusable (after its retries): read no more, keep this
                // unit pending, let what was read reach the target.
                assembler.restartUnit(supersede(unit.id));
                stopReading(error);
                return false;
            }
            readFinished(unit.id, assembler.unitRead(), assembler.unitRejected(), &error);
            if (!unitsLeft())
                assembler.flush();
            return true;
        }
    }
}

void Pipeline::writerLoop()
{
    Batch batch;
    while (dequeue(batch)) {
        m_counters.writersBusy.fetch_add(1);
        try {
            if (m_rateLimit)
                m_rateLimit->acquire(batch.points, *m_cancel);
            const WriteResult result = m_sink.write(batch, *m_cancel);
            batchWritten(batch, result);
        } catch (const Error &error) {
            m_counters.writersBusy.fetch_sub(1);
            if (error.kind() != ErrorKind::Cancelled && !m_cancel->isCancelled()) {
                countWriteFailure(error);
                fail(error);
            }
            return;
        }
        m_counters.writersBusy.fetch_sub(1);
    }
}

void Pipeline::enqueue(Batch &&batch)
{
    std::unique_lock<std::mutex> lock(m_queueMutex);
    const qint64 size = batch.lines.size();
    // An empty queue always takes a batch, so one larger than the limit cannot block forever.
    const bool full = !m_queue.empty() && m_queuedBytes + size > m_settings.maxQueuedBytes;
    if (full) {
        m_counters.queueFullWaits.fetch_add(1, std::memory_order_relaxed);
        m_counters.readersWaitingForRoom.fetch_add(1);
    }
    // However long the wait, it shows while it lasts (the task is Busy all that time).
    const auto waited = qScopeGuard([&] {
        if (full)
            m_counters.readersWaitingForRoom.fetch_sub(1);
    });
    while (!m_queue.empty() && m_queuedBytes + size > m_settings.maxQueuedBytes) {
        if (m_cancel->isCancelled())
            throw Error(ErrorKind::Cancelled, u"Cancelled"_s);
        m_queueNotFull.wait_for(lock, std::chrono::milliseconds(100));
    }
    if (m_cancel->isCancelled())
        throw Error(ErrorKind::Cancelled, u"Cancelled"_s);
    m_queuedBytes += size;
    m_queue.push_back(std::move(batch));
    lock.unlock();
    m_queueNotEmpty.notify_one();
}

bool Pipeline::dequeue(Batch &batch)
{
    std::unique_lock<std::mutex> lock(m_queueMutex);
    for (;;) {
        if (m_cancel->isCancelled())
            return false;
        if (!m_queue.empty())
            break;
        if (m_readersDone)
            return false;
        m_queueNotEmpty.wait_for(lock, std::chrono::milliseconds(100));
    }
    batch = std::move(m_queue.front());
    m_queue.pop_front();
    m_queuedBytes -= batch.lines.size();
    lock.unlock();
    m_queueNotFull.notify_all();
    return true;
}

void Pipeline::addPending(qint64 unitId)
{
    std::lock_guard<std::mutex> lock(m_unitsMutex);
    ++m_units[unitId].pendingBatches;
}

void Pipeline::removePending(qint64 unitId)
{
    std::lock_guard<std::mutex> lock(m_unitsMutex);
    --m_units[unitId].pendingBatches;
}

int Pipeline::supersede(qint64 unitId)
{
    std::lock_guard<std::mutex> lock(m_unitsMutex);
    UnitState &state = m_units[unitId];
    state.read = 0;
    state.written = 0;
    state.rejected = 0;
    state.byMeasurement.clear();
    return ++state.attempt;
}

void Pipeline::readFinished(qint64 unitId, qint64 read, qint64 rejected, const Error *error)
{
    std::lock_guard<std::mutex> lock(m_unitsMutex);
    UnitState &state = m_units[unitId];
    state.readDone = true;
    state.read = read;
    state.rejected += rejected;
    if (error) {
        state.failed = true;
        state.error = error->message();
        state.errorKind = error->kind();
    }
    finishIfComplete(unitId, state);
}

void Pipeline::batchWritten(const Batch &batch, const WriteResult &result)
{
    if (result.rejected > 0 || !result.rejects.empty())
        m_counters.writeErrors.fetch_add(1, std::memory_order_relaxed);
    std::unordered_map<qint64, qint64> rejectedPerUnit;
    for (const WriteResult::Reject &reject : result.rejects)
        ++rejectedPerUnit[reject.unitId];
    std::lock_guard<std::mutex> lock(m_unitsMutex);
    // Lines of a read that broke and was started again were written, but the new read counts
    // (and records the rejects of) the same points itself.
    std::unordered_map<qint64, bool> superseded;
    qint64 supersededWritten = 0;
    qint64 supersededRejected = 0;
    for (const UnitShare &share : batch.shares) {
        UnitState &state = m_units[share.unitId];
        const qint64 rejected = rejectedPerUnit[share.unitId];
        if (share.attempt != state.attempt) {
            superseded[share.unitId] = true;
            supersededWritten += share.lines - rejected;
            supersededRejected += rejected;
        } else {
            state.rejected += rejected;
            state.written += share.lines - rejected;
        }
    }
    countByMeasurement(batch, superseded);
    for (const WriteResult::Reject &reject : result.rejects) {
        UnitState &state = m_units[reject.unitId];
        if (!state.mixed || superseded.count(reject.unitId))
            continue;
        auto &[written, rejected] = countsOf(
            state.byMeasurement,
            rawMeasurement(std::string_view(reject.line.constData(), size_t(reject.line.size()))));
        --written;
        ++rejected;
    }
    m_counters.pointsWritten.fetch_add(result.written - supersededWritten,
                                       std::memory_order_relaxed);
    m_counters.pointsRejected.fetch_add(result.rejected - supersededRejected,
                                        std::memory_order_relaxed);
    for (const WriteResult::Reject &reject : result.rejects)
        if (!superseded.count(reject.unitId))
            m_observer.pointRejected(reject.unitId, reject.line, reject.reason);
    if (m_settings.stopOnRefused && !result.rejects.empty()) {
        const WriteResult::Reject &first = result.rejects.front();
        refused(first.unitId, &m_units[first.unitId], first.line, first.reason);
    }
    for (const UnitShare &share : batch.shares) {
        UnitState &state = m_units[share.unitId];
        --state.pendingBatches;
        finishIfComplete(share.unitId, state);
    }
}

void Pipeline::countByMeasurement(const Batch &batch,
                                  const std::unordered_map<qint64, bool> &superseded)
{
    // The batch's lines in order, each share's after the one before.
    const std::string_view text(batch.lines.constData(), size_t(batch.lines.size()));
    size_t at = 0;
    qint64 index = 0; // of the line starting at `at`
    auto takeLine = [&] {
        const size_t newline = std::min(text.find('\n', at), text.size());
        const std::string_view line = text.substr(at, newline - at);
        at = newline + 1;
        ++index;
        return line;
    };
    for (const UnitShare &share : batch.shares) {
        UnitState &state = m_units[share.unitId];
        if (!state.mixed || superseded.count(share.unitId))
            continue;
        while (index < share.firstLine && at < text.size())
            takeLine();
        while (index < share.firstLine + share.lines && at < text.size())
            ++countsOf(state.byMeasurement, rawMeasurement(takeLine())).first;
    }
}

void Pipeline::finishIfComplete(qint64 unitId, UnitState &state)
{
    if (!state.readDone || state.pendingBatches > 0)
        return;
    UnitOutcome outcome;
    outcome.unitId = unitId;
    outcome.ok = !state.failed;
    outcome.pointsRead = state.read;
    outcome.pointsWritten = state.written;
    outcome.pointsRejected = state.rejected;
    outcome.error = state.error;
    outcome.errorKind = state.errorKind;
    if (state.mixed) {
        QList<MeasurementCount> counts;
        for (const auto &[raw, figures] : state.byMeasurement)
            counts.append({QString::fromStdString(lp::detail::unescapeMeasurement(raw)),
                           figures.first, figures.second});
        outcome.measurements = std::move(counts);
    }
    if (state.failed)
        ++m_unitsFailed;
    m_observer.unitFinished(outcome);
    state.readDone = false; // reported once
}

void Pipeline::countWriteFailure(const Error &error)
{
    // A write that found no target is the sink reconnecting; one the target answered with an
    // error is a write error.
    const bool unreachable = error.kind() == ErrorKind::Network ||
                             error.kind() == ErrorKind::Timeout || error.kind() == ErrorKind::Tls;
    (unreachable ? m_counters.sinkReconnects : m_counters.writeErrors)
        .fetch_add(1, std::memory_order_relaxed);
}

void Pipeline::refused(qint64 unitId, UnitState *state, const QByteArray &line,
                       const QString &reason)
{
    const std::string_view text(line.constData(), size_t(line.size()));
    // A write's refusal is the target's answer; a reader's, what the target could not hold.
    const QString what = state ? u"The target refused a point of measurement \"%1\""_s
                               : u"A point of measurement \"%1\" cannot be written to the target"_s;
    const QString measurement =
        QString::fromStdString(lp::detail::unescapeMeasurement(rawMeasurement(text)));
    const Error error(
        ErrorKind::Rejected,
        u"%1 (read unit %2): %3"_s.arg(what.arg(measurement), QString::number(unitId), reason));
    // Failed, not done: the unit is migrated again when the task runs again.
    auto markFailed = [&](UnitState &unit) {
        unit.failed = true;
        unit.error = error.message();
        unit.errorKind = error.kind();
    };
    if (state) {
        markFailed(*state);
    } else {
        std::lock_guard<std::mutex> lock(m_unitsMutex);
        markFailed(m_units[unitId]);
    }
    fail(error);
}

void Pipeline::stopReading(const Error &error)
{
    m_counters.sourceFailures.fetch_add(1, std::memory_order_relaxed);
    {
        std::lock_guard<std::mutex> lock(m_fatalMutex);
        if (!m_fatal)
            m_fatal = error;
    }
    if (!m_readingStopped.exchange(true))
        qCWarning(lcEngine) << "stopping the reads:" << error.message();
    m_readCancel.cancel(); // the other readers stop waiting for the source too
}

void Pipeline::fail(const Error &error)
{
    {
        std::lock_guard<std::mutex> lock(m_fatalMutex);
        if (!m_fatal)
            m_fatal = error;
    }
    qCWarning(lcEngine) << "stopping the run:" << error.message();
    m_cancel->cancel();
    m_queueNotFull.notify_all();
    m_queueNotEmpty.notify_all();
}

} // namespace tsm
