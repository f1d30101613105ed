#pragma once

// What a timeline must make the alerting do: an alert fires within [a, b] of a fault step's
// start and resolves within [c, d] of its end, a step raises nothing, or flapping is flagged.

#include "harness/alerts/timeline.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace harness::alerts {

/// A closed interval of seconds relative to a point in the timeline.
struct time_window {
    /// The earliest accepted offset.
    std::chrono::milliseconds from{0};
    /// The latest accepted offset.
    std::chrono::milliseconds to{0};
};

/// What an expectation is about.
enum class expectation_kind {
    fires,    ///< a problem notification, then (optionally) its recovery
    quiet,    ///< no problem notification at all during the step (a blip)
    flapping, ///< a flapping_start notification
};

/// One expectation.
struct alert_expectation {
    /// A name for reports.
    std::string name;
    /// The timeline step it is about.
    std::string step;
    /// What it checks.
    expectation_kind kind = expectation_kind::fires;
    /// For fires: the alert's target (glob); empty matches any.
    std::string target;
    /// For fires: the status ("CRITICAL", ...); empty matches any.
    std::string status;
    /// For fires: the failure kind; empty matches any.
    std::string failure_kind;
    /// For fires: the failure phase; empty matches any.
    std::string phase;
    /// For fires: Nagios's state type ("HARD", "SOFT"); empty matches any.
    std::string state_type;
    /// For fires: the alertname of a Prometheus alert; empty matches any.
    std::string alertname;
    /// For fires: labels the alert must carry, values as globs (`severity: page` is one).
    std::vector<std::pair<std::string, std::string>> labels;
    /// For fires: when the problem must arrive, from the step's start. For flapping: when
    /// flapping must be flagged, from the step's start.
    time_window within{std::chrono::milliseconds(0), std::chrono::milliseconds(60'000)};
    /// For fires: when the recovery must arrive, from the step's end; none means no recovery
    /// is required.
    std::optional<time_window> resolves_within;
    /// For quiet: how long after the step's end problems still count (the time the retries
    /// need to confirm a problem that began in the step).
    std::chrono::milliseconds quiet_after{0};
    /// The notifiers (Nagios: the contacts, `notifies`) that must each have delivered it; empty
    /// means at least one.
    std::vector<std::string> notifiers;
    /// `routed_to`: the notifiers are also the only ones it may reach.
    bool only_these_notifiers = false;
};

/// Every expectation of a file.
struct alert_expectations {
    /// In file order.
    std::vector<alert_expectation> items;
};

/// Parses an expectations file:
///   expectations:
///     - name: pages on the outage
///       step: outage
///       fires: {status: CRITICAL, kind: timeout, phase: banner}
///       within: [2s, 12s]
///       resolves_within: [0s, 6s]
///       notifiers: [ops-webhook, oncall-email, sms]
///     - {name: quiet on a blip, step: blip, quiet: true, quiet_after: 4s}
///     - {name: flapping is flagged, step: flap, flapping: true, within: [0s, 25s]}
///     - name: pages on SMTPDown           # an alert of Prometheus rules
///       step: outage
///       fires: {alertname: SMTPDown, labels: {instance: "mx1*"}}
///       severity: page
///       within: [5m, 6m]
///       routed_to: [oncall-email, team-webhook]
/// Steps must exist in `tl`. Throws alerts_file_error.
alert_expectations load_expectations(std::string_view text, std::string_view source_name,
                                     const timeline& tl);

/// Reads and parses an expectations file. Throws alerts_file_error.
alert_expectations load_expectations_file(const std::filesystem::path& file, const timeline& tl);

} // namespace harness::alerts
