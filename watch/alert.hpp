#pragma once

#include "prober/probe_result.hpp"
#include "smtp/failure_kind.hpp"
#include "smtp/phase.hpp"
#include "watch/watch_config.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace watch {

/// Wall-clock time: alerts carry it and the state file keeps it across restarts.
using wall_clock = std::chrono::system_clock;

/// The facts of one check that alerting needs, taken from a probe_result.
struct check_outcome {
    /// The Nagios status of the check.
    prober::probe_status status = prober::probe_status::ok;
    /// What failed, when the status is not OK.
    std::optional<smtp::failure_kind> kind;
    /// Where it failed.
    std::optional<smtp::phase> phase;
    /// The reply code involved, or 0.
    int code = 0;
    /// The probe's sentence about the failure (or the internal error of an UNKNOWN).
    std::string message;
};

/// The outcome of a probe result.
check_outcome outcome_of(const prober::probe_result& r);

/// What an event's id names: a problem, or a flapping episode.
enum class event_subject { problem, flapping };

/// The one way an event's id is built (see alert_event::id): "<target>/<unix ms of since>" for
/// a problem, "<target>/flapping/<unix ms of since>" for flapping.
std::string event_id(std::string_view target, event_subject subject, wall_clock::time_point since);

/// One notification to send, as produced by a target_monitor.
struct alert_event {
    /// What it is about.
    notification_type type = notification_type::problem;
    /// The target's name.
    std::string target;
    /// A stable identity of the problem: "<target>/<unix ms of its first failing check>"; of a
    /// flapping start and its stop: "<target>/flapping/<unix ms flapping started>".
    std::string id;
    /// The status now (OK for a recovery).
    prober::probe_status status = prober::probe_status::ok;
    /// The status of the problem (for a recovery: the one that ended; for flapping: the worst
    /// status in the window when flapping started).
    prober::probe_status problem_status = prober::probe_status::ok;
    /// The failure kind of the problem, when known.
    std::optional<smtp::failure_kind> kind;
    /// The failure phase of the problem, when known.
    std::optional<smtp::phase> phase;
    /// The reply code of the problem, or 0.
    int code = 0;
    /// The probe's sentence about the problem (for flapping: the states in the window).
    std::string message;
    /// The check attempt that produced it, and how many make a hard state.
    int attempt = 1;
    /// max_check_attempts of the target.
    int max_attempts = 1;
    /// 1 for the first notification of a problem, 2 and up for re-notifications.
    int number = 1;
    /// When it was produced.
    wall_clock::time_point at{};
    /// When the problem's first failing check ran (for flapping: when flapping started).
    wall_clock::time_point since{};
    /// The weighted state-change percentage at the time.
    double flap_percent = 0;
    /// Whether the target is flapping.
    bool flapping = false;

    /// One line for people, e.g. "PROBLEM mx1 CRITICAL: timeout at banner: no reply ...".
    std::string summary() const;
};

} // namespace watch
