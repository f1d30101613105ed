// io::stop_signals and io::sleep_until: SIGINT and SIGTERM become a stop request that ends a
// sleep at once, while the programs started through the process runner still get the signals
// (they start with the default mask), as the daemons of smtp-harness alerts must.

#include "io/process.hpp"
#include "io/stop_signals.hpp"

#include <gtest/gtest.h>
#include <thread>
#include <unistd.h>

namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

TEST(SleepUntil, SleepsUntilTheDeadlineWithoutAStop)
{
    std::stop_source never;
    const auto deadline = clock_type::now() + 200ms;
    EXPECT_TRUE(io::sleep_until(never.get_token(), deadline));
    EXPECT_GE(clock_type::now(), deadline);
    EXPECT_TRUE(io::sleep_until({}, clock_type::now() - 1s)) << "a past deadline returns at once";
}

TEST(SleepUntil, AStopEndsTheSleepAtOnce)
{
    std::stop_source source;
    const auto start = clock_type::now();
    std::thread stopper([&] { source.request_stop(); });
    EXPECT_FALSE(io::sleep_until(source.get_token(), start + 60s));
    stopper.join();
    EXPECT_LT(clock_type::now() - start, 10s);
    EXPECT_FALSE(io::sleep_until(source.get_token(), clock_type::now() + 60s))
        << "stopped already: no sleep";
}

TEST(StopSignals, SigtermBecomesAStopRequest)
{
    const io::stop_signals signals;
    EXPECT_EQ(signals.received(), 0);
    EXPECT_FALSE(signals.token().stop_requested());
    const auto start = clock_type::now();
    ASSERT_EQ(::kill(::getpid(), SIGTERM), 0);
    EXPECT_FALSE(io::sleep_until(signals.token(), start + 30s));
    EXPECT_LT(clock_type::now() - start, 10s);
    EXPECT_EQ(signals.received(), SIGTERM);
    EXPECT_EQ(io::signal_name(signals.received()), "SIGTERM");
    ASSERT_EQ(::kill(::getpid(), SIGINT), 0) << "a second signal is taken too, not fatal";
}

TEST(StopSignals, WaitReturnsTheFirstSignal)
{
    io::stop_signals signals; // as smtp-mock's main thread waits for its stop
    std::thread sender([] { ::kill(::getpid(), SIGINT); });
    EXPECT_EQ(signals.wait(), SIGINT);
    sender.join();
    EXPECT_EQ(signals.wait(), SIGINT) << "stopped already: no wait, the first signal stays";
}

TEST(StopSignals, ChildrenStillDieOfTheSignals)
{
    const io::stop_signals signals;
    io::run_options o;
    o.process.argv = {"/bin/sh", "-c", "kill -INT $$; kill -TERM $$; exit 7"};
    o.time_limit = 30s;
    const auto r = io::run_process(o);
    ASSERT_TRUE(r.spawn_error.empty()) << r.spawn_error;
    EXPECT_FALSE(r.status.code) << r.status.describe();
    ASSERT_TRUE(r.status.signal) << r.status.describe();
    EXPECT_EQ(*r.status.signal, SIGINT);
    EXPECT_EQ(signals.received(), 0) << "the child's signals are its own";
}

TEST(StopSignals, SignalNames)
{
    EXPECT_EQ(io::signal_name(SIGINT), "SIGINT");
    EXPECT_EQ(io::signal_name(SIGTERM), "SIGTERM");
}

} // namespace
