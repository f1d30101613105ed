#pragma once

// The watch configuration (`smtp-probe watch --config FILE`): plain structs with defaults,
// parsed once from YAML at the edge (docs/alerting.md describes every key).

#include "prober/probe_options.hpp"
#include "prober/probe_result.hpp"
#include "smtp/failure_kind.hpp"
#include "smtp/phase.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace watch {

/// What a notification is about.
enum class notification_type {
    problem,        ///< a target entered (or changed) a hard non-OK state, or a re-notification
    recovery,       ///< a target that was reported as a problem is OK again
    flapping_start, ///< the target's state changes too often (above the high threshold)
    flapping_stop,  ///< the target settled (below the low threshold)
};

/// "problem", "recovery", "flapping_start" or "flapping_stop".
std::string_view to_string(notification_type t) noexcept;

/// The type with this name; "flapping" is not a type (routes accept it as both flapping types).
std::optional<notification_type> parse_notification_type(std::string_view name) noexcept;

/// The status with this Nagios name ("OK", "WARNING", "CRITICAL", "UNKNOWN"; any case).
std::optional<prober::probe_status> parse_status(std::string_view name) noexcept;

/// Flap detection settings, after Nagios: the weighted percentage of state changes over the
/// last `window` checks; flapping starts at or above `high` and stops below `low`.
struct flap_settings {
    /// Whether flap detection runs.
    bool enabled = true;
    /// How many recent checks the percentage is computed over (at least 3).
    std::size_t window = 21;
    /// Flapping starts when the percentage reaches this (0..100).
    double high = 50.0;
    /// Flapping stops when the percentage falls below this (0..high).
    double low = 25.0;
};

/// The check schedule and alerting behaviour of one target.
struct check_settings {
    /// Time between checks while the state is OK or hard.
    std::chrono::milliseconds interval{60'000};
    /// Time between checks while a problem is unconfirmed (soft state).
    std::chrono::milliseconds retry_interval{60'000};
    /// Consecutive non-OK checks before the state is hard and a problem is notified (Nagios'
    /// max_check_attempts); 1 alerts on the first failure.
    int max_check_attempts = 3;
    /// Re-send an open problem this often while it lasts; zero never re-sends.
    std::chrono::milliseconds renotify_interval{0};
    /// Send a recovery when a notified problem ends.
    bool notify_recovery = true;
    /// Flap detection.
    flap_settings flap;
};

/// One monitored SMTP service.
struct target_config {
    /// The name used in alerts, metrics and routes; defaults to "host:port".
    std::string name;
    /// What each check does: the probe options (prober/probe_options_table.hpp), named as the
    /// command-line flags.
    prober::probe_options probe;
    /// The schedule and alerting behaviour.
    check_settings check;
};

/// Retries of a failing notifier: exponential backoff between attempts.
struct retry_policy {
    /// Attempts in all, the first included (at least 1).
    int attempts = 5;
    /// Wait before the second attempt.
    std::chrono::milliseconds backoff{1'000};
    /// Longest wait between attempts.
    std::chrono::milliseconds max_backoff{60'000};
    /// Factor by which the wait grows after each attempt.
    double multiplier = 2.0;
};

/// The kinds of notifier.
enum class notifier_kind {
    webhook, ///< an HTTP POST of a JSON document
    email,   ///< a message sent over SMTP by the probe's own client
    exec,    ///< a command run with the alert in its environment and arguments
};

/// "webhook", "email" or "exec".
std::string_view to_string(notifier_kind k) noexcept;

/// The JSON document a webhook posts.
enum class webhook_format {
    json,         ///< one alert object, schema smtp-harness/alert/v1
    alertmanager, ///< an array of Alertmanager alerts, as POST /api/v2/alerts takes
};

/// Where and how a webhook posts.
struct webhook_settings {
    /// The URL, http:// or https:// (the server's certificate is verified).
    std::string url;
    /// https: a PEM file of CA certificates to trust besides the system's.
    std::string ca_file;
    /// The payload format.
    webhook_format format = webhook_format::json;
    /// Extra request headers, e.g. Authorization.
    std::vector<std::pair<std::string, std::string>> headers;
};

/// Where and how an alert e-mail is submitted.
struct email_settings {
    /// The SMTP server's host.
    std::string host = "127.0.0.1";
    /// The SMTP server's port.
    std::uint16_t port = 25;
    /// Issue STARTTLS and require it (RFC 3207).
    bool starttls = false;
    /// Skip certificate verification after STARTTLS.
    bool insecure = false;
    /// A PEM file of trusted CA certificates, in addition to the system store.
    std::string ca_file;
    /// AUTH PLAIN credentials (RFC 4954), when the server needs them.
    std::optional<prober::auth_credentials> auth;
    /// The envelope sender and From: address.
    std::string from = "smtp-probe@localhost";
    /// The recipients.
    std::vector<std::string> to;
    /// The name sent with EHLO.
    std::string helo = "localhost";
    /// Prefix of the Subject: line.
    std::string subject_prefix = "[smtp-probe]";
};

/// The command an exec notifier runs.
struct exec_settings {
    /// The program and its arguments; {type} {target} {status} {kind} {phase} {summary} {id}
    /// in arguments are replaced by the alert's values. The program is run directly, no shell.
    std::vector<std::string> command;
};

/// One notifier.
struct notifier_config {
    /// The name routes refer to.
    std::string name;
    /// What it is.
    notifier_kind kind = notifier_kind::webhook;
    /// The deadline of one attempt.
    std::chrono::milliseconds timeout{10'000};
    /// Retries of failed attempts.
    retry_policy retry;
    /// For webhook.
    webhook_settings webhook;
    /// For email.
    email_settings email;
    /// For exec.
    exec_settings exec;
};

/// A route: which notifications go to which notifiers. Every given condition must hold; an
/// empty list matches everything. Routes are tried in order; the first match ends the search
/// unless it says `continue`.
struct route_config {
    /// Notification types; "flapping" in the file stands for both flapping types.
    std::vector<notification_type> types;
    /// Statuses; a recovery matches by the status of the problem it ends.
    std::vector<prober::probe_status> status;
    /// Failure kinds of the problem.
    std::vector<smtp::failure_kind> kind;
    /// Failure phases of the problem.
    std::vector<smtp::phase> phase;
    /// Target name patterns (shell globs, e.g. "mx*").
    std::vector<std::string> target;
    /// The notifiers to send to.
    std::vector<std::string> notifiers;
    /// Keep trying the next routes after this one matched.
    bool continue_matching = false;
};

/// The whole configuration.
struct watch_config {
    /// The targets, in file order.
    std::vector<target_config> targets;
    /// The notifiers, in file order.
    std::vector<notifier_config> notifiers;
    /// The routes; none sends every notification to every notifier.
    std::vector<route_config> routes;
    /// Where /metrics and /api/v1/status are served, "ADDR:PORT"; empty serves nothing.
    std::string listen = "127.0.0.1:9465";
    /// Names the status service may be reached by (its Host header), besides its address and
    /// localhost.
    std::vector<std::string> allowed_hosts;
    /// The state file (JSON, replaced atomically); empty keeps no state across restarts.
    std::string state_file;
    /// The file the configuration came from, for messages.
    std::string source;

    /// The notifier with this name, or null.
    const notifier_config* find_notifier(std::string_view name) const noexcept;
};

/// A configuration mistake: the file, line and column, the key path and what is wrong.
class config_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Parses a watch configuration. Relative paths in it are taken from `base_dir`. Throws
/// config_error.
watch_config load_watch_config(std::string_view text, std::string_view source_name,
                               const std::filesystem::path& base_dir = {});

/// Reads and parses a watch configuration file. Throws config_error.
watch_config load_watch_config_file(const std::filesystem::path& file);

} // namespace watch
