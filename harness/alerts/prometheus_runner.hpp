#pragma once

// Runs one `smtp-harness alerts --prometheus-config` timeline, live or in virtual time.
//
// Live (run_prometheus_live): the mock, the monitor (smtp-probe exporter with the job's module,
// or a running exporter), a real Prometheus on the user's rule files and a real Alertmanager on
// the user's routes, each on loopback in a temporary directory, with the configurations
// rewritten by prometheus_live.hpp; the mock's scenario switched along the timeline; every
// notification Alertmanager's receivers deliver captured (webhooks by the built-in receiver,
// e-mail by a healthy mock) and judged.
//
// Virtual time: the scrape job's
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
#include "harness/alerts/timeline_runner.hpp"
#include "prober/exporter_modules.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace io {
class daemon;
}

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
    /// Instead: a blackbox_exporter configuration holding the job's module; the run starts
    /// Debian's prometheus-blackbox-exporter with it and scrapes that.
    std::filesystem::path blackbox_config;
    /// Debian's prometheus-blackbox-exporter.
    std::string blackbox = "/usr/bin/prometheus-blackbox-exporter";
    /// The user's Alertmanager configuration; empty: alerts are not routed.
    std::filesystem::path alertmanager_config;
    /// Debian's prometheus package's promtool.
    std::string promtool = "/usr/bin/promtool";
    /// Debian's prometheus-alertmanager package's amtool.
    std::string amtool = "/usr/bin/amtool";
    /// Live: Debian's prometheus package's daemon.
    std::string prometheus = "/usr/bin/prometheus";
    /// Live: Debian's prometheus-alertmanager package's daemon.
    std::string alertmanager = "/usr/bin/prometheus-alertmanager";
    /// Live: smtp-probe, whose exporter runs the job's module; empty: the one installed or
    /// built beside smtp-harness, else smtp-probe on PATH.
    std::string smtp_probe;
    /// Every interval, `for:` and Alertmanager timer runs this many times faster; the
    /// timeline's durations and the expectations' windows are times of the run.
    int time_scale = 1;
    /// Whether the run is live (else in virtual time).
    bool live = false;
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
    /// Live: a stop requested on it (SIGINT, SIGTERM) ends the timeline early, and the daemons
    /// are stopped and the run directory removed as at the end of a run.
    std::stop_token stop;
};

/// Loads the job and the modules into `plan` and has the tools check the files: `promtool
/// check config` (the configuration and its rule files) and `amtool check-config`. Throws
/// alerts_file_error with the tool's own message and the file when one is rejected, or naming
/// the Debian package when a tool (for a live run: a daemon) is missing.
void verify_prometheus_files(prometheus_plan& plan);

/// The plan's job as a run `plan.time_scale` times faster sees it: its intervals divided (the
/// scrape timeout at most the scrape interval) and its rule files scaled (scaled_rule_file)
/// into `dir`. Throws alerts_file_error naming a rule file that cannot be read or scaled.
prometheus_job scaled_job(const prometheus_plan& plan, const run_directory& dir);

/// Starts prometheus-blackbox-exporter with plan.blackbox_config on 127.0.0.1 for the run (its
/// log in `dir`) and points plan.exporter at it; it runs as long as the returned daemon lives.
std::unique_ptr<io::daemon> start_blackbox_exporter(prometheus_plan& plan,
                                                    const run_directory& dir);

/// Runs the timeline live (see above). `progress` gets one line per event.
alerts_run_result run_prometheus_live(const prometheus_plan& plan,
                                      const std::function<void(const std::string&)>& progress);

/// The lines that state a time-scaled run's scale: the intervals it runs at, what a second of
/// it stands for, and the real-time equivalent of each step and of each expectation's windows;
/// nothing at scale 1.
std::vector<std::string> prometheus_time_scale_lines(const prometheus_plan& plan);

/// Runs the timeline in virtual time (see above). `progress` gets one line per event.
alerts_run_result run_prometheus_virtual(const prometheus_plan& plan,
                                         const std::function<void(const std::string&)>& progress);

} // namespace harness::alerts
