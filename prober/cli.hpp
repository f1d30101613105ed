#pragma once

#include "prober/exporter.hpp"
#include "prober/probe_options.hpp"
#include "prober/report.hpp"

#include <string>
#include <vector>

namespace prober {

/// What the command line asks for.
struct cli_request {
    /// What to run.
    enum class command {
        probe,    ///< probe the targets and report
        watch,    ///< `smtp-probe watch --config FILE` (continuous monitoring)
        exporter, ///< `smtp-probe exporter --config MODULES` (blackbox-compatible exporter)
        exit,     ///< print `message` and exit with `exit_code` (help, version, usage error)
    };
    /// What to run.
    command what = command::exit;
    /// One options set per target, in command-line order, then the --targets file's order.
    std::vector<probe_options> targets;
    /// The output format.
    report_format format = report_format::text;
    /// Add the annotated transcript to text output.
    bool verbose = false;
    /// The most probes that run at once (--max-concurrent-probes); the next target starts as
    /// soon as one ends.
    std::size_t max_concurrent = 256;
    /// For watch: the configuration file.
    std::string watch_config;
    /// For exporter: how it runs.
    exporter_settings exporter;
    /// For exit: the process exit code (0 for help, 3 for a usage error).
    int exit_code = 0;
    /// For exit: what to print on stdout.
    std::string message;
};

/// Parses the command line; the probe options go through the probe options table
/// (prober/probe_options_table.hpp). Never throws: usage errors come back as command::exit with
/// exit code 3 (UNKNOWN) and a message naming the problem.
cli_request parse_cli(int argc, const char* const* argv);

} // namespace prober
