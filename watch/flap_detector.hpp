#pragma once

#include "prober/probe_result.hpp"

#include <cstddef>
#include <deque>

namespace watch {

/// The weighted percentage of state changes over a window of checks, as Nagios computes it:
/// each change between two consecutive checks counts, recent ones more (weights rise linearly
/// from 0.8 for the oldest to 1.2 for the newest), and the sum is scaled to 0..100.
double state_change_percent(const std::deque<prober::probe_status>& history) noexcept;

} // namespace watch
