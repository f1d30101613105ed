#pragma once

// The reports of `smtp-harness alerts`: a table for people, JUnit XML and JSON. Pure.

#include "harness/alerts/alert_verdict.hpp"
#include "harness/alerts/captured_alert.hpp"
#include "harness/alerts/timeline.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace harness::alerts {

/// What the seconds of a time-scaled run stand for in real time: a Nagios or live Prometheus run
/// with `--time-scale N` runs every interval N times faster, so a second of the run is N seconds
/// of the configuration's time.
struct time_scale_info {
    /// N: one second of the run stands for N seconds.
    int factor = 1;
    /// Nagios's interval_length during the run (60 / N), in seconds; 0 for a run that has none
    /// (Prometheus), which the reports then leave out.
    int interval_length_s = 60;
    /// Each expectation's name and its windows in real time, in file order.
    std::vector<std::pair<std::string, std::string>> windows;
};

/// The real-time equivalent of `d` of a run at `factor`, e.g. "20m" for 20s at 60.
std::string real_time(std::chrono::milliseconds d, int factor);

/// The windows of `e` in real time at `factor`, e.g. "within [4m, 17m], resolves within
/// [0ms, 8m]" or "quiet until 8m after the step".
std::string real_time_windows(const alert_expectation& e, int factor);

/// The time scale of a run at `factor` with Nagios's `interval_length_s`, with the real-time
/// windows of `expectations` when given.
time_scale_info make_time_scale(int factor, int interval_length_s,
                                const std::optional<alert_expectations>& expectations);

/// Everything one run produced.
struct alerts_run_result {
    /// The timeline that ran.
    timeline tl;
    /// When each step ran.
    step_times times;
    /// Every notification captured, in arrival order.
    std::vector<captured_alert> captured;
    /// The verdicts, when expectations were given.
    std::vector<expectation_result> results;
    /// Why the run could not complete, if it could not.
    std::string error;
    /// For a time-scaled run: what its seconds stand for (the reports state it).
    std::optional<time_scale_info> time_scale;

    /// Whether every expectation held and the run completed.
    bool passed() const noexcept;
};

/// The notifications and verdict tables, as printed at the end of a run.
std::string format_table(const alerts_run_result& r);

/// JUnit XML: one test case per expectation, in a suite named after the timeline; a
/// time-scaled run's suite has properties time_scale, interval_length_s (Nagios), real_duration and
/// step.ID.real_duration, and each test case a real_time property with its windows.
std::string format_junit(const alerts_run_result& r);

/// The JSON report: steps, notifications, results and a summary; for a time-scaled run also
/// "time_scale" ({factor, interval_length_s, real_duration, real_duration_s}), each step's
/// real_duration and real_duration_s, and each result's real_time (its windows).
std::string format_json(const alerts_run_result& r);

} // namespace harness::alerts
