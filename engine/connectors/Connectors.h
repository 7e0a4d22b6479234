#pragma once

#include "core/Sink.h"
#include "core/Source.h"
#include "http/Retry.h"
#include "influx/InfluxApi.h"

#include <TaskProfile.h>
#include <memory>

namespace tsm {

/** Builds the engine's pieces from a task profile. */
namespace Connectors {

/// "http://host:port" (IPv6 hosts in brackets).
QString baseUrl(const QString &protocol, const QString &host, int port);
RetryPolicy retryPolicy(const TaskProfile &profile);
InfluxEndpoint sourceInflux(const TaskProfile &profile);
InfluxEndpoint targetInflux(const TaskProfile &profile);

/// The source of the task. Throws Error(Config) for a type this build cannot read.
std::unique_ptr<Source> createSource(const TaskProfile &profile);
/// The target of the task. Throws Error(Config) for a type this build cannot write.
std::unique_ptr<Sink> createSink(const TaskProfile &profile);

} // namespace Connectors
} // namespace tsm
