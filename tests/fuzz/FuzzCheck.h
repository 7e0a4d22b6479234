#pragma once

#include <cstdio>
#include <cstdlib>

/**
 * What a fuzz target checks besides "no crash": a broken invariant prints what was expected and
 * aborts, so libFuzzer keeps the input as a crash (and AddressSanitizer prints the stack).
 */
#define FUZZ_CHECK(condition, what)                                                                \
    do {                                                                                           \
        if (!(condition)) {                                                                        \
            std::fprintf(stderr, "invariant broken at %s:%d: %s\n", __FILE__, __LINE__, what);   \
            std::abort();                                                                          \
        }                                                                                          \
    } while (false)

/// Every target is one file, so this is defined once per executable. An allocation past 1 GiB
/// fails (returns null) as it would on a machine without that memory, instead of ending the run:
/// msgpack-c reserves an array's or map's elements as soon as it reads the count in its header,
/// and the reader must then report malformed msgpack, not die.
extern "C" const char *__asan_default_options()
{
    return "allocator_may_return_null=1:max_allocation_size_mb=1024";
}
