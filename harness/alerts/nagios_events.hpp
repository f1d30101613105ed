#pragma once

// What a Nagios run said, as captured alerts: the notifications its contacts got (the
// recorder's lines), the state changes and flapping in its own log, and where each host and
// service stood at the end in its status data. Pure.

#include "harness/alerts/captured_alert.hpp"

#include <chrono>
#include <optional>
#include <string_view>
#include <vector>

namespace harness::alerts {

/// The notification in one recorder line ("UNIXTIME<TAB>NAME=VALUE<TAB>..."): channel "nagios",
/// notifier the contact, type from NOTIFICATIONTYPE (PROBLEM is "problem", RECOVERY "recovery",
/// FLAPPINGSTART "flapping_start", ...), target "HOST/SERVICE" (or "HOST" for a host
/// notification), status, state type, and the attempt and plugin output as detail. Its time is
/// from `run_start`. Nothing for a line that is not one.
std::optional<captured_alert>
alert_from_nagios_record(std::string_view line, std::chrono::system_clock::time_point run_start);

/// The event in one line of nagios.log: a SERVICE ALERT or HOST ALERT is a "state" event
/// (status, SOFT/HARD, attempt, output), a FLAPPING ALERT a "flapping_start" or "flapping_stop";
/// channel "nagios-log", notifier "nagios". Its time (whole seconds) is from `run_start`.
/// Nothing for any other line.
std::optional<captured_alert>
alert_from_nagios_log(std::string_view line, std::chrono::system_clock::time_point run_start);

/// Where each host and service stands in Nagios's status data (status.dat): one "status" event
/// per hoststatus and servicestatus block, channel "nagios-status", notifier "nagios", with its
/// current state (OK..UNKNOWN, UP/DOWN/UNREACHABLE), SOFT or HARD, attempt, notification number,
/// and as detail the attempt, whether it is flapping with its percent state change, and the
/// plugin output. All at time `t`.
std::vector<captured_alert> alerts_from_nagios_status(std::string_view status_dat,
                                                      std::chrono::milliseconds t);

} // namespace harness::alerts
