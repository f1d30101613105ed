// io::ws::coalescing_stream over loopback: the writes of a batch leave in one flush, writes
// outside a batch pass through, and a write made while a flush is writing goes after it, never
// inside it (a pong written by Beast during a big batch).

#include "io/awaitable.hpp"
#include "io/coalescing_stream.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>
#include <optional>
#include <string>

namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// A connected pair on loopback: the coalescing side and its peer.
struct pair {
    explicit pair(net::io_context& ioc)
        : peer(ioc)
    {
        tcp::acceptor acceptor(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
        tcp::socket client(ioc);
        client.connect(acceptor.local_endpoint());
        peer = acceptor.accept();
        stream.emplace(boost::beast::tcp_stream(std::move(client)));
    }
    tcp::socket peer;
    std::optional<io::ws::coalescing_stream> stream;
};

// Runs `test` to its end on `ioc`.
void run(net::io_context& ioc, net::awaitable<void> test)
{
    bool done = false;
    net::co_spawn(ioc, std::move(test), [&](std::exception_ptr e) {
        done = true;
        if (e) {
            std::rethrow_exception(e);
        }
    });
    ioc.run();
    EXPECT_TRUE(done);
}

net::awaitable<std::string> read_exactly(tcp::socket& s, std::size_t n)
{
    std::string got(n, '\0');
    auto [ec, read] = co_await net::async_read(s, net::buffer(got), io::use_tuple);
    EXPECT_FALSE(ec) << ec.message();
    got.resize(read);
    co_return got;
}

TEST(coalescing_stream, a_batch_leaves_in_one_flush_and_then_writes_pass_through_again)
{
    net::io_context ioc;
    pair p(ioc);
    auto& s = *p.stream;
    run(ioc, [&]() -> net::awaitable<void> {
        s.begin_batch();
        for (std::string piece : {"a", "bb", "ccc"}) {
            auto [ec, n] = co_await s.async_write_some(net::buffer(piece), io::use_tuple);
            EXPECT_FALSE(ec);
            EXPECT_EQ(n, piece.size()); // done at once, with the whole piece
        }
        EXPECT_EQ(s.buffered(), 6u);
        EXPECT_EQ(p.peer.available(), 0u); // nothing sent before the flush
        EXPECT_FALSE(co_await s.flush());
        EXPECT_EQ(s.buffered(), 0u);
        EXPECT_EQ(co_await read_exactly(p.peer, 6), "abbccc");
        // The batch is over: a write goes to the socket by itself.
        auto [ec, n] =
            co_await net::async_write(s, net::buffer(std::string_view("pong")), io::use_tuple);
        EXPECT_FALSE(ec);
        EXPECT_EQ(s.buffered(), 0u);
        EXPECT_EQ(co_await read_exactly(p.peer, 4), "pong");
    }());
}

TEST(coalescing_stream, a_write_during_a_flush_goes_after_it_not_inside_it)
{
    net::io_context ioc;
    pair p(ioc);
    auto& s = *p.stream;
    // Far more than the socket buffers hold: the flush waits for the peer to read.
    std::string batch(8 * 1024 * 1024, '\0');
    for (std::size_t i = 0; i < batch.size(); ++i) {
        batch[i] = static_cast<char>('a' + i % 26);
    }
    bool flushed = false;
    auto flush = [&]() -> net::awaitable<void> {
        EXPECT_FALSE(co_await s.flush());
        flushed = true;
    };
    run(ioc, [&]() -> net::awaitable<void> {
        s.begin_batch();
        co_await net::async_write(s, net::buffer(batch), io::use_tuple);
        net::co_spawn(ioc, flush(), net::detached);
        co_await net::post(ioc, net::use_awaitable); // the flush starts and waits for the peer
        EXPECT_FALSE(flushed);
        auto [ec, n] =
            co_await s.async_write_some(net::buffer(std::string_view("PONG")), io::use_tuple);
        EXPECT_FALSE(ec);
        EXPECT_EQ(n, 4u);
        const auto got = co_await read_exactly(p.peer, batch.size() + 4);
        EXPECT_TRUE(got.compare(0, batch.size(), batch) == 0) << "the batch was cut";
        EXPECT_EQ(got.substr(batch.size()), "PONG");
    }());
    EXPECT_TRUE(flushed);
}

} // namespace
