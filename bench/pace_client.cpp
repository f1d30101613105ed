// pace_client: the benchmarks' one paced load client. One Asio thread opens sessions to
// 127.0.0.1:PORT on a schedule, open loop: session k starts at t0 + k / rate whatever the
// sessions before it are doing, so a slow server meets the same offered load as a fast one
// (a closed-loop client such as smtp-source would slow down with it). One thread, so that the
// client's own share of the machine stays small and its lateness is visible.
//
//   pace_client banner PORT SESSIONS SPACING_US
//     The delay-accuracy benchmark: one session every SPACING_US microseconds; prints, one line
//     per session, the microseconds from the established connection to the first byte of the
//     banner (-1 when none came). Exits 1 when a session got no banner within 30 s.
//
//   pace_client send PORT --rate N --seconds S [--length BYTES] [--max-in-flight N]
//                    [--session-timeout S]
//     One-message sessions (banner, EHLO, MAIL, RCPT, DATA, a body of BYTES octets, ".",
//     QUIT) through the probe's SMTP client (prober::client_session on io::client_connection),
//     N a second for S seconds. Prints one JSON object: sessions offered, started, skipped (the
//     in-flight bound was reached), completed and failed (with the first failure), the achieved
//     sessions/s, session latency p50/p99/max, how late the client itself started sessions,
//     and its own CPU. Every session ends within --session-timeout, so the run ends within
//     S + that. Exits 1 when a session failed.

#include "io/awaitable.hpp"
#include "json/json_text.hpp"
#include "prober/client_session.hpp"
#include "prober/probe_driver.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <string>
#include <sys/resource.h>
#include <vector>

namespace {

namespace net = boost::asio;
using clock_type = std::chrono::steady_clock;
using std::chrono::microseconds;

// When each session starts: the first at `first`, then one every 1 / `rate` seconds.
struct schedule {
    clock_type::time_point first;
    double rate = 1.0;          // sessions a second
    std::size_t sessions = 0;   // how many to start
    std::size_t max_in_flight = 0;

    clock_type::time_point at(std::size_t k) const
    {
        return first + std::chrono::duration_cast<clock_type::duration>(
                           std::chrono::duration<double>(static_cast<double>(k) / rate));
    }
};

// What the pacer saw: how late it started each session, and the sessions it could not start.
struct pace_tally {
    std::vector<double> lateness_us;
    std::size_t skipped = 0;
    std::size_t in_flight = 0;
    std::size_t most_in_flight = 0;
};

// Starts `start(k)` at each time of `plan`, beside the sessions already running, unless
// `plan.max_in_flight` are: that session is skipped (an open-loop client never waits for one).
template <typename Start>
net::awaitable<void> pace(schedule plan, Start start, pace_tally& tally)
{
    auto executor = co_await net::this_coro::executor;
    io::steady_timer timer(executor);
    for (std::size_t k = 0; k < plan.sessions; ++k) {
        const auto due = plan.at(k);
        timer.expires_at(due);
        co_await timer.async_wait();
        const auto late = std::chrono::duration<double, std::micro>(clock_type::now() - due);
        tally.lateness_us.push_back(std::max(0.0, late.count()));
        if (tally.in_flight >= plan.max_in_flight) {
            ++tally.skipped;
            continue;
        }
        ++tally.in_flight;
        tally.most_in_flight = std::max(tally.most_in_flight, tally.in_flight);
        auto ended = [&tally](std::exception_ptr) { --tally.in_flight; };
        net::co_spawn(executor, start(k), std::move(ended));
    }
}

// The value at percentile `p` (nearest rank, as bench/load_client.py's percentile); 0 when
// there is none.
double percentile(std::vector<double> values, double p)
{
    if (values.empty()) {
        return 0;
    }
    std::sort(values.begin(), values.end());
    const auto rank = std::llround(p / 100 * static_cast<double>(values.size())) - 1;
    const auto last = static_cast<long long>(values.size()) - 1;
    return values[static_cast<std::size_t>(std::clamp(rank, 0LL, last))];
}

// User and system CPU this process has used, in seconds.
double own_cpu_seconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// ---- banner: the time from the established connection to the banner's first byte

// How long one banner session waits for its connection and its banner at most.
constexpr auto banner_limit = std::chrono::seconds(30);

// Connects, then times the banner's first byte into `micros`; leaves it -1 when it never came.
// Closes the connection `hold` after the banner, so that a control run against a server with no
// delay has as many connections in flight as a run under a delay.
net::awaitable<void> time_banner(net::ip::tcp::endpoint server, std::chrono::milliseconds hold,
                                 long long& micros)
{
    io::tcp_socket socket(co_await net::this_coro::executor);
    const auto deadline = clock_type::now() + banner_limit;
    auto connected = co_await io::with_deadline(socket.async_connect(server), deadline);
    if (!connected || std::get<0>(*connected)) {
        co_return;
    }
    const auto started = clock_type::now();
    char first = 0;
    auto read =
        co_await io::with_deadline(socket.async_read_some(net::buffer(&first, 1)), deadline);
    if (!read || std::get<0>(*read)) {
        co_return;
    }
    micros = std::chrono::duration_cast<microseconds>(clock_type::now() - started).count();
    if (hold.count() > 0) {
        io::steady_timer wait(co_await net::this_coro::executor);
        wait.expires_after(hold);
        co_await wait.async_wait();
    }
}

int run_banner(unsigned short port, std::size_t sessions, long spacing_us, long hold_ms)
{
    const net::ip::tcp::endpoint server(net::ip::make_address("127.0.0.1"), port);
    net::io_context ctx(1);
    std::vector<long long> micros(sessions, -1);
    const schedule plan{clock_type::now() + std::chrono::milliseconds(10),
                        1e6 / static_cast<double>(spacing_us), sessions, sessions};
    pace_tally tally;
    auto start = [&](std::size_t k) { return time_banner(server, std::chrono::milliseconds(hold_ms), micros[k]); };
    net::co_spawn(ctx, pace(plan, start, tally), net::detached);
    ctx.run();
    int status = 0;
    for (auto m : micros) {
        std::printf("%lld\n", m);
        status = m < 0 ? 1 : status;
    }
    return status;
}

// ---- send: one-message sessions at a fixed rate

struct send_tally {
    std::vector<double> latency_us; // of the completed sessions, from their actual start
    std::size_t completed = 0;
    std::size_t failed = 0;
    std::string first_error;
    clock_type::time_point last_end{};
};

// The message of every session: a Subject and a body of `length` octets, in lines of 78
// octets with their CRLF (RFC 5322 §2.1.1), the last one shorter (or, when one octet is left
// over, the one before it longer).
std::string make_message(std::size_t length)
{
    std::string text = "Subject: pace_client\r\n\r\n";
    const auto lines = length / 78;
    auto rest = length % 78;
    for (std::size_t i = 0; i < lines; ++i) {
        const bool longer = rest == 1 && i + 1 == lines;
        text.append(longer ? 77 : 76, 'x').append("\r\n");
        rest = longer ? 0 : rest;
    }
    if (rest >= 2) {
        text.append(rest - 2, 'x').append("\r\n");
    } else if (rest == 1) {
        text += 'x'; // a body of one octet; DATA ends its line
    }
    return text;
}

// What a failed session says: the probe's failure kind at its phase, and its message.
std::string describe_failure(const prober::probe_result& r)
{
    if (!r.internal_error.empty()) {
        return r.internal_error;
    }
    if (r.failure) {
        return std::string(smtp::to_string(r.failure->kind)) + " at " +
            std::string(smtp::to_string(r.failure->at)) + ": " + r.failure->message;
    }
    return "the server did not accept the message";
}

net::awaitable<void> send_one(const prober::probe_options& options, const std::string& message,
                              send_tally& tally)
{
    const auto started = clock_type::now();
    prober::session_params params;
    params.started_at = std::chrono::system_clock::now();
    params.default_helo = options.helo_name;
    params.message = message;
    params.message_id = "pace-client@bench.example";
    prober::client_session session(options, std::move(params));
    auto result = co_await prober::drive_session(std::move(session));
    const auto ended = clock_type::now();
    if (result.ok() && result.delivery && result.delivery->accepted) {
        ++tally.completed;
        tally.latency_us.push_back(std::chrono::duration<double, std::micro>(ended - started).count());
        tally.last_end = std::max(tally.last_end, ended);
        co_return;
    }
    if (tally.failed++ == 0) {
        tally.first_error = describe_failure(result);
    }
}

// The options of every session: the probe sending one message to the loopback server.
prober::probe_options send_options(unsigned short port, std::chrono::milliseconds timeout)
{
    prober::probe_options o;
    o.host = "127.0.0.1";
    o.port = port;
    o.timeout = timeout;
    o.connect_timeout = timeout;
    o.command_timeout = timeout;
    o.helo_name = "pace-client.bench.example";
    o.send = true;
    o.mail_from = "pace@bench.example";
    o.rcpt_to = {"sink@bench.example"};
    return o;
}

// Milliseconds with three decimals, as JSON prints them.
double ms(double us)
{
    return std::round(us) / 1000;
}

// The figures of a send run as one JSON object.
boost::json::object send_report(const schedule& plan, const pace_tally& pace,
                                const send_tally& sent, double cpu_seconds)
{
    const auto started = plan.sessions - pace.skipped;
    // From the first start to the last end, or the schedule's length if that is longer (a
    // few sessions end well within it).
    const auto window =
        std::max(std::chrono::duration<double>(sent.last_end - plan.first).count(),
                 static_cast<double>(plan.sessions) / plan.rate);
    boost::json::object out;
    out["rate_offered"] = plan.rate;
    out["offered"] = plan.sessions;
    out["started"] = started;
    out["skipped"] = pace.skipped;
    out["completed"] = sent.completed;
    out["failed"] = sent.failed;
    out["first_error"] = sent.first_error;
    out["achieved_per_s"] = std::round(static_cast<double>(sent.completed) / window * 10) / 10;
    out["latency_ms"] = {{"p50", ms(percentile(sent.latency_us, 50))},
                         {"p99", ms(percentile(sent.latency_us, 99))},
                         {"max", ms(percentile(sent.latency_us, 100))}};
    out["start_late_ms"] = {{"p50", ms(percentile(pace.lateness_us, 50))},
                            {"p99", ms(percentile(pace.lateness_us, 99))},
                            {"max", ms(percentile(pace.lateness_us, 100))}};
    out["most_in_flight"] = pace.most_in_flight;
    out["client_cpu_s"] = std::round(cpu_seconds * 1000) / 1000;
    out["client_cpu_us_per_session"] =
        started > 0 ? std::round(cpu_seconds * 1e6 / static_cast<double>(started)) : 0.0;
    return out;
}

struct send_settings {
    unsigned short port = 0;
    double rate = 0;
    double seconds = 0;
    std::size_t length = 1000;
    std::size_t max_in_flight = 1000;
    double session_timeout = 10;
};

int run_send(const send_settings& s)
{
    const auto timeout = std::chrono::milliseconds(std::llround(s.session_timeout * 1000));
    const auto options = send_options(s.port, timeout);
    const auto message = make_message(s.length);
    net::io_context ctx(1);
    const schedule plan{clock_type::now() + std::chrono::milliseconds(10), s.rate,
                        std::max<std::size_t>(1, std::llround(s.rate * s.seconds)),
                        s.max_in_flight};
    pace_tally pace_seen;
    send_tally sent;
    auto start = [&](std::size_t) { return send_one(options, message, sent); };
    const auto cpu0 = own_cpu_seconds();
    net::co_spawn(ctx, pace(plan, start, pace_seen), net::detached);
    ctx.run();
    const auto report = send_report(plan, pace_seen, sent, own_cpu_seconds() - cpu0);
    std::printf("%s\n", json_text::serialize(report).c_str());
    return sent.failed > 0 || pace_seen.skipped > 0 ? 1 : 0;
}

} // namespace

int main(int argc, char** argv)
{
    CLI::App app{"The benchmarks' paced load client: sessions to 127.0.0.1:PORT on a schedule"};
    app.require_subcommand(1);
    unsigned short port = 0;
    std::size_t sessions = 0;
    long spacing_us = 0;
    auto* banner_mode = app.add_subcommand("banner", "time each banner, one session every SPACING_US");
    banner_mode->add_option("PORT", port)->required()->check(CLI::Range(1, 65535));
    banner_mode->add_option("SESSIONS", sessions)->required()->check(CLI::PositiveNumber);
    banner_mode->add_option("SPACING_US", spacing_us)->required()->check(CLI::PositiveNumber);
    long hold_ms = 0;
    banner_mode->add_option("--hold-ms", hold_ms, "keep each connection open this long after its banner")
        ->capture_default_str()
        ->check(CLI::Range(0L, 3600000L));
    send_settings s;
    auto* send_mode = app.add_subcommand("send", "one-message sessions at a fixed rate, open loop");
    send_mode->add_option("PORT", s.port)->required()->check(CLI::Range(1, 65535));
    send_mode->add_option("--rate", s.rate, "sessions a second")->required()->check(
        CLI::Range(0.001, 1e6));
    send_mode->add_option("--seconds", s.seconds, "how long to start sessions")->required()->check(
        CLI::Range(0.001, 86400.0));
    send_mode->add_option("--length", s.length, "octets of each message's body")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{0}, std::size_t{64} << 20));
    send_mode->add_option("--max-in-flight", s.max_in_flight,
                     "sessions open at once at most; the next is skipped")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    send_mode->add_option("--session-timeout", s.session_timeout, "seconds a session may take")
        ->capture_default_str()
        ->check(CLI::Range(0.001, 3600.0));
    CLI11_PARSE(app, argc, argv);
    if (banner_mode->parsed()) {
        return run_banner(port, sessions, spacing_us, hold_ms);
    }
    return run_send(s);
}
