#pragma once

#include <QString>

namespace tsm {

/**
 * The demo task a new user finds in the task list: the line-protocol sample bundled with the
 * app migrated into a line-protocol file, no server needed. Its files live in a "demo" folder
 * beside the task store.
 */
namespace DemoTask {

/// The task's name in the list.
QString name();
/// Writes the sample beside `storePath` and saves the demo task in the store. Returns an error
/// message, empty on success.
QString seed(const QString &storePath);

} // namespace DemoTask
} // namespace tsm
