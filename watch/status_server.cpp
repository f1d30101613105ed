#include "watch/status_server.hpp"

#include "io/endpoint.hpp"
#include "watch/status_router.hpp"

#include <system_error>

namespace watch {

namespace net = boost::asio;

status_server::status_server(net::any_io_executor ex, view_function view, shutdown_gate& gate,
                             std::vector<std::string> allowed_hosts)
    : executor_(std::move(ex))
    , view_(std::move(view))
    , gate_(gate)
    , allowed_hosts_(std::move(allowed_hosts))
{
}

std::string status_server::bind(const std::string& address)
{
    auto parsed = io::parse_endpoint(address);
    if (!parsed) {
        return "invalid listen address \"" + address + "\": expected ADDR:PORT";
    }
    io::http::service_config config;
    config.server_name = "smtp-probe-watch";
    config.access.allowed_hosts = allowed_hosts_;
    config.access.realm = "smtp-probe-watch";
    config.body_limit = 64 * 1024;
    auto answer = [this](const io::http::request& r) {
        return route_status_request(r, view_());
    };
    server_.emplace(executor_, "listen", *parsed, std::move(config), std::move(answer));
    try {
        server_->listen();
    } catch (const std::system_error& e) {
        server_.reset();
        return e.what();
    }
    return {};
}

std::string status_server::local_address() const
{
    return server_ ? io::to_string(server_->endpoint()) : std::string();
}

net::awaitable<void> status_server::serve()
{
    if (!server_) {
        co_return;
    }
    server_->start();
    co_await gate_.wait_closed();
    co_await server_->stop();
}

} // namespace watch
