#pragma once

namespace tsm {

/** What the target accepts in line protocol; sources encode for it. */
struct LpDialect
{
    /// InfluxDB 1.x OSS refuses `12u`: unsigned values are written as integers when they fit,
    /// otherwise as floats.
    bool unsignedSupported = true;
};

} // namespace tsm
