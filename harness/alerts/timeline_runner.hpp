#pragma once

// Runs one `smtp-harness alerts` timeline: an embedded mock switched from scenario to scenario,
// the watch service of `smtp-probe watch` against it with every address redirected to a
// stand-in (harness/alerts/watch_redirect.hpp), then the notifications captured and judged.

#include "faults/scenario.hpp"
#include "harness/alerts/alert_expectations.hpp"
#include "harness/alerts/alerts_report.hpp"
#include "harness/alerts/timeline.hpp"
#include "watch/watch_config.hpp"

namespace mock {
class mock_app;
}

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <stop_token>
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
    /// A stop requested on it ends the timeline early (drive_timeline).
    std::stop_token stop;
};

/// A private temporary directory for one run (state files, records, a daemon's files), removed
/// with everything in it when destroyed. Throws std::runtime_error when it cannot be made.
class run_directory {
public:
    run_directory();
    ~run_directory();
    run_directory(const run_directory&) = delete;
    run_directory& operator=(const run_directory&) = delete;
    /// A file in it.
    std::string file(const char* name) const { return (path_ / name).string(); }
    /// The directory.
    const std::filesystem::path& path() const noexcept { return path_; }

private:
    std::filesystem::path path_;
};

/// A started embedded mock serving `s` (seed 1), with its control API on 127.0.0.1 when
/// `control`.
std::unique_ptr<mock::mock_app> start_timeline_mock(faults::scenario s, bool control);

/// Puts each step's scenario in force in `target` at its time (the first is in force already),
/// sleeping through each step; records in `times` when each step ran, from `epoch`. A stop
/// requested on `stop` (SIGINT or SIGTERM, io/stop_signals.hpp) ends the sleep: it throws
/// timeline_stopped naming when and in which step, so that the caller's daemons and run
/// directory go as at the end of a run.
void drive_timeline(const timeline& tl, const std::vector<faults::scenario>& scenarios,
                    mock::mock_app& target, std::chrono::steady_clock::time_point epoch,
                    step_times& times, const std::function<void(const std::string&)>& progress,
                    const std::stop_token& stop = {});

/// A timeline ended early by a stop request.
class timeline_stopped : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The scenario of every step, in order. Throws faults::scenario_error naming the file, line
/// and column of a mistake.
std::vector<faults::scenario> load_step_scenarios(const timeline& tl);

/// The shared frame of every alerts run: `drive` runs the timeline and fills `times` and
/// `captured` (an exception it throws becomes the run's error); then the captured alerts are
/// judged against `expectations`, when given and the run had no error.
alerts_run_result judged_run(const timeline& tl,
                             const std::optional<alert_expectations>& expectations,
                             const std::function<void(alerts_run_result&)>& drive);

/// Runs the timeline: starts an embedded mock (its control API
/// open for a person to look at) and puts each step's scenario in force at its time; runs the
/// watch service in process against it, with every target pointed at the mock, webhooks at a
/// built-in receiver, e-mail at a second (healthy) mock that keeps the messages, and exec
/// commands replaced by a recorder; then collects the notifications and judges the
/// expectations. `progress` gets one line per event.
alerts_run_result run_timeline(const alerts_plan& plan,
                               const std::function<void(const std::string&)>& progress);

} // namespace harness::alerts
