#pragma once

// The vocabulary between the SMTP server session (no I/O) and its driver: the operations the
// session asks for, each with its deadline, and the facts the driver reports back.

#include "faults/action.hpp"
#include "mockserver/message_store.hpp"
#include "mockserver/transport_error.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <variant>

namespace mock {

/// Send these bytes, all at once or trickled, before the deadline.
struct write_op {
    std::string bytes;                ///< what to send
    std::optional<faults::pace> pace; ///< send in slices at this pace; all at once when empty
    std::chrono::steady_clock::time_point deadline{}; ///< the peer must have taken them by then
};

/// Read whatever arrives, until the deadline.
struct read_op {
    std::chrono::steady_clock::time_point deadline; ///< the idle or command timeout
};

/// Wait, sending nothing, until a point in time (a fault's delay).
struct sleep_op {
    std::chrono::steady_clock::time_point until; ///< when to report on_slept()
};

/// Send nothing more; keep the connection open and discard what arrives until the peer goes.
/// No deadline: a hang lasts until the peer gives up or the server stops.
struct hang_op {};

/// Run the server side of a TLS handshake on the connection, before the deadline.
struct tls_op {
    std::optional<faults::tls_fault> fault;           ///< how the handshake goes wrong, if it does
    std::chrono::steady_clock::time_point deadline{}; ///< the handshake must be done by then
};

/// Store an accepted message (durably, with a Maildir store) and report on_stored(). Stores
/// may block on a disk: the driver runs them away from the session's thread.
struct store_op {
    /// The message, with its id already reserved (behind a pointer: actions stay small).
    std::shared_ptr<captured_message> message;
};

/// Close the connection: FIN (after draining input until `linger_until`, so that unread input
/// does not turn the close into a reset), or RST at once. Report on_closed() afterwards.
struct close_op {
    bool reset = false;                                   ///< abort with RST instead of a FIN
    std::chrono::steady_clock::time_point linger_until{}; ///< stop draining input by then
};

/// The session is over and its record is final; release everything. Terminal.
struct done_op {};

/// What the server session asks its driver to do next: exactly one operation.
using session_action =
    std::variant<write_op, read_op, sleep_op, hang_op, tls_op, store_op, close_op, done_op>;

/// How the server is stopping (the two levels of io::task_group).
enum class shutdown_kind {
    graceful,  ///< stop soon: idle sessions end now, a transaction in progress may finish
    immediate, ///< stop now: the grace period is over
};

/// What the driver knows about a newly accepted connection.
struct connection_info {
    bool implicit_tls = false;          ///< a --listen-tls listener: handshake before the banner
    std::size_t active_connections = 1; ///< open connections, this one included
};

} // namespace mock
