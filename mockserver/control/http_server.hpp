#pragma once

// I/O file: the control API's HTTP/1.1 listener (Boost.Beast). It runs on its own io_context
// and thread, so nothing it does can stall an SMTP session; each request is handed to route().

#include "io/tcp_service.hpp"
#include "mockserver/control/api_state.hpp"

#include <memory>
#include <string>

namespace mock::control {

/// The control API listener.
class http_server {
public:
    /// `address` is "ADDR:PORT" (port 0: ephemeral); `state` must outlive the server.
    /// Throws std::runtime_error when the address does not parse.
    http_server(const std::string& address, api_state& state);
    /// Binds and starts the thread. Throws std::system_error naming the address on failure.
    void start();
    /// Closes the listener and every connection, then joins the thread. Idempotent.
    void stop();

    /// The bound address, e.g. "127.0.0.1:8025".
    std::string address() const;
    /// Whether the configured address is a loopback address.
    bool is_loopback() const;

private:
    io::tcp_service service_;
};

} // namespace mock::control
