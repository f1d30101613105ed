#pragma once

// What a Nagios run said, as captured alerts: the notifications its contacts got (the
// recorder's lines) and the state changes and flapping in its own log. Pure.

#include "harness/alerts/captured_alert.hpp"

#include <chrono>
#include <optional>
#include <string_view>

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

} // namespace harness::alerts
