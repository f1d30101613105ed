#pragma once

// Notifications as the harness captured them from each channel, in one shape.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace harness::alerts {

/// One notification that reached a capture point.
struct captured_alert {
    /// "webhook", "email", "exec", "nagios" (its notifications), "nagios-log" (its state
    /// changes) or "alertmanager" (a receiver `amtool config routes test` names for an alert).
    std::string channel;
    /// The notifier that sent it.
    std::string notifier;
    /// "problem", "recovery", "flapping_start" or "flapping_stop"; "state" for a state change
    /// in Nagios's log.
    std::string type;
    /// The alert's target.
    std::string target;
    /// The status it reports ("OK" for a recovery).
    std::string status;
    /// The failure kind, when the payload carries it.
    std::string kind;
    /// The failure phase, when the payload carries it.
    std::string phase;
    /// The alert id, when the payload carries it.
    std::string id;
    /// Nagios's state type ("SOFT", "HARD"), when the source carries it.
    std::string state_type;
    /// Prometheus's alertname, when the source is an alert of Prometheus rules.
    std::string alertname;
    /// All the labels of such an alert (alertname, severity, instance, job, ...).
    std::vector<std::pair<std::string, std::string>> labels;
    /// What else the source said (Nagios: the attempt and the plugin output).
    std::string detail;
    /// The check attempt it names (Nagios's SERVICEATTEMPT or HOSTATTEMPT, the alert's
    /// "attempt"); 0 when the source does not say.
    int attempt = 0;
    /// The notification number it names (Nagios's NOTIFICATIONNUMBER, the alert's
    /// "notification"); 0 when the source does not say.
    int notification = 0;
    /// When it arrived, from the start of the run.
    std::chrono::milliseconds t{0};
};

/// The alerts in a webhook body: a JSON alert (smtp-harness/alert/v1), an Alertmanager array
/// (as watch's alertmanager notifier posts), or an Alertmanager webhook notification
/// (`{"receiver": ..., "alerts": [...]}`), whose alerts carry their labels, the severity label
/// as status and the sorted label set as id, as the alerts of Prometheus rules do.
std::vector<captured_alert> alerts_from_webhook(std::string_view notifier, std::string_view body,
                                                std::chrono::milliseconds t);

/// The alert in an e-mail, from its X-Smtp-Alert-* headers; nothing when it has none.
std::optional<captured_alert> alert_from_email(std::string_view raw, std::chrono::milliseconds t);

/// The alert in a line of the exec recorder ("NOTIFIER<TAB>SMTP_ALERT_JSON"); its time is the
/// alert's `at` minus `run_start`.
std::optional<captured_alert> alert_from_exec_line(std::string_view line,
                                                   std::chrono::system_clock::time_point run_start);

/// Parses RFC 3339 UTC ("2026-11-27T19:02:35.120Z"); nothing when malformed.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

} // namespace harness::alerts
