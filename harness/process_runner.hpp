#pragma once

// Running a monitor program with a time limit and capturing what it prints.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace harness {

/// How a program run ended.
struct process_outcome {
    /// The exit code, when it exited by itself.
    std::optional<int> exit_code;
    /// The signal that ended it, when one did (SIGKILL after the time limit).
    std::optional<int> signal;
    /// Whether it was killed for running past the time limit.
    bool timed_out = false;
    /// Standard output, at most the capture limit.
    std::string out;
    /// Standard error, at most the capture limit.
    std::string err;
    /// Why it could not be started (e.g. no such program); empty when it ran.
    std::string spawn_error;
};

/// Runs `argv` (the program is looked up in PATH) with stdin from /dev/null, in a process
/// group of its own. After `time_limit` the whole group is killed with SIGKILL. Keeps at most
/// `capture_limit` bytes of each output stream (the rest is read and dropped). Safe to call
/// from several threads at once.
process_outcome run_process(const std::vector<std::string>& argv,
                            std::chrono::milliseconds time_limit,
                            std::size_t capture_limit = 64 * 1024);

} // namespace harness
