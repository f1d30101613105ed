#pragma once

// I/O file: shutdown by cancellation. A task_group owns the coroutines of one io_context that
// stop together (the sessions of one SMTP worker, the connections of one HTTP service). Each
// task is spawned with a cancellation slot of the group; stopping emits a cancellation type
// to all of them, which wakes whatever each one is waiting on (a read, a timer, a hang) with
// operation_aborted, and the task then decides how to end.
//
// Two levels, as graceful servers need them:
// - cancellation_type::partial: "finish what you are doing, then stop" (an idle SMTP session
//   says 421 at once; one in a transaction may complete it);
// - cancellation_type::terminal: "stop now" (the grace period is over).
// A task that wants to see partial requests enables them with
// `co_await this_coro::reset_cancellation_state(enable_partial_cancellation())`; by default a
// coroutine sees terminal requests only.

#include "io/awaitable.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/cancellation_type.hpp>

#include <chrono>
#include <cstddef>
#include <exception>
#include <list>

namespace io {

/// The coroutines of one single-threaded io_context that stop together. Every member function
/// but request_stop() must be called on the group's executor.
class task_group {
public:
    /// A group whose tasks run on `executor`.
    explicit task_group(boost::asio::any_io_executor executor);
    task_group(const task_group&) = delete;
    task_group& operator=(const task_group&) = delete;

    /// Spawns `task` on the group's executor, bound to a fresh cancellation slot of the group.
    /// An exception escaping the task is swallowed: a task reports its own errors. Spawning
    /// after stop() has been called starts the task already cancelled with the stop's type.
    void spawn(boost::asio::awaitable<void> task);

    /// Emits `type` to every running task. Later calls may escalate (partial, then terminal).
    void stop(boost::asio::cancellation_type type = boost::asio::cancellation_type::terminal);

    /// Thread-safe: posts stop(type) to the group's executor.
    void request_stop(boost::asio::cancellation_type type =
                          boost::asio::cancellation_type::terminal);

    /// Whether stop() has been called.
    bool stopping() const noexcept { return stopped_ != boost::asio::cancellation_type::none; }

    /// How many tasks are running.
    std::size_t size() const noexcept { return signals_.size(); }

    /// Completes when every task has finished, or at `deadline`; true when all have finished.
    boost::asio::awaitable<bool> wait_until_empty(std::chrono::steady_clock::time_point deadline);

private:
    boost::asio::any_io_executor executor_;
    std::list<boost::asio::cancellation_signal> signals_;
    boost::asio::cancellation_type stopped_ = boost::asio::cancellation_type::none;
    steady_timer empty_; // cancelled each time the group becomes empty
};

} // namespace io
