#pragma once

#include "prober/probe_options.hpp"
#include "prober/probe_result.hpp"

#include <cstddef>
#include <vector>

namespace prober {

/// Probes one target on a private io_context and returns its result (blocking).
probe_result run_probe(const probe_options& options);

/// Probes every target concurrently on one io_context and thread, at most `max_in_flight` at
/// once (0: all of them), starting the next target as soon as one probe ends; results come
/// back in the order of `targets`. An internal error in one probe makes that result UNKNOWN,
/// never the rest.
std::vector<probe_result> run_probes(const std::vector<probe_options>& targets,
                                     std::size_t max_in_flight = 0);

} // namespace prober
