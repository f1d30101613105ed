#pragma once

// A small HTTP/1.1 client (Beast) for webhooks and control APIs. Include only from I/O files.

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace watch {

/// One HTTP request.
struct http_request_spec {
    /// GET, POST, PUT or DELETE.
    std::string method = "GET";
    /// An http:// URL.
    std::string url;
    /// The body, sent when not empty.
    std::string body;
    /// The Content-Type of the body.
    std::string content_type = "application/json";
    /// Extra headers.
    std::vector<std::pair<std::string, std::string>> headers;
    /// The deadline of the whole exchange.
    std::chrono::milliseconds timeout{10'000};
};

/// The answer, or why there was none.
struct http_response_data {
    /// Set when no complete response arrived (bad URL, refused, timeout, ...).
    boost::system::error_code ec;
    /// A sentence about the failure.
    std::string error;
    /// The HTTP status code.
    int status = 0;
    /// The response body.
    std::string body;
    /// The Content-Type of the response.
    std::string content_type;
};

/// Performs one request on the current executor; never throws for network errors.
boost::asio::awaitable<http_response_data> async_http_request(http_request_spec spec);

/// Performs one request on a private io_context (blocking), for callers without one.
http_response_data http_request(http_request_spec spec);

} // namespace watch
