#pragma once

// The requests of `smtp-probe exporter`, as pure functions: which probe a /probe request asks
// for (blackbox_exporter's multi-target pattern, `/probe?target=HOST[:PORT]&module=NAME`), the
// deadline it gets, the answers to bad requests, and the exporter's own /metrics. No socket:
// prober/exporter.cpp runs the probes and serves these over the one HTTP service loop.

#include "io/http_message.hpp"
#include "io/http_target.hpp"
#include "prober/exporter_modules.hpp"
#include "prober/probe_result.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>

namespace prober {

/// How long a probe may take when neither the module nor the scrape says (blackbox_exporter's
/// default).
inline constexpr std::chrono::milliseconds default_probe_budget{120'000};

/// The probe a /probe request asks for.
struct probe_plan {
    /// The module's name.
    std::string module;
    /// The module's options with the target and the deadline applied.
    probe_options options;
    /// The whole time the probe may take, round trip included.
    std::chrono::milliseconds budget{0};
    /// `debug=true`: answer with the annotated transcript instead of metrics.
    bool debug = false;
};

/// The time a probe of `module` may take: its SMTP deadline plus, with a round trip, its verify
/// deadline; cut to the scrape timeout minus `offset` when the request carries
/// `X-Prometheus-Scrape-Timeout-Seconds`. Nothing when that header is not a positive number of
/// seconds or leaves no time after the offset; `problem` then says why.
std::optional<std::chrono::milliseconds> probe_budget(const probe_options& module,
                                                      const io::http::request& req,
                                                      std::chrono::milliseconds offset,
                                                      std::string& problem);

/// `options` cut to fit `budget`: the total, connect and command deadlines at most the budget,
/// and the round trip at most what the SMTP session leaves.
probe_options within_budget(probe_options options, std::chrono::milliseconds budget);

/// What a GET /probe asks for, or the 400 answering it: a missing or malformed target, a
/// missing or unknown module (naming the known ones), a bad debug value or scrape timeout.
std::variant<probe_plan, io::http::response> plan_probe(const io::http::request& req,
                                                        const io::http::request_target& target,
                                                        const exporter_modules& modules,
                                                        std::chrono::milliseconds offset);

/// The /probe answer for a result: its metrics (text/plain; version=0.0.4), or with `debug`
/// the annotated transcript followed by those metrics.
io::http::response probe_answer(const probe_result& result, const probe_plan& plan);

/// What the exporter counts about itself, for its /metrics.
struct exporter_stats {
    /// Probes run, by module and outcome ("success" or "failure").
    std::map<std::pair<std::string, std::string>, std::uint64_t> probes;
    /// /probe requests answered 400.
    std::uint64_t bad_requests = 0;
    /// /probe requests refused because the most concurrent probes were running.
    std::uint64_t rejected = 0;
    /// Probes running now.
    std::uint64_t in_flight = 0;
    /// The most probes that may run at once.
    std::uint64_t max_concurrent = 0;
    /// Whether the last load of the modules file succeeded.
    bool last_reload_ok = true;
    /// When the modules file was last loaded successfully, in Unix seconds.
    double last_reload_time = 0;
    /// Loads of the modules file that failed since the start.
    std::uint64_t reload_failures = 0;
    /// Modules loaded now.
    std::size_t modules = 0;
};

/// The exporter's own /metrics exposition.
std::string format_exporter_metrics(const exporter_stats& stats);

} // namespace prober
