#include "mockserver/control/http_server.hpp"

#include "io/awaitable.hpp"
#include "mockserver/control/router.hpp"
#include "smtp/ascii.hpp"

#include <algorithm>
#include <array>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <cctype>

namespace mock::control {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto request_timeout = std::chrono::seconds(30);
constexpr std::uint32_t header_limit = 64 * 1024;
constexpr auto drain_timeout = std::chrono::seconds(2);
constexpr std::size_t drain_limit = 4 * max_body_size;

http::response<http::string_body> to_beast(const api_response& r, unsigned version, bool keep_alive)
{
    http::response<http::string_body> out{static_cast<http::status>(r.status), version};
    out.set(http::field::server, "smtp-mock");
    out.set(http::field::content_type, r.content_type);
    out.set(http::field::cache_control, "no-store");
    for (const auto& [name, value] : r.headers) {
        out.set(name, value);
    }
    out.keep_alive(keep_alive);
    out.body() = r.body;
    out.prepare_payload();
    return out;
}

// A request that never reached the router (e.g. too large, or not HTTP): answer and close.
net::awaitable<void> reject(beast::tcp_stream& stream, int status, const char* code,
                            const std::string& message)
{
    api_response r;
    r.status = status;
    r.body = std::string(R"({"error":{"code":")") + code + R"(","message":")" + message +
             R"(","path":""}})" + "\n";
    auto out = to_beast(r, 11, false);
    co_await http::async_write(stream, out, io::use_tuple);
}

net::awaitable<void> serve(beast::tcp_stream stream, api_state& state)
{
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(header_limit);
        parser.body_limit(max_body_size);
        stream.expires_after(request_timeout);
        auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser, io::use_tuple);
        if (hec == http::error::end_of_stream || hec == net::error::eof ||
            hec == beast::error::timeout || hec == net::error::connection_reset) {
            break;
        }
        if (hec == http::error::body_limit) {
            co_await reject(stream, 413, "payload_too_large",
                            "the body is over the limit of " + std::to_string(max_body_size) +
                                " octets");
            break;
        }
        if (hec) {
            co_await reject(stream, 400, "bad_request", "malformed HTTP request: " + hec.message());
            break;
        }
        // RFC 7231 §5.1.1: a client waiting for 100 Continue gets it before it sends the body.
        const auto& header = parser.get();
        if (auto expect = header[http::field::expect]; !expect.empty()) {
            if (smtp::iequals(expect, "100-continue")) {
                http::response<http::empty_body> cont{http::status::continue_, header.version()};
                auto [cec, cn] = co_await http::async_write(stream, cont, io::use_tuple);
                if (cec) {
                    break;
                }
            }
        }
        auto [ec, n] = co_await http::async_read(stream, buffer, parser, io::use_tuple);
        if (ec == http::error::body_limit) {
            co_await reject(stream, 413, "payload_too_large",
                            "the body is over the limit of " + std::to_string(max_body_size) +
                                " octets");
            break;
        }
        if (ec) {
            if (ec != http::error::end_of_stream && ec != beast::error::timeout) {
                co_await reject(stream, 400, "bad_request",
                                "malformed HTTP request: " + ec.message());
            }
            break;
        }
        auto req = parser.release();
        api_request request;
        request.method = std::string(req.method_string());
        request.target = std::string(req.target());
        if (auto it = req.find(http::field::authorization); it != req.end()) {
            request.authorization = std::string(it->value());
        }
        if (auto it = req.find(http::field::content_type); it != req.end()) {
            request.content_type = std::string(it->value());
        }
        request.body = std::move(req.body());
        auto response = route(request, state);
        bool keep_alive = req.keep_alive();
        auto out = to_beast(response, req.version(), keep_alive);
        stream.expires_after(request_timeout);
        auto [wec, wn] = co_await http::async_write(stream, out, io::use_tuple);
        if (wec || !keep_alive) {
            break;
        }
    }
    // Half-close, then read and drop what the client still sends (e.g. the rest of a body over
    // the limit) for a while, so that closing does not reset the connection before the client
    // has read our answer.
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    std::array<char, 16 * 1024> sink;
    std::size_t drained = 0;
    stream.expires_after(drain_timeout);
    while (drained < drain_limit) {
        auto [ec, n] = co_await stream.async_read_some(net::buffer(sink), io::use_tuple);
        if (ec) {
            break;
        }
        drained += n;
    }
    stream.socket().close(ignored);
}

} // namespace

http_server::http_server(const std::string& address, api_state& state)
    : service_("--control", address, [&state](tcp::socket socket) {
        return serve(beast::tcp_stream(std::move(socket)), state);
    })
{
}

void http_server::start()
{
    service_.start();
}

void http_server::stop()
{
    service_.stop();
}

std::string http_server::address() const
{
    return service_.address();
}

bool http_server::is_loopback() const
{
    return service_.endpoint().address().is_loopback();
}

} // namespace mock::control
