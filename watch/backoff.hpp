#pragma once

#include "watch/watch_config.hpp"

#include <chrono>

namespace watch {

/// The wait after failed attempt number `attempts` (1 after the first failure): backoff times
/// multiplier^(attempts-1), capped at max_backoff.
std::chrono::milliseconds backoff_delay(const retry_policy& policy, int attempts) noexcept;

} // namespace watch
