#pragma once

#include <string_view>

namespace watch {

/// Writes one line to stderr: "<RFC 3339 time> smtp-probe watch: <message>".
void log_line(std::string_view message);

} // namespace watch
