#pragma once

// `smtp-harness explain NAME`: for teaching. The scenario's description and causes, the rules
// that make it, an annotated transcript of the built-in probe against it (run live), what the
// mock recorded, and what each output format of the probe reports.

#include "faults/scenario.hpp"
#include "harness/monitor.hpp"
#include "harness/scenario_mock.hpp"
#include "prober/probe_options.hpp"

#include <string>

namespace harness {

/// The smtp-probe command line that runs exactly the probe `options` describe (the words a
/// shell reads back unchanged).
std::string probe_command_line(const prober::probe_options& options);

/// Runs the built-in probe against a mock of `s` and returns the whole explanation, with
/// the verdict at the end. `settings` sets up the mock.
std::string explain(const faults::scenario& s, const mock_settings& settings,
                    const harness_credentials& credentials);

} // namespace harness
