#pragma once

// Serves /metrics and /api/v1/status over HTTP (Beast). Include only from I/O files.

#include "watch/shutdown_gate.hpp"
#include "watch/status_report.hpp"

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>

namespace watch {

/// The HTTP listener of watch. Each request is answered by route_status_request() over a view
/// taken at that moment.
class status_server {
public:
    /// Builds the view to show.
    using view_function = std::function<watch_view()>;

    /// A server on `ex` that will answer with views from `view`.
    status_server(boost::asio::any_io_executor ex, view_function view, shutdown_gate& gate);

    /// Binds "ADDR:PORT" (port 0 is ephemeral). Returns an error text, or empty on success.
    std::string bind(const std::string& address);

    /// The bound address, "ADDR:PORT".
    std::string local_address() const;

    /// Accepts and serves until the gate closes.
    boost::asio::awaitable<void> serve();

private:
    boost::asio::awaitable<void> session(io::tcp_socket socket);

    io::tcp_acceptor acceptor_;
    view_function view_;
    shutdown_gate& gate_;
};

} // namespace watch
