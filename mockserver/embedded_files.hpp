#pragma once

// Files compiled into smtp-mock (cmake/embed_files.cmake): the web console's assets and the
// fault catalog, so that the program needs no files beside it.

#include <cstddef>
#include <string_view>

namespace mock {

/// One file compiled in.
struct embedded_file {
    /// Its name, without folders, e.g. "console.js".
    std::string_view name;
    /// Its exact bytes.
    std::string_view content;
};

/// The web console: index.html, its style sheet and its JavaScript modules.
extern const embedded_file console_files[];
/// How many console_files there are.
extern const std::size_t console_files_count;

/// The fault catalog: one YAML scenario per file, e.g. "banner-421.yaml".
extern const embedded_file catalog_files[];
/// How many catalog_files there are.
extern const std::size_t catalog_files_count;

} // namespace mock
