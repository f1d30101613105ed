#pragma once

// Asio types whose awaits return error codes instead of throwing, and the one
// helper that puts a deadline on any awaitable operation. A connection that makes many short
// operations puts their deadlines on its one timer instead: io/deadline_watchdog.hpp.
// Include only from I/O files.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <exception>
#include <optional>
#include <type_traits>

namespace io {

/// Completion token: `auto [ec, n] = co_await op(..., use_tuple);`
inline constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);

using tuple_awaitable_t = decltype(use_tuple);

/// A TCP socket whose operations default to the error-code-returning token.
using tcp_socket = tuple_awaitable_t::as_default_on_t<boost::asio::ip::tcp::socket>;
/// A TCP acceptor whose operations default to the error-code-returning token.
using tcp_acceptor = tuple_awaitable_t::as_default_on_t<boost::asio::ip::tcp::acceptor>;
/// A resolver whose operations default to the error-code-returning token.
using tcp_resolver = tuple_awaitable_t::as_default_on_t<boost::asio::ip::tcp::resolver>;
/// A steady timer whose operations default to the error-code-returning token.
using steady_timer = tuple_awaitable_t::as_default_on_t<boost::asio::steady_timer>;

/// Sleeps for `d` on the current executor; returns false when cancelled.
boost::asio::awaitable<bool> sleep_for(std::chrono::steady_clock::duration d);

namespace detail {

// Runs `op` with cancellation filtered by `filter` (an operand of `||` runs as a coroutine
// thread of its own, which otherwise sees terminal cancellation only), then ends the wait of
// the race's `timer`: a race passes a cancellation request on only once, so when `op` ended on
// a request the timer does not take (partial), the timer would otherwise wait on.
template <typename T, typename Filter>
boost::asio::awaitable<T> filtered_until(boost::asio::awaitable<T> op, Filter filter,
                                         steady_timer& timer)
{
    co_await boost::asio::this_coro::throw_if_cancelled(false);
    co_await boost::asio::this_coro::reset_cancellation_state(filter);
    auto result = co_await std::move(op);
    timer.cancel();
    co_return result;
}

} // namespace detail

/// Awaits `op` until `deadline`. Returns the operation's result, or nothing when the deadline
/// passed first (the operation is then cancelled). Use within one single-threaded io_context.
///
/// `filter` says which cancellation types of the awaiting coroutine reach the operation and
/// the deadline's timer: terminal only by default. A coroutine stopped in two steps by an
/// io::task_group (partial, then terminal) that has enabled partial requests passes
/// boost::asio::enable_partial_cancellation(): both sides of the race then see both steps.
/// With the default, such a coroutine's partial request would reach neither side, and, since
/// a race passes on only the first request it gets, neither would the terminal one after it.
template <typename T, typename Filter = boost::asio::enable_terminal_cancellation>
boost::asio::awaitable<std::optional<T>>
with_deadline(boost::asio::awaitable<T> op, std::chrono::steady_clock::time_point deadline,
              Filter filter = {})
{
    using namespace boost::asio::experimental::awaitable_operators;
    steady_timer timer(co_await boost::asio::this_coro::executor);
    timer.expires_at(deadline);
    if constexpr (std::is_same_v<Filter, boost::asio::enable_terminal_cancellation>) {
        auto result = co_await (std::move(op) || timer.async_wait());
        if (result.index() == 0) {
            co_return std::optional<T>(std::move(std::get<0>(result)));
        }
    } else {
        auto result =
            co_await (detail::filtered_until(std::move(op), filter, timer) || timer.async_wait());
        if (result.index() == 0) {
            co_return std::optional<T>(std::move(std::get<0>(result)));
        }
    }
    co_return std::nullopt;
}

/// Runs `op` to completion on a private single-threaded io_context and returns its value: the
/// one way a blocking caller (a command-line tool, a test) uses an awaitable API. An exception
/// that escapes `op` becomes a value through `on_exception(what)`.
template <typename T, typename OnException>
T run_to_completion(boost::asio::awaitable<T> op, OnException on_exception)
{
    boost::asio::io_context ctx(1);
    T out{};
    boost::asio::co_spawn(ctx, std::move(op), [&](std::exception_ptr e, T value) {
        if (!e) {
            out = std::move(value);
            return;
        }
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& x) {
            out = on_exception(x.what());
        } catch (...) {
            out = on_exception("unknown exception");
        }
    });
    ctx.run();
    return out;
}

} // namespace io
