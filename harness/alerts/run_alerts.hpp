#pragma once

namespace harness::alerts {

/// `smtp-harness alerts --watch-config FILE --timeline FILE [--expect-alerts FILE]
/// [--catalog DIR] [--junit FILE] [--json FILE] [--quiet]`. `argv[0]` is the command's name
/// ("alerts"); the options follow. Prints progress and the tables on stdout. Returns 0 when
/// every expectation held, 1 when one did not, 2 when the run could not complete, 3 for a
/// usage or file error.
int run_alerts(int argc, const char* const* argv);

} // namespace harness::alerts
