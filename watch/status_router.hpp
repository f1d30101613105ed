#pragma once

#include "watch/status_report.hpp"

#include <string>
#include <string_view>

namespace watch {

/// An HTTP answer of the status endpoints, without any socket.
struct status_response {
    /// The HTTP status code.
    int status = 200;
    /// The Content-Type.
    std::string content_type;
    /// The body.
    std::string body;
};

/// Answers one request: GET (or HEAD) /metrics, /api/v1/status and /api/v1/health; 404 for
/// other paths and 405 for other methods, with a JSON error body.
status_response route_status_request(std::string_view method, std::string_view target,
                                     const watch_view& view);

} // namespace watch
