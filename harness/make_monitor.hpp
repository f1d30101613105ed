#pragma once

#include "harness/monitor.hpp"

#include <chrono>
#include <memory>

namespace harness {

/// The adapter for a SPEC. `time_limit` bounds each run of a `cmd:` or `http:` monitor.
std::unique_ptr<monitor> make_monitor(const monitor_spec& spec,
                                      const harness_credentials& credentials,
                                      std::chrono::milliseconds time_limit);

} // namespace harness
