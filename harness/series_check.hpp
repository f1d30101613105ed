#pragma once

// Expectations on the Prometheus series of a monitor's answer (an `http:` monitor such as
// blackbox_exporter): `probe_duration_seconds >= 1.5`, `probe_ssl_earliest_cert_expiry <
// now+30d`. Pure: the answer is read by to_observation, the time of the check comes with it.

#include "metrics/prometheus_text.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace harness {

/// The comparison of a series condition.
enum class series_op { lt, le, gt, ge, eq, ne };

/// "<", "<=", ">", ">=", "==" or "!=".
std::string_view to_string(series_op op) noexcept;

/// The comparison named `<`, `<=`, `>`, `>=`, `==`, `!=` (or lt, le, gt, ge, eq, ne).
std::optional<series_op> parse_series_op(std::string_view name) noexcept;

/// One expectation on the series of a monitor's answer: `name{labels} op bound`.
struct series_condition {
    /// The metric name, e.g. probe_duration_seconds.
    std::string name;
    /// Labels a series must carry with these values (it may carry others too).
    prometheus_text::label_set labels;
    /// The comparison of the series' value with the bound.
    series_op op = series_op::ge;
    /// The bound; with `from_now`, seconds after the time of the check (negative: before).
    double bound = 0;
    /// The bound is a Unix time: the time of the check plus `bound` seconds (for timestamps
    /// such as probe_ssl_earliest_cert_expiry).
    bool from_now = false;
};

/// The condition as the reports write it: "probe_duration_seconds >= 1.5",
/// `probe_smtp_phase_duration_seconds{phase="banner"} < 2`, "probe_ssl_earliest_cert_expiry <
/// now+30d".
std::string describe(const series_condition& c);

/// What one condition found in a monitor's answer.
struct series_reading {
    /// The condition read.
    series_condition condition;
    /// Every series of the answer with the condition's name and labels.
    std::vector<prometheus_text::sample> found;
    /// The time of the check (the "now" of conditions from now).
    std::chrono::system_clock::time_point at;
    /// At least one series was found and every one satisfies the condition.
    bool holds = false;
};

/// Reads `c` in `samples` as of `at`: the series with its name and labels, and whether each
/// one's value satisfies it (a value that is not a number, or NaN, does not). Pure.
series_reading read_series(const series_condition& c,
                           const std::vector<prometheus_text::sample>& samples,
                           std::chrono::system_clock::time_point at);

/// Reads every condition of `conditions`. Pure.
std::vector<series_reading> read_series(const std::vector<series_condition>& conditions,
                                        const std::vector<prometheus_text::sample>& samples,
                                        std::chrono::system_clock::time_point at);

/// Whether every reading holds (true for none).
bool all_hold(const std::vector<series_reading>& readings) noexcept;

/// The reading as the reports write it: which series was read, its value and whether the
/// condition holds, e.g. "probe_duration_seconds 1.503 (expected >= 1.5): holds",
/// "probe_ssl_earliest_cert_expiry 1767225600 (in 9.9 days; expected < now+30d): holds",
/// "probe_ssl_earliest_cert_expiry absent (expected < now+30d): fails".
std::string describe(const series_reading& r);

} // namespace harness
