// The small HTTP client of http_monitor: one GET on its own io_context.
#include "harness/http_monitor.hpp"
#include "io/awaitable.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

namespace harness {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr std::size_t body_limit = 1024 * 1024;

net::awaitable<void> fetch(std::string host, std::string port, std::string target,
                           std::chrono::steady_clock::time_point deadline, http_response& out)
{
    auto ex = co_await net::this_coro::executor;
    io::tcp_resolver resolver(ex);
    auto [rec, endpoints] = co_await resolver.async_resolve(host, port);
    if (rec) {
        out.error = "cannot resolve " + host + ": " + rec.message();
        co_return;
    }
    beast::tcp_stream stream(ex);
    stream.expires_at(deadline);
    auto [cec, ep] = co_await stream.async_connect(endpoints, io::use_tuple);
    if (cec) {
        out.error = "cannot connect to " + host + ":" + port + ": " + cec.message();
        co_return;
    }
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, host + ":" + port);
    req.set(http::field::user_agent, "smtp-harness");
    req.set(http::field::connection, "close");
    auto [wec, written] = co_await http::async_write(stream, req, io::use_tuple);
    if (wec) {
        out.error = "cannot send the request: " + wec.message();
        co_return;
    }
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(body_limit);
    auto [rdec, read] = co_await http::async_read(stream, buffer, parser, io::use_tuple);
    if (rdec) {
        out.error = rdec == beast::error::timeout ? "no answer within the time limit"
                                                  : "cannot read the answer: " + rdec.message();
        co_return;
    }
    out.status = static_cast<int>(parser.get().result_int());
    out.body = std::move(parser.get().body());
    beast::error_code ignored;
    stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
}

} // namespace

http_response http_get(std::string_view url, std::chrono::milliseconds time_limit)
{
    http_response out;
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed || parsed->scheme() != "http" || parsed->host().empty()) {
        out.error = "not an http:// URL: " + std::string(url);
        return out;
    }
    std::string host = parsed->host_address(); // without IPv6 brackets
    std::string port = parsed->has_port() ? std::string(parsed->port()) : "80";
    std::string target =
        parsed->encoded_target().empty() ? "/" : std::string(parsed->encoded_target());
    if (target.front() != '/') {
        target.insert(target.begin(), '/');
    }
    net::io_context ioc;
    const auto deadline = std::chrono::steady_clock::now() + time_limit;
    net::co_spawn(ioc, fetch(host, port, target, deadline, out), [&out](std::exception_ptr e) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& x) {
                out.error = x.what();
            }
        }
    });
    ioc.run();
    return out;
}

} // namespace harness
