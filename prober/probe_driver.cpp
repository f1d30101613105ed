#include "prober/probe_driver.hpp"

#include "io/client_connection.hpp"
#include "io/client_error.hpp"
#include "io/endpoint.hpp"
#include "prober/dnsbl_lookup.hpp"
#include "prober/error.hpp"
#include "prober/mx_lookup.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/ip/host_name.hpp>
#include <boost/asio/this_coro.hpp>
#include <random>
#include <sys/random.h>

namespace prober {
namespace {

namespace net = boost::asio;
using error_code = boost::system::error_code;

io::client_settings connection_settings(const probe_options& o)
{
    io::client_settings s;
    s.host = o.host;
    s.port = o.effective_port();
    s.family = io_family(o.family);
    s.source_address = o.source_address;
    s.dns = dns_settings_of(o.dns_server);
    s.tls.insecure = o.insecure;
    s.tls.ca_file = o.ca_file;
    s.tls.server_name = o.tls_server_name;
    return s;
}

// The event that reports a failed operation: its outcome, translated one to one.
session_event failed(const error_code& ec, std::string detail)
{
    if (ec == io::client_errc::timeout) {
        return session_event{event_kind::timeout};
    }
    if (ec == net::error::operation_aborted) {
        return session_event{event_kind::cancelled};
    }
    if (ec == net::error::eof) {
        return session_event{event_kind::eof, {}, ec, std::move(detail)};
    }
    return session_event{event_kind::error, {}, ec, std::move(detail)};
}

// Performs the actions of one client_session on one client connection, one at a time.
class session_io {
public:
    session_io(const net::any_io_executor& ex, const probe_options& options,
               verify_function verifier)
        : options_(options)
        , connection_(ex, connection_settings(options))
        , verifier_(std::move(verifier))
    {
    }

    net::awaitable<session_event> perform(const session_action& act, const std::string& message_id)
    {
        switch (act.kind) {
        case action_kind::resolve:
            co_return co_await step(connection_.resolve(act.deadline), event_kind::resolved);
        case action_kind::connect:
            co_return co_await step(connection_.connect(act.deadline), event_kind::connected);
        case action_kind::start_tls:
            co_return co_await step(connection_.handshake(act.deadline), event_kind::tls_done);
        case action_kind::write:
        case action_kind::read:
            break; // awaited by the loop itself, see drive()
        case action_kind::verify:
            co_return co_await verify(message_id, act.deadline);
        case action_kind::close:
        case action_kind::done:
            break;
        }
        co_return close();
    }

    // The connection and the read buffer, for the reads and writes the loop awaits itself.
    io::client_connection& connection() noexcept { return connection_; }
    net::mutable_buffer buffer() noexcept { return net::buffer(buffer_); }

    // The event that reports a write's outcome.
    static session_event written(const error_code& ec)
    {
        return ec ? failed(ec, ec.message()) : session_event{event_kind::written};
    }

    // The event that reports a read's outcome.
    session_event read(const error_code& ec, std::size_t n) const
    {
        if (n > 0) {
            return session_event{event_kind::read, std::string_view(buffer_.data(), n)};
        }
        return failed(ec, ec.message());
    }

    // Closing never waits, so it is performed even when the probe is being cancelled.
    session_event close()
    {
        connection_.close();
        return session_event{event_kind::closed};
    }

private:
    net::awaitable<session_event> step(net::awaitable<io::step_result> op, event_kind success)
    {
        auto r = co_await std::move(op);
        if (r.ec) {
            co_return failed(r.ec, std::move(r.detail));
        }
        session_event ev{success, {}, {}, std::move(r.detail)};
        if (success == event_kind::tls_done) {
            ev.tls = connection_.tls() ? &*connection_.tls() : nullptr;
        }
        co_return ev;
    }

    net::awaitable<session_event> verify(const std::string& message_id,
                                         probe_clock::time_point deadline)
    {
        if (!verifier_) {
            co_return session_event{event_kind::error,
                                    {},
                                    make_error_code(probe_errc::verify_failed),
                                    "round-trip verification is not available in this build"};
        }
        auto now = probe_clock::now();
        auto budget = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline > now ? deadline - now : probe_clock::duration::zero());
        report_ = co_await verifier_(*options_.verify, message_id, budget, now);
        session_event ev{event_kind::verified};
        ev.verify = &report_;
        co_return ev;
    }

    const probe_options& options_;
    io::client_connection connection_;
    // Replies are small, and the framer of the session takes them in pieces of any size. Left
    // uninitialised: with many probes at once, zeroing buffers is what would cost the most.
    std::array<char, 4096> buffer_;
    verify_report report_;
    verify_function verifier_;
};

// 64 random bits from the kernel. std::random_device is the fallback only: made anew per probe
// it costs tens of microseconds (it probes the CPU's random instructions each time), a good
// part of a whole probe.
std::uint64_t fresh_nonce()
{
    std::uint64_t nonce = 0;
    if (::getrandom(&nonce, sizeof nonce, 0) == static_cast<ssize_t>(sizeof nonce)) {
        return nonce;
    }
    std::random_device rd;
    return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
}

// The EHLO name when none is given: this host's name, asked for (uname(2)) once per process
// rather than once per probe.
const std::string& local_host_name()
{
    static const std::string name = [] {
        boost::system::error_code ec;
        auto local = net::ip::host_name(ec);
        return !ec && !local.empty() ? local : std::string("localhost");
    }();
    return name;
}

// What a probe of its own starts from: the time, a nonce for the test message, the EHLO
// name. A function of its own, so that its locals (a random_device is 5 KB) stay out of the
// coroutine frame that lives as long as the probe.
session_params fresh_params()
{
    session_params params;
    params.started_at = std::chrono::system_clock::now();
    params.nonce = fresh_nonce();
    params.default_helo = local_host_name();
    return params;
}

// Performs the actions of `session` until it is done. The session lives in the caller's frame:
// one copy of it per probe, however it was made.
net::awaitable<void> drive(client_session& session, verify_function verifier)
{
    session_io io(co_await net::this_coro::executor, session.options(), std::move(verifier));
    session_event ev{event_kind::start};
    for (;;) {
        auto act = session.next(ev, probe_clock::now());
        if (act.kind == action_kind::done) {
            break;
        }
        if (act.kind == action_kind::close) {
            ev = io.close();
            continue;
        }
        // Reads and writes, nearly every action, are awaited in this frame: no frame of their
        // own between the loop and the connection.
        if (act.kind == action_kind::read) {
            auto [ec, n] = co_await io.connection().read_some(io.buffer(), act.deadline);
            ev = io.read(ec, n);
            continue;
        }
        if (act.kind == action_kind::write) {
            auto ec = co_await io.connection().write(act.bytes, act.deadline);
            ev = session_io::written(ec);
            continue;
        }
        ev = co_await io.perform(act, session.message_id());
    }
}

} // namespace

io::dns_settings dns_settings_of(const std::string& dns_server)
{
    io::dns_settings s;
    if (auto server = io::parse_endpoint(dns_server); !dns_server.empty() && server) {
        s.server = *server;
    }
    return s;
}

io::address_family io_family(address_family f) noexcept
{
    switch (f) {
    case address_family::v4:
        return io::address_family::v4;
    case address_family::v6:
        return io::address_family::v6;
    case address_family::any:
        break;
    }
    return io::address_family::any;
}

net::awaitable<probe_result> async_probe(probe_options options, verify_function verifier)
{
    auto params = fresh_params();
    if (options.mx) {
        // The mail domain's route first: its lookups share the session's total deadline.
        const auto now = probe_clock::now();
        params.mx = co_await find_mail_route(
            options, now + std::min(options.command_timeout, options.timeout));
    }
    client_session session(std::move(options), std::move(params));
    co_await drive(session, std::move(verifier));
    auto result = session.take_result();
    // The blocklist lookups come after the session, for the address it connected to.
    if (const auto& o = session.options(); !o.dnsbl.empty()) {
        const auto deadline = probe_clock::now() + o.command_timeout;
        auto verdicts = co_await check_blocklists(o, result.peer, deadline);
        judge_blocklists(result, std::move(verdicts));
    }
    co_return result;
}

net::awaitable<probe_result> drive_session(client_session session, verify_function verifier)
{
    co_await drive(session, std::move(verifier));
    co_return session.take_result();
}

} // namespace prober
