#pragma once

// Serves /metrics, /api/v1/status and /api/v1/health over HTTP: an io::http::server on watch's
// own executor, under the access rules every HTTP service of the project has (Host, Origin,
// framing; see io/http_access.hpp). Include only from I/O files.

#include "io/http_service.hpp"
#include "watch/shutdown_gate.hpp"
#include "watch/status_report.hpp"

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace watch {

/// The HTTP listener of watch. Each request is answered by route_status_request() over a view
/// taken at that moment.
class status_server {
public:
    /// Builds the view to show.
    using view_function = std::function<watch_view()>;

    /// A server on `ex` that will answer with views from `view`; `allowed_hosts` are names
    /// accepted in Host besides the bound address and localhost.
    status_server(boost::asio::any_io_executor ex, view_function view, shutdown_gate& gate,
                  std::vector<std::string> allowed_hosts = {});

    /// Binds "ADDR:PORT" (port 0 is ephemeral). Returns an error text, or empty on success.
    std::string bind(const std::string& address);

    /// The bound address, "ADDR:PORT".
    std::string local_address() const;

    /// Serves until the gate closes, then stops: the listener closes, responses in progress
    /// finish, connections close.
    boost::asio::awaitable<void> serve();

private:
    boost::asio::any_io_executor executor_;
    view_function view_;
    shutdown_gate& gate_;
    std::vector<std::string> allowed_hosts_;
    std::optional<io::http::server> server_;
};

} // namespace watch
