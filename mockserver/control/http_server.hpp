#pragma once

// I/O file: the control API's listener, an io::http::service (Boost.Beast) on its own
// io_context and thread, so nothing it does can stall an SMTP session. Each request passes the
// service's access middleware (Host, Origin, bearer token, content type, framing) and then
// goes to route(), or to the Learn endpoints, which await a probe run or a prompt.

#include "io/http_service.hpp"
#include "mockserver/control/api_state.hpp"
#include "mockserver/control/learn_endpoints.hpp"

#include <string>
#include <vector>

namespace mock::control {

/// The control API listener.
class http_server {
public:
    /// `address` is "ADDR:PORT" (port 0: ephemeral); `state` must outlive the server.
    /// `allowed_hosts` are names accepted in Host besides the bound address and localhost.
    /// Throws std::runtime_error when the address does not parse.
    http_server(const std::string& address, api_state& state,
                std::vector<std::string> allowed_hosts = {});
    /// Binds and starts the thread. Throws std::system_error naming the address on failure.
    void start();
    /// Closes the listener, lets responses in progress finish, closes every connection and
    /// joins the thread. Idempotent.
    void stop();

    /// The bound endpoint (after start(): with the ephemeral port picked).
    boost::asio::ip::tcp::endpoint endpoint() const;
    /// Whether the configured address is a loopback address.
    bool is_loopback() const;

    /// Where the Learn endpoints find the mock's listeners; call before start().
    void set_learn_target(learn_target target);

private:
    learn_endpoints learn_;
    io::http::service service_;
};

} // namespace mock::control
