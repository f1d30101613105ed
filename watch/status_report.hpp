#pragma once

// What watch serves over HTTP, built from a snapshot of its state: the Prometheus exposition
// of /metrics and the JSON of /api/v1/status. Pure functions.

#include "prober/probe_result.hpp"
#include "watch/target_monitor.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace watch {

/// Delivery counters of one notifier.
struct notifier_counters {
    /// Notifications delivered.
    std::uint64_t sent = 0;
    /// Notifications given up after every retry.
    std::uint64_t failed = 0;
    /// Attempts that failed (each retry counts).
    std::uint64_t attempts_failed = 0;
    /// The last error, for /api/v1/status.
    std::string last_error;
};

/// One target as the HTTP endpoints show it.
struct target_view {
    /// The target's name.
    std::string name;
    /// Its alerting state.
    monitor_state state;
    /// The last probe result, once a check ran.
    std::optional<prober::probe_result> last;
    /// max_check_attempts.
    int max_attempts = 1;
};

/// Everything the endpoints show.
struct watch_view {
    /// The targets in configuration order.
    std::vector<target_view> targets;
    /// Counters by notifier name (every configured notifier appears).
    std::map<std::string, notifier_counters> notifiers;
    /// Notifications waiting for delivery.
    std::size_t outbox = 0;
    /// When watch started.
    wall_clock::time_point started_at{};
};

/// The /metrics exposition: the probe metrics of every target's last check (the names of
/// `--format prometheus`) plus smtp_watch_* series for state, flapping, checks and
/// notifications sent and failed per notifier.
std::string metrics_text(const watch_view& v);

/// The /api/v1/status document.
std::string status_json(const watch_view& v);

} // namespace watch
