#pragma once

// What each monitor kind's raw outcome says, as an observation: a probe result, a program run,
// an HTTP answer. Pure: the adapters that produce the outcomes (builtin_monitor.hpp,
// command_monitor.hpp, http_monitor.hpp) do the I/O.

#include "harness/observation.hpp"
#include "io/http_client_data.hpp"
#include "io/process_result.hpp"
#include "prober/probe_result.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace harness {

/// What a probe result says, as an observation (status, kind, phase, Nagios line, transcript).
observation to_observation(const prober::probe_result& r);

/// What a program run says, as an observation: the Nagios exit code 0..3 is the status; any
/// other ending (other codes, a signal, the time limit, no such program) is an error. The
/// summary is the first line of its standard output. Pure.
observation to_observation(const io::run_result& p, std::chrono::milliseconds time_limit);

/// The series part of an exporter's answer: what follows "Metrics that would have been
/// returned:" in a debug answer (up to blackbox_exporter's module configuration), else all of it.
std::string_view metrics_section(std::string_view answer) noexcept;

/// The value of `probe_success` among `series`: true for 1, false for any other number,
/// nothing when the series is absent or not a number.
std::optional<bool> probe_success(const std::vector<prometheus_text::sample>& series) noexcept;

/// probe_success() of a Prometheus text exposition (blackbox_exporter's /probe answer), read
/// with prometheus_text::parse_samples.
std::optional<bool> parse_probe_success(std::string_view exposition);

/// The reason a `debug=true` answer gives for its probe's result, or "" when it gives none.
/// blackbox_exporter's log: its last error (msg and err) and the last line it read from the
/// server; smtp-probe's exporter: the first line of its probe report.
std::string debug_reason(std::string_view debug_answer);

/// `url` asking for the debug answer too (`debug=true` added to its query), or `url` itself
/// when it already says `debug=`.
std::string with_debug(std::string_view url);

/// What an HTTP answer says, as an observation: 200 with probe_success 1 is OK, 200 with
/// probe_success 0 is CRITICAL, anything else (no answer, another status) is an error; the
/// answer's series are kept for series expectations. Pure: observed_at is left to the caller.
observation to_observation(const io::http::client_response& r);

} // namespace harness
