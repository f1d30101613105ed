#pragma once

// The probe options the built-in monitor runs with, from a scenario's probe hints. Pure.

#include "harness/monitor.hpp"
#include "prober/probe_options.hpp"

#include <chrono>

namespace harness {

/// Defaults the probe uses where a scenario's hints are silent: short, so that a whole
/// catalog runs in seconds.
struct builtin_defaults {
    std::chrono::milliseconds timeout{8000};         ///< -t
    std::chrono::milliseconds connect_timeout{2000}; ///< --connect-timeout
    std::chrono::milliseconds command_timeout{4000}; ///< --command-timeout
};

/// The probe options a scenario's probe hints ask for, against `target`: send, STARTTLS,
/// implicit TLS, AUTH (with `credentials`), --insecure, --quit-after, thresholds, timeouts and
/// certificate days. The mock's CA is trusted and "localhost" is the TLS name, so only a
/// faulted certificate fails verification. Pure.
prober::probe_options builtin_probe_options(const monitor_target& target,
                                            const harness_credentials& credentials,
                                            const builtin_defaults& defaults = {});

} // namespace harness
