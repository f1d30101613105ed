#pragma once

#include "harness/monitor_status.hpp"
#include "metrics/prometheus_text.hpp"
#include "smtp/failure_kind.hpp"
#include "smtp/phase.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace harness {

/// What one monitor reported about one scenario.
struct observation {
    /// The monitor's status; empty when it could not be run or judged (see `error`).
    std::optional<monitor_status> status;
    /// The failure kind, when the monitor names one (only the built-in probe does).
    std::optional<smtp::failure_kind> kind;
    /// The phase of the failure, when the monitor names one (only the built-in probe does).
    std::optional<smtp::phase> phase;
    /// The process exit code of a `cmd:` monitor.
    std::optional<int> exit_code;
    /// One line for tables: the Nagios line, the first output line, or probe_success.
    std::string summary;
    /// Everything the monitor printed (stdout then stderr, or the HTTP body), bounded.
    std::string output;
    /// Why there is no status: the program could not start, ran too long, HTTP failed, ...
    std::string error;
    /// How long the monitor took, from its start to its verdict.
    std::chrono::milliseconds duration{0};
    /// The Prometheus series of an `http:` monitor's answer, for series expectations.
    std::vector<prometheus_text::sample> series;
    /// When the monitor answered: the "now" of series expectations relative to the check.
    std::chrono::system_clock::time_point observed_at{};
};

} // namespace harness
