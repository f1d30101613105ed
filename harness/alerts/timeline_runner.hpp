#pragma once

// Runs one `smtp-harness alerts` timeline: an embedded mock switched from scenario to scenario,
// the watch service of `smtp-probe watch` against it with every address redirected to a
// stand-in (harness/alerts/watch_redirect.hpp), then the notifications captured and judged.

#include "faults/scenario.hpp"
#include "harness/alerts/alert_expectations.hpp"
#include "harness/alerts/alerts_report.hpp"
#include "harness/alerts/timeline.hpp"
#include "watch/watch_config.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace harness::alerts {

/// What one `smtp-harness alerts` run needs, loaded.
struct alerts_plan {
    /// The user's watch configuration (its targets and notifiers are redirected for the run).
    watch::watch_config watch;
    /// The timeline to drive the mock through.
    timeline tl;
    /// The expectations, when given.
    std::optional<alert_expectations> expectations;
    /// Each step's scenario (load_step_scenarios); loaded by run_timeline when empty.
    std::vector<faults::scenario> scenarios;
};

/// The scenario of every step, in order. Throws faults::scenario_error naming the file, line
/// and column of a mistake.
std::vector<faults::scenario> load_step_scenarios(const timeline& tl);

/// Runs the timeline: starts an embedded mock (its control API
/// open for a person to look at) and puts each step's scenario in force at its time; runs the
/// watch service in process against it, with every target pointed at the mock, webhooks at a
/// built-in receiver, e-mail at a second (healthy) mock that keeps the messages, and exec
/// commands replaced by a recorder; then collects the notifications and judges the
/// expectations. `progress` gets one line per event.
alerts_run_result run_timeline(const alerts_plan& plan,
                               const std::function<void(const std::string&)>& progress);

} // namespace harness::alerts
