#pragma once

#include "harness/alerts/alert_expectations.hpp"
#include "harness/alerts/alerts_report.hpp"
#include "harness/alerts/timeline.hpp"
#include "watch/watch_config.hpp"

#include <functional>
#include <optional>
#include <string>

namespace harness::alerts {

/// What one `smtp-harness alerts` run needs, loaded.
struct alerts_plan {
    /// The user's watch configuration (its targets and notifiers are redirected for the run).
    watch::watch_config watch;
    /// The timeline to drive the mock through.
    timeline tl;
    /// The expectations, when given.
    std::optional<alert_expectations> expectations;
};

/// Runs the timeline: starts an in-process mock and switches its scenario through the control
/// API (PUT /api/v1/scenario) at each step; runs the watch service in process against it, with
/// every target pointed at the mock, webhooks at a built-in receiver, e-mail at a second
/// (healthy) mock that keeps the messages, and exec commands replaced by a recorder; then
/// collects the notifications and judges the expectations. `progress` gets one line per event.
alerts_run_result run_timeline(const alerts_plan& plan,
                               const std::function<void(const std::string&)>& progress);

/// The watch configuration as the run uses it (exposed for tests): every target at
/// `smtp_address`, webhooks at `webhook_base` + "/hook/NAME", e-mail at `mail_address`,
/// exec commands replaced by a shell that appends "NAME<TAB>$SMTP_ALERT_JSON" to `exec_record`,
/// status on an ephemeral port and the state in `state_file`.
watch::watch_config redirect_watch_config(watch::watch_config cfg, const std::string& smtp_host,
                                          std::uint16_t smtp_port, const std::string& webhook_base,
                                          const std::string& mail_host, std::uint16_t mail_port,
                                          const std::string& exec_record,
                                          const std::string& state_file);

} // namespace harness::alerts
