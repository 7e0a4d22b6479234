#include "run/Pipeline.h"

#include "EngineLog.h"

#include <chrono>
#include <thread>

using namespace Qt::StringLiterals;

namespace tsm {

/** A reader's batch under construction: counts lines per unit and hands full batches over. */
class Pipeline::Assembler : public BatchOutput
{
public:
    explicit Assembler(Pipeline &pipeline) : m_pipeline(pipeline) { reset(); }

    void startUnit(qint64 unitId)
    {
        m_unitId = unitId;
        m_unitInBatch = false;
        m_read = 0;
        m_rejected = 0;
    }
    qint64 unitRead() const { return m_read; }
    qint64 unitRejected() const { return m_rejected; }

    QByteArray &buffer() override { return m_batch.lines; }

    void lineAppended() override
    {
        if (!m_unitInBatch) {
            m_batch.shares.push_back(UnitShare{m_unitId, m_batch.points, 0});
            m_pipeline.addPending(m_unitId);
            m_unitInBatch = true;
        }
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
        m_pipeline.m_observer.pointRejected(m_unitId, description, reason);
    }

    /// Hands the batch to the writers (waits while their queue is full).
    void flush()
    {
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
    }

    Pipeline &m_pipeline;
    Batch m_batch;
    qsizetype m_lastBatchBytes = 0; ///< size of the last batch handed over
    qint64 m_unitId = 0;
    bool m_unitInBatch = false;
    qint64 m_read = 0;
    qint64 m_rejected = 0;
};

Pipeline::Pipeline(Source &source, Sink &sink, PlanRequest request, LpDialect dialect,
                   PipelineSettings settings, PipelineObserver &observer)
    : m_source(source), m_sink(sink), m_request(std::move(request)), m_dialect(dialect),
      m_settings(settings), m_observer(observer)
{
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

    auto onRetry = [this](const QString &what, const Error &error, int attempt, int delayMs) {
        m_counters.retries.fetch_add(1, std::memory_order_relaxed);
        m_observer.retrying(what, error, attempt, delayMs);
    };
    m_source.setRetryListener(onRetry);
    m_sink.setRetryListener(onRetry);

    std::vector<std::thread> writers;
    std::vector<std::thread> readers;
    const int readerCount =
        std::max(1, std::min<int>(m_settings.readConcurrency, int(units.size())));
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
    while (!m_cancel->isCancelled() && takeUnit(unit)) {
        {
            std::lock_guard<std::mutex> lock(m_unitsMutex);
            m_units[unit.id] = UnitState();
        }
        m_observer.unitStarted(unit.id);
        m_counters.readersBusy.fetch_add(1);
        assembler.startUnit(unit.id);
        try {
            m_source.read(unit, m_request, m_dialect, assembler, *m_cancel);
            readFinished(unit.id, assembler.unitRead(), assembler.unitRejected(), nullptr);
            // Nothing else to read soon: don't keep finished units waiting in a partial batch.
            if (!unitsLeft())
                assembler.flush();
        } catch (const Error &error) {
            m_counters.readersBusy.fetch_sub(1);
            if (error.kind() == ErrorKind::Cancelled || m_cancel->isCancelled()) {
                assembler.discard();
                return;
            }
            if (error.kind() == ErrorKind::Auth || error.kind() == ErrorKind::Tls ||
                error.isRetryable()) {
                // The source itself is unusable (after its retries): stop, keep units pending.
                assembler.discard();
                fail(error);
                return;
            }
            readFinished(unit.id, assembler.unitRead(), assembler.unitRejected(), &error);
            if (!unitsLeft())
                assembler.flush();
            continue;
        }
        m_counters.readersBusy.fetch_sub(1);
    }
    if (!m_cancel->isCancelled()) {
        try {
            assembler.flush();
        } catch (const Error &) {
            assembler.discard(); // cancelled while waiting for room
        }
    }
}

void Pipeline::writerLoop()
{
    Batch batch;
    while (dequeue(batch)) {
        m_counters.writersBusy.fetch_add(1);
        try {
            const WriteResult result = m_sink.write(batch, *m_cancel);
            batchWritten(batch, result);
        } catch (const Error &error) {
            m_counters.writersBusy.fetch_sub(1);
            if (error.kind() != ErrorKind::Cancelled && !m_cancel->isCancelled())
                fail(error);
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
    m_counters.pointsWritten.fetch_add(result.written, std::memory_order_relaxed);
    m_counters.pointsRejected.fetch_add(result.rejected, std::memory_order_relaxed);
    std::unordered_map<qint64, qint64> rejectedPerUnit;
    for (const WriteResult::Reject &reject : result.rejects) {
        ++rejectedPerUnit[reject.unitId];
        m_observer.pointRejected(reject.unitId, reject.line, reject.reason);
    }
    std::lock_guard<std::mutex> lock(m_unitsMutex);
    for (const UnitShare &share : batch.shares) {
        UnitState &state = m_units[share.unitId];
        const qint64 rejected = rejectedPerUnit[share.unitId];
        state.rejected += rejected;
        state.written += share.lines - rejected;
        --state.pendingBatches;
        finishIfComplete(share.unitId, state);
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
    if (state.failed)
        ++m_unitsFailed;
    m_observer.unitFinished(outcome);
    state.readDone = false; // reported once
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
