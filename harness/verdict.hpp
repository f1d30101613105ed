#pragma once

#include "harness/expectation.hpp"
#include "harness/observation.hpp"

#include <optional>
#include <string_view>

namespace harness {

/// How a monitor did against one scenario.
enum class verdict {
    caught,      ///< a fault, flagged with an expected status (and kind and phase, when named)
    missed,      ///< a fault, but the monitor said OK
    misreported, ///< a fault, flagged, but with the wrong status, kind, phase or series
    false_alarm, ///< a healthy scenario, flagged
    passed,      ///< a healthy scenario reported OK, or a fault where OK is acceptable
    no_contact,  ///< the mock never saw the monitor connect
    error,       ///< the monitor could not be run or its output read (crash, time limit)
};

/// Every verdict, in report order.
inline constexpr verdict all_verdicts[] = {
    verdict::caught, verdict::missed,     verdict::misreported, verdict::false_alarm,
    verdict::passed, verdict::no_contact, verdict::error};

/// The contract name of a verdict, e.g. "false_alarm".
std::string_view to_string(verdict v) noexcept;

/// The verdict with this contract name, if any.
std::optional<verdict> parse_verdict(std::string_view name) noexcept;

/// What the runner knows about a scenario besides the monitor's report.
struct judgement_context {
    /// A healthy scenario: named "healthy" or "healthy-*". No alert is the right answer.
    bool healthy = false;
    /// Whether contact was checked at all (not for closed or black-holed listeners).
    bool contact_checked = true;
    /// Whether the mock recorded at least one session from the monitor.
    bool contacted = true;
};

/// The verdict for an observation, pure. In order: no status is `error` (UNKNOWN is a status,
/// judged like WARNING and CRITICAL); no recorded session is `no_contact`; a healthy scenario
/// (or a fault whose only acceptable status is OK, when no series are named) is `false_alarm`
/// when flagged, else `passed`; a fault reported OK where OK is not acceptable is `missed`; a
/// fault reported with a status that is not acceptable, or a kind or phase that differs where
/// both the expectation and the observation name them, or with a named series that is absent
/// from the answer or whose value fails its condition, is `misreported`; otherwise `caught`
/// (`passed` for OK where OK is acceptable and no series are named: the series, when named,
/// are how the monitor reports the fault). A failing series on a healthy scenario reported OK
/// is `misreported` too.
verdict judge(const observation& observed, const expected_outcome& expected,
              const judgement_context& context);

/// Whether a scenario counts as healthy for verdicts: "healthy" or a name starting "healthy-".
bool is_healthy_name(std::string_view scenario_name) noexcept;

} // namespace harness
