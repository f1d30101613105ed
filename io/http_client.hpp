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

#include "io/http_client_data.hpp"

#include <boost/asio/awaitable.hpp>

namespace io::http {

/// Performs one request on the current executor. Never throws for network errors; a
/// cancellation ends it with operation_aborted.
boost::asio::awaitable<client_response> async_fetch(client_request request);

/// Performs one request on a private io_context, blocking the calling thread.
client_response fetch(client_request request);

} // namespace io::http
