#pragma once

#include <optional>
#include <string_view>

namespace harness {

/// What a monitor said, on the Nagios plugin scale: OK 0, WARNING 1,
/// CRITICAL 2, UNKNOWN 3.
enum class monitor_status {
    ok = 0,       ///< the monitor saw nothing wrong
    warning = 1,  ///< the monitor warned
    critical = 2, ///< the monitor raised a critical alert
    unknown = 3,  ///< the monitor could not judge the service (usage or internal error)
};

/// "OK", "WARNING", "CRITICAL" or "UNKNOWN".
std::string_view to_string(monitor_status s) noexcept;

/// The status with this name, case-insensitively ("ok", "Warning", ...), if any.
std::optional<monitor_status> parse_monitor_status(std::string_view name) noexcept;

/// The status a Nagios plugin exit code means (0..3); other codes mean nothing.
std::optional<monitor_status> status_from_exit_code(int code) noexcept;

} // namespace harness
