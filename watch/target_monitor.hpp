#pragma once

#include "watch/alert.hpp"
#include "watch/watch_config.hpp"

#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace watch {

/// Whether a state is confirmed (Nagios state types).
enum class state_type {
    soft, ///< a non-OK result not yet seen max_check_attempts times in a row
    hard, ///< a confirmed state: notifications are sent on hard changes
};

/// "SOFT" or "HARD".
std::string_view to_string(state_type t) noexcept;

/// Everything a target_monitor remembers; plain data so the state file can keep it.
struct monitor_state {
    /// The status of the last check.
    prober::probe_status status = prober::probe_status::ok;
    /// Whether that status is confirmed.
    state_type type = state_type::hard;
    /// Consecutive non-OK checks of the current problem (1 while OK).
    int attempt = 1;
    /// The last confirmed status.
    prober::probe_status hard_status = prober::probe_status::ok;
    /// A problem notification went out and no recovery yet.
    bool problem_open = false;
    /// The status the last problem notification named.
    prober::probe_status notified_status = prober::probe_status::ok;
    /// How many problem notifications the open problem has had.
    int notification_number = 0;
    /// When the first failing check of the current problem ran.
    wall_clock::time_point problem_since{};
    /// When the last notification about this target was produced.
    wall_clock::time_point last_notified{};
    /// When the last check ran.
    wall_clock::time_point last_check{};
    /// When the hard status last changed.
    wall_clock::time_point last_hard_change{};
    /// The failure of the current (or last) problem.
    check_outcome last_problem;
    /// The failure the last problem notification named: its recovery names the same, so that
    /// a receiver keyed on kind and phase (Alertmanager labels) resolves what it was sent.
    check_outcome notified_problem;
    /// Statuses of the most recent checks, oldest first (at most the flap window).
    std::deque<prober::probe_status> history;
    /// Whether the target is flapping.
    bool flapping = false;
    /// The state-change percentage after the last check.
    double flap_percent = 0;
    /// When the current (or last) flapping started.
    wall_clock::time_point flapping_since{};
    /// The worst status in the window when flapping started: what its start and stop name.
    prober::probe_status flap_status = prober::probe_status::ok;
    /// Checks run in all.
    std::uint64_t checks = 0;
};

/// The alerting state machine of one target, with no I/O and no clock of its own: it is fed
/// each check's outcome with the time and answers the notifications to send.
///
/// Soft and hard states follow Nagios: a non-OK check starts a soft problem; after
/// max_check_attempts consecutive non-OK checks the state turns hard and a problem is
/// notified; an OK check ends a soft problem silently (a blip) and a hard one with a recovery.
/// A change of hard status (WARNING to CRITICAL) is notified again; an open problem is
/// re-notified every renotify_interval. While flapping, problem and recovery notifications are
/// held back; when flapping stops, whatever changed meanwhile is notified.
class target_monitor {
public:
    /// A monitor in the OK state.
    target_monitor(std::string target, check_settings settings);

    /// A monitor resuming a saved state.
    target_monitor(std::string target, check_settings settings, monitor_state state);

    /// Feeds the outcome of a check that ran at `now`; returns the notifications to send.
    std::vector<alert_event> on_check(const check_outcome& outcome, wall_clock::time_point now);

    /// How long to wait before the next check: retry_interval while a problem is soft.
    std::chrono::milliseconds next_delay() const noexcept;

    /// The state, for the state file, /api/v1/status and /metrics.
    const monitor_state& state() const noexcept { return state_; }

    /// The target's name.
    const std::string& target() const noexcept { return target_; }

    /// The settings in use.
    const check_settings& settings() const noexcept { return settings_; }

private:
    alert_event make_event(notification_type type, wall_clock::time_point now) const;
    alert_event make_flap_event(notification_type type, prober::probe_status now_status,
                                wall_clock::time_point now) const;
    void update_flapping(prober::probe_status now_status, wall_clock::time_point now,
                         std::vector<alert_event>& out);
    void notify_problem(wall_clock::time_point now, bool renotify, std::vector<alert_event>& out);
    void notify_recovery(wall_clock::time_point now, std::vector<alert_event>& out);

    std::string target_;
    check_settings settings_;
    monitor_state state_;
};

} // namespace watch
