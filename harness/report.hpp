#pragma once

// The run's reports: live progress lines, the final table, JSON, JUnit XML,
// Markdown and HTML.

#include "harness/scenario_result.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace harness {

/// What the reports say about the run as a whole.
struct run_info {
    std::string monitor;                              ///< the --monitor SPEC as given
    std::chrono::system_clock::time_point started_at; ///< when the run started
    std::chrono::milliseconds duration{0};            ///< wall time of the run
    std::uint64_t seed = 1;                           ///< the fault engine's seed
};

/// "CRITICAL timeout at banner", "OK", "WARNING|CRITICAL", "OK, probe_duration_seconds >= 1.5":
/// expected statuses, kind, phase and series conditions.
std::string describe_expected(const expected_outcome& e);

/// The series the expectation named, as read in the monitor's answer, joined with "; ":
/// "probe_duration_seconds 1.504 (expected >= 1.5): holds"; empty when it named none.
std::string describe_series(const scenario_result& r);

/// "CRITICAL timeout at banner", "OK", "exit 2 CRITICAL", "error: ...": what was observed.
std::string describe_observed(const observation& o);

/// The verdicts that count as success, joined with '|', e.g. "caught|passed".
std::string describe_verdicts(const std::vector<verdict>& verdicts);

/// The verdict as reports show it: its contract name, with " (unproven)" for an unproven
/// `caught`, " 4/10 (fault fired on 5)" (checks that caught the fault / checks, and checks
/// where it fired) for a scenario judged over several checks, " (fault never fired)" for a `missed`
/// or `passed` on a fault none of whose rules fired.
std::string describe_outcome(const scenario_result& r);

/// Empty, or a sentence saying which healthy controls raised a false alarm and that the run's
/// `caught` verdicts are therefore unproven.
std::string describe_unproven(const std::vector<scenario_result>& results);

/// Empty, or a sentence naming the fault scenarios none of whose rules fired during the
/// monitor's checks (with the rules' ids): their `missed` or `passed` says nothing about the
/// monitor.
std::string describe_unfired(const std::vector<scenario_result>& results);

/// One progress line without newline: "[12/48] banner-missing … caught (3.0 s)", the verdict
/// as describe_outcome writes it ("[3/48] intermittent … caught 2/7 (fault fired on 2) (0.1 s)"),
/// with
/// "(expected missed; observed OK)" appended when the verdict is not the expected one (and the
/// readings of the series that fail).
std::string format_progress(std::size_t done, std::size_t total, const scenario_result& r);

/// The final table for a terminal: scenario, verdict, expected verdict, observed, expected
/// outcome, time, and the monitor's own summary line ("monitor said"); a '!' marks each unexpected
/// verdict; then the series read for each scenario whose expectation names series, and the
/// counts per verdict.
std::string format_table(const std::vector<scenario_result>& results, const run_info& info);

/// The JSON report: {"monitor", "results": [{"scenario", "verdict", "expected", "observed",
/// "time_to_detect_ms", "output", ...}], "summary": {verdict: count}, ...}.
std::string format_json(const std::vector<scenario_result>& results, const run_info& info);

/// JUnit XML: one testsuite per run, one testcase per scenario; an unexpected verdict is a
/// <failure> (an <error> when the verdict is `error`); the monitor's output is <system-out>.
std::string format_junit(const std::vector<scenario_result>& results, const run_info& info);

/// The monitor's own words (its summary line, cut to 100 characters; "-" when it said nothing),
/// so that a reader sees why it fired.
std::string monitor_said(const observation& o);

/// A Markdown report: the counts and a table with one row per scenario, with what the monitor
/// said.
std::string format_markdown(const std::vector<scenario_result>& results, const run_info& info);

/// A self-contained HTML page (no external assets) for CI artifacts: the counts, the scenario
/// x verdict matrix, and per scenario (opened when its verdict is unexpected) the verdict with
/// its check counts, what the monitor said, the fault (listener and rules), and the mock's
/// annotated transcript of each session on demand: times, the delay between lines, the phase
/// where it changes, the meaning of each reply code, the fired fault rule highlighted, and how
/// the session ended. Every text is escaped (transcripts carry hostile bytes).
std::string format_html(const std::vector<scenario_result>& results, const run_info& info);

/// How many results have each verdict, indexed by verdict.
std::vector<std::size_t> count_verdicts(const std::vector<scenario_result>& results);

} // namespace harness
