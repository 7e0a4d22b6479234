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
