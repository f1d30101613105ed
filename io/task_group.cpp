#include "io/task_group.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>

namespace io {

namespace net = boost::asio;

task_group::task_group(net::any_io_executor executor)
    : executor_(std::move(executor))
    , empty_(executor_)
{
}

void task_group::spawn(net::awaitable<void> task)
{
    auto signal = signals_.emplace(signals_.end());
    // The completion handler runs on the group's executor when the task ends, however it ends.
    auto done = [this, signal](std::exception_ptr) {
        signals_.erase(signal);
        if (signals_.empty()) {
            empty_.cancel();
        }
    };
    net::co_spawn(executor_, std::move(task), net::bind_cancellation_slot(signal->slot(), done));
    if (stopping()) {
        // Emitted after the spawn has posted its start: the task sees it at its first wait.
        net::post(executor_, [this, signal, type = stopped_] {
            for (auto it = signals_.begin(); it != signals_.end(); ++it) {
                if (it == signal) {
                    it->emit(type);
                    return;
                }
            }
        });
    }
}

void task_group::stop(net::cancellation_type type)
{
    stopped_ = stopped_ | type;
    // A task may end, and erase its own signal, from within emit(): step before emitting.
    for (auto it = signals_.begin(); it != signals_.end();) {
        auto current = it++;
        current->emit(type);
    }
}

void task_group::request_stop(net::cancellation_type type)
{
    net::post(executor_, [this, type] { stop(type); });
}

net::awaitable<bool> task_group::wait_until_empty(std::chrono::steady_clock::time_point deadline)
{
    while (!signals_.empty()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            co_return false;
        }
        empty_.expires_at(deadline);
        co_await empty_.async_wait();
    }
    co_return true;
}

} // namespace io
