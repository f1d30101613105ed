#pragma once

// I/O file: SIGINT and SIGTERM as a stop request, for a program whose main thread runs blocking
// steps while daemons of its own run (smtp-harness alerts driving a timeline): the signals are
// blocked in every thread (make it before any thread starts; children started through the
// process runner get the default mask back), a thread of its own waits for them and requests a
// stop on a std::stop_source, and the steps wait on its token (sleep_until) and end early, so
// that the program stops what it started and removes its files instead of dying with them left.

#include <atomic>
#include <chrono>
#include <csignal>
#include <stop_token>
#include <string>
#include <thread>

namespace io {

/// SIGINT and SIGTERM, caught as a stop request while it lives.
class stop_signals {
public:
    /// Blocks SIGINT and SIGTERM in the calling thread (and so in the threads it starts later)
    /// and starts waiting for them.
    stop_signals();
    /// Stops waiting, takes a signal that came meanwhile, and restores the signal mask.
    ~stop_signals();
    stop_signals(const stop_signals&) = delete;
    stop_signals& operator=(const stop_signals&) = delete;

    /// Blocks until the first signal comes, and returns it.
    int wait();
    /// Stop is requested on it when the first signal comes.
    std::stop_token token() const noexcept { return source_.get_token(); }
    /// The first signal received (SIGINT or SIGTERM), or 0.
    int received() const noexcept { return received_.load(); }

private:
    std::stop_source source_;
    std::atomic<int> received_{0};
    std::atomic<bool> done_{false};
    sigset_t signals_{};
    sigset_t previous_{};
    std::thread waiter_;
};

/// "SIGINT", "SIGTERM", or "signal N".
std::string signal_name(int signal);

/// Sleeps until `deadline` unless a stop is requested on `stop` first: true when the deadline
/// came, false when stopped (at once when the stop was requested already).
bool sleep_until(const std::stop_token& stop, std::chrono::steady_clock::time_point deadline);

} // namespace io
