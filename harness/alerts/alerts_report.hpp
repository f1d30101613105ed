#pragma once

// The reports of `smtp-harness alerts`: a table for people, JUnit XML and JSON. Pure.

#include "harness/alerts/alert_verdict.hpp"
#include "harness/alerts/captured_alert.hpp"
#include "harness/alerts/timeline.hpp"

#include <string>
#include <vector>

namespace harness::alerts {

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

    /// Whether every expectation held and the run completed.
    bool passed() const noexcept;
};

/// The notifications and verdict tables, as printed at the end of a run.
std::string format_table(const alerts_run_result& r);

/// JUnit XML: one test case per expectation, in a suite named after the timeline.
std::string format_junit(const alerts_run_result& r);

/// The JSON report: steps, notifications, results and a summary.
std::string format_json(const alerts_run_result& r);

} // namespace harness::alerts
