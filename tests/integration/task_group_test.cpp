// io::task_group: shutdown by cancellation wakes every task of a group, at two levels.

#include "io/awaitable.hpp"
#include "io/task_group.hpp"
#include "tests/support/wait_for.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <gtest/gtest.h>
#include <optional>
#include <thread>

namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

// Waits an hour on a timer; records how it woke.
net::awaitable<void> sleeper(bool see_partial, int& woken, net::cancellation_type& seen)
{
    if (see_partial) {
        co_await net::this_coro::reset_cancellation_state(net::enable_partial_cancellation());
    }
    io::steady_timer t(co_await net::this_coro::executor);
    t.expires_after(1h);
    auto [ec] = co_await t.async_wait();
    if (ec == net::error::operation_aborted) {
        ++woken;
        seen = (co_await net::this_coro::cancellation_state).cancelled();
    }
}

TEST(task_group, partial_wakes_only_tasks_that_accept_it_and_terminal_wakes_all)
{
    net::io_context ioc;
    io::task_group group(ioc.get_executor());
    int woken = 0;
    net::cancellation_type a{}, b{};
    group.spawn(sleeper(true, woken, a));
    group.spawn(sleeper(false, woken, b));
    ioc.poll();
    EXPECT_EQ(group.size(), 2u);

    group.stop(net::cancellation_type::partial);
    ioc.poll();
    EXPECT_EQ(woken, 1);
    EXPECT_EQ(a, net::cancellation_type::partial);
    EXPECT_EQ(group.size(), 1u);
    EXPECT_TRUE(group.stopping());

    group.stop(net::cancellation_type::terminal);
    ioc.poll();
    EXPECT_EQ(woken, 2);
    EXPECT_EQ(b, net::cancellation_type::terminal);
    EXPECT_EQ(group.size(), 0u);
}

TEST(task_group, a_task_spawned_after_stop_starts_cancelled)
{
    net::io_context ioc;
    io::task_group group(ioc.get_executor());
    group.stop();
    int woken = 0;
    net::cancellation_type seen{};
    group.spawn(sleeper(false, woken, seen));
    auto deadline = clock_type::now() + 10s;
    while (woken == 0 && clock_type::now() < deadline) {
        ioc.run_one_for(100ms);
    }
    EXPECT_EQ(woken, 1);
    EXPECT_EQ(group.size(), 0u);
}

TEST(task_group, wait_until_empty_reports_whether_every_task_ended_in_time)
{
    net::io_context ioc;
    io::task_group group(ioc.get_executor());
    int woken = 0;
    net::cancellation_type seen{};
    group.spawn(sleeper(false, woken, seen));
    std::optional<bool> first, second;
    net::co_spawn(
        ioc,
        [&]() -> net::awaitable<void> {
            first = co_await group.wait_until_empty(clock_type::now() + 20ms);
            group.stop();
            second = co_await group.wait_until_empty(clock_type::now() + 10s);
        },
        net::detached);
    ioc.run_for(20s);
    ASSERT_TRUE(first && second);
    EXPECT_FALSE(*first);
    EXPECT_TRUE(*second);
    EXPECT_EQ(woken, 1);
}

TEST(task_group, request_stop_from_another_thread)
{
    net::io_context ioc;
    auto guard = net::make_work_guard(ioc);
    io::task_group group(ioc.get_executor());
    int woken = 0;
    net::cancellation_type seen{};
    net::post(ioc, [&] { group.spawn(sleeper(false, woken, seen)); });
    std::thread runner([&] { ioc.run_for(20s); });
    // Wait (bounded) for the task to be running, then stop it from this thread.
    std::atomic<std::size_t> size{0};
    EXPECT_TRUE(support::wait_for(
        [&] {
            net::post(ioc, [&] { size = group.size(); });
            return size > 0;
        },
        10s));
    group.request_stop();
    net::post(ioc, [&] {
        guard.reset();
    });
    runner.join();
    EXPECT_EQ(woken, 1);
}

// Waits an hour, raced against a deadline an hour away, seeing partial stops when asked to.
net::awaitable<void> raced_sleeper(bool see_partial,
                                   std::optional<clock_type::duration>& woke_after)
{
    co_await net::this_coro::throw_if_cancelled(false);
    co_await net::this_coro::reset_cancellation_state(net::enable_partial_cancellation());
    auto start = clock_type::now();
    io::steady_timer t(co_await net::this_coro::executor);
    t.expires_after(1h);
    if (see_partial) {
        co_await io::with_deadline(t.async_wait(), start + 1h, net::enable_partial_cancellation());
    } else {
        co_await io::with_deadline(t.async_wait(), start + 1h);
    }
    woke_after = clock_type::now() - start;
}

TEST(task_group, a_graceful_stop_wakes_a_deadline_race_that_asks_for_it)
{
    net::io_context ioc;
    io::task_group group(ioc.get_executor());
    std::optional<clock_type::duration> partial_seen, terminal_only;
    group.spawn(raced_sleeper(true, partial_seen));
    group.spawn(raced_sleeper(false, terminal_only));
    ioc.poll();
    group.stop(net::cancellation_type::partial);
    auto deadline = clock_type::now() + 10s;
    while (!partial_seen && clock_type::now() < deadline) {
        ioc.run_one_for(100ms);
    }
    ASSERT_TRUE(partial_seen.has_value());
    EXPECT_LT(*partial_seen, 10s);
    // By default a race sees terminal requests only; it is still waiting.
    EXPECT_FALSE(terminal_only.has_value());
    EXPECT_EQ(group.size(), 1u);
}

} // namespace
