#include "watch/notifier_dispatch.hpp"

#include "io/http_client.hpp"
#include "io/process.hpp"
#include "prober/test_message.hpp"
#include "watch/alert_payload.hpp"
#include "watch/backoff.hpp"
#include "watch/mail_sender.hpp"
#include "watch/route.hpp"
#include "watch/watch_log.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <random>

namespace watch {

namespace net = boost::asio;

namespace {

// An exec notifier's run: the command with the alert in its arguments and environment, stdin
// from /dev/null, stdout and stderr captured together (the first 4 KiB kept).
io::run_options exec_run(const notifier_config& n, const alert_event& e)
{
    io::run_options run;
    run.process.argv = expand_arguments(n.exec.command, e);
    run.process.environment = alert_environment(e);
    run.process.stderr_mode = io::output_mode::merge;
    run.time_limit = n.timeout;
    run.output_limit = 4096;
    return run;
}

// Why an exec notifier's run failed, with the first line it printed; empty when it succeeded.
std::string exec_failure(const notifier_config& n, const io::run_result& r)
{
    const auto& program = n.exec.command.empty() ? std::string("the command") : n.exec.command[0];
    if (!r.spawn_error.empty()) {
        return r.spawn_error;
    }
    std::string why;
    if (r.timed_out) {
        why = program + " killed after " + std::to_string(n.timeout.count()) + "ms";
    } else if (r.status.code == 0) {
        return {};
    } else {
        why = program + " " + r.status.describe();
    }
    auto line = r.out.head.substr(0, r.out.head.find('\n'));
    return line.empty() ? why : why + ": " + line;
}

} // namespace

notifier_dispatch::notifier_dispatch(net::any_io_executor ex, const watch_config& config,
                                     shutdown_gate& gate, persist_function persist)
    : ex_(std::move(ex))
    , config_(config)
    , gate_(gate)
    , persist_(std::move(persist))
{
    for (const auto& n : config_.notifiers) {
        counters_[n.name];
    }
}

pending_delivery* notifier_dispatch::find(std::uint64_t seq)
{
    auto it = std::find_if(outbox_.begin(), outbox_.end(),
                           [&](const pending_delivery& d) { return d.seq == seq; });
    return it == outbox_.end() ? nullptr : &*it;
}

void notifier_dispatch::remove(std::uint64_t seq)
{
    std::erase_if(outbox_, [&](const pending_delivery& d) { return d.seq == seq; });
}

void notifier_dispatch::submit(const alert_event& event)
{
    auto names = select_notifiers(config_.routes, config_.notifiers, event);
    if (names.empty()) {
        log_line("no route for " + event.summary());
        return;
    }
    std::vector<std::uint64_t> started;
    for (const auto& name : names) {
        pending_delivery d;
        d.seq = next_seq_++;
        d.notifier = name;
        d.event = event;
        started.push_back(d.seq);
        outbox_.push_back(std::move(d));
    }
    // The state file holds the deliveries before any is attempted: a crash cannot lose them.
    persist_();
    for (auto seq : started) {
        start(seq);
    }
}

void notifier_dispatch::resume(std::vector<pending_delivery> outbox, std::uint64_t next_seq)
{
    next_seq_ = std::max(next_seq_, next_seq);
    for (auto& d : outbox) {
        if (config_.find_notifier(d.notifier) == nullptr) {
            log_line("dropping a pending notification for the removed notifier " + d.notifier);
            continue;
        }
        next_seq_ = std::max(next_seq_, d.seq + 1);
        outbox_.push_back(std::move(d));
    }
    for (const auto& d : outbox_) {
        log_line("resuming delivery to " + d.notifier + ": " + d.event.summary());
        start(d.seq);
    }
}

void notifier_dispatch::start(std::uint64_t seq)
{
    net::co_spawn(ex_, deliver(seq), net::detached);
}

net::awaitable<void> notifier_dispatch::deliver(std::uint64_t seq)
{
    for (;;) {
        auto* d = find(seq);
        if (d == nullptr || gate_.closed()) {
            co_return;
        }
        const auto* n = config_.find_notifier(d->notifier);
        if (n == nullptr) {
            remove(seq);
            persist_();
            co_return;
        }
        auto event = d->event;
        auto result = co_await gate_.race(attempt(*n, event));
        if (!result) {
            co_return; // shutting down: the delivery stays in the state file
        }
        d = find(seq);
        if (d == nullptr) {
            co_return;
        }
        auto& counters = counters_[n->name];
        if (result->empty()) {
            ++counters.sent;
            log_line("sent " + std::string(to_string(event.type)) + " to " + n->name + " (" +
                     std::string(to_string(n->kind)) + "): " + event.summary());
            remove(seq);
            persist_();
            co_return;
        }
        ++counters.attempts_failed;
        counters.last_error = *result;
        ++d->attempts;
        if (d->attempts >= n->retry.attempts) {
            ++counters.failed;
            log_line("giving up on " + n->name + " after " + std::to_string(d->attempts) +
                     " attempts: " + *result + " [" + event.summary() + "]");
            remove(seq);
            persist_();
            co_return;
        }
        auto wait = backoff_delay(n->retry, d->attempts);
        log_line("notifier " + n->name + " failed (attempt " + std::to_string(d->attempts) + '/' +
                 std::to_string(n->retry.attempts) + "): " + *result + "; retrying in " +
                 std::to_string(wait.count()) + "ms");
        persist_();
        if (!co_await gate_.sleep(wait)) {
            co_return;
        }
    }
}

net::awaitable<std::string> notifier_dispatch::attempt(const notifier_config& n,
                                                       const alert_event& e)
{
    switch (n.kind) {
    case notifier_kind::webhook: {
        io::http::client_request req;
        req.method = "POST";
        req.url = n.webhook.url;
        req.body = webhook_body(e, n.webhook.format);
        for (const auto& [name, value] : n.webhook.headers) {
            req.headers.push_back({name, value});
        }
        req.timeout = n.timeout;
        req.ca_file = n.webhook.ca_file;
        auto res = co_await io::http::async_fetch(std::move(req));
        if (res.ec) {
            co_return res.error;
        }
        if (res.status < 200 || res.status >= 300) {
            co_return "HTTP " + std::to_string(res.status) + " from " + n.webhook.url;
        }
        co_return std::string();
    }
    case notifier_kind::email: {
        auto domain = n.email.from.substr(n.email.from.find('@') + 1);
        auto id = prober::make_message_id(wall_clock::now(), ++message_counter_ ^ std::random_device{}(),
                                  domain.empty() ? "localhost" : domain);
        auto message = alert_email(e, n.email, id, n.name);
        co_return co_await send_mail(n.email, std::move(message), id, n.timeout);
    }
    case notifier_kind::exec: {
        auto run = exec_run(n, e);
        auto outcome = co_await io::async_run_process(std::move(run));
        co_return exec_failure(n, outcome);
    }
    }
    co_return std::string("unknown notifier kind");
}

} // namespace watch
