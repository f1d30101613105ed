#include "io/http_client.hpp"

#include "io/awaitable.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>
#include <memory>
#include <optional>

namespace io::http {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;
using clock_type = std::chrono::steady_clock;

namespace {

// Where a URL points.
struct url_parts {
    bool tls = false;
    std::string host; // without IPv6 brackets
    std::string port;
    std::uint16_t port_number = 0;
    std::string authority; // for the Host header
    std::string target;
};

std::optional<url_parts> parse_url(const std::string& url)
{
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https") ||
        parsed->host().empty()) {
        return std::nullopt;
    }
    url_parts out;
    out.tls = parsed->scheme() == "https";
    out.host = parsed->host_address();
    out.port = parsed->has_port() ? std::string(parsed->port()) : (out.tls ? "443" : "80");
    out.port_number = parsed->has_port() ? parsed->port_number() : (out.tls ? 443 : 80);
    if (out.port_number == 0) {
        return std::nullopt;
    }
    out.authority = std::string(parsed->encoded_host_and_port());
    out.target = parsed->encoded_target().empty() ? "/" : std::string(parsed->encoded_target());
    if (out.target.front() != '/') {
        out.target.insert(out.target.begin(), '/');
    }
    return out;
}

client_response failure(error_code ec, std::string what)
{
    client_response r;
    r.ec = ec ? ec : make_error_code(boost::system::errc::io_error);
    r.error = std::move(what) + (ec ? ": " + ec.message() : std::string());
    return r;
}

// A connected stream: plain, or TLS over it.
struct connection {
    std::optional<beast::tcp_stream> plain;
    std::unique_ptr<ssl::context> context;
    std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
};

// The trust and name checks of https: the system's CAs (and the given file), and OpenSSL
// checking the name, RFC 6125 (an address literal against the certificate's IP addresses).
std::optional<client_response> prepare_tls(connection& c, const url_parts& u,
                                           const client_request& r)
{
    c.context = std::make_unique<ssl::context>(ssl::context::tls_client);
    error_code ec;
    c.context->set_default_verify_paths(ec);
    if (!r.ca_file.empty()) {
        c.context->load_verify_file(r.ca_file, ec);
        if (ec) {
            return failure(ec, "cannot load the CA file " + r.ca_file);
        }
    }
    c.context->set_verify_mode(ssl::verify_peer);
    c.tls.emplace(std::move(*c.plain), *c.context);
    c.plain.reset();
    error_code not_ip;
    net::ip::make_address(u.host, not_ip);
    auto* native = c.tls->native_handle();
    X509_VERIFY_PARAM* param = SSL_get0_param(native);
    if (not_ip) {
        SSL_set_tlsext_host_name(native, u.host.c_str()); // RFC 6066 §3: names only
        X509_VERIFY_PARAM_set1_host(param, u.host.c_str(), 0);
    } else {
        X509_VERIFY_PARAM_set1_ip_asc(param, u.host.c_str());
    }
    return std::nullopt;
}

// The one place where the client opens a connection: resolve, connect and, for https, the
// TLS handshake, under the deadline.
net::awaitable<std::optional<client_response>> open_connection(connection& c, const url_parts& u,
                                                               const client_request& r,
                                                               clock_type::time_point deadline)
{
    auto ex = co_await net::this_coro::executor;
    c.plain.emplace(ex);
    c.plain->expires_at(deadline);
    tcp::resolver::results_type endpoints;
    error_code literal_ec;
    auto address = net::ip::make_address(u.host, literal_ec);
    if (!literal_ec) {
        endpoints = tcp::resolver::results_type::create(tcp::endpoint(address, u.port_number),
                                                        u.host, u.port);
    } else {
        io::tcp_resolver resolver(ex);
        auto [rec, found] = co_await resolver.async_resolve(u.host, u.port);
        if (rec) {
            co_return failure(rec, "cannot resolve " + u.host);
        }
        endpoints = std::move(found);
    }
    auto [cec, ep] = co_await c.plain->async_connect(endpoints, use_tuple);
    if (cec) {
        co_return failure(cec, cec == beast::error::timeout
                                   ? "no connection to " + u.authority + " within the time limit"
                                   : "cannot connect to " + u.authority);
    }
    if (!u.tls) {
        co_return std::nullopt;
    }
    if (auto bad = prepare_tls(c, u, r)) {
        co_return bad;
    }
    beast::get_lowest_layer(*c.tls).expires_at(deadline);
    auto [hec] = co_await c.tls->async_handshake(ssl::stream_base::client, use_tuple);
    if (hec) {
        std::string what = "TLS handshake with " + u.authority + " failed";
        long verify = SSL_get_verify_result(c.tls->native_handle());
        if (verify != X509_V_OK) {
            what += std::string(": certificate verification failed: ") +
                    X509_verify_cert_error_string(verify);
            co_return failure({}, what);
        }
        co_return failure(hec, what);
    }
    co_return std::nullopt;
}

bhttp::request<bhttp::string_body> make_request(client_request& r, const url_parts& u)
{
    bhttp::request<bhttp::string_body> req;
    req.method_string(r.method);
    req.target(u.target);
    req.version(11);
    req.set(bhttp::field::host, u.authority);
    req.set(bhttp::field::user_agent, "smtp-harness");
    req.set(bhttp::field::connection, "close");
    for (const auto& f : r.headers) {
        req.set(f.name, f.value);
    }
    if (!r.body.empty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH") {
        req.set(bhttp::field::content_type, r.content_type);
        req.body() = std::move(r.body);
        req.prepare_payload();
    }
    return req;
}

template <typename Stream>
net::awaitable<client_response> exchange(Stream& stream, client_request& r, const url_parts& u,
                                         clock_type::time_point deadline)
{
    beast::get_lowest_layer(stream).expires_at(deadline);
    auto req = make_request(r, u);
    auto [wec, wn] = co_await bhttp::async_write(stream, req, use_tuple);
    if (wec) {
        co_return failure(wec, "cannot send the request to " + u.authority);
    }
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(r.response_limit);
    auto [rec, rn] = co_await bhttp::async_read(stream, buffer, parser, use_tuple);
    if (rec == beast::error::timeout) {
        co_return failure({}, "no answer from " + u.authority + " within the time limit of " +
                                  std::to_string(r.timeout.count()) + " ms");
    }
    if (rec == bhttp::error::body_limit) {
        co_return failure(rec, "the answer from " + u.authority + " is over the limit of " +
                                   std::to_string(r.response_limit) + " octets");
    }
    if (rec) {
        co_return failure(rec, "no complete answer from " + u.authority);
    }
    client_response out;
    const auto& res = parser.get();
    out.status = static_cast<int>(res.result_int());
    for (const auto& f : res) {
        out.headers.push_back({std::string(f.name_string()), std::string(f.value())});
    }
    out.body = std::move(parser.get().body());
    co_return out;
}

} // namespace

net::awaitable<client_response> async_fetch(client_request request)
{
    const auto deadline = clock_type::now() + request.timeout;
    auto u = parse_url(request.url);
    if (!u) {
        co_return failure({}, "not an http:// or https:// URL: \"" + request.url + "\"");
    }
    connection c;
    if (auto failed = co_await open_connection(c, *u, request, deadline)) {
        co_return std::move(*failed);
    }
    error_code ignored;
    if (c.tls) {
        auto out = co_await exchange(*c.tls, request, *u, deadline);
        beast::get_lowest_layer(*c.tls).socket().shutdown(tcp::socket::shutdown_both, ignored);
        co_return out;
    }
    auto out = co_await exchange(*c.plain, request, *u, deadline);
    c.plain->socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return out;
}

client_response fetch(client_request request)
{
    net::io_context ctx;
    client_response out;
    net::co_spawn(ctx, async_fetch(std::move(request)),
                  [&out](std::exception_ptr e, client_response r) {
                      if (!e) {
                          out = std::move(r);
                          return;
                      }
                      try {
                          std::rethrow_exception(e);
                      } catch (const std::exception& x) {
                          out = failure({}, x.what());
                      }
                  });
    ctx.run();
    return out;
}

} // namespace io::http
