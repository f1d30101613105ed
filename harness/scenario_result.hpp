#pragma once

#include "faults/scenario.hpp"
#include "harness/expectation.hpp"
#include "harness/observation.hpp"
#include "harness/verdict.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace harness {

/// The outcome of one scenario of a run: what was expected, what the monitor said, the
/// verdict and whether it is the expected one.
struct scenario_result {
    std::string scenario;             ///< the scenario's name
    std::string summary;              ///< the scenario's one-line summary
    expected_outcome expected;        ///< what the monitor should report
    observation observed;             ///< what it reported
    verdict outcome = verdict::error; ///< the verdict
    bool as_expected = false;         ///< whether the verdict is among expected.verdicts
    bool contact_checked = false;     ///< whether the mock's session record was consulted
    std::uint64_t sessions = 0;       ///< sessions the mock recorded
    /// Time from the monitor's start to its alert, for caught and misreported faults.
    std::optional<std::chrono::milliseconds> time_to_detect;
    /// Why the mock could not be started, when it could not (verdict error).
    std::string setup_error;
    /// A `caught` that proves nothing: a healthy control of the same run was a false alarm, so
    /// the monitor alerts on a working server too (see mark_unproven).
    bool unproven = false;
    /// The ids of the scenario's rules that never fired during the monitor's checks.
    std::vector<std::string> unfired_rules;
    /// A fault scenario none of whose rules fired: the monitor never met the fault, so its
    /// OK proves nothing either way (reports say so next to `missed` or `passed`).
    bool fault_never_fired = false;
};

/// Whether every result's verdict is an expected one.
bool all_as_expected(const std::vector<scenario_result>& results) noexcept;

/// The healthy controls of a run (healthy, healthy-*) whose verdict is `false_alarm`.
std::vector<std::string> false_alarm_controls(const std::vector<scenario_result>& results);

/// When a healthy control raised a false alarm, marks every `caught` of the run unproven: a
/// monitor that alerts on a working server gains nothing by alerting on a broken one. An
/// unproven `caught` counts as unexpected unless every such control's false alarm is itself
/// expected (`expect_verdict: false_alarm`). Pure.
void mark_unproven(std::vector<scenario_result>& results);

/// Whether the mock can show that the monitor connected: not when the listener refuses or
/// black-holes connections, since then no session can exist.
bool contact_observable(const faults::scenario& s) noexcept;

/// The result for one scenario from its parts (pure): the verdict, whether it is expected,
/// and the time to detection (for caught and misreported faults).
scenario_result assess(const faults::scenario& s, const expected_outcome& expected,
                       observation observed, bool contact_checked, std::uint64_t sessions);

/// Records which of the scenario's rules never fired during the monitor's checks, and whether
/// that means the monitor never met the fault at all (none fired; healthy scenarios and
/// scenarios without rules excepted). Pure.
void note_unfired_rules(scenario_result& r, const faults::scenario& s,
                        std::vector<std::string> unfired);

} // namespace harness
