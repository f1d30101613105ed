#include "mockserver/dns/dns_server.hpp"

#include "dns/tcp_framer.hpp"
#include "io/awaitable.hpp"
#include "io/endpoint.hpp"
#include "io/task_group.hpp"
#include "io/tcp_service.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/write.hpp>
#include <mutex>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace mock {

namespace net = boost::asio;
using udp = net::ip::udp;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;

namespace {

// TCP connections idle this long are closed (RFC 7766 §6.2.3).
constexpr auto tcp_idle_timeout = std::chrono::seconds(30);
// What connections in flight are given to finish at stop().
constexpr auto stop_grace = std::chrono::milliseconds(200);
constexpr auto first_backoff = std::chrono::milliseconds(10);
constexpr auto max_backoff = std::chrono::seconds(1);

// An io_context whose handlers (and the coroutine frames they hold) can be destroyed before
// the sockets they refer to.
struct dns_context : net::io_context {
    using net::execution_context::shutdown;
    using net::io_context::io_context;
};

dns::ip_address to_dns(const net::ip::address& a)
{
    if (a.is_v4()) {
        return a.to_v4().to_bytes();
    }
    return a.to_v6().to_bytes();
}

} // namespace

std::chrono::milliseconds dns_receive_backoff(unsigned errors) noexcept
{
    if (errors < 2) {
        return std::chrono::milliseconds(0);
    }
    const unsigned doublings = std::min(errors - 2, 7u); // 10 ms << 7 > 1 s
    return std::min<std::chrono::milliseconds>(first_backoff * (1u << doublings), max_backoff);
}

struct dns_server::impl {
    std::string what;
    udp::endpoint endpoint;
    dns::responder responder;
    dns::fault_source faults;
    std::unique_ptr<dns_context> ioc = std::make_unique<dns_context>(1);
    std::unique_ptr<udp::socket> udp_socket;
    std::unique_ptr<io::tcp_server> tcp;
    std::unique_ptr<io::task_group> udp_tasks;
    std::thread thread;
    bool started = false;
    bool stopped = false;
    std::atomic<std::uint64_t> received{0};
    std::atomic<std::uint64_t> received_tcp{0};
    mutable std::mutex note_mutex;
    std::string last_note; // what the responder made of the last message (reply_action::note)

    impl(std::string w, udp::endpoint ep, dns::responder r, dns::fault_source f)
        : what(std::move(w))
        , endpoint(ep)
        , responder(std::move(r))
        , faults(std::move(f))
    {
    }

    ~impl()
    {
        ioc->shutdown();
        tcp.reset();
        udp_tasks.reset();
        udp_socket.reset();
        ioc.reset();
    }

    dns::reply_action respond(std::span<const std::uint8_t> bytes, dns::transport via,
                              const net::ip::address& from)
    {
        received.fetch_add(1, std::memory_order_relaxed);
        if (via == dns::transport::tcp) {
            received_tcp.fetch_add(1, std::memory_order_relaxed);
        }
        auto action = responder.respond({bytes, via, to_dns(from), clock_type::now()}, faults);
        const std::lock_guard lock(note_mutex);
        last_note = action.note;
        return action;
    }

    void bind();
    net::awaitable<void> serve_udp();
    net::awaitable<void> send_later(dns::reply_action action, udp::endpoint to);
    net::awaitable<void> serve_tcp(tcp::socket socket);
    net::awaitable<void> shut_down();
};

void dns_server::impl::bind()
{
    // One port for both transports: UDP first, then TCP on its port; with port 0, try again
    // when another program holds the TCP port.
    const bool ephemeral = endpoint.port() == 0;
    for (int attempt = 0;; ++attempt) {
        udp_socket = std::make_unique<udp::socket>(*ioc);
        boost::system::error_code ec;
        udp_socket->open(endpoint.protocol(), ec);
        if (!ec && endpoint.address().is_v6()) {
            udp_socket->set_option(net::ip::v6_only(true), ec);
        }
        if (!ec) {
            udp_socket->bind(endpoint, ec);
        }
        if (ec) {
            throw std::system_error(ec, "cannot listen on " + what + " " +
                                            endpoint.address().to_string() + ":" +
                                            std::to_string(endpoint.port()) + " (UDP)");
        }
        const auto bound = udp_socket->local_endpoint();
        tcp = std::make_unique<io::tcp_server>(
            ioc->get_executor(), what, tcp::endpoint(bound.address(), bound.port()),
            [this](tcp::socket s) { return serve_tcp(std::move(s)); });
        try {
            tcp->listen();
            endpoint = bound;
            return;
        } catch (const std::system_error&) {
            if (!ephemeral || attempt == 20) {
                throw;
            }
        }
    }
}

net::awaitable<void> dns_server::impl::send_later(dns::reply_action action, udp::endpoint to)
{
    io::steady_timer timer(co_await net::this_coro::executor);
    timer.expires_at(action.at);
    auto [ec] = co_await timer.async_wait();
    if (!ec) {
        co_await udp_socket->async_send_to(net::buffer(action.bytes), to, io::use_tuple);
    }
}

net::awaitable<void> dns_server::impl::serve_udp()
{
    // A whole datagram, however large, so that the responder sees what was sent.
    std::vector<std::uint8_t> buffer(65535);
    io::steady_timer backoff(co_await net::this_coro::executor);
    unsigned errors = 0;
    for (;;) {
        udp::endpoint from;
        auto [ec, n] =
            co_await udp_socket->async_receive_from(net::buffer(buffer), from, io::use_tuple);
        if (ec == net::error::operation_aborted || !udp_socket->is_open()) {
            co_return;
        }
        if (ec) {
            // An ICMP error of an earlier send (connection refused): keep serving; the same
            // error again and again: keep serving, more slowly.
            if (const auto wait = dns_receive_backoff(++errors); wait.count() > 0) {
                backoff.expires_after(wait);
                if (auto [cancelled] = co_await backoff.async_wait(); cancelled) {
                    co_return;
                }
            }
            continue;
        }
        errors = 0;
        auto action = respond(std::span(buffer.data(), n), dns::transport::udp, from.address());
        if (action.what != dns::reply_action::kind::send) {
            continue;
        }
        if (action.at > clock_type::now()) {
            // A slow answer waits on its own timer; other queries are answered meanwhile.
            udp_tasks->spawn(send_later(std::move(action), from));
            continue;
        }
        co_await udp_socket->async_send_to(net::buffer(action.bytes), from, io::use_tuple);
    }
}

// Answers each framed message in turn; a slow answer delays those after it on the connection.
net::awaitable<void> dns_server::impl::serve_tcp(tcp::socket socket)
{
    io::tcp_socket sock(std::move(socket));
    dns::tcp_framer framer;
    std::array<std::uint8_t, 4096> buffer{};
    boost::system::error_code peer_ec;
    const auto peer = sock.remote_endpoint(peer_ec).address();
    for (;;) {
        auto read = co_await io::with_deadline(sock.async_read_some(net::buffer(buffer)),
                                               clock_type::now() + tcp_idle_timeout);
        if (!read || std::get<0>(*read)) {
            co_return; // idle, EOF, error or stopped
        }
        std::span<const std::uint8_t> data(buffer.data(), std::get<1>(*read));
        while (!data.empty()) {
            data = data.subspan(framer.consume(data));
            if (framer.error()) {
                co_return;
            }
            if (!framer.has_message()) {
                continue;
            }
            const auto message = framer.take();
            auto action = respond(message, dns::transport::tcp, peer);
            if (action.what != dns::reply_action::kind::send) {
                continue;
            }
            io::steady_timer timer(co_await net::this_coro::executor);
            timer.expires_at(action.at);
            if (auto [ec] = co_await timer.async_wait(); ec) {
                co_return;
            }
            auto [ec, n] = co_await net::async_write(sock, net::buffer(action.bytes));
            if (ec) {
                co_return;
            }
        }
    }
}

net::awaitable<void> dns_server::impl::shut_down()
{
    boost::system::error_code ignored;
    udp_socket->close(ignored);
    udp_tasks->stop(net::cancellation_type::terminal);
    co_await tcp->stop(stop_grace);
    co_await udp_tasks->wait_until_empty(clock_type::now() + std::chrono::seconds(5));
}

dns_server::dns_server(std::string what, const std::string& address, dns::responder responder,
                       dns::fault_source faults)
{
    auto ep = io::parse_endpoint(address);
    if (!ep) {
        throw std::runtime_error(what + " " + address +
                                 ": expected ADDR:PORT with a literal IP address");
    }
    impl_ = std::make_unique<impl>(std::move(what), udp::endpoint(ep->address(), ep->port()),
                                   std::move(responder), std::move(faults));
}

dns_server::~dns_server()
{
    stop();
}

void dns_server::start()
{
    auto& d = *impl_;
    if (d.started) {
        return;
    }
    d.bind();
    d.udp_tasks = std::make_unique<io::task_group>(d.ioc->get_executor());
    d.tcp->start();
    d.udp_tasks->spawn(d.serve_udp());
    d.thread = std::thread([ioc = d.ioc.get()] { ioc->run(); });
    d.started = true;
}

void dns_server::stop()
{
    auto& d = *impl_;
    if (!d.started || d.stopped) {
        return;
    }
    d.stopped = true;
    net::co_spawn(*d.ioc, d.shut_down(), [ioc = d.ioc.get()](std::exception_ptr) { ioc->stop(); });
    if (d.thread.joinable()) {
        d.thread.join();
    }
}

udp::endpoint dns_server::endpoint() const
{
    return impl_->endpoint;
}

std::uint64_t dns_server::queries() const noexcept
{
    return impl_->received.load(std::memory_order_relaxed);
}

std::uint64_t dns_server::tcp_queries() const noexcept
{
    return impl_->received_tcp.load(std::memory_order_relaxed);
}

std::string dns_server::last_note() const
{
    const std::lock_guard lock(impl_->note_mutex);
    return impl_->last_note;
}

} // namespace mock
