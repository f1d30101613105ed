// io's accept loop and TCP services over loopback: accept errors (out of descriptors) back off
// instead of spinning, the service recovers when descriptors free up, and stop() closes the
// listener and ends connections that ignore the grace request.

#include "http_test_client.hpp"
#include "io/tcp_service.hpp"

#include <boost/asio/write.hpp>
#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

// Answers "hello\n" and then waits for the peer to close (or the service to stop).
net::awaitable<void> greet(net::ip::tcp::socket plain)
{
    io::tcp_socket socket(std::move(plain));
    co_await net::async_write(socket, net::buffer("hello\n", 6), io::use_tuple);
    char sink[64];
    for (;;) {
        auto [ec, n] = co_await socket.async_read_some(net::buffer(sink));
        if (ec) {
            co_return;
        }
    }
}

double cpu_seconds()
{
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

int highest_open_descriptor()
{
    int highest = 0;
    if (DIR* d = ::opendir("/proc/self/fd")) {
        while (auto* e = ::readdir(d)) {
            highest = std::max(highest, std::atoi(e->d_name));
        }
        ::closedir(d);
    }
    return highest;
}

TEST(tcp_service, out_of_descriptors_backs_off_and_recovers)
{
#if defined(__SANITIZE_ADDRESS__)
    // The sanitizer runtime needs descriptors of its own while reporting, and this test takes
    // all of them away; the plain build runs it.
    GTEST_SKIP() << "exhausts the descriptors the sanitizer runtime needs";
#endif
    io::tcp_service service("test", "127.0.0.1:0", greet);
    service.start();
    const auto port = service.endpoint().port();
    // Sockets made before the limit is lowered; they connect after, so that accepting them
    // needs a descriptor the process no longer has.
    integration::raw_http first(0), second(0);
    rlimit saved{};
    ::getrlimit(RLIMIT_NOFILE, &saved);
    rlimit tight = saved;
    tight.rlim_cur = static_cast<rlim_t>(highest_open_descriptor() + 1);
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &tight), 0);
    // Fill whatever lower descriptors are still free: now accept() has none.
    std::vector<int> fillers;
    for (int fd = ::dup(0); fd >= 0; fd = ::dup(0)) {
        fillers.push_back(fd);
    }
    first.reconnect(port);
    const double before = cpu_seconds();
    std::this_thread::sleep_for(1s);
    const double spent = cpu_seconds() - before;
    for (int fd : fillers) {
        ::close(fd);
    }
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &saved), 0);
    // Backing off, the loop wakes 20 times a second: a millisecond of CPU. Spinning takes
    // whatever share of a core the machine gives it (tenths of a second here, even when busy).
    EXPECT_LT(spent, 0.05) << "the accept loop spun on EMFILE";
    // With descriptors back, the connection waiting in the queue is served.
    auto& got = first.read_until([](const std::string& s) { return s == "hello\n"; });
    EXPECT_EQ(got, "hello\n");
    second.reconnect(port);
    EXPECT_EQ(second.read_until([](const std::string& s) { return s == "hello\n"; }), "hello\n");
    service.stop();
}

TEST(tcp_service, stop_ends_connections_after_the_grace_and_closes_the_listener)
{
    io::tcp_service service("test", "127.0.0.1:0", greet, 200ms);
    service.start();
    const auto port = service.endpoint().port();
    integration::raw_http c(port);
    c.read_until([](const std::string& s) { return s == "hello\n"; });
    const auto start = clock_type::now();
    service.stop();
    const auto took = clock_type::now() - start;
    EXPECT_GE(took, 150ms) << "a connection that ignores the grace request gets the grace";
    EXPECT_LT(took, 5s);
    c.read_to_close(5s);
    EXPECT_TRUE(c.closed());
    EXPECT_FALSE(integration::raw_http(port).connected());
}

} // namespace
