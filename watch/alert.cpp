#include "watch/alert.hpp"

namespace watch {

check_outcome outcome_of(const prober::probe_result& r)
{
    check_outcome o;
    o.status = r.status;
    if (r.failure) {
        o.kind = r.failure->kind;
        o.phase = r.failure->at;
        o.code = r.failure->code;
        o.message = r.failure->message;
    } else if (!r.internal_error.empty()) {
        o.message = r.internal_error;
    }
    return o;
}

std::string event_id(std::string_view target, event_subject subject, wall_clock::time_point since)
{
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(since.time_since_epoch()).count();
    return std::string(target) + (subject == event_subject::flapping ? "/flapping/" : "/") +
           std::to_string(ms);
}

std::string alert_event::summary() const
{
    std::string text;
    switch (type) {
    case notification_type::problem:
        text = "PROBLEM " + target + ' ' + std::string(to_string(status));
        break;
    case notification_type::recovery:
        return "RECOVERY " + target + " OK (was " + std::string(to_string(problem_status)) + ')';
    case notification_type::flapping_start:
        return "FLAPPING " + target + " started (" +
               std::to_string(static_cast<int>(flap_percent)) + "% state change): " + message;
    case notification_type::flapping_stop:
        return "FLAPPING " + target + " stopped, now " + std::string(to_string(status)) + ": " +
               message;
    }
    if (kind && phase) {
        text += ": " + std::string(to_string(*kind)) + " at " + std::string(to_string(*phase));
    }
    if (!message.empty()) {
        text += ": " + message;
    }
    return text;
}

} // namespace watch
