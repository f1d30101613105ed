#pragma once

// I/O file: a long-running program that the harness or a test starts and stops (Nagios, and the
// Prometheus and Alertmanager daemons): started through the process runner (io/process.hpp) as
// its own process group on a thread of its own, waited for until it is ready with a deadline,
// stopped with SIGTERM then SIGKILL, and checked to have left nothing of its group running.

#include "io/process.hpp"

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

namespace io {

/// A started daemon. Destroying it stops it.
class daemon {
public:
    /// Starts the program `options` describe; `name` names it in errors ("nagios4").
    /// Throws std::runtime_error with why it could not be started.
    daemon(const process_options& options, std::string name);
    ~daemon();
    daemon(const daemon&) = delete;
    daemon& operator=(const daemon&) = delete;

    /// The process id (and process group id).
    pid_t pid() const noexcept { return pid_; }

    /// Whether the program exited by itself (not through stop()).
    bool exited() const noexcept { return exited_; }

    /// Waits until `ready()` holds, checking every `poll`. Throws std::runtime_error naming the
    /// program when it exits first (followed by `on_exit()`, e.g. the end of its log, when
    /// given) or when `timeout` passes first.
    void wait_until_ready(const std::function<bool()>& ready,
                          std::chrono::steady_clock::duration timeout,
                          const std::function<std::string()>& on_exit = {},
                          std::chrono::milliseconds poll = std::chrono::milliseconds(50)) const;

    /// Stops the program: SIGTERM to its group, SIGKILL to the group after `grace` if the
    /// program has not exited, and to whatever of the group still runs once it has; reaps it.
    /// How it ended (the same on later calls).
    exit_status stop(std::chrono::steady_clock::duration grace = std::chrono::seconds(10));

    /// After stop(): whether a process of its group is still there after waiting up to
    /// `within` for the group to go (processes killed with it take a moment to be reaped).
    /// A program that leaves its group (setsid) is outside what this can see.
    bool left_running(std::chrono::milliseconds within = std::chrono::milliseconds(2000)) const;

private:
    boost::asio::awaitable<void> watch();

    std::string name_;
    boost::asio::io_context ctx_{1};
    child_process child_{ctx_.get_executor()};
    pid_t pid_ = 0;
    std::atomic<bool> exited_{false};
    bool stopping_ = false;
    bool stopped_ = false;
    exit_status ended_;
    std::thread thread_;
};

} // namespace io
