#pragma once

#include "harness/monitor.hpp"
#include "prober/probe_options.hpp"
#include "prober/probe_result.hpp"

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

/// What a probe result says, as an observation (status, kind, phase, Nagios line, transcript).
observation to_observation(const prober::probe_result& r);

/// Our probe, run in process with the mode each scenario needs.
class builtin_monitor final : public monitor {
public:
    explicit builtin_monitor(harness_credentials credentials)
        : credentials_(std::move(credentials))
    {
    }

    observation observe(const monitor_target& target) const override;
    bool names_kinds() const noexcept override { return true; }

private:
    harness_credentials credentials_;
};

} // namespace harness
