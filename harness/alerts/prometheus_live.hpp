#pragma once

// Live `smtp-harness alerts --prometheus-config` runs, the pure parts: the user's files as a
// real Prometheus and Alertmanager run them (faster, with every delivery redirected to the
// harness), and what the harness captures from them read back as alerts.

#include "harness/alerts/captured_alert.hpp"
#include "harness/alerts/prometheus_rules.hpp"

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace harness::alerts {

/// A Prometheus rule file for a run `scale` times faster than real time: every group's
/// `interval` and every rule's `for` and `keep_firing_for` divided by `scale` (a nonzero
/// duration stays at least 1ms), everything else as written. Throws alerts_file_error naming
/// the file and the key when the file is not a rule file or a duration is not one.
std::string scaled_rule_file(std::string_view text, std::string_view source_name, int scale);

/// Where the programs of a live run listen, as host:port.
struct live_endpoints {
    /// The mock's SMTP service: what the monitor probes.
    std::string target;
    /// The monitor (the exporter or blackbox_exporter): what Prometheus scrapes.
    std::string monitor;
    /// The Alertmanager that Prometheus sends its alerts to.
    std::string alertmanager;
    /// The path under which it takes them ("/hook/prometheus" when the harness's receiver
    /// stands in for a missing Alertmanager); empty: at the root.
    std::string alertmanager_path_prefix;
};

/// The scrape timeout of a run `scale` times faster: the job's timeout, at most the scaled
/// scrape interval (Prometheus requires it).
std::chrono::milliseconds live_scrape_timeout(const prometheus_job& job, int scale);

/// The margin smtp-probe exporter takes from a scrape timeout of `timeout` (its
/// --timeout-offset): 500ms, at most a fifth of the timeout, so that the short timeouts of a
/// time-scaled run still leave the probe most of them.
std::chrono::milliseconds probe_timeout_offset(std::chrono::milliseconds timeout);

/// The prometheus.yml of a live run, from the user's configuration `text` and its probing
/// `job` (load_prometheus_job): the global intervals and the job's divided by `scale`; only that
/// job, with its params, metrics_path and relabelling as written, its targets replaced by the
/// mock, the replacement of its `__address__` relabelling by the monitor, and its `instance`
/// label kept as the user's first target; `rule_files` (the scaled copies); the user's
/// alert_relabel_configs, with the alerts sent to `endpoints.alertmanager` only. Throws
/// alerts_file_error naming the file when the job sets no `__address__`.
std::string live_prometheus_config(std::string_view text, std::string_view source_name,
                                   const prometheus_job& job, const live_endpoints& endpoints,
                                   const std::vector<std::filesystem::path>& rule_files, int scale);

/// Where a live run's Alertmanager delivers.
struct live_capture {
    /// The built-in webhook receiver's base URL; receiver N posts to BASE/hook/N.
    std::string hook_base_url;
    /// The healthy mock that takes the e-mail notifications, as host:port.
    std::string smarthost;
};

/// The header of a live run's e-mail notifications naming their receiver (URL-encoded).
inline constexpr const char* receiver_header = "X-Smtp-Harness-Receiver";
/// The header listing their alerts: "STATUS:NAME=VALUE,...;" per alert, names and values
/// URL-encoded.
inline constexpr const char* alerts_header = "X-Smtp-Harness-Alerts";

/// The alertmanager.yml of a live run, from the user's configuration `text` (its directory
/// `base_dir`): the routes, inhibitions and time intervals as written, the route's group_wait,
/// group_interval and repeat_interval (at every level) and resolve_timeout divided by `scale`;
/// every receiver kept by name with its deliveries redirected: webhook_configs to
/// BASE/hook/NAME, email_configs to the mock without TLS or AUTH (with the receiver_header and
/// alerts_header added, so that the harness reads every e-mail whatever its template), and every
/// other kind (Slack, PagerDuty, ...) replaced by one webhook to BASE/hook/NAME, so that no
/// notification leaves the machine. Throws alerts_file_error naming the file and the key.
std::string live_alertmanager_config(std::string_view text, std::string_view source_name,
                                     const std::filesystem::path& base_dir,
                                     const live_capture& capture, int scale);

/// The alerts of an e-mail notification of a live run's Alertmanager, from its receiver_header
/// and alerts_header (channel "email", as webhook notifications of Alertmanager are read:
/// alerts_from_webhook); nothing for a message without them.
std::vector<captured_alert> alerts_from_alertmanager_email(std::string_view raw,
                                                           std::chrono::milliseconds t);

/// The alerts Prometheus sent (the JSON array it posts to an Alertmanager's /api/v2/alerts),
/// arrived at `arrival`: channel "prometheus", notifier "prometheus"; an alert whose endsAt has
/// passed is resolved (a firing alert's endsAt lies ahead, as long as Prometheus resends it).
std::vector<captured_alert> alerts_from_prometheus(std::string_view body,
                                                   std::chrono::milliseconds t,
                                                   std::chrono::system_clock::time_point arrival);

/// The notifications that change something, in time order: for each notifier and alert (its
/// id), a problem when it was not firing there and a recovery when it was; Alertmanager's
/// repeats (a group's later notifications list its alerts again) are left out.
std::vector<captured_alert> alert_transitions(std::vector<captured_alert> notifications);

} // namespace harness::alerts
