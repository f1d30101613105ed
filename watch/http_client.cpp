#include "watch/http_client.hpp"

#include "io/awaitable.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

namespace watch {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

http_response_data failure(boost::system::error_code ec, std::string what)
{
    http_response_data r;
    r.ec = ec ? ec : make_error_code(boost::system::errc::io_error);
    r.error = std::move(what) + (ec ? ": " + ec.message() : std::string());
    return r;
}

} // namespace

net::awaitable<http_response_data> async_http_request(http_request_spec spec)
{
    auto url = boost::urls::parse_uri(spec.url);
    if (!url || url->scheme() != "http" || url->host().empty()) {
        co_return failure({}, "invalid http:// URL \"" + spec.url + "\"");
    }
    std::string host = url->host();
    if (host.starts_with('[') && host.ends_with(']')) {
        host = host.substr(1, host.size() - 2);
    }
    std::string port = url->has_port() ? std::string(url->port()) : "80";
    std::string target = url->encoded_target().empty() ? "/" : std::string(url->encoded_target());

    auto ex = co_await net::this_coro::executor;
    io::tcp_resolver resolver(ex);
    beast::tcp_stream stream(ex);
    stream.expires_after(spec.timeout);
    auto [rec, endpoints] = co_await resolver.async_resolve(host, port);
    if (rec) {
        co_return failure(rec, "cannot resolve " + host);
    }
    auto [cec, ep] = co_await stream.async_connect(endpoints, io::use_tuple);
    if (cec) {
        co_return failure(cec, "cannot connect to " + host + ':' + port);
    }
    http::request<http::string_body> req;
    req.method(http::string_to_verb(spec.method));
    req.target(target);
    req.version(11);
    req.set(http::field::host, std::string(url->encoded_host_and_port()));
    req.set(http::field::user_agent, "smtp-probe-watch/0.1");
    req.set(http::field::connection, "close");
    for (const auto& [name, value] : spec.headers) {
        req.set(name, value);
    }
    if (!spec.body.empty() || spec.method == "POST" || spec.method == "PUT") {
        req.set(http::field::content_type, spec.content_type);
        req.body() = std::move(spec.body);
        req.prepare_payload();
    }
    auto [wec, wn] = co_await http::async_write(stream, req, io::use_tuple);
    if (wec) {
        co_return failure(wec, "cannot send the request");
    }
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(16 * 1024 * 1024);
    auto [rdec, rn] = co_await http::async_read(stream, buffer, parser, io::use_tuple);
    if (rdec) {
        co_return failure(rdec, "no complete response");
    }
    beast::error_code ignored;
    stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    const auto& res = parser.get();
    http_response_data out;
    out.status = static_cast<int>(res.result_int());
    out.body = res.body();
    out.content_type = std::string(res[http::field::content_type]);
    co_return out;
}

http_response_data http_request(http_request_spec spec)
{
    net::io_context ctx;
    http_response_data out;
    net::co_spawn(ctx, async_http_request(std::move(spec)),
                  [&](std::exception_ptr e, http_response_data r) {
                      out = e ? failure({}, "internal error") : std::move(r);
                  });
    ctx.run();
    return out;
}

} // namespace watch
