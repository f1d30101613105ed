#pragma once

// I/O file: the coroutine that runs one SMTP session.

#include "io/awaitable.hpp"
#include "mockserver/server_context.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <string>

namespace mock {

/// A listener with a scenario of its own (--scenario-ports).
struct scenario_listener {
    fault_source* faults = nullptr; ///< that scenario's faults
    std::string name;               ///< its name, for the transcript
};

/// A connection as the listener accepted it.
struct accepted_connection {
    io::tcp_socket socket;               ///< the connected socket
    boost::asio::ip::tcp::endpoint peer; ///< the client, as accept() reported it
    /// The local end as text ("127.0.0.1:2525") when the listener is bound to one address;
    /// null: asked of the socket. Owned by the listener, which outlives the session.
    const std::string* local = nullptr;
    bool implicit_tls = false;           ///< a --listen-tls listener
    /// The listener's own scenario (--scenario-ports); null: the server's faults. It outlives
    /// the session, as its listener does.
    const scenario_listener* scenario = nullptr;
};

/// Runs one accepted connection to its end: asks the session state machine for an action,
/// performs exactly that one operation under the action's deadline, reports the result, and
/// loops. Makes no protocol decisions.
///
/// Spawn it through the worker's io::task_group: a partial cancellation is a graceful stop
/// (passed to the session, which decides what it means for it), a terminal one a stop now.
/// Delays, hangs, trickles and reads are woken by either. Stores run on `*store_executor` (it
/// must outlive the session; null: no pool) when the store may block (a persist hook), so that
/// a slow disk holds up only this session.
boost::asio::awaitable<void> run_session(accepted_connection accepted, server_context& ctx,
                                         const boost::asio::any_io_executor* store_executor);

} // namespace mock
