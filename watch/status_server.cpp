#include "watch/status_server.hpp"

#include "io/endpoint.hpp"
#include "watch/status_router.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace watch {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

status_server::status_server(net::any_io_executor ex, view_function view, shutdown_gate& gate)
    : acceptor_(ex)
    , view_(std::move(view))
    , gate_(gate)
{
}

std::string status_server::bind(const std::string& address)
{
    auto parsed = io::parse_endpoint(address);
    if (!parsed) {
        return "invalid listen address \"" + address + "\": expected ADDR:PORT";
    }
    boost::system::error_code ec;
    auto ep = *parsed;
    acceptor_.open(ep.protocol(), ec);
    if (!ec) {
        acceptor_.set_option(net::socket_base::reuse_address(true), ec);
        acceptor_.bind(ep, ec);
    }
    if (!ec) {
        acceptor_.listen(net::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        return "cannot listen on " + address + ": " + ec.message();
    }
    return {};
}

std::string status_server::local_address() const
{
    boost::system::error_code ec;
    return io::to_string(acceptor_.local_endpoint(ec));
}

net::awaitable<void> status_server::serve()
{
    for (;;) {
        auto accepted = co_await gate_.race(acceptor_.async_accept());
        if (!accepted) {
            break;
        }
        auto [ec, socket] = std::move(*accepted);
        if (ec) {
            continue;
        }
        net::co_spawn(acceptor_.get_executor(), session(std::move(socket)), net::detached);
    }
    boost::system::error_code ignored;
    acceptor_.close(ignored);
}

net::awaitable<void> status_server::session(io::tcp_socket socket)
{
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
        stream.expires_after(std::chrono::seconds(10));
        http::request<http::string_body> req;
        auto read = co_await gate_.race(http::async_read(stream, buffer, req, io::use_tuple));
        if (!read) {
            break;
        }
        auto [rec, rn] = *read;
        if (rec) {
            break;
        }
        auto answer = route_status_request(std::string(req.method_string()),
                                           std::string(req.target()), view_());
        http::response<http::string_body> res{static_cast<http::status>(answer.status),
                                              req.version()};
        res.set(http::field::server, "smtp-probe-watch");
        res.set(http::field::content_type, answer.content_type);
        res.keep_alive(req.keep_alive());
        if (req.method() != http::verb::head) {
            res.body() = std::move(answer.body);
        }
        res.prepare_payload();
        auto [wec, wn] = co_await http::async_write(stream, res, io::use_tuple);
        if (wec || !res.keep_alive() || gate_.closed()) {
            break;
        }
    }
    beast::error_code ignored;
    stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
}

} // namespace watch
