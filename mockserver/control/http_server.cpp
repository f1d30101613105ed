#include "mockserver/control/http_server.hpp"

#include "mockserver/control/events_socket.hpp"
#include "mockserver/control/router.hpp"

namespace mock::control {

namespace {

io::http::service_config control_config(const api_state& state,
                                        std::vector<std::string> allowed_hosts)
{
    io::http::service_config c;
    c.access.allowed_hosts = std::move(allowed_hosts);
    c.access.bearer_token = state.token;
    c.access.realm = "smtp-mock";
    c.server_name = "smtp-mock";
    c.body_limit = max_body_size;
    return c;
}

boost::asio::awaitable<io::http::response> answer(const io::http::request& r, api_state& state,
                                                  learn_endpoints& learn)
{
    if (learn_endpoints::serves(r.target)) {
        co_return co_await learn.answer(r);
    }
    co_return route(r, state);
}

} // namespace

http_server::http_server(const std::string& address, api_state& state,
                         std::vector<std::string> allowed_hosts)
    : learn_(state)
    , service_("--control", address, control_config(state, std::move(allowed_hosts)),
               io::http::async_handler(
                   [&state, this](const io::http::request& r) { return answer(r, state, learn_); }))
{
    state.open_events = [&state](const api_request& r) {
        return open_events(r, state);
    };
}

void http_server::start()
{
    service_.start();
}

void http_server::stop()
{
    service_.stop();
}

boost::asio::ip::tcp::endpoint http_server::endpoint() const
{
    return service_.endpoint();
}

void http_server::set_learn_target(learn_target target)
{
    learn_.set_target(std::move(target));
}

bool http_server::is_loopback() const
{
    return service_.endpoint().address().is_loopback();
}

} // namespace mock::control
