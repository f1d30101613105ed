#include "mockserver/control/http_server.hpp"

#include "io/awaitable.hpp"
#include "io/endpoint.hpp"
#include "mockserver/control/router.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <stdexcept>
#include <system_error>
#include <thread>

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
            std::string lower(expect);
            std::transform(lower.begin(), lower.end(), lower.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            if (lower == "100-continue") {
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

struct http_server::impl {
    api_state& state;
    tcp::endpoint endpoint;
    net::io_context ioc{1};
    std::shared_ptr<io::tcp_acceptor> acceptor;
    std::thread thread;
    bool started = false;
    bool stopped = false;

    impl(api_state& s, tcp::endpoint ep)
        : state(s)
        , endpoint(ep)
    {
    }

    net::awaitable<void> accept_loop(std::shared_ptr<io::tcp_acceptor> acc)
    {
        for (;;) {
            auto [ec, socket] = co_await acc->async_accept();
            if (!acc->is_open() || ec == net::error::operation_aborted) {
                co_return;
            }
            if (ec) {
                co_await io::sleep_for(std::chrono::milliseconds(50));
                continue;
            }
            net::co_spawn(ioc, serve(beast::tcp_stream(std::move(socket)), state), net::detached);
        }
    }
};

http_server::http_server(const std::string& address, api_state& state)
{
    auto ep = io::parse_endpoint(address);
    if (!ep) {
        throw std::runtime_error("--control " + address +
                                 ": expected ADDR:PORT with a literal IP address");
    }
    impl_ = std::make_unique<impl>(state, *ep);
}

http_server::~http_server()
{
    stop();
}

void http_server::start()
{
    if (impl_->started) {
        return;
    }
    auto acc = std::make_shared<io::tcp_acceptor>(impl_->ioc);
    error_code ec;
    acc->open(impl_->endpoint.protocol(), ec);
    if (!ec) {
        acc->set_option(net::socket_base::reuse_address(true), ec);
        if (impl_->endpoint.address().is_v6()) {
            acc->set_option(net::ip::v6_only(true), ec);
        }
        acc->bind(impl_->endpoint, ec);
    }
    if (!ec) {
        acc->listen(net::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        throw std::system_error(ec, "cannot listen on --control " + io::to_string(impl_->endpoint));
    }
    impl_->endpoint = acc->local_endpoint();
    impl_->acceptor = acc;
    net::co_spawn(impl_->ioc, impl_->accept_loop(acc), net::detached);
    impl_->thread = std::thread([this] { impl_->ioc.run(); });
    impl_->started = true;
}

void http_server::stop()
{
    if (!impl_->started || impl_->stopped) {
        return;
    }
    impl_->stopped = true;
    net::post(impl_->ioc, [this] {
        error_code ignored;
        impl_->acceptor->close(ignored);
    });
    impl_->ioc.stop();
    if (impl_->thread.joinable()) {
        impl_->thread.join();
    }
}

std::string http_server::address() const
{
    return io::to_string(impl_->endpoint);
}

bool http_server::is_loopback() const
{
    return impl_->endpoint.address().is_loopback();
}

} // namespace mock::control
