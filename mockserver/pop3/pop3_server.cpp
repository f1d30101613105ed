#include "mockserver/pop3/pop3_server.hpp"

#include "io/awaitable.hpp"
#include "mockserver/connection.hpp"

#include <array>
#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>

namespace mock::pop3 {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using boost::system::error_code;
using clock_type = std::chrono::steady_clock;

namespace {

// One POP3 connection: performs the session's actions one at a time, each under its deadline.
// A stop of the service (either level of cancellation) ends it without UPDATE.
net::awaitable<void> run_session(io::tcp_socket socket, maildrop_source& maildrops,
                                 const session_config& config, fault_source* faults)
{
    co_await net::this_coro::throw_if_cancelled(false);
    co_await net::this_coro::reset_cancellation_state(net::enable_partial_cancellation());
    auto cancellation = co_await net::this_coro::cancellation_state;
    auto stopping = [&cancellation] {
        return cancellation.cancelled() != net::cancellation_type::none;
    };
    error_code peer_ec;
    const auto peer = socket.remote_endpoint(peer_ec);
    auto decider = faults
                       ? faults->open_mailbox_session(peer.address().to_string(), clock_type::now())
                       : nullptr;
    pop3_session session(maildrops, config, decider.get());
    bool reset = false;
    std::array<char, 8192> buffer;
    auto action = session.start(clock_type::now());
    for (;;) {
        if (auto* w = std::get_if<write_action>(&action)) {
            auto result = co_await io::with_deadline(
                net::async_write(socket, net::buffer(w->bytes), io::use_tuple), w->deadline,
                net::enable_partial_cancellation());
            auto ec = result ? std::get<0>(*result) : error_code{};
            action = stopping() ? session.on_shutdown()
                     : !result  ? session.on_timeout(clock_type::now())
                     : ec       ? session.on_io_error(to_transport_error(ec))
                                : session.on_written(clock_type::now());
        } else if (auto* r = std::get_if<read_action>(&action)) {
            auto result =
                co_await io::with_deadline(socket.async_read_some(net::buffer(buffer)), r->deadline,
                                           net::enable_partial_cancellation());
            auto [ec, n] = result.value_or(std::tuple<error_code, std::size_t>{});
            action = stopping() ? session.on_shutdown()
                     : !result  ? session.on_timeout(clock_type::now())
                     : ec       ? session.on_io_error(to_transport_error(ec))
                          : session.on_read(std::string_view(buffer.data(), n), clock_type::now());
        } else {
            reset = std::get<close_action>(action).reset;
            break;
        }
    }
    error_code ignored;
    if (reset) {
        socket.set_option(tcp::socket::linger(true, 0), ignored); // the close sends an RST
    } else {
        socket.shutdown(tcp::socket::shutdown_both, ignored);
    }
    socket.close(ignored);
}

} // namespace

pop3_server::pop3_server(const std::string& address, maildrop_source& maildrops,
                         session_config config, fault_source* faults)
    : config_(std::move(config))
    , service_("--pop3", address, [this, &maildrops, faults](tcp::socket socket) {
        return run_session(io::tcp_socket(std::move(socket)), maildrops, config_, faults);
    })
{
}

void pop3_server::start()
{
    service_.start();
}

void pop3_server::stop()
{
    service_.stop();
}

void pop3_server::set_listening(bool listening)
{
    service_.set_listening(listening);
}

boost::asio::ip::tcp::endpoint pop3_server::endpoint() const
{
    return service_.endpoint();
}

} // namespace mock::pop3
