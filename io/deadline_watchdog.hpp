#pragma once

// I/O file: the deadline of a connection's operations on the connection's one timer, for
// connections that make many short operations (the mock's sessions, the probe's connections).
// Beside io::with_deadline (a race of the operation against a timer of its own, for a single
// wait), it puts no timer, cancellation signal or coroutine on each operation: the timer is
// armed for the first operation and moved only when an operation's deadline comes sooner.
// When it fires, an operation still running past its deadline is cut by cancelling the
// socket's operations (it then ends with operation_aborted); one still within its deadline (a
// later operation moved it on) re-arms the timer. Use within one single-threaded io_context.

#include "io/awaitable.hpp"

#include <chrono>
#include <cstdint>
#include <memory>

namespace io {

/// A connection's one timer, made at its first use: a connection that never waits on it (a
/// session held by a hang) does not carry one.
class lazy_timer {
public:
    /// A timer on the executor of `socket`, which must outlive it.
    explicit lazy_timer(tcp_socket& socket)
        : socket_(socket)
    {
    }

    /// The timer, made now if it was not yet.
    steady_timer& get();

private:
    tcp_socket& socket_;
    std::unique_ptr<steady_timer> timer_;
};

/// The deadline of the operations on `socket`, one at a time, enforced on `timer`:
/// `start(deadline)`, await the operation directly, then `finish()` says whether the deadline
/// cut it.
class deadline_watchdog {
public:
    /// A watchdog cancelling the operations of `socket` on `timer`; both must outlive it.
    deadline_watchdog(lazy_timer& timer, tcp_socket& socket)
        : timer_(timer)
        , socket_(socket)
    {
    }

    deadline_watchdog(const deadline_watchdog&) = delete;
    deadline_watchdog& operator=(const deadline_watchdog&) = delete;

    /// A wait still queued when the connection ends finds nothing to touch.
    ~deadline_watchdog();

    /// An operation that must end by `deadline` starts.
    void start(std::chrono::steady_clock::time_point deadline);

    /// The operation ended; returns whether its deadline cut it.
    bool finish() noexcept;

    /// The timer is wanted for something else (a sleep, a trickle): the next operation re-arms
    /// it.
    void release() noexcept;

private:
    struct state {
        deadline_watchdog* owner = nullptr; // null once the connection has ended
        std::chrono::steady_clock::time_point deadline; // of the operation in progress
        std::chrono::steady_clock::time_point expiry;   // of the armed timer
        std::uint64_t generation = 0;                   // of the latest arming
        bool armed = false;
        bool running = false;
        bool timed_out = false;
    };

    void arm(std::chrono::steady_clock::time_point at);
    void fired();

    lazy_timer& timer_;
    tcp_socket& socket_;
    std::shared_ptr<state> state_; // made at the first operation: a held session has none
};

} // namespace io
