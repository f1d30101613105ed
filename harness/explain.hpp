#pragma once

// `smtp-harness explain NAME`: for teaching. The scenario's description and causes, the rules
// that make it, one client/server timeline of the built-in probe against it (run live, N
// connections with --repeat), the commands that reproduce it by hand, and on request what each
// output format of the probe reports.

#include "faults/scenario.hpp"
#include "harness/monitor.hpp"
#include "harness/scenario_mock.hpp"
#include "prober/probe_options.hpp"
#include "prober/probe_result.hpp"

#include <string>
#include <vector>

namespace harness {

/// The smtp-probe command line that runs exactly the probe `options` describe (the words a
/// shell reads back unchanged).
std::string probe_command_line(const prober::probe_options& options);

/// What `explain` shows besides the always-present parts.
struct explain_options {
    /// Connections made in a row against the one mock (faults that change over connections).
    unsigned repeat = 1;
    /// Also show what each output format of smtp-probe reports (--formats).
    bool formats = false;
};

/// One timeline of a probe run: the probe's lines ("C", "S", "probe" events) with the mock's
/// own events of that session ("mock", placed on the probe's clock by the banner or the
/// connect), and a plain-words note wherever 250 ms or more pass ("server silent, 2000 ms").
std::string timeline(const prober::probe_result& result, const std::vector<recorded_line>& mock);

/// The commands that reproduce a probe run by hand against a mock of `s` on 127.0.0.1:2525
/// (4650 for implicit TLS): the scenario file, smtp-mock, smtp-probe as `ran` (with the mock's
/// CA written to NAME-ca.pem), and swaks.
std::string reproduce_block(const faults::scenario& s, const prober::probe_options& ran,
                            std::uint64_t seed);

/// When no fault rule fired although `s` has rules at phases the probe `ran` never reaches:
/// says so and which smtp-probe option reaches them; empty otherwise.
std::string unreached_note(const faults::scenario& s, const prober::probe_options& ran, bool fired);

/// Runs the built-in probe against a mock of `s` and returns the whole explanation, with
/// the verdict at the end. `settings` sets up the mock.
std::string explain(const faults::scenario& s, const mock_settings& settings,
                    const harness_credentials& credentials, const explain_options& how = {});

} // namespace harness
