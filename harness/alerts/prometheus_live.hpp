#pragma once

// Live `smtp-harness alerts --prometheus-config` runs, the pure parts: the user's files as a
// real Prometheus runs them faster.

#include "harness/alerts/prometheus_rules.hpp"

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
};

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

} // namespace harness::alerts
