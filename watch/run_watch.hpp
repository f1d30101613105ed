#pragma once

#include <string>

namespace watch {

/// `smtp-probe watch --config FILE`: loads the configuration, prints the ready line on stdout
/// ({"event":"ready","status":"ADDR:PORT","targets":[...]}), watches until SIGINT or SIGTERM.
/// Returns the exit code: 0 after a signal, 3 (UNKNOWN) for a configuration error.
int run_watch(const std::string& config_file);

} // namespace watch
