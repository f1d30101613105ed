#pragma once

// `smtp-probe exporter`: a long-running blackbox_exporter-compatible service. GET
// /probe?target=HOST[:PORT]&module=NAME runs one probe with a module's options and answers with
// its metrics (prober/exporter_router.hpp); /metrics has the exporter's own; /-/healthy says it
// is up; POST /-/reload (or SIGHUP) reads the modules file again. One io_context and thread,
// the one HTTP service loop with its access rules, shutdown by cancellation on SIGINT/SIGTERM.

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace prober {

/// How the exporter runs.
struct exporter_settings {
    /// The modules file (--config).
    std::string config_file;
    /// Where to listen, "ADDR:PORT" with a literal IP; port 0 is ephemeral (--listen).
    std::string listen = "127.0.0.1:9125";
    /// The most probes that run at once; further /probe requests get 503
    /// (--max-concurrent-probes).
    std::size_t max_concurrent = 16;
    /// Subtracted from Prometheus's scrape timeout to give the probe's deadline, so that the
    /// answer arrives before the scrape gives up (--timeout-offset).
    std::chrono::milliseconds timeout_offset{500};
    /// Names accepted in Host besides the bound address and localhost (--allowed-host).
    std::vector<std::string> allowed_hosts;
};

/// Runs the exporter until SIGINT or SIGTERM. Prints one JSON ready line on stdout once it
/// listens: {"event":"ready","listen":"127.0.0.1:9125","modules":[...]}. Returns 0, or 3 when
/// it cannot start (the reason is on stderr).
int run_exporter(const exporter_settings& settings);

} // namespace prober
