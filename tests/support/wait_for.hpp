#pragma once

// Waiting for a condition in integration tests: poll it until it holds or a deadline passes,
// never sleep for a fixed time and hope. The Python twin is tests/support/waiting.py.
//
//   ASSERT_TRUE(support::wait_for([&] { return app.smtp().sessions().total() == 2; }, 10s));

#include <chrono>
#include <thread>

namespace support {

/// Calls `condition` until it returns true or `timeout` has passed, pausing `interval` between
/// calls; returns whether it held. The condition is called at least once, and once more at the
/// deadline, so a slow machine fails only when the condition really never holds.
template <class Condition>
bool wait_for(Condition condition, std::chrono::milliseconds timeout,
              std::chrono::milliseconds interval = std::chrono::milliseconds(1))
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return condition();
        }
        std::this_thread::sleep_for(interval);
    }
    return true;
}

} // namespace support
