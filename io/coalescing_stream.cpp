#include "io/coalescing_stream.hpp"

#include <boost/asio/write.hpp>

namespace io::ws {

namespace net = boost::asio;

namespace {

// A buffer that grew past this for a big batch is given back after it.
constexpr std::size_t kept_capacity = 256 * 1024;

void trim(std::string& s)
{
    s.clear();
    if (s.capacity() > kept_capacity) {
        s = std::string();
    }
}

} // namespace

net::awaitable<boost::system::error_code> coalescing_stream::flush()
{
    gathering_ = true; // until the end: nothing is written beside this
    boost::system::error_code ec;
    // What Beast writes while a write is out (a pong) is gathered and goes in the next one.
    while (!pending_.empty() && !ec) {
        std::swap(pending_, sending_);
        auto [wec, n] = co_await net::async_write(next_, net::buffer(sending_), use_tuple);
        ec = wec;
        trim(sending_);
    }
    trim(pending_);
    gathering_ = false;
    co_return ec;
}

void teardown(boost::beast::role_type role, coalescing_stream& stream,
              boost::system::error_code& ec)
{
    // Found by argument-dependent lookup: Beast's, for its tcp_stream.
    teardown(role, stream.next_layer(), ec);
}

} // namespace io::ws
