#pragma once

// The routes of watch's status service, as a table (io/http_routes.hpp). Pure.

#include "io/http_message.hpp"
#include "watch/status_report.hpp"

namespace watch {

/// Answers one request: GET (or HEAD) /metrics, /api/v1/status and /api/v1/health; 404 for
/// other paths and 405 (with Allow) for other methods, with the project's JSON error body.
io::http::response route_status_request(const io::http::request& request, const watch_view& view);

} // namespace watch
