# Shared compile options, as INTERFACE targets every project target links PRIVATE.
add_library(smtph_warnings INTERFACE)
add_library(smtph::warnings ALIAS smtph_warnings)
target_compile_options(smtph_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual
    -Wimplicit-fallthrough
    # g++ 12 reports coroutine frame deallocation as mismatched (a false positive).
    -Wno-mismatched-new-delete)
if(SMTPH_WARNINGS_AS_ERRORS)
    target_compile_options(smtph_warnings INTERFACE -Werror)
endif()

add_library(smtph_options INTERFACE)
add_library(smtph::options ALIAS smtph_options)
target_compile_features(smtph_options INTERFACE cxx_std_20)
if(SMTPH_SANITIZE)
    target_compile_options(smtph_options INTERFACE
        -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(smtph_options INTERFACE -fsanitize=address,undefined)
endif()

# libFuzzer builds (ci/fuzz, clang): instrument every project library for coverage, with ASan
# and UBSan; the fuzz targets link the libFuzzer driver.
option(SMTPH_FUZZ "Build the libFuzzer targets (clang only)" OFF)
if(SMTPH_FUZZ)
    target_compile_options(smtph_options INTERFACE
        -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
        -fno-sanitize-recover=undefined)
    target_link_options(smtph_options INTERFACE -fsanitize=address,undefined)
endif()
