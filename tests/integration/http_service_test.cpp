// io::http::service over loopback: the one HTTP service loop with its access middleware, the one
// HTTP client, streamed bodies, request smuggling, limits, the takeover seam and shutdown by
// cancellation (answers in progress finish; idle and stalled connections are closed).

#include "http_test_client.hpp"
#include "io/change_signal.hpp"
#include "io/http_client.hpp"
#include "io/http_errors.hpp"
#include "io/http_service.hpp"

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <future>
#include <gtest/gtest.h>
#include <thread>

namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using integration::count_of;
using integration::get;
using integration::raw_http;
using integration::send_body;

// A body of `count` pieces of `size` octets each.
class counted_pieces final : public io::http::body_source {
public:
    counted_pieces(int count, std::size_t size)
        : left_(count)
        , size_(size)
    {
    }
    std::string next() override
    {
        if (left_ == 0) {
            return {};
        }
        --left_;
        return std::string(size_, static_cast<char>('a' + left_ % 26));
    }

private:
    int left_;
    std::size_t size_;
};

// Echoes whatever arrives, after the bytes already buffered, on a connection taken over.
class echo_takeover final : public io::http::connection_takeover {
public:
    net::awaitable<void> run(io::tcp_socket socket, std::string buffered,
                             io::http::request head) override
    {
        std::string hello = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\n"
                            "Connection: Upgrade\r\n\r\n" +
                            head.target + "|" + buffered;
        co_await net::async_write(socket, net::buffer(hello), io::use_tuple);
        char data[1024];
        for (;;) {
            auto [ec, n] = co_await socket.async_read_some(net::buffer(data));
            if (ec) {
                co_return;
            }
            co_await net::async_write(socket, net::buffer(data, n), io::use_tuple);
        }
    }
};

class http_service_test : public ::testing::Test {
protected:
    void start(io::http::service_config config = {})
    {
        service_.emplace("test", "127.0.0.1:0", std::move(config),
                         [this](const io::http::request& r) { return answer(r); });
        service_->start();
        port_ = service_->endpoint().port();
        host_ = "127.0.0.1:" + std::to_string(port_);
    }

    io::http::response answer(const io::http::request& r)
    {
        ++calls_;
        last_body_ = r.body;
        io::http::response out;
        if (r.target == "/boom") {
            throw std::runtime_error("the handler failed");
        }
        if (r.target.starts_with("/stream/")) {
            out.content_type = "text/plain";
            out.stream = std::make_shared<counted_pieces>(std::stoi(r.target.substr(8)), 1000);
            return out;
        }
        if (r.target == "/echo") {
            out.takeover = std::make_shared<echo_takeover>();
            return out;
        }
        if (r.target.starts_with("/poll/")) {
            // Waits up to the milliseconds given for poll_ready_, woken by poll_signal_.
            auto poll = std::make_shared<io::http::long_poll>();
            poll->wait = std::chrono::milliseconds(std::stoi(r.target.substr(6)));
            poll->ready = [this] {
                ++ready_calls_;
                return poll_ready_.load();
            };
            poll->watch = [this](std::function<void()> wake) {
                return poll_signal_.subscribe(std::move(wake));
            };
            poll->answer = [this] {
                io::http::response late;
                late.body = poll_ready_ ? "ready" : "timed out";
                return late;
            };
            out.poll = std::move(poll);
            return out;
        }
        out.body = r.method + " " + r.target + " " + std::to_string(r.body.size());
        return out;
    }

    std::string url(const std::string& path) const { return "http://" + host_ + path; }

    std::optional<io::http::service> service_;
    std::uint16_t port_ = 0;
    std::string host_;
    std::atomic<int> calls_{0};
    std::string last_body_;
    io::change_signal poll_signal_;
    std::atomic<bool> poll_ready_{false};
    std::atomic<int> ready_calls_{0};
};

TEST_F(http_service_test, the_client_gets_the_handlers_answer)
{
    start();
    auto r = io::http::fetch(get(url("/a?b=c")));
    ASSERT_FALSE(r.ec) << r.error;
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "GET /a?b=c 0");
    EXPECT_EQ(r.header("Server"), std::optional<std::string_view>("smtp-harness"));
    auto p = io::http::fetch(send_body("POST", url("/x"), R"({"a":1})"));
    EXPECT_EQ(p.body, "POST /x 7");
    EXPECT_EQ(last_body_, R"({"a":1})");
}

TEST_F(http_service_test, a_kept_alive_connection_serves_several_requests)
{
    start();
    raw_http c(port_);
    const std::string get = "GET /one HTTP/1.1\r\nHost: " + host_ + "\r\n\r\n";
    c.send(get + get);
    auto& got = c.read_until([](const std::string& s) { return count_of(s, "GET /one 0") == 2; });
    EXPECT_EQ(count_of(got, "HTTP/1.1 200 OK"), 2u) << got;
    EXPECT_FALSE(c.closed());
}

TEST_F(http_service_test, a_streamed_body_arrives_whole_chunked_or_to_the_close)
{
    start();
    auto r = io::http::fetch(get(url("/stream/300")));
    ASSERT_FALSE(r.ec) << r.error;
    EXPECT_EQ(r.body.size(), 300u * 1000);
    EXPECT_EQ(r.header("Transfer-Encoding"), std::optional<std::string_view>("chunked"));

    raw_http old(port_);
    old.send("GET /stream/3 HTTP/1.0\r\n\r\n");
    auto& got = old.read_to_close();
    EXPECT_TRUE(old.closed());
    EXPECT_EQ(got.find("chunked"), std::string::npos) << "HTTP/1.0 has no chunked coding";
    EXPECT_EQ(got.size() - got.find("\r\n\r\n") - 4, 3000u);
}

TEST_F(http_service_test, head_gets_the_fields_without_the_body)
{
    start();
    raw_http c(port_);
    c.send("HEAD /x HTTP/1.1\r\nHost: " + host_ + "\r\n\r\nGET /after HTTP/1.1\r\nHost: " + host_ +
           "\r\nConnection: close\r\n\r\n");
    auto& got = c.read_to_close();
    EXPECT_NE(got.find("Content-Length: 9\r\n"), std::string::npos) << got;
    EXPECT_EQ(got.find("HEAD /x 0"), std::string::npos) << got;
    EXPECT_NE(got.find("GET /after 0"), std::string::npos) << "the next response is intact";
}

// RFC 9112 §6.3: a Transfer-Encoding that does not end in chunked is answered 400 and the
// connection closed; the body is never read as a second request.
TEST_F(http_service_test, smuggled_requests_are_never_served)
{
    start();
    for (const char* te : {"xchunked", "chunked, identity", "gzip", "identity"}) {
        raw_http c(port_);
        c.send("POST /first HTTP/1.1\r\nHost: " + host_ +
               "\r\nContent-Type: application/json\r\nTransfer-Encoding: " + te +
               "\r\nContent-Length: 0\r\n\r\n"
               "GET /smuggled HTTP/1.1\r\nHost: " +
               host_ + "\r\n\r\n");
        auto& got = c.read_to_close();
        EXPECT_TRUE(c.closed()) << te;
        EXPECT_EQ(got.rfind("HTTP/1.1 400", 0), 0u) << te << ": " << got;
        EXPECT_EQ(count_of(got, "HTTP/1.1 "), 1u) << te << ": " << got;
        EXPECT_NE(got.find("Connection: close"), std::string::npos) << te;
    }
    EXPECT_EQ(calls_.load(), 0) << "no request reached the handler";
}

TEST_F(http_service_test, limits_and_malformed_requests_are_answered_then_closed)
{
    io::http::service_config config;
    config.body_limit = 1000;
    config.header_limit = 2000;
    start(config);
    auto big = io::http::fetch(send_body("POST", url("/x"), std::string(1001, 'x')));
    EXPECT_EQ(big.status, 413) << big.error;
    {
        raw_http c(port_);
        c.send("GET / HTTP/1.1\r\nHost: " + host_ + "\r\nX: " + std::string(3000, 'y') +
               "\r\n\r\n");
        EXPECT_EQ(c.read_to_close().rfind("HTTP/1.1 431", 0), 0u) << c.received();
    }
    {
        raw_http c(port_);
        c.send("\x16\x03\x01 not http at all\r\n\r\n");
        EXPECT_EQ(c.read_to_close().rfind("HTTP/1.1 400", 0), 0u);
        EXPECT_TRUE(c.closed());
    }
    auto boom = io::http::fetch(get(url("/boom")));
    EXPECT_EQ(boom.status, 500);
    EXPECT_NE(boom.body.find("the handler failed"), std::string::npos);
    EXPECT_EQ(io::http::fetch(get(url("/ok"))).status, 200) << "still serving";
}

TEST_F(http_service_test, the_middleware_runs_before_the_handler)
{
    io::http::service_config config;
    config.access.bearer_token = "t0ken";
    start(config);
    auto none = io::http::fetch(get(url("/x")));
    EXPECT_EQ(none.status, 401);
    auto ok = io::http::fetch(get(url("/x"), {{"Authorization", "Bearer t0ken"}}));
    EXPECT_EQ(ok.status, 200);
    {
        raw_http c(port_);
        c.send("GET /x HTTP/1.1\r\nHost: evil.example:" + std::to_string(port_) +
               "\r\nAuthorization: Bearer t0ken\r\n\r\n");
        EXPECT_EQ(c.read_to_close().rfind("HTTP/1.1 403", 0), 0u) << c.received();
    }
    auto plain = io::http::fetch(
        send_body("POST", url("/x"), "x", "text/plain", {{"Authorization", "Bearer t0ken"}}));
    EXPECT_EQ(plain.status, 415);
    EXPECT_EQ(calls_.load(), 1);
}

TEST_F(http_service_test, expect_100_continue_is_answered_before_the_body)
{
    start();
    raw_http c(port_);
    c.send(
        "PUT /x HTTP/1.1\r\nHost: " + host_ +
        "\r\nContent-Type: application/json\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n");
    c.read_until([](const std::string& s) { return s.find("\r\n\r\n") != std::string::npos; });
    EXPECT_EQ(c.received().rfind("HTTP/1.1 100 Continue", 0), 0u) << c.received();
    c.send("{}");
    auto& got =
        c.read_until([](const std::string& s) { return s.find("PUT /x 2") != std::string::npos; });
    EXPECT_NE(got.find("PUT /x 2"), std::string::npos);
}

TEST_F(http_service_test, a_takeover_gets_the_connection_and_the_bytes_read_ahead)
{
    start();
    raw_http c(port_);
    c.send("GET /echo HTTP/1.1\r\nHost: " + host_ + "\r\nUpgrade: echo\r\n\r\nearly");
    c.read_until([](const std::string& s) { return s.find("/echo|early") != std::string::npos; });
    c.send("ping");
    auto& got =
        c.read_until([](const std::string& s) { return s.find("ping") != std::string::npos; });
    EXPECT_NE(got.find("101 Switching Protocols"), std::string::npos);
    EXPECT_NE(got.find("/echo|early"), std::string::npos);
    EXPECT_NE(got.find("ping"), std::string::npos);
}

TEST_F(http_service_test, stop_lets_an_answer_in_progress_finish_and_closes_idle_connections)
{
    io::http::service_config config;
    config.grace = 10s; // generous: an answer that is being read finishes well within it
    start(config);
    raw_http idle(port_);
    idle.send("GET /a HTTP/1.1\r\nHost: " + host_ + "\r\n\r\n");
    idle.read_until([](const std::string& s) { return s.find("GET /a 0") != std::string::npos; });

    // 20 MB: more than the socket buffers hold, so the answer is still being written at the stop.
    raw_http busy(port_);
    busy.send("GET /stream/20000 HTTP/1.1\r\nHost: " + host_ + "\r\n\r\n");
    busy.read_until([](const std::string& s) { return s.size() > 1000; });

    auto stopped = std::async(std::launch::async, [this] { service_->stop(); });
    // The idle connection is closed at once; the answer in progress goes on to its end.
    idle.read_to_close(5s);
    EXPECT_TRUE(idle.closed());
    auto& got = busy.read_to_close(30s);
    EXPECT_TRUE(busy.closed());
    EXPECT_NE(got.find("\r\n0\r\n\r\n"), std::string::npos) << "the last chunk arrived";
    EXPECT_EQ(stopped.wait_for(10s), std::future_status::ready);
    EXPECT_FALSE(raw_http(port_).connected()) << "the listener is closed";
}

TEST_F(http_service_test, after_the_grace_a_stalled_reader_is_cut_off)
{
    io::http::service_config config;
    config.grace = 300ms;
    start(config);
    raw_http stalled(port_);
    stalled.send("GET /stream/100000 HTTP/1.1\r\nHost: " + host_ + "\r\n\r\n");
    stalled.read_until([](const std::string& s) { return !s.empty(); });
    const auto start = clock_type::now();
    service_->stop();
    // Without the terminal cancellation the stop would wait for the reader forever; a loaded
    // machine (sanitizers, parallel tests) may take seconds to get there.
    EXPECT_LT(clock_type::now() - start, 15s) << "terminal cancellation ends the write";
}

// A service whose handler awaits serves other connections meanwhile: /slow answers only once
// /fast has been served (or after 10 s, which a service serving one request at a time reaches).
TEST(http_service, an_awaiting_handler_lets_other_connections_be_served_meanwhile)
{
    std::atomic<bool> fast_served{false};
    io::http::async_handler answer =
        [&](const io::http::request& r) -> net::awaitable<io::http::response> {
        io::http::response out;
        if (r.target == "/fast") {
            fast_served = true;
            out.body = "fast";
            co_return out;
        }
        const auto deadline = clock_type::now() + 10s;
        while (!fast_served && clock_type::now() < deadline) {
            co_await io::sleep_for(5ms);
        }
        out.body = fast_served ? "slow after fast" : "slow alone";
        co_return out;
    };
    io::http::service service("test", "127.0.0.1:0", {}, std::move(answer));
    service.start();
    const auto base = "http://127.0.0.1:" + std::to_string(service.endpoint().port());
    auto slow =
        std::async(std::launch::async, [&] { return io::http::fetch(get(base + "/slow")); });
    auto fast = io::http::fetch(get(base + "/fast"));
    EXPECT_EQ(fast.body, "fast");
    EXPECT_EQ(slow.get().body, "slow after fast");
    service.stop();
}

TEST_F(http_service_test, a_long_poll_is_answered_when_notified_without_polling)
{
    start();
    std::thread notifier([this] {
        // Once the poll is waiting (it asked ready() once), the awaited thing happens.
        for (int i = 0; i < 2000 && ready_calls_ == 0; ++i) {
            std::this_thread::sleep_for(1ms);
        }
        std::this_thread::sleep_for(300ms);
        poll_ready_ = true;
        poll_signal_.notify();
    });
    const auto start = clock_type::now();
    auto r = io::http::fetch(get(url("/poll/20000")));
    notifier.join();
    ASSERT_FALSE(r.ec) << r.error;
    EXPECT_EQ(r.body, "ready");
    EXPECT_LT(clock_type::now() - start, 15s);
    // Asked when the poll began and once when woken: a 10 ms poll would have asked ~30 times.
    EXPECT_LE(ready_calls_.load(), 3);
}

TEST_F(http_service_test, a_long_poll_nobody_notifies_ends_at_its_deadline)
{
    start();
    const auto start = clock_type::now();
    auto r = io::http::fetch(get(url("/poll/300")));
    ASSERT_FALSE(r.ec) << r.error;
    EXPECT_EQ(r.body, "timed out");
    EXPECT_GE(clock_type::now() - start, 300ms);
    EXPECT_EQ(ready_calls_.load(), 2); // when it began and at its deadline
}

// The same loop on an executor the caller runs, stopped by the caller's coroutine.
TEST(http_server, serves_on_the_callers_executor_until_stopped)
{
    net::io_context ioc;
    io::http::server server(ioc.get_executor(), "test",
                            net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), 0), {},
                            [](const io::http::request&) {
                                io::http::response r;
                                r.body = "here";
                                return r;
                            });
    server.listen();
    server.start();
    const auto port = server.endpoint().port();
    std::string fetched;
    bool stopped = false;
    net::co_spawn(
        ioc,
        [&]() -> net::awaitable<void> {
            auto request = get("http://127.0.0.1:" + std::to_string(port) + "/");
            auto r = co_await io::http::async_fetch(std::move(request));
            fetched = r.body;
            co_await server.stop();
            stopped = true;
        },
        [](std::exception_ptr e) {
            if (e) {
                std::rethrow_exception(e);
            }
        });
    ioc.run_for(20s);
    EXPECT_EQ(fetched, "here");
    EXPECT_TRUE(stopped);
    EXPECT_EQ(server.connections(), 0u);
}

// A handler that awaits: /wait waits until /open has been answered on another connection.
net::awaitable<io::http::response> wait_or_open(const io::http::request& r, io::steady_timer& gate,
                                                std::vector<std::string>& order)
{
    io::http::response out;
    if (r.target == "/open") {
        gate.cancel();
        order.push_back("open");
        out.body = "opened";
        co_return out;
    }
    co_await gate.async_wait();
    order.push_back("wait");
    out.body = "waited";
    co_return out;
}

TEST(http_server, an_awaiting_handler_lets_other_connections_be_served_meanwhile)
{
    net::io_context ioc;
    io::steady_timer gate(ioc);
    gate.expires_at(clock_type::now() + 20s);
    std::vector<std::string> order;
    io::http::server server(ioc.get_executor(), "test",
                            net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), 0), {},
                            io::http::async_handler([&](const io::http::request& r) {
                                return wait_or_open(r, gate, order);
                            }));
    server.listen();
    server.start();
    const auto base = "http://127.0.0.1:" + std::to_string(server.endpoint().port());
    std::string waited;
    std::string opened;
    auto fetch_into = [](std::string url, std::string& into) -> net::awaitable<void> {
        auto r = co_await io::http::async_fetch(get(url));
        into = r.body;
    };
    auto rethrow = [](std::exception_ptr e) {
        if (e) {
            std::rethrow_exception(e);
        }
    };
    net::co_spawn(ioc, fetch_into(base + "/wait", waited), rethrow);
    net::co_spawn(
        ioc,
        [&]() -> net::awaitable<void> {
            // The waiting request must be in its handler before /open is sent.
            while (server.connections() == 0) {
                co_await io::sleep_for(5ms);
            }
            auto opener = fetch_into(base + "/open", opened);
            co_await std::move(opener);
            const auto deadline = clock_type::now() + 10s;
            while (waited.empty() && clock_type::now() < deadline) {
                co_await io::sleep_for(5ms);
            }
            co_await server.stop();
        },
        rethrow);
    ioc.run_for(20s);
    EXPECT_EQ(opened, "opened");
    EXPECT_EQ(waited, "waited");
    EXPECT_EQ(order, (std::vector<std::string>{"open", "wait"}));
}

TEST(http_client, failures_are_values_with_a_sentence)
{
    auto bad = io::http::fetch(get("ftp://127.0.0.1/"));
    EXPECT_TRUE(bad.ec);
    EXPECT_NE(bad.error.find("not an http:// or https:// URL"), std::string::npos);

    // A port nobody listens on: bind one, note it, close it.
    net::io_context ioc;
    net::ip::tcp::acceptor a(ioc, {net::ip::make_address("127.0.0.1"), 0});
    auto port = a.local_endpoint().port();
    a.close();
    auto refused = io::http::fetch(get("http://127.0.0.1:" + std::to_string(port) + "/"));
    EXPECT_TRUE(refused.ec);
    EXPECT_NE(refused.error.find("cannot connect to 127.0.0.1:" + std::to_string(port)),
              std::string::npos)
        << refused.error;
}

} // namespace
