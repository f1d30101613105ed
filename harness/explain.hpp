#pragma once

// `smtp-harness explain NAME`: for teaching. The scenario's description and causes, the rules
// that make it, an annotated transcript of the built-in probe against it (run live), what the
// mock recorded, and what each output format of the probe reports.

#include "faults/scenario.hpp"
#include "harness/monitor.hpp"
#include "harness/scenario_mock.hpp"

#include <string>

namespace harness {

/// The smtp-probe command line the scenario's probe hints stand for, against HOST:PORT.
std::string probe_command_line(const faults::probe_hints& hints, const std::string& target);

/// Runs the built-in probe against a mock of `s` and returns the whole explanation, with
/// the verdict at the end. `settings` sets up the mock.
std::string explain(const faults::scenario& s, const mock_settings& settings,
                    const harness_credentials& credentials);

} // namespace harness
