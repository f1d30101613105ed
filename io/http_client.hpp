#pragma once

// I/O file: the one HTTP/1.1 client of the project: webhooks, `http:` monitors, Alertmanager and
// the mock's control API. It connects through the one client connection (io/client_connection:
// the c-ares resolver under the deadline, and for https:// the one certificate policy: the
// system's CAs plus an optional CA file, the name checked by OpenSSL, RFC 6125) and parses the
// answer with Beast's parser. One request per connection, one deadline for the whole exchange,
// a cap on the size of the answer, no redirects.
//
//   io::http::client_request post;
//   post.method = "POST";
//   post.url = "https://hooks.example/alert";
//   post.body = json;
//   auto r = co_await io::http::async_fetch(std::move(post));
//   if (r.ec) { ... r.error ... } else if (r.status == 200) { ... r.body ... }

#include "io/http_message.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace io::http {

/// One request of the client.
struct client_request {
    /// The method, e.g. "GET", "POST", "PUT", "DELETE".
    std::string method = "GET";
    /// An http:// or https:// URL.
    std::string url;
    /// Extra header fields.
    std::vector<header_field> headers;
    /// The body; sent when not empty, and always for POST, PUT and PATCH.
    std::string body;
    /// The Content-Type of the body.
    std::string content_type = "application/json";
    /// The deadline of the whole exchange, from the start of the call.
    std::chrono::milliseconds timeout{10'000};
    /// Largest response body accepted; a larger one is an error.
    std::size_t response_limit = 16 * 1024 * 1024;
    /// https: trust the CA certificates of this PEM file, besides the system's.
    std::string ca_file;
};

/// The answer, or why there was none.
struct client_response {
    /// Set when no complete response arrived (bad URL, refused, timeout, certificate, ...).
    boost::system::error_code ec;
    /// A sentence about the failure, naming the URL's host when it matters.
    std::string error;
    /// The HTTP status code.
    int status = 0;
    /// The response's header fields.
    std::vector<header_field> headers;
    /// The response body.
    std::string body;

    /// The first field called `name`, if any.
    std::optional<std::string_view> header(std::string_view name) const
    {
        return find_header(headers, name);
    }
};

/// Performs one request on the current executor. Never throws for network errors; a
/// cancellation ends it with operation_aborted.
boost::asio::awaitable<client_response> async_fetch(client_request request);

/// Performs one request on a private io_context, blocking the calling thread.
client_response fetch(client_request request);

} // namespace io::http
