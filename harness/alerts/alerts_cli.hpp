#pragma once

// The command line of `smtp-harness alerts`: loads the files, runs the timeline
// (harness/alerts/timeline_runner.hpp), prints and writes the reports.

namespace harness::alerts {

/// `smtp-harness alerts (--watch-config FILE | --nagios-config FILE... [--time-scale N]
/// [--nagios PATH]) --timeline FILE [--expect-alerts FILE] [--catalog DIR] [--junit FILE]
/// [--json FILE] [--quiet]`. `argv[0]` is the command's name
/// ("alerts"); the options follow. Prints progress and the tables on stdout. Returns 0 when
/// every expectation held, 1 when one did not, 2 when the run could not complete, 3 for a
/// usage or file error.
int run_cli(int argc, const char* const* argv);

} // namespace harness::alerts
