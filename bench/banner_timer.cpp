// banner_timer: the delay-accuracy benchmark's client. Opens SESSIONS connections to
// 127.0.0.1:PORT, one every SPACING_US microseconds, and prints, one line per session, the
// microseconds from the established connection to the first byte of the banner. One thread on
// Asio, so that the client is not the bottleneck: its own jitter is what the same run against a
// server with no delay shows. HOLD_MS (default 0) keeps each connection open that long after its
// banner, so that such a control has as many connections in flight as a run under a delay.
//
//   banner_timer PORT SESSIONS SPACING_US [HOLD_MS]
//
// Exits 1 when a session got no banner within 30 s.

#include "io/awaitable.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/detached.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

namespace net = boost::asio;
using clock_type = std::chrono::steady_clock;

// How long one session waits for its connection and its banner at most.
constexpr auto session_limit = std::chrono::seconds(30);

// Connects after `start_after`, then times the banner's first byte; -1 when it never came.
// Closes the connection `hold` after the banner.
net::awaitable<void> time_banner(net::ip::tcp::endpoint server, clock_type::time_point start_at,
                                 std::chrono::milliseconds hold, long long& micros)
{
    auto executor = co_await net::this_coro::executor;
    io::steady_timer start(executor);
    start.expires_at(start_at);
    co_await start.async_wait();
    io::tcp_socket socket(executor);
    const auto deadline = clock_type::now() + session_limit;
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
    micros =
        std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - started).count();
    if (hold.count() > 0) {
        start.expires_after(hold);
        co_await start.async_wait();
    }
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 4 && argc != 5) {
        std::fprintf(stderr, "usage: banner_timer PORT SESSIONS SPACING_US [HOLD_MS]\n");
        return 2;
    }
    const auto port = static_cast<unsigned short>(std::atoi(argv[1]));
    const auto sessions = static_cast<std::size_t>(std::atol(argv[2]));
    const auto spacing = std::chrono::microseconds(std::atol(argv[3]));
    const auto hold = std::chrono::milliseconds(argc == 5 ? std::atol(argv[4]) : 0);
    const net::ip::tcp::endpoint server(net::ip::make_address("127.0.0.1"), port);

    net::io_context ctx(1);
    std::vector<long long> micros(sessions, -1);
    const auto first = clock_type::now() + std::chrono::milliseconds(10);
    for (std::size_t i = 0; i < sessions; ++i) {
        net::co_spawn(ctx,
                      time_banner(server, first + spacing * static_cast<long>(i), hold, micros[i]),
                      net::detached);
    }
    ctx.run();
    int status = 0;
    for (auto m : micros) {
        std::printf("%lld\n", m);
        status = m < 0 ? 1 : status;
    }
    return status;
}
