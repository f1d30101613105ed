#pragma once

// Proving Prometheus alerting rules in virtual time, as pure functions: the scrape job of the
// user's Prometheus configuration, the `promtool test rules` document whose input_series are
// the values the monitor really returned scrape after scrape, the alerts firing at each
// evaluation read back from promtool's answer, and the captured alerts they make once routed.

#include "harness/alerts/captured_alert.hpp"
#include "metrics/prometheus_text.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace harness::alerts {

/// The scrape job that probes SMTP, as the user's Prometheus configuration defines it.
struct prometheus_job {
    /// job_name: the `job` label of its series.
    std::string name;
    /// The module of its `params` (blackbox_exporter's and smtp-probe exporter's `module`).
    std::string module;
    /// Its first static target: the `instance` label after the standard relabelling.
    std::string instance;
    /// The job's scrape_interval, else the global one (Prometheus's default 1m).
    std::chrono::milliseconds scrape_interval{60'000};
    /// The job's scrape_timeout, else the global one (Prometheus's default 10s).
    std::chrono::milliseconds scrape_timeout{10'000};
    /// The global evaluation_interval (Prometheus's default 1m).
    std::chrono::milliseconds evaluation_interval{60'000};
    /// rule_files, relative to the configuration's directory, globs expanded.
    std::vector<std::filesystem::path> rule_files;
};

/// The job called `job` of a Prometheus configuration, or with `job` empty the first job whose
/// metrics_path is /probe. `base_dir` is the configuration's directory. Throws
/// alerts_file_error naming the file, the position and the key.
prometheus_job load_prometheus_job(std::string_view text, std::string_view source_name,
                                   const std::filesystem::path& base_dir, const std::string& job);

/// Reads the file and calls load_prometheus_job. Throws alerts_file_error.
prometheus_job load_prometheus_job_file(const std::filesystem::path& file, const std::string& job);

/// The values of every series across the scrapes, as Prometheus would have stored them.
class scraped_series {
public:
    /// Adds the samples one scrape of `job` returned (the exporter's answer), with `job` and
    /// `instance` attached as Prometheus attaches them, and `up` 1; a scrape that failed
    /// (`up` false) adds only `up` 0.
    void add_scrape(const prometheus_job& job, const std::vector<prometheus_text::sample>& got,
                    bool up = true);
    /// How many scrapes were added.
    std::size_t scrapes() const noexcept { return scrapes_; }
    /// The input_series list of a promtool test: one entry per series, a value per scrape
    /// ("stale" at the first scrape that no longer returned the series, "_" at the others).
    std::string input_series_yaml() const;

private:
    struct series {
        std::string selector;
        std::vector<std::string> values;
    };
    std::vector<series> series_;
    std::size_t scrapes_ = 0;
};

/// The `promtool test rules` document: the rule files, the job's intervals, the series, and one
/// promql_expr_test per evaluation (`evaluations` of them from 0) asking for the firing ALERTS,
/// each tagged with its index in the label smtph_eval so that promtool's answer says which.
std::string promtool_test_document(const prometheus_job& job, const scraped_series& series,
                                   std::size_t evaluations);

/// The alerts firing at each of `evaluations` evaluations, from promtool's output for that
/// document (each expression test that found firing alerts fails and prints them); their labels
/// without __name__, alertstate and smtph_eval.
std::vector<std::vector<prometheus_text::label_set>> firing_from_promtool(std::string_view output,
                                                                          std::size_t evaluations);

/// One alert from the evaluation it fired at to the one it was resolved at.
struct alert_episode {
    /// Its labels (alertname included).
    prometheus_text::label_set labels;
    /// When it started firing.
    std::chrono::milliseconds fired{0};
    /// When it stopped firing; nothing when it still fired at the last evaluation.
    std::optional<std::chrono::milliseconds> resolved;
};

/// The episodes of the firing sets, evaluation `i` being at `i * interval`.
std::vector<alert_episode>
alert_episodes(const std::vector<std::vector<prometheus_text::label_set>>& firing,
               std::chrono::milliseconds interval);

/// The label set as `name="value", ...` in the order given: the alert's identity in reports.
std::string labels_text(const prometheus_text::label_set& labels);

/// The notifications the episodes make: for each receiver `route` names for an alert's labels,
/// a problem when it fires and a recovery when it is resolved (channel "alertmanager", status
/// the severity label, target the instance label).
std::vector<captured_alert> routed_alerts(
    const std::vector<alert_episode>& episodes,
    const std::function<std::vector<std::string>(const prometheus_text::label_set&)>& route);

} // namespace harness::alerts
