#pragma once

// Runs an exec notifier's command. Include only from I/O files.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace watch {

/// How a command ended.
struct exec_outcome {
    /// Whether it exited with status 0 within the deadline.
    bool ok = false;
    /// What went wrong, e.g. "exited with status 2" or "killed after 10.000s".
    std::string error;
};

/// Runs `argv` directly (no shell) with the current environment plus `env`, stdin from
/// /dev/null and stdout joined to stderr; kills it when `timeout` passes. Waits on the current
/// executor without blocking it.
boost::asio::awaitable<exec_outcome>
run_command(std::vector<std::string> argv, std::vector<std::pair<std::string, std::string>> env,
            std::chrono::milliseconds timeout);

} // namespace watch
