#pragma once

// The Asio driver of the probe: one coroutine per target that performs the actions of a
// client_session one at a time on an io::client_connection, translating each outcome into an
// event and deciding nothing. Include only from I/O files.

#include "io/dns_resolver.hpp"
#include "prober/client_session.hpp"
#include "prober/probe_options.hpp"
#include "prober/probe_result.hpp"

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <string>

namespace prober {

/// Where the probe's lookups go: the server of --dns-server (`dns_server`, checked when the
/// option was read), or when empty the system's resolver.
io::dns_settings dns_settings_of(const std::string& dns_server);

/// The resolver's address family for -4/-6.
io::address_family io_family(address_family f) noexcept;

/// Checks that the message with `message_id` arrived in the mailbox of `spec` within `timeout`
/// (the round trip, `--verify`). `sent_at` is when the server accepted the message.
using verify_function = std::function<boost::asio::awaitable<verify_report>(
    const verify_spec& spec, std::string message_id, std::chrono::milliseconds timeout,
    std::chrono::steady_clock::time_point sent_at)>;

/// The round-trip check built into this program (POP3/IMAP, verify/).
verify_function default_verifier();

/// Probes one target on the current executor and returns its result. Never throws for anything
/// the network or the server does; never runs past `options.timeout` (plus, after a successful
/// send, `options.verify_timeout` for the round trip). Cancelled (terminal), it ends at once
/// with an UNKNOWN result.
boost::asio::awaitable<probe_result> async_probe(probe_options options,
                                                 verify_function verifier = default_verifier());

/// Drives `session` to its end over one io::client_connection, performing its actions one at a
/// time: for callers that prepare the session themselves (the watch e-mail notifier sends its
/// own message). `verifier` may be empty when the session does no round trip.
boost::asio::awaitable<probe_result> drive_session(client_session session,
                                                   verify_function verifier = {});

} // namespace prober
