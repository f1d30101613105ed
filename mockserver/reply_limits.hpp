#pragma once

// Bounds on what a session of the mock holds to send at once, shared by SMTP and POP3.

#include <cstddef>

namespace mock {

/// Replies to pipelined commands (RFC 2920, RFC 2449 §6.6) are combined into one write up to
/// this many octets. A session with more to send writes what it has first and reads on (or
/// produces the rest of a long reply) only after that write, so a client that pipelines many
/// commands for large replies cannot make the mock hold more than about this much per session.
inline constexpr std::size_t max_combined_write = 64 * 1024;

} // namespace mock
