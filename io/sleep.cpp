#include "io/awaitable.hpp"

#include <boost/asio/this_coro.hpp>

namespace io {

boost::asio::awaitable<bool> sleep_for(std::chrono::steady_clock::duration d)
{
    steady_timer timer(co_await boost::asio::this_coro::executor);
    timer.expires_after(d);
    auto [ec] = co_await timer.async_wait();
    co_return !ec;
}

} // namespace io
