#pragma once

// The command line of smtp-harness: run, list, explain.

namespace harness {

/// Exit statuses of smtp-harness.
enum exit_status : int {
    exit_as_expected = 0, ///< every verdict is the expected one (or list/explain succeeded)
    exit_unexpected = 1,  ///< at least one verdict differs from its expectation
    exit_usage = 2,       ///< a usage error, or a scenario or expectations file is invalid
};

/// Parses the command line and runs the subcommand; returns the exit status.
int run_cli(int argc, char** argv);

} // namespace harness
