#include "prober/exporter.hpp"

#include "io/endpoint.hpp"
#include "io/http_errors.hpp"
#include "io/http_routes.hpp"
#include "io/http_service.hpp"
#include "prober/exporter_router.hpp"
#include "prober/probe_driver.hpp"
#include "prober/report.hpp"

#include "json/json_text.hpp"
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <system_error>

namespace prober {
namespace {

namespace net = boost::asio;
using io::http::request;
using io::http::response;

void log_line(const std::string& text)
{
    std::fprintf(stderr, "smtp-probe exporter: %s\n", text.c_str());
    std::fflush(stderr);
}

double unix_now()
{
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

// The routes, in the order answer() dispatches on.
enum route : std::size_t { probe_route, metrics_route, healthy_route, reload_route };

const std::vector<io::http::route_key> route_keys = {
    {"GET", "/probe", {"target", "module", "debug"}},
    {"GET", "/metrics", {}},
    {"GET", "/-/healthy", {}},
    {"POST", "/-/reload", {}},
};

response text(std::string body)
{
    response r;
    r.content_type = "text/plain; charset=utf-8";
    r.body = std::move(body);
    return r;
}

// Counts a probe in flight for as long as it lives.
class in_flight_slot {
public:
    explicit in_flight_slot(std::uint64_t& count)
        : count_(count)
    {
        ++count_;
    }
    ~in_flight_slot() { --count_; }
    in_flight_slot(const in_flight_slot&) = delete;
    in_flight_slot& operator=(const in_flight_slot&) = delete;

private:
    std::uint64_t& count_;
};

class exporter {
public:
    explicit exporter(const exporter_settings& settings)
        : settings_(settings)
    {
        stats_.max_concurrent = settings.max_concurrent;
    }

    // Loads the modules file, binds and starts serving. Returns an error text, or empty.
    std::string start();
    // Serves until SIGINT/SIGTERM; SIGHUP reloads.
    void run();
    std::string ready_line() const;

private:
    net::awaitable<response> answer(const request& req);
    net::awaitable<response> probe(const request& req, const io::http::request_target& target);
    response reload();
    net::awaitable<void> handle_signals();

    exporter_settings settings_;
    net::io_context ctx_{1};
    std::shared_ptr<const exporter_modules> modules_;
    exporter_stats stats_;
    std::optional<io::http::server> server_;
    std::optional<net::signal_set> signals_;
};

std::string exporter::start()
{
    try {
        modules_ = std::make_shared<const exporter_modules>(
            load_exporter_modules_file(settings_.config_file));
    } catch (const modules_error& e) {
        return e.what();
    }
    stats_.modules = modules_->modules.size();
    stats_.last_reload_time = unix_now();
    const auto endpoint = io::parse_endpoint(settings_.listen);
    if (!endpoint) {
        return "invalid --listen address \"" + settings_.listen + "\": expected ADDR:PORT";
    }
    io::http::service_config config;
    config.server_name = "smtp-probe-exporter";
    config.access.allowed_hosts = settings_.allowed_hosts;
    config.access.realm = "smtp-probe-exporter";
    config.body_limit = 64 * 1024;
    server_.emplace(ctx_.get_executor(), "--listen", *endpoint, std::move(config),
                    io::http::async_handler([this](const request& r) { return answer(r); }));
    try {
        server_->listen();
    } catch (const std::system_error& e) {
        return e.what();
    }
    server_->start();
    // Before the ready line: a signal sent as soon as it is read is handled, not fatal.
    signals_.emplace(ctx_, SIGINT, SIGTERM, SIGHUP);
    return {};
}

std::string exporter::ready_line() const
{
    boost::json::object ready;
    ready["event"] = "ready";
    ready["listen"] = io::to_string(server_->endpoint());
    boost::json::array names;
    for (const auto& m : modules_->modules) {
        names.push_back(boost::json::value(m.name));
    }
    ready["modules"] = std::move(names);
    return json_text::serialize(ready) + "\n";
}

net::awaitable<response> exporter::answer(const request& req)
{
    const auto target = io::http::parse_request_target(req.target);
    if (!target) {
        co_return io::http::make_error(io::http::http_error::invalid_query,
                                       "the request target '" + req.target + "' is malformed");
    }
    auto found = io::http::find_route(route_keys, req, *target);
    if (found.error) {
        co_return std::move(*found.error);
    }
    switch (*found.row) {
    case probe_route:
        co_return co_await probe(req, *target);
    case metrics_route: {
        auto r = text(format_exporter_metrics(stats_));
        r.content_type = "text/plain; version=0.0.4; charset=utf-8";
        co_return r;
    }
    case healthy_route:
        co_return text("Healthy\n");
    default:
        co_return reload();
    }
}

net::awaitable<response> exporter::probe(const request& req, const io::http::request_target& target)
{
    // The modules this probe started with stay alive through a reload.
    const auto modules = modules_;
    auto planned = plan_probe(req, target, *modules, settings_.timeout_offset);
    if (auto* refusal = std::get_if<response>(&planned)) {
        ++stats_.bad_requests;
        co_return std::move(*refusal);
    }
    auto& plan = std::get<probe_plan>(planned);
    if (stats_.in_flight >= settings_.max_concurrent) {
        ++stats_.rejected;
        co_return io::http::error_response(
            503, "too_many_probes",
            std::to_string(stats_.in_flight) +
                " probes are running, the most --max-concurrent-probes allows");
    }
    probe_result result;
    {
        in_flight_slot slot(stats_.in_flight);
        result = co_await async_probe(plan.options);
    }
    ++stats_.probes[{plan.module, probe_succeeded(result) ? "success" : "failure"}];
    co_return probe_answer(result, plan);
}

response exporter::reload()
{
    try {
        modules_ = std::make_shared<const exporter_modules>(
            load_exporter_modules_file(settings_.config_file));
    } catch (const modules_error& e) {
        stats_.last_reload_ok = false;
        ++stats_.reload_failures;
        log_line(std::string("reload failed, keeping the modules loaded before: ") + e.what());
        return io::http::error_response(500, "reload_failed", e.what());
    }
    stats_.last_reload_ok = true;
    stats_.last_reload_time = unix_now();
    stats_.modules = modules_->modules.size();
    log_line("reloaded " + settings_.config_file + ": " + modules_->names());
    return text("reloaded modules: " + modules_->names() + "\n");
}

net::awaitable<void> exporter::handle_signals()
{
    for (;;) {
        auto [ec, sig] = co_await signals_->async_wait(io::use_tuple);
        if (ec || sig != SIGHUP) {
            break;
        }
        reload();
    }
    log_line("stopping");
    co_await server_->stop();
}

void exporter::run()
{
    net::co_spawn(ctx_, handle_signals(), net::detached);
    ctx_.run();
}

} // namespace

int run_exporter(const exporter_settings& settings)
{
    exporter e(settings);
    if (auto problem = e.start(); !problem.empty()) {
        log_line(problem);
        std::printf("SMTP UNKNOWN - smtp-probe exporter could not start: %s\n", problem.c_str());
        return 3;
    }
    const auto line = e.ready_line();
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
    e.run();
    return 0;
}

} // namespace prober
