#pragma once

#include "smtp/limits.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace mock {

class credential_checker;

/// What every session of a server shares: identity, limits and capabilities.
struct session_config {
    /// The name in the banner and replies.
    std::string hostname = "localhost";
    /// Largest message accepted, in octets; advertised as SIZE (RFC 1870). 0 means no limit.
    std::uint64_t max_message_size = 10 * 1024 * 1024;
    /// How long the client may stay silent (sending nothing, or reading none of our replies)
    /// before the server says 421 and closes.
    std::chrono::milliseconds idle_timeout{std::chrono::minutes(5)};
    /// How long a whole command line (or a line of message content, or an AUTH response) may
    /// take to arrive, counted from when the server starts waiting for it. RFC 5321 §4.5.3.2.7
    /// gives a server at least 5 minutes of waiting for a command; this bounds a client that
    /// keeps a session alive by sending one byte at a time.
    std::chrono::milliseconds command_timeout{std::chrono::minutes(5)};
    /// Connections beyond this many get 421 and are closed; 0 is unlimited.
    std::size_t max_connections = 0;
    /// After the server closes with FIN, how long it drains the client's input, so that unread
    /// bytes do not turn the close into a reset.
    std::chrono::milliseconds close_linger{2000};
    /// Most recipients per transaction (RFC 5321 §4.5.3.1.8: at least 100).
    std::size_t max_recipients = smtp::limits::recipients;
    /// Bad commands tolerated before the server answers 421 and closes.
    std::size_t max_errors = 20;
    /// Whether STARTTLS can be offered (a TLS context exists).
    bool tls_available = false;
    /// Checks AUTH credentials; AUTH is not offered when null.
    const credential_checker* credentials = nullptr;
    /// MAIL is refused with 530 5.7.0 until the client authenticates.
    bool require_auth = false;
    /// AUTH is offered only once TLS is active.
    bool auth_requires_tls = false;
};

} // namespace mock
