#include "watch/status_report.hpp"

#include "metrics/prometheus_text.hpp"
#include "prober/report.hpp"
#include "watch/alert_payload.hpp"

#include "json/json_text.hpp"
#include "json/rfc3339.hpp"
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace watch {
std::string metrics_text(const watch_view& v)
{
    std::vector<prober::probe_result> results;
    for (const auto& t : v.targets) {
        if (t.last) {
            results.push_back(*t.last);
        }
    }
    std::string out = results.empty() ? std::string() : prober::format_prometheus(results);

    auto series = [&](const char* name, const char* type, const char* help) {
        prometheus_text::family(out, name, type, help);
    };
    series("smtp_watch_state", "gauge",
           "Status of the last check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.");
    for (const auto& t : v.targets) {
        out += "smtp_watch_state{target=\"" + prometheus_text::label_value(t.name) + "\",type=\"" +
               std::string(to_string(t.state.type)) + "\"} " +
               std::to_string(static_cast<int>(t.state.status)) + '\n';
    }
    series("smtp_watch_hard_state", "gauge", "The last confirmed (hard) status.");
    for (const auto& t : v.targets) {
        out += "smtp_watch_hard_state{target=\"" + prometheus_text::label_value(t.name) + "\"} " +
               std::to_string(static_cast<int>(t.state.hard_status)) + '\n';
    }
    series("smtp_watch_check_attempt", "gauge",
           "Consecutive non-OK checks of the current problem.");
    for (const auto& t : v.targets) {
        out +=
            "smtp_watch_check_attempt{target=\"" + prometheus_text::label_value(t.name) + "\"} " +
            std::to_string(t.state.status == prober::probe_status::ok ? 0 : t.state.attempt) + '\n';
    }
    series("smtp_watch_problem_open", "gauge", "1 while a notified problem has not recovered.");
    for (const auto& t : v.targets) {
        out += "smtp_watch_problem_open{target=\"" + prometheus_text::label_value(t.name) + "\"} " +
               (t.state.problem_open ? "1" : "0") + '\n';
    }
    series("smtp_watch_flapping", "gauge", "1 while the target is flapping.");
    for (const auto& t : v.targets) {
        out += "smtp_watch_flapping{target=\"" + prometheus_text::label_value(t.name) + "\"} " +
               (t.state.flapping ? "1" : "0") + '\n';
    }
    series("smtp_watch_flap_percent", "gauge", "Weighted percentage of state changes.");
    for (const auto& t : v.targets) {
        out += "smtp_watch_flap_percent{target=\"" + prometheus_text::label_value(t.name) + "\"} " +
               std::to_string(t.state.flap_percent) + '\n';
    }
    series("smtp_watch_checks_total", "counter", "Checks run.");
    for (const auto& t : v.targets) {
        out += "smtp_watch_checks_total{target=\"" + prometheus_text::label_value(t.name) + "\"} " +
               std::to_string(t.state.checks) + '\n';
    }
    series("smtp_watch_notifications_sent_total", "counter", "Notifications delivered.");
    for (const auto& [name, c] : v.notifiers) {
        out += "smtp_watch_notifications_sent_total{notifier=\"" +
               prometheus_text::label_value(name) + "\"} " + std::to_string(c.sent) + '\n';
    }
    series("smtp_watch_notifications_failed_total", "counter",
           "Notifications given up after every retry.");
    for (const auto& [name, c] : v.notifiers) {
        out += "smtp_watch_notifications_failed_total{notifier=\"" +
               prometheus_text::label_value(name) + "\"} " + std::to_string(c.failed) + '\n';
    }
    series("smtp_watch_notification_attempts_failed_total", "counter",
           "Notification attempts that failed, retries included.");
    for (const auto& [name, c] : v.notifiers) {
        out += "smtp_watch_notification_attempts_failed_total{notifier=\"" +
               prometheus_text::label_value(name) + "\"} " + std::to_string(c.attempts_failed) +
               '\n';
    }
    series("smtp_watch_outbox", "gauge", "Notifications waiting for delivery.");
    out += "smtp_watch_outbox " + std::to_string(v.outbox) + '\n';
    return out;
}

std::string status_json(const watch_view& v)
{
    namespace json = boost::json;
    json::object root;
    root["started_at"] = json_text::rfc3339(v.started_at);
    json::array targets;
    for (const auto& t : v.targets) {
        json::object o;
        o["name"] = t.name;
        o["status"] = to_string(t.state.status);
        o["state_type"] = to_string(t.state.type);
        o["hard_status"] = to_string(t.state.hard_status);
        o["attempt"] = t.state.attempt;
        o["max_attempts"] = t.max_attempts;
        o["problem_open"] = t.state.problem_open;
        o["notification_number"] = t.state.notification_number;
        o["flapping"] = t.state.flapping;
        o["flap_percent"] = t.state.flap_percent;
        o["checks"] = t.state.checks;
        o["last_check"] =
            t.state.checks > 0 ? json::value(json_text::rfc3339(t.state.last_check)) : json::value(nullptr);
        o["problem_since"] = t.state.status != prober::probe_status::ok || t.state.problem_open
                                 ? json::value(json_text::rfc3339(t.state.problem_since))
                                 : json::value(nullptr);
        if (t.last) {
            o["last_result"] = prober::to_json(*t.last);
        }
        targets.push_back(std::move(o));
    }
    root["targets"] = std::move(targets);
    json::object notifiers;
    for (const auto& [name, c] : v.notifiers) {
        json::object o;
        o["sent"] = c.sent;
        o["failed"] = c.failed;
        o["attempts_failed"] = c.attempts_failed;
        o["last_error"] = c.last_error;
        notifiers[name] = std::move(o);
    }
    root["notifiers"] = std::move(notifiers);
    root["outbox"] = v.outbox;
    return json_text::serialize(root);
}

} // namespace watch
