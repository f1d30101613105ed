#pragma once

// The bounds of the values a scenario may give (docs/faults.md, "Limits"). Anything outside is
// refused when the scenario is loaded, with its position, so that whatever a scenario does stays
// inside the sessions it is meant for: no wait overflows a timer, no trickle busies a worker.

#include <chrono>

namespace faults::limits {

/// The longest duration a scenario gives (delay, after, until, probe hints): 24 hours.
inline constexpr std::chrono::milliseconds max_duration = std::chrono::hours(24);

/// The slowest trickle: 1 byte per second (a write at most every second).
inline constexpr double min_trickle_rate = 1.0;

/// The fastest trickle: 1 GB per second (10^9 bytes; faster is no trickle).
inline constexpr double max_trickle_rate = 1e9;

} // namespace faults::limits
