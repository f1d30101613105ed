#pragma once

// Durations as configuration documents write them: a number with a unit, e.g. "250ms", "1.5s",
// "2m".
//
//   std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
//   std::string format_duration(std::chrono::milliseconds d);

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace config {

/// Parses a duration with a unit: `ms`, `s`, `m` or `h`, e.g. "250ms", "1.5s", "2m".
/// A fraction is allowed when the result is a whole number of milliseconds. Returns nothing for
/// a bare number, a negative value, an unknown unit or trailing text.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

/// The shortest exact form of a duration in the units parse_duration reads, e.g. "1500ms", "2s".
std::string format_duration(std::chrono::milliseconds d);

} // namespace config
