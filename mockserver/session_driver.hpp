#pragma once

// I/O file: the coroutine that runs one SMTP session.

#include "io/awaitable.hpp"
#include "mockserver/server_context.hpp"

#include <list>

namespace mock {

class connection;

/// A live session, as its worker thread sees it: enough to wake it for shutdown.
struct session_handle {
    connection* conn = nullptr;  ///< the session's connection
    bool stop_requested = false; ///< the server is shutting down
};

/// The live sessions of one worker thread; only that thread touches it.
using session_list = std::list<session_handle>;

/// Runs one accepted connection to its end: asks the session state machine for an action,
/// performs exactly that one operation, reports the result, and loops (STYLE.md §2). Makes
/// no protocol decisions. `implicit_tls`: the listener is --listen-tls.
boost::asio::awaitable<void> run_session(io::tcp_socket socket, server_context& ctx,
                                         session_list& live, bool implicit_tls);

} // namespace mock
