#pragma once

// Runs one `smtp-harness alerts --prometheus-config` timeline in virtual time: the scrape job's
// module of smtp-probe exporter (or of a running exporter, over HTTP) probes an embedded mock once
// per scrape interval of the timeline (as fast as the probes complete), the values the probes
// really returned become the input_series of a `promtool test rules` run of the user's rule files
// at their intervals and `for:` durations, and each alert that fires is routed by `amtool config
// routes test` on the user's Alertmanager configuration with its real labels; then the expectations
// are judged.

#include "faults/scenario.hpp"
#include "harness/alerts/alert_expectations.hpp"
#include "harness/alerts/alerts_report.hpp"
#include "harness/alerts/prometheus_rules.hpp"
#include "harness/alerts/timeline.hpp"
#include "prober/exporter_modules.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace harness::alerts {

/// What one Prometheus run needs.
struct prometheus_plan {
    /// The user's Prometheus configuration (its scrape job, intervals and rule files).
    std::filesystem::path prometheus_config;
    /// The scrape job that probes SMTP; empty: the first job with metrics_path /probe.
    std::string job;
    /// The modules file of smtp-probe exporter holding the job's module; its probe runs in
    /// the harness.
    std::filesystem::path modules_file;
    /// Instead: the HOST:PORT of a running exporter (blackbox_exporter with your modules, or
    /// smtp-probe exporter), scraped over HTTP as Prometheus scrapes it.
    std::string exporter;
    /// The user's Alertmanager configuration; empty: alerts are not routed.
    std::filesystem::path alertmanager_config;
    /// Debian's prometheus package's promtool.
    std::string promtool = "/usr/bin/promtool";
    /// Debian's prometheus-alertmanager package's amtool.
    std::string amtool = "/usr/bin/amtool";
    /// The timeline to drive the mock through.
    timeline tl;
    /// The expectations, when given.
    std::optional<alert_expectations> expectations;
    /// Each step's scenario.
    std::vector<faults::scenario> scenarios;
    /// Loaded by verify_prometheus_files: the job.
    prometheus_job scrape;
    /// Loaded by verify_prometheus_files: the modules.
    prober::exporter_modules modules;
};

/// Loads the job and the modules into `plan` and has the tools check the files: `promtool
/// check config` (the configuration and its rule files) and `amtool check-config`. Throws
/// alerts_file_error with the tool's own message and the file when one is rejected, or naming
/// the Debian package when a tool is missing.
void verify_prometheus_files(prometheus_plan& plan);

/// Runs the timeline in virtual time (see above). `progress` gets one line per event.
alerts_run_result run_prometheus_virtual(const prometheus_plan& plan,
                                         const std::function<void(const std::string&)>& progress);

} // namespace harness::alerts
