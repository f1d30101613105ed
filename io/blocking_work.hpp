#pragma once

// I/O file: blocking work (a file written and fsync'd, say) run away from an event loop. The
// awaiting coroutine stays where it is and resumes on its own executor with the result, so a
// slow disk delays only the coroutine that waits for it, never the others of its io_context.
//
//   boost::asio::thread_pool pool(2);
//   auto size = co_await io::run_blocking(pool.get_executor(), [&] { return write_file(m); });
//
// The work is not cancellable: once started it runs to its end, and the coroutine waits for it
// whatever cancellation it receives meanwhile (the caller decides what to do afterwards).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <type_traits>
#include <utility>

namespace io {

/// Runs `work` (a callable returning a value, which must not throw) on `pool` and completes
/// with its result on the awaiting coroutine's executor.
template <typename Work>
boost::asio::awaitable<std::invoke_result_t<Work&>> run_blocking(boost::asio::any_io_executor pool,
                                                                 Work work)
{
    using result = std::invoke_result_t<Work&>;
    static_assert(std::is_nothrow_invocable_v<Work&>, "blocking work reports errors as values");
    auto initiate = [pool](auto handler, Work w) {
        // Keep the awaiting side's io_context alive until the result is back.
        auto home = boost::asio::prefer(boost::asio::get_associated_executor(handler),
                                        boost::asio::execution::outstanding_work.tracked);
        boost::asio::post(pool, [w = std::move(w), handler = std::move(handler),
                                 home = std::move(home)]() mutable {
            result r = w();
            boost::asio::dispatch(home, [handler = std::move(handler), r = std::move(r)]() mutable {
                std::move(handler)(std::move(r));
            });
        });
    };
    co_return co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&,
                                                   void(result)>(
        std::move(initiate), boost::asio::use_awaitable, std::move(work));
}

} // namespace io
