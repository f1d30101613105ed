#pragma once

// Judging captured notifications against expectations. Pure.

#include "harness/alerts/alert_expectations.hpp"
#include "harness/alerts/captured_alert.hpp"
#include "harness/alerts/timeline.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace harness::alerts {

/// When each step actually ran, from the start of the run.
struct step_times {
    /// Start of each step.
    std::vector<std::chrono::milliseconds> start;
    /// End of each step.
    std::vector<std::chrono::milliseconds> end;
};

/// The verdict on one expectation.
struct expectation_result {
    /// The expectation's name.
    std::string name;
    /// Its step.
    std::string step;
    /// Whether it held.
    bool passed = false;
    /// What was observed, e.g. "problem after 4.1s via hook, mail, sms; recovery 2.0s after
    /// the end".
    std::string observed;
    /// For a failure: what was expected and missing.
    std::string failure;
    /// For fires: the first problem, from the step's start.
    std::optional<std::chrono::milliseconds> fired_after;
    /// For fires: the first recovery, from the step's end.
    std::optional<std::chrono::milliseconds> resolved_after;
};

/// Judges every expectation.
std::vector<expectation_result> evaluate(const alert_expectations& expectations, const timeline& tl,
                                         const step_times& times,
                                         const std::vector<captured_alert>& captured);

/// "4.1s": milliseconds as seconds with one decimal.
std::string seconds_text(std::chrono::milliseconds d);

} // namespace harness::alerts
