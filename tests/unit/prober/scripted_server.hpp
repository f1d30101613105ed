#pragma once

// A scripted SMTP server and a fake driver for client_session: the session is driven exactly as
// the Asio driver would drive it, with injected time and no sockets.

#include "prober/client_session.hpp"

#include <boost/system/errc.hpp>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace prober::test {

/// What the server does after (or instead of) a reply.
enum class then {
    proceed, ///< go on
    hang,    ///< send nothing more: the next read times out
    close,   ///< close the connection: the next read sees EOF
    reset,   ///< reset the connection: the next read fails
};

/// The server's answer to one command ("BANNER" for the greeting, "." for the end of data).
struct answer {
    std::string bytes;
    then after = then::proceed;
};

/// A server whose answers are keyed by the command verb. Defaults to a healthy ESMTP server.
struct scripted_server {
    std::map<std::string, answer> answers{
        {"BANNER", {"220 mx.example.test ESMTP ready\r\n"}},
        {"EHLO",
         {"250-mx.example.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n"
          "250-AUTH PLAIN LOGIN\r\n250 ENHANCEDSTATUSCODES\r\n"}},
        {"HELO", {"250 mx.example.test\r\n"}},
        {"STARTTLS", {"220 2.0.0 Ready to start TLS\r\n"}},
        {"AUTH", {"235 2.7.0 Authentication successful\r\n"}},
        {"MAIL", {"250 2.1.0 Ok\r\n"}},
        {"RCPT", {"250 2.1.5 Ok\r\n"}},
        {"DATA", {"354 End data with <CR><LF>.<CR><LF>\r\n"}},
        {".", {"250 2.0.0 Ok: queued as ABC123\r\n"}},
        {"QUIT", {"221 2.0.0 Bye\r\n"}},
    };
    /// Fail the connect with this error instead of connecting.
    std::optional<boost::system::error_code> connect_error;
    /// The connect never completes.
    bool connect_hangs = false;
    /// Fail name resolution with this error.
    std::optional<boost::system::error_code> resolve_error;
    /// The TLS handshake fails (with this detail) or hangs.
    std::optional<std::string> tls_fails;
    bool tls_hangs = false;
    /// The certificate's days left.
    int cert_days_left = 300;
    /// The round trip finds the message.
    bool delivered = true;
    /// The driver has no round-trip verifier: the verify action fails with an error.
    bool no_verifier = false;
};

/// How the fake driver delivers the server's bytes.
struct delivery_plan {
    /// Deliver each reply as a first read of this many octets, then the rest (0: all at once).
    std::size_t split_at = 0;
    /// Deliver at most this many octets per read (0: no limit).
    std::size_t chunk = 0;
    /// Replace the n-th action (0-based, counting every action) with an I/O error.
    std::optional<std::size_t> error_at;
    /// Replace the n-th action (0-based, counting every action) with a cancellation.
    std::optional<std::size_t> cancel_at;
    /// Simulated time each action takes.
    std::chrono::microseconds step{1000};
    /// The message the session sends instead of the test message, with its Message-ID.
    std::optional<std::string> message;
    std::string message_id;
    /// With --mx: the mail route found before the session.
    std::optional<mx_outcome> route;
};

/// What a run produced.
struct run_outcome {
    probe_result result;
    std::string client_bytes;          ///< everything the probe wrote
    std::vector<action_kind> actions;  ///< every action, in order
    std::vector<smtp::phase> phase_at; ///< the session phase at each action
    probe_clock::time_point start;     ///< the injected start time
    probe_clock::time_point end;       ///< the injected time at done
};

/// Runs a session against the server with the plan; bounded to 10000 actions.
run_outcome run_session(const probe_options& options, const scripted_server& server,
                        const delivery_plan& plan = {});

/// Options for a target with short, distinct timeouts.
probe_options test_options();

} // namespace prober::test
