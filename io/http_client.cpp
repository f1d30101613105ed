#include "io/http_client.hpp"

#include "io/awaitable.hpp"
#include "io/client_connection.hpp"
#include "io/client_error.hpp"

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <optional>
#include <sstream>

namespace io::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using boost::system::error_code;
using clock_type = std::chrono::steady_clock;

namespace {

// Where a URL points.
struct url_parts {
    bool tls = false;
    std::string host; // without IPv6 brackets
    std::uint16_t port = 0;
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
    out.port = parsed->has_port() ? parsed->port_number() : (out.tls ? 443 : 80);
    if (out.port == 0) {
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
    r.error = std::move(what);
    return r;
}

// The request as it goes on the wire (RFC 9112 §3): one per connection.
std::string wire_request(client_request& r, const url_parts& u)
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
    std::ostringstream out;
    out << req;
    return out.str();
}

// Reads the answer through the connection and hands what arrives to Beast's parser, used
// without I/O of its own.
net::awaitable<client_response> read_response(client_connection& conn, const client_request& r,
                                              const url_parts& u, clock_type::time_point deadline)
{
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(r.response_limit);
    parser.eager(true);
    beast::flat_buffer pending;
    std::array<char, 16 * 1024> chunk;
    error_code pec;
    while (!parser.is_done()) {
        auto [ec, n] = co_await conn.read_some(net::buffer(chunk), deadline);
        if (ec == net::error::eof) {
            parser.put_eof(pec);
            break;
        }
        if (ec) {
            co_return failure(ec,
                              ec == client_errc::timeout
                                  ? "no answer from " + u.authority + " within the time limit of " +
                                        std::to_string(r.timeout.count()) + " ms"
                                  : "no complete answer from " + u.authority + ": " + ec.message());
        }
        auto room = pending.prepare(n);
        net::buffer_copy(room, net::buffer(chunk.data(), n));
        pending.commit(n);
        while (pending.size() > 0 && !parser.is_done()) {
            auto used = parser.put(pending.data(), pec);
            pending.consume(used);
            if (pec == bhttp::error::need_more) {
                pec = {};
                break;
            }
            if (pec) {
                break;
            }
        }
        if (pec) {
            break;
        }
    }
    if (pec == bhttp::error::body_limit) {
        co_return failure(pec, "the answer from " + u.authority + " is over the limit of " +
                                   std::to_string(r.response_limit) + " octets");
    }
    if (pec || !parser.is_done()) {
        co_return failure(pec, "no complete answer from " + u.authority +
                                   (pec ? ": " + pec.message() : std::string()));
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
    // The one client connection of the project: resolve, connect and (https) TLS with its
    // certificate policy, all under the deadline.
    client_settings settings;
    settings.host = u->host;
    settings.port = u->port;
    settings.tls.ca_file = request.ca_file;
    auto ex = co_await net::this_coro::executor;
    client_connection conn(ex, std::move(settings));
    auto opened = co_await conn.open(u->tls, deadline);
    if (opened.ec) {
        co_return failure(opened.ec, opened.detail);
    }
    auto wire = wire_request(request, *u);
    if (auto wec = co_await conn.write(wire, deadline)) {
        co_return failure(wec, "cannot send the request to " + u->authority + ": " + wec.message());
    }
    auto out = co_await read_response(conn, request, *u, deadline);
    conn.close();
    co_return out;
}

client_response fetch(client_request request)
{
    return run_to_completion(async_fetch(std::move(request)),
                             [](const char* what) { return failure({}, what); });
}

} // namespace io::http
