#pragma once

// The scenario x monitor runner: for each scenario, an in-process mock on an ephemeral port,
// the monitor against it, the mock's session record, the expectation and the verdict.
// Scenarios run in parallel on `jobs` threads; each has its own mock.

#include "faults/scenario.hpp"
#include "harness/expectation.hpp"
#include "harness/monitor.hpp"
#include "harness/scenario_mock.hpp"
#include "harness/scenario_result.hpp"

#include <functional>
#include <vector>

namespace harness {

/// Everything a run needs besides the scenarios.
struct run_settings {
    const harness::monitor* monitor = nullptr;     ///< the monitor under test (not owned)
    const expectation_set* expectations = nullptr; ///< --expect, or null
    mock_settings mock;                            ///< how each mock is set up
    unsigned jobs = 1;                             ///< scenarios run at once
    /// Checks of the monitor per scenario; 0 derives them from its rules (checks_needed).
    unsigned checks = 0;
};

/// Called (from worker threads, one call at a time) as each scenario finishes, with how many
/// have finished so far.
using progress_callback = std::function<void(std::size_t done, const scenario_result& r)>;

/// Where a monitor finds `mock`, which serves `s`.
monitor_target target_of(const faults::scenario& s, const scenario_mock& mock);

/// Runs one scenario: mock, the monitor as many times as it needs checks (each against the
/// same mock, so connection ordinals and `times` run on), verdict (judge_checks).
scenario_result run_scenario(const faults::scenario& s, const run_settings& settings);

/// Runs every scenario; results come back in the order of `scenarios`, with `caught`
/// verdicts marked unproven when a healthy control raised a false alarm (mark_unproven).
std::vector<scenario_result> run_all(const std::vector<faults::scenario>& scenarios,
                                     const run_settings& settings,
                                     const progress_callback& progress);

} // namespace harness
