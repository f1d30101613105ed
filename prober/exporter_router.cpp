#include "prober/exporter_router.hpp"

#include "io/http_errors.hpp"
#include "metrics/prometheus_text.hpp"
#include "prober/report.hpp"
#include "prober/target.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace prober {
namespace {

using std::chrono::milliseconds;

constexpr std::string_view exposition_type = "text/plain; version=0.0.4; charset=utf-8";
constexpr std::string_view usage = "/probe?target=HOST[:PORT]&module=NAME";

io::http::response bad_query(const std::string& message, std::string_view parameter)
{
    return io::http::make_error(io::http::http_error::invalid_query, message, parameter);
}

std::optional<std::string_view> query(const io::http::request_target& target, std::string_view name)
{
    const auto found = target.query.find(name);
    if (found == target.query.end()) {
        return std::nullopt;
    }
    return found->second;
}

// The module a request names, or the answer saying which are known.
std::variant<const exporter_module*, io::http::response>
requested_module(const io::http::request_target& target, const exporter_modules& modules)
{
    const auto name = query(target, "module");
    if (!name || name->empty()) {
        return bad_query("the module parameter is missing (" + std::string(usage) +
                             "); known modules: " + modules.names(),
                         "module");
    }
    const auto* module = modules.find(*name);
    if (module == nullptr) {
        return bad_query("unknown module '" + std::string(*name) +
                             "'; known modules: " + modules.names(),
                         "module");
    }
    return module;
}

// Applies the target a request names to `options`; the answer when it is missing or malformed.
std::optional<io::http::response> apply_target(const io::http::request_target& target,
                                               probe_options& options)
{
    const auto text = query(target, "target");
    if (!text || text->empty()) {
        return bad_query("the target parameter is missing (" + std::string(usage) + ")", "target");
    }
    const auto parsed = parse_target(*text);
    if (!parsed) {
        return bad_query("the target '" + std::string(*text) +
                             "' is not HOST, HOST:PORT or [IPv6]:PORT",
                         "target");
    }
    options.host = parsed->host;
    if (parsed->port != 0) {
        options.port = parsed->port;
    }
    return std::nullopt;
}

std::string number(double v)
{
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    return buf;
}

void gauge(std::string& out, std::string_view name, std::string_view help, const std::string& v)
{
    prometheus_text::family(out, name, "gauge", help);
    out += std::string(name) + ' ' + v + '\n';
}

void counter(std::string& out, std::string_view name, std::string_view help, std::uint64_t v)
{
    prometheus_text::family(out, name, "counter", help);
    out += std::string(name) + ' ' + std::to_string(v) + '\n';
}

} // namespace

std::optional<milliseconds> probe_budget(const probe_options& module, const io::http::request& req,
                                         milliseconds offset, std::string& problem)
{
    auto budget = module.timeout + (module.verify ? module.verify_timeout : milliseconds(0));
    const auto header = req.header("X-Prometheus-Scrape-Timeout-Seconds");
    if (!header) {
        return budget;
    }
    double seconds = 0;
    const auto* end = header->data() + header->size();
    const auto [rest, ec] = std::from_chars(header->data(), end, seconds);
    if (ec != std::errc() || rest != end || !std::isfinite(seconds) || seconds <= 0) {
        problem = "X-Prometheus-Scrape-Timeout-Seconds '" + std::string(*header) +
                  "' is not a positive number of seconds";
        return std::nullopt;
    }
    const auto scrape = milliseconds(static_cast<std::int64_t>(std::min(seconds, 86'400.0) * 1e3));
    if (scrape <= offset) {
        problem = "the scrape timeout of " + std::string(*header) +
                  "s leaves no time for a probe after the offset of " +
                  number(static_cast<double>(offset.count()) / 1e3) + "s";
        return std::nullopt;
    }
    return std::min(budget, scrape - offset);
}

probe_options within_budget(probe_options options, milliseconds budget)
{
    const auto verify = options.verify ? options.verify_timeout : milliseconds(0);
    const auto total = options.timeout + verify;
    if (total > budget) {
        // Share the budget as the module shares its own between the session and the round trip.
        options.timeout = milliseconds(budget.count() * options.timeout.count() / total.count());
        options.verify_timeout = budget - options.timeout;
    }
    options.connect_timeout = std::min(options.connect_timeout, options.timeout);
    options.command_timeout = std::min(options.command_timeout, options.timeout);
    return options;
}

std::variant<probe_plan, io::http::response> plan_probe(const io::http::request& req,
                                                        const io::http::request_target& target,
                                                        const exporter_modules& modules,
                                                        milliseconds offset)
{
    auto module = requested_module(target, modules);
    if (auto* refusal = std::get_if<io::http::response>(&module)) {
        return std::move(*refusal);
    }
    const auto& chosen = *std::get<const exporter_module*>(module);
    probe_plan plan;
    plan.module = chosen.name;
    plan.options = chosen.options;
    if (auto refusal = apply_target(target, plan.options)) {
        return std::move(*refusal);
    }
    if (const auto debug = query(target, "debug")) {
        if (*debug != "true" && *debug != "false") {
            return bad_query("debug must be true or false, not '" + std::string(*debug) + "'",
                             "debug");
        }
        plan.debug = *debug == "true";
    }
    std::string problem;
    const auto budget = probe_budget(chosen.options, req, offset, problem);
    if (!budget) {
        return io::http::make_error(io::http::http_error::bad_request, problem,
                                    "X-Prometheus-Scrape-Timeout-Seconds");
    }
    plan.budget = *budget;
    plan.options = within_budget(std::move(plan.options), *budget);
    return plan;
}

io::http::response probe_answer(const probe_result& result, const probe_plan& plan)
{
    io::http::response out;
    out.content_type = exposition_type;
    out.body = format_probe_metrics(result);
    if (plan.debug) {
        out.content_type = "text/plain; charset=utf-8";
        out.body = "Probe of " + result.target + " with module " + plan.module + " (deadline " +
                   number(static_cast<double>(plan.budget.count()) / 1e3) + "s):\n" +
                   format_text(result, true) + "\nMetrics that would have been returned:\n" +
                   out.body;
    }
    return out;
}

std::string format_exporter_metrics(const exporter_stats& stats)
{
    std::string out;
    prometheus_text::family(out, "smtp_exporter_probes_total", "counter",
                            "Probes run, by module and result.");
    for (const auto& [key, count] : stats.probes) {
        out += "smtp_exporter_probes_total{module=\"" + prometheus_text::label_value(key.first) +
               "\",result=\"" + key.second + "\"} " + std::to_string(count) + '\n';
    }
    counter(out, "smtp_exporter_bad_requests_total", "Probe requests answered 400.",
            stats.bad_requests);
    counter(out, "smtp_exporter_rejected_probes_total",
            "Probe requests refused with 503 because the most concurrent probes were running.",
            stats.rejected);
    gauge(out, "smtp_exporter_probes_in_flight", "Probes running now.",
          std::to_string(stats.in_flight));
    gauge(out, "smtp_exporter_max_concurrent_probes", "The most probes that may run at once.",
          std::to_string(stats.max_concurrent));
    gauge(out, "smtp_exporter_modules", "Modules loaded from the modules file.",
          std::to_string(stats.modules));
    gauge(out, "smtp_exporter_config_last_reload_successful",
          "Whether the last load of the modules file succeeded.", stats.last_reload_ok ? "1" : "0");
    gauge(out, "smtp_exporter_config_last_reload_success_timestamp_seconds",
          "When the modules file was last loaded successfully, in Unix seconds.",
          number(stats.last_reload_time));
    counter(out, "smtp_exporter_config_reload_failures_total",
            "Loads of the modules file that failed.", stats.reload_failures);
    return out;
}

} // namespace prober
