#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QtConcurrent/QtConcurrentRun>
#include <functional>

namespace tsm {

/**
 * Runs `work` on the global thread pool and hands its result to `done` on `context`'s thread
 * (the UI thread), so the UI never blocks on the network or the disk. `done` is dropped when
 * `context` is destroyed first.
 */
template<typename Result>
void runInBackground(QObject *context, std::function<Result()> work,
                     std::function<void(const Result &)> done)
{
    auto *watcher = new QFutureWatcher<Result>(context);
    QObject::connect(watcher, &QFutureWatcher<Result>::finished, context, [watcher, done] {
        done(watcher->result());
        watcher->deleteLater();
    });
    watcher->setFuture(QtConcurrent::run(std::move(work)));
}

} // namespace tsm
