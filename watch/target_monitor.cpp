#include "watch/target_monitor.hpp"

#include "prober/report.hpp"
#include "watch/flap_detector.hpp"

#include <map>

namespace watch {

std::string_view to_string(state_type t) noexcept
{
    return t == state_type::soft ? "SOFT" : "HARD";
}

target_monitor::target_monitor(std::string target, check_settings settings)
    : target_(std::move(target))
    , settings_(settings)
{
}

target_monitor::target_monitor(std::string target, check_settings settings, monitor_state state)
    : target_(std::move(target))
    , settings_(settings)
    , state_(std::move(state))
{
    while (state_.history.size() > settings_.flap.window) {
        state_.history.pop_front();
    }
}

std::chrono::milliseconds target_monitor::next_delay() const noexcept
{
    bool unconfirmed = state_.type == state_type::soft && state_.status != prober::probe_status::ok;
    return unconfirmed ? settings_.retry_interval : settings_.interval;
}

alert_event target_monitor::make_event(notification_type type, wall_clock::time_point now) const
{
    alert_event e;
    e.type = type;
    e.target = target_;
    e.status = state_.status;
    e.problem_status = state_.problem_open ? state_.notified_status : state_.hard_status;
    e.kind = state_.last_problem.kind;
    e.phase = state_.last_problem.phase;
    e.code = state_.last_problem.code;
    e.message = state_.last_problem.message;
    e.attempt = state_.attempt;
    e.max_attempts = settings_.max_check_attempts;
    e.number = state_.notification_number;
    e.at = now;
    e.since = state_.problem_since;
    e.id = event_id(target_, event_subject::problem, state_.problem_since);
    e.flap_percent = state_.flap_percent;
    e.flapping = state_.flapping;
    return e;
}

namespace {

// "3 OK, 3 CRITICAL in the last 6 checks": the states a flapping notification describes.
std::string window_text(const std::deque<prober::probe_status>& history)
{
    std::map<int, std::pair<prober::probe_status, int>> counts; // by severity rank
    for (auto st : history) {
        auto& [status, n] = counts[prober::severity_rank(st)];
        status = st;
        ++n;
    }
    std::string text;
    for (const auto& [rank, c] : counts) {
        text += (text.empty() ? "" : ", ") + std::to_string(c.second) + ' ' +
                std::string(to_string(c.first));
    }
    return text + " in the last " + std::to_string(history.size()) + " checks";
}

prober::probe_status worst_of(const std::deque<prober::probe_status>& history)
{
    auto worst = prober::probe_status::ok;
    for (auto st : history) {
        if (prober::severity_rank(st) > prober::severity_rank(worst)) {
            worst = st;
        }
    }
    return worst;
}

} // namespace

// Flapping describes the flapping itself: the states in the window, its own identity and start
// time, and the worst status seen when it started, the same in its start and its stop (so that
// Alertmanager resolves what it was sent); nothing from an earlier problem.
alert_event target_monitor::make_flap_event(notification_type type, prober::probe_status now_status,
                                            wall_clock::time_point now) const
{
    alert_event e;
    e.type = type;
    e.target = target_;
    e.status = now_status;
    e.problem_status = state_.flap_status;
    e.message = window_text(state_.history);
    e.attempt = state_.attempt;
    e.max_attempts = settings_.max_check_attempts;
    e.at = now;
    e.since = state_.flapping_since;
    e.id = event_id(target_, event_subject::flapping, state_.flapping_since);
    e.flap_percent = state_.flap_percent;
    e.flapping = state_.flapping;
    return e;
}

void target_monitor::notify_problem(wall_clock::time_point now, bool renotify,
                                    std::vector<alert_event>& out)
{
    state_.notification_number = renotify ? state_.notification_number + 1 : 1;
    state_.problem_open = true;
    state_.notified_status = state_.hard_status;
    state_.notified_problem = state_.last_problem;
    state_.last_notified = now;
    auto e = make_event(notification_type::problem, now);
    e.problem_status = state_.hard_status;
    out.push_back(std::move(e));
}

void target_monitor::notify_recovery(wall_clock::time_point now, std::vector<alert_event>& out)
{
    if (settings_.notify_recovery) {
        auto e = make_event(notification_type::recovery, now);
        e.problem_status = state_.notified_status;
        e.kind = state_.notified_problem.kind;
        e.phase = state_.notified_problem.phase;
        e.code = state_.notified_problem.code;
        e.message = state_.notified_problem.message;
        out.push_back(std::move(e));
        state_.last_notified = now;
    }
    state_.problem_open = false;
    state_.notification_number = 0;
}

void target_monitor::update_flapping(prober::probe_status now_status, wall_clock::time_point now,
                                     std::vector<alert_event>& out)
{
    const auto& f = settings_.flap;
    if (!f.enabled) {
        state_.flap_percent = 0;
        return;
    }
    state_.flap_percent = state_change_percent(state_.history);
    if (!state_.flapping && state_.history.size() >= f.window && state_.flap_percent >= f.high) {
        state_.flapping = true;
        state_.flapping_since = now;
        state_.flap_status = worst_of(state_.history);
        out.push_back(make_flap_event(notification_type::flapping_start, now_status, now));
        state_.last_notified = now;
    } else if (state_.flapping && state_.flap_percent < f.low) {
        state_.flapping = false;
        out.push_back(make_flap_event(notification_type::flapping_stop, now_status, now));
        state_.last_notified = now;
        // Notify what changed while notifications were held back.
        if (state_.type == state_type::hard) {
            if (state_.hard_status != prober::probe_status::ok &&
                (!state_.problem_open || state_.notified_status != state_.hard_status)) {
                notify_problem(now, false, out);
            } else if (state_.hard_status == prober::probe_status::ok && state_.problem_open) {
                notify_recovery(now, out);
            }
        }
    }
}

std::vector<alert_event> target_monitor::on_check(const check_outcome& outcome,
                                                  wall_clock::time_point now)
{
    std::vector<alert_event> out;
    ++state_.checks;
    state_.last_check = now;
    state_.history.push_back(outcome.status);
    while (state_.history.size() > settings_.flap.window) {
        state_.history.pop_front();
    }
    update_flapping(outcome.status, now, out);
    const bool quiet = state_.flapping;

    if (outcome.status == prober::probe_status::ok) {
        if (state_.status != prober::probe_status::ok && state_.type == state_type::hard) {
            // Hard recovery.
            state_.hard_status = prober::probe_status::ok;
            state_.last_hard_change = now;
            state_.status = prober::probe_status::ok;
            state_.attempt = 1;
            if (state_.problem_open && !quiet) {
                notify_recovery(now, out);
            }
        } else {
            // OK, or a soft problem ending silently: a blip shorter than the retries.
            state_.status = prober::probe_status::ok;
            state_.type = state_type::hard;
            state_.attempt = 1;
        }
        return out;
    }

    // A non-OK check.
    const auto previous_hard = state_.hard_status;
    state_.last_problem = outcome;
    if (state_.status == prober::probe_status::ok) {
        state_.problem_since = now;
        state_.attempt = 1;
        state_.type = state_type::soft;
    } else if (state_.type == state_type::soft) {
        ++state_.attempt;
    }
    state_.status = outcome.status;
    if (state_.type == state_type::soft && state_.attempt >= settings_.max_check_attempts) {
        state_.type = state_type::hard;
    }
    if (state_.type != state_type::hard) {
        return out;
    }
    state_.hard_status = outcome.status;
    if (state_.hard_status != previous_hard) {
        state_.last_hard_change = now;
    }
    if (quiet) {
        return out;
    }
    if (!state_.problem_open || state_.notified_status != state_.hard_status) {
        notify_problem(now, false, out);
    } else if (settings_.renotify_interval.count() > 0 &&
               now - state_.last_notified >= settings_.renotify_interval) {
        notify_problem(now, true, out);
    }
    return out;
}

} // namespace watch
