#include "watch/watch_service.hpp"

#include "prober/probe_driver.hpp"
#include "watch/notifier_dispatch.hpp"
#include "watch/status_server.hpp"
#include "watch/target_monitor.hpp"
#include "watch/watch_log.hpp"
#include "watch/watch_state.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <optional>

namespace watch {

namespace net = boost::asio;

struct watch_service::impl {
    explicit impl(watch_config c)
        : config(std::move(c))
        , gate(ctx.get_executor())
        , dispatch(ctx.get_executor(), config, gate, [this] { persist(); })
        , server(
              ctx.get_executor(), [this] { return view(); }, gate, config.allowed_hosts)
    {
        for (const auto& t : config.targets) {
            monitors.emplace_back(t.name, t.check);
        }
        last.resize(config.targets.size());
    }

    void restore()
    {
        if (config.state_file.empty()) {
            return;
        }
        auto text = read_whole_file(config.state_file);
        if (!text) {
            return;
        }
        auto snapshot = state_from_json(*text);
        if (!snapshot) {
            log_line("ignoring the unreadable state file " + config.state_file);
            return;
        }
        for (std::size_t i = 0; i < config.targets.size(); ++i) {
            const auto& t = config.targets[i];
            auto it = snapshot->monitors.find(t.name);
            if (it != snapshot->monitors.end()) {
                monitors[i] = target_monitor(t.name, t.check, it->second);
                const auto& s = monitors[i].state();
                log_line("restored " + t.name + ": " + std::string(to_string(s.status)) + ' ' +
                         std::string(to_string(s.type)) +
                         (s.problem_open ? ", problem notified" : ""));
            }
        }
        pending = std::move(snapshot->outbox);
        pending_seq = snapshot->next_seq;
    }

    void persist()
    {
        if (config.state_file.empty()) {
            return;
        }
        watch_snapshot s;
        for (const auto& m : monitors) {
            s.monitors[m.target()] = m.state();
        }
        s.outbox = dispatch.outbox();
        s.next_seq = dispatch.next_seq();
        if (auto ec = write_file_atomically(config.state_file, state_to_json(s))) {
            log_line("cannot write the state file " + config.state_file + ": " + ec.message());
        }
    }

    watch_view view() const
    {
        watch_view v;
        v.started_at = started_at;
        for (std::size_t i = 0; i < monitors.size(); ++i) {
            target_view t;
            t.name = monitors[i].target();
            t.state = monitors[i].state();
            t.last = last[i];
            t.max_attempts = monitors[i].settings().max_check_attempts;
            v.targets.push_back(std::move(t));
        }
        v.notifiers = dispatch.counters();
        v.outbox = dispatch.outbox().size();
        return v;
    }

    net::awaitable<void> check_loop(std::size_t i)
    {
        const auto& target = config.targets[i];
        while (!gate.closed()) {
            auto result = co_await gate.race(prober::async_probe(target.probe));
            if (!result) {
                break;
            }
            auto& monitor = monitors[i];
            auto before = monitor.state();
            auto events = monitor.on_check(outcome_of(*result), wall_clock::now());
            const auto& after = monitor.state();
            last[i] = std::move(*result);
            if (after.status != before.status || after.type != before.type ||
                after.attempt != before.attempt) {
                std::string line = "check " + target.name + ": " +
                                   std::string(to_string(after.status)) + ' ' +
                                   std::string(to_string(after.type));
                if (after.status != prober::probe_status::ok) {
                    line += ' ' + std::to_string(after.attempt) + '/' +
                            std::to_string(target.check.max_check_attempts);
                    if (after.last_problem.kind && after.last_problem.phase) {
                        line += ' ' + std::string(to_string(*after.last_problem.kind)) + " at " +
                                std::string(to_string(*after.last_problem.phase));
                    }
                }
                log_line(line);
            }
            persist();
            for (const auto& e : events) {
                log_line("notify " + e.summary());
                dispatch.submit(e);
            }
            if (!co_await gate.sleep(monitor.next_delay())) {
                break;
            }
        }
    }

    net::io_context ctx;
    watch_config config;
    shutdown_gate gate;
    std::vector<target_monitor> monitors;
    std::vector<std::optional<prober::probe_result>> last;
    notifier_dispatch dispatch;
    status_server server;
    std::vector<pending_delivery> pending;
    std::uint64_t pending_seq = 1;
    wall_clock::time_point started_at = wall_clock::now();
};

watch_service::watch_service(watch_config config)
    : impl_(std::make_unique<impl>(std::move(config)))
{
}

watch_service::~watch_service() = default;

int watch_service::run(ready_function on_ready, bool handle_signals)
{
    auto& d = *impl_;
    std::string address;
    if (!d.config.listen.empty()) {
        if (auto error = d.server.bind(d.config.listen); !error.empty()) {
            log_line(error);
            return 3;
        }
        address = d.server.local_address();
        net::co_spawn(d.ctx, d.server.serve(), net::detached);
    }
    d.restore();
    d.dispatch.resume(std::move(d.pending), d.pending_seq);
    d.persist();
    std::optional<net::signal_set> signals;
    if (handle_signals) {
        signals.emplace(d.ctx, SIGINT, SIGTERM);
        signals->async_wait([&d](const boost::system::error_code& ec, int sig) {
            if (!ec) {
                log_line("signal " + std::to_string(sig) + ": stopping");
                d.gate.close();
            }
        });
    }
    for (std::size_t i = 0; i < d.config.targets.size(); ++i) {
        net::co_spawn(d.ctx, d.check_loop(i), net::detached);
    }
    log_line("watching " + std::to_string(d.config.targets.size()) + " target(s)" +
             (address.empty() ? std::string() : ", status on http://" + address));
    if (on_ready) {
        on_ready(address);
    }
    // Stop waiting for signals once the gate closes, so that run() can return.
    net::co_spawn(
        d.ctx,
        [&d, &signals]() -> net::awaitable<void> {
            co_await d.gate.wait_closed();
            if (signals) {
                signals->cancel();
            }
        },
        net::detached);
    d.ctx.run();
    d.persist();
    log_line("stopped");
    return 0;
}

void watch_service::stop()
{
    net::post(impl_->ctx, [this] { impl_->gate.close(); });
}

} // namespace watch
