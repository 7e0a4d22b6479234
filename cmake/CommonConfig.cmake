# One INTERFACE target that carries the project's compiler settings.
add_library(tsm_common INTERFACE)
target_compile_features(tsm_common INTERFACE cxx_std_17)
target_compile_definitions(tsm_common INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_CONTEXTLESS_CONNECT
    QT_NO_FOREACH
    QT_NO_URL_CAST_FROM_STRING
    TSM_VERSION="${PROJECT_VERSION}")
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(tsm_common INTERFACE -Wall -Wextra -Wold-style-cast)
    if(TSM_WERROR)
        target_compile_options(tsm_common INTERFACE -Werror)
    endif()
endif()

# Sanitizers apply to everything built here (libraries, tools, tests), so that memory handed
# between them is watched on both sides. The tests get the options that make a finding fail them.
set(TSM_SANITIZER_ENVIRONMENT "")
# Fuzzing: everything gets libFuzzer's coverage instrumentation (fuzzer-no-link), only the fuzz
# targets link its main (tests/fuzz). Without a sanitizer a fuzzer finds crashes alone.
if(TSM_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
        message(FATAL_ERROR "TSM_FUZZ needs clang (libFuzzer): -DCMAKE_CXX_COMPILER=clang++")
    endif()
    if(TSM_SANITIZE STREQUAL "")
        set(TSM_SANITIZE address)
    elseif(NOT TSM_SANITIZE STREQUAL "address")
        message(FATAL_ERROR "TSM_FUZZ works with TSM_SANITIZE=address only")
    endif()
    add_compile_options(-fsanitize=fuzzer-no-link)
endif()
if(TSM_SANITIZE STREQUAL "address")
    add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                        -fno-omit-frame-pointer)
    add_link_options(-fsanitize=address,undefined)
    set(TSM_SANITIZER_ENVIRONMENT
        "ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1;UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1;LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_LIST_DIR}/lsan.supp")
elseif(TSM_SANITIZE STREQUAL "thread")
    add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
    add_link_options(-fsanitize=thread)
    set(TSM_SANITIZER_ENVIRONMENT
        "TSAN_OPTIONS=halt_on_error=1:abort_on_error=1:second_deadlock_stack=1:suppressions=${CMAKE_CURRENT_LIST_DIR}/tsan.supp")
elseif(NOT TSM_SANITIZE STREQUAL "")
    message(FATAL_ERROR "TSM_SANITIZE must be empty, address or thread (not ${TSM_SANITIZE})")
endif()
