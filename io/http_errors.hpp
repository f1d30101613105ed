#pragma once

// The one table of the errors every HTTP service of the project answers by itself, before or
// around its own handlers: framing, access, routing and limits. Each kind has its status and
// its JSON code; the body is io::http::error_body's `{"error":{"code","message","path"}}`.
// A service's own errors (e.g. the control API's invalid_scenario) live in its own table and
// use the same body.

#include "io/http_message.hpp"

#include <string_view>

namespace io::http {

/// What went wrong with a request at the HTTP level.
enum class http_error {
    bad_request,            ///< not HTTP, or a head the server cannot take (400)
    bad_transfer_encoding,  ///< a Transfer-Encoding other than chunked (400, then close)
    invalid_query,          ///< a broken target, or a query parameter the route does not take (400)
    unauthorized,           ///< no or wrong bearer token (401)
    host_not_allowed,       ///< Host names neither the service's address nor an allowed name (403)
    cross_origin,           ///< Origin is not the service's own origin (403)
    not_found,              ///< no such endpoint or resource (404)
    method_not_allowed,     ///< the endpoint exists but not with this method (405, with Allow)
    payload_too_large,      ///< the body is over the service's limit (413)
    unsupported_media_type, ///< a state change without a JSON or YAML Content-Type (415)
    header_too_large,       ///< the request head is over the service's limit (431)
    internal,               ///< a failure inside the service (500)
};

/// The HTTP status and the JSON code of an error kind.
struct http_error_info {
    int status;            ///< HTTP status
    std::string_view code; ///< the "code" of the JSON error body
};

/// Looks an error kind up in the table.
http_error_info describe(http_error e) noexcept;

/// The response for an error: its status and the project's JSON error body.
response make_error(http_error e, std::string_view message, std::string_view path = "");

} // namespace io::http
