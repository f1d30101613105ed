#pragma once

// How a program run ended, as plain data with no Asio: what io::run_process (io/process.hpp)
// returns, so that a core that judges a run (the harness's `cmd:` observation) links no I/O.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string.h>
#include <string>

namespace io {

/// How a program ended.
struct exit_status {
    /// The exit code, when it exited by itself.
    std::optional<int> code;
    /// The signal that ended it, when one did.
    std::optional<int> signal;

    /// "exited with status 2", "was killed by SIGKILL".
    std::string describe() const
    {
        if (code) {
            return "exited with status " + std::to_string(*code);
        }
        if (signal) {
            const char* name = ::sigabbrev_np(*signal);
            return "was killed by " +
                   (name ? "SIG" + std::string(name) : "signal " + std::to_string(*signal));
        }
        return "ended in an unknown way";
    }
};

/// Output kept from one stream: its head, and how much more there was.
struct captured_output {
    /// The first bytes, up to the limit.
    std::string head;
    /// Bytes read beyond the limit and not kept.
    std::uint64_t dropped = 0;
};

/// How a run ended.
struct run_result {
    /// Why it could not be started; empty when it ran.
    std::string spawn_error;
    /// How the program ended.
    exit_status status;
    /// Whether it was stopped for running past the time limit.
    bool timed_out = false;
    /// Whether the run was cancelled (the program was killed).
    bool cancelled = false;
    /// Standard output (with stderr when merged).
    captured_output out;
    /// Standard error, when captured on its own.
    captured_output err;
    /// How long it ran.
    std::chrono::milliseconds duration{0};
};

} // namespace io
