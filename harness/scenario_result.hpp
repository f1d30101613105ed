#pragma once

#include "faults/scenario.hpp"
#include "harness/expectation.hpp"
#include "harness/observation.hpp"
#include "harness/recorded_session.hpp"
#include "harness/verdict.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace harness {

/// One check of a scenario judged over several checks of the monitor.
struct check_record {
    verdict outcome = verdict::error; ///< the verdict of this check alone
    bool fault_fired = false;         ///< whether any rule of the scenario fired during it
    bool alerted = false;             ///< whether the monitor reported a status other than OK
};

/// The outcome of one scenario of a run: what was expected, what the monitor said, the
/// verdict and whether it is the expected one.
struct scenario_result {
    std::string scenario;      ///< the scenario's name
    std::string summary;       ///< the scenario's one-line summary
    expected_outcome expected; ///< what the monitor should report
    observation observed;      ///< what it reported
    /// The series the expectation names, as read in the monitor's answer (see judge).
    std::vector<series_reading> series;
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
    /// Every check, when the scenario was judged over more than one (see judge_checks).
    std::vector<check_record> checks;
    /// Checks during which the fault fired.
    std::size_t fired_checks = 0;
    /// Checks during which the fault fired and the monitor caught it.
    std::size_t caught_checks = 0;
    /// The fault as the mock was told it: the listener state ("open", "closed", "blackhole"),
    /// then "; mailbox listeners closed" when the POP3 and IMAP ones are.
    std::string listener = "open";
    /// The fault as the mock was told it: each rule of the scenario as JSON text.
    std::vector<std::string> fault_rules;
    /// The sessions the mock recorded during the monitor's checks (at most 100), oldest first.
    std::vector<recorded_session> transcripts;
};

/// The most checks the harness derives for one scenario (see checks_needed).
inline constexpr unsigned max_derived_checks = 10;

/// How many checks of the monitor `s` needs so that its fault both fires and, where it fires
/// only on some connections, is seen not to fire: 1 without such rules; the check after a
/// rule's last connection (`connections: 3` needs 4), the first repetition of `every N`,
/// `times` + 1, or for `probability` p the checks after which it has fired with 99 % chance.
/// The largest over the rules, at most `cap`. Pure.
unsigned checks_needed(const faults::scenario& s, unsigned cap = max_derived_checks);

/// The record of one check from its result alone and whether the fault fired during it: on a
/// check where it did not fire the server was healthy, so an alert is a `false_alarm` and OK
/// is `passed` (an `error` or `no_contact` stays). Pure.
check_record record_check(const scenario_result& r, bool fault_fired);

/// Judges a scenario over several checks (`checks` in order; r holds one check's result):
/// an error on any check is `error`, then no contact on any check is `no_contact`; an alert on a
/// check where the fault did not fire is a `false_alarm`; otherwise `caught` when the monitor
/// caught the fault on at least one check where it fired; otherwise the verdict of the first check
/// where it fired (`missed`, `misreported` or `passed`). No check where it fired leaves r's verdict
/// (and the "fault never fired" note) alone. Sets the counts and whether the verdict is expected.
/// Pure.
void judge_checks(scenario_result& r, std::vector<check_record> checks);

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
/// black-holes connections, nor when the mailbox listeners refuse them (a monitor that only
/// reads the mailbox), since then no session can exist.
bool contact_observable(const faults::scenario& s) noexcept;

/// The result for one scenario from its parts (pure): the verdict, whether it is expected,
/// the series read for it, and the time to detection (for caught and misreported faults).
scenario_result assess(const faults::scenario& s, const expected_outcome& expected,
                       observation observed, bool contact_checked, std::uint64_t sessions);

/// Records which of the scenario's rules never fired during the monitor's checks, and whether
/// that means the monitor never met the fault at all (none fired; healthy scenarios and
/// scenarios without rules excepted). Pure.
void note_unfired_rules(scenario_result& r, const faults::scenario& s,
                        std::vector<std::string> unfired);

} // namespace harness
