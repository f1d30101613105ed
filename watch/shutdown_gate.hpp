#pragma once

// The cancellation every waiting coroutine of watch shares. Include only from I/O files.

#include "io/awaitable.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <chrono>

namespace watch {

/// Shutdown as cancellation: every wait of watch races this gate, and close()
/// wakes them all at once. Used within one single-threaded io_context.
class shutdown_gate {
public:
    /// A gate on `ex`, open until close().
    explicit shutdown_gate(const boost::asio::any_io_executor& ex)
        : timer_(ex)
    {
        timer_.expires_at(std::chrono::steady_clock::time_point::max());
    }

    /// Wakes every waiter; later waits return at once.
    void close()
    {
        closed_ = true;
        timer_.cancel();
    }

    /// Whether close() was called.
    bool closed() const noexcept { return closed_; }

    /// Sleeps for `d`; false when the gate closed first.
    boost::asio::awaitable<bool> sleep(std::chrono::steady_clock::duration d)
    {
        if (closed_) {
            co_return false;
        }
        using namespace boost::asio::experimental::awaitable_operators;
        io::steady_timer t(timer_.get_executor());
        t.expires_after(d);
        co_await (t.async_wait() || timer_.async_wait());
        co_return !closed_;
    }

    /// Returns once the gate closes.
    boost::asio::awaitable<void> wait_closed()
    {
        while (!closed_) {
            co_await timer_.async_wait();
        }
    }

    /// Awaits `op` unless the gate closes first (then the operation is cancelled).
    template <typename T>
    boost::asio::awaitable<std::optional<T>> race(boost::asio::awaitable<T> op)
    {
        if (closed_) {
            co_return std::nullopt;
        }
        using namespace boost::asio::experimental::awaitable_operators;
        auto r = co_await (std::move(op) || timer_.async_wait());
        if (r.index() == 0) {
            co_return std::optional<T>(std::move(std::get<0>(r)));
        }
        co_return std::nullopt;
    }

private:
    io::steady_timer timer_;
    bool closed_ = false;
};

} // namespace watch
