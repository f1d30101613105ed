#pragma once

// The HTTP client's request and answer as plain data, with no Asio: what io::http::fetch
// (io/http_client.hpp) takes and returns, so that a core that judges an answer (the harness's
// `http:` observation) links no I/O.

#include "io/http_message.hpp"

#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
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

} // namespace io::http
