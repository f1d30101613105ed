#pragma once

// Durations as configuration documents write them: a number with a unit, e.g. "250ms", "1.5s",
// "2m", or several in Prometheus's duration syntax, e.g. "1h30m", "1d", "90s".
//
//   std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
//   std::string format_duration(std::chrono::milliseconds d);

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace config {

/// Parses a duration with a unit: `ms`, `s`, `m`, `h`, `d` (24h), `w` (7d) or `y` (365d),
/// e.g. "250ms", "1.5s", "2m", "1d"; or a compound of them, largest unit first and each unit
/// once, as Prometheus writes durations, e.g. "1h30m", "1d12h", "2m30s500ms". A fraction is
/// allowed in a duration of one term when the result is a whole number of milliseconds.
/// Returns nothing for a bare number, a negative value, an unknown unit, units out of order or
/// repeated, trailing text, or a duration too long to hold.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

/// The shortest exact form of a duration in the units parse_duration reads, e.g. "1500ms", "2s".
std::string format_duration(std::chrono::milliseconds d);

} // namespace config
