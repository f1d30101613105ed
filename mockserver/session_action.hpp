#pragma once

#include "faults/action.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <variant>

namespace mock {

/// Send these bytes, all at once or trickled.
struct write_op {
    std::string bytes;               ///< what to send
    std::optional<faults::pace> pace; ///< send in slices at this pace; all at once when empty
};

/// Read whatever arrives, until the deadline.
struct read_op {
    std::chrono::steady_clock::time_point deadline; ///< when the idle timeout fires
};

/// Wait, sending nothing.
struct sleep_op {
    std::chrono::steady_clock::duration duration; ///< how long
};

/// Send nothing more; keep the connection open and discard what arrives until the peer goes.
struct hang_op {};

/// Close the connection: FIN after draining, or RST at once. Terminal.
struct close_op {
    bool reset = false; ///< abort with RST instead of a graceful FIN
};

/// Run the server side of a TLS handshake on the connection.
struct tls_op {
    std::optional<faults::tls_fault> fault; ///< how the handshake goes wrong, if it does
};

/// The session is over; release the connection. Terminal.
struct done_op {};

/// What the server session asks its driver to do next: exactly one operation.
using session_action = std::variant<write_op, read_op, sleep_op, hang_op, close_op, tls_op, done_op>;

} // namespace mock
