#pragma once

#include "core/Batch.h"
#include "core/CancelToken.h"
#include "core/LpDialect.h"
#include "core/Source.h"

namespace tsm {

/**
 * A place data is written to. write() is thread-safe (the pipeline calls it from up to
 * *write concurrency* threads) and retries transient failures itself; what it throws is final
 * for this run: Auth stops the task, Network/Server/Timeout mean the retries were exhausted,
 * Cancelled means the task was paused or stopped.
 */
class Sink : public RetryNotifier
{
public:
    virtual ~Sink() = default;

    virtual QString describe() const = 0;
    virtual LpDialect dialect() const = 0;
    virtual ConnectionInfo checkConnection(const CancelToken &cancel) = 0;
    /// Create the database when the task asks for it, or check that it exists.
    virtual void prepare(const CancelToken &cancel) = 0;
    /// Called after prepare(), before data moves: a target with typed tables of its own brings
    /// them in line with those of `database` in `source` (`measurements`, empty = all): created
    /// when `create`, otherwise checked. The default does nothing.
    virtual void syncSchema(Source & /*source*/, const QString & /*database*/,
                            const QStringList & /*measurements*/, bool /*create*/,
                            const CancelToken & /*cancel*/)
    {}
    virtual WriteResult write(const Batch &batch, const CancelToken &cancel) = 0;
    /// Called once before count() with every window verification will ask for, so a target that
    /// is cheaper to count in one pass (a file) can do so. The default does nothing.
    virtual void prepareCount(const QList<CountWindow> & /*windows*/,
                              const CancelToken & /*cancel*/)
    {}
    /// What the target holds of a window of the source, as the target names it (a measurement
    /// may be a super table of another name, a TDengine 2.x subtable a child table or a tag):
    /// counted per field and, where it can, per point. Thread-safe. Throws tsm::Error.
    virtual PointCount count(const CountWindow &window, const CancelToken &cancel) = 0;
    /// Make everything written so far durable (files: flush and fsync). Called before units are
    /// marked done in the ledger.
    virtual void flush() {}
};

} // namespace tsm
