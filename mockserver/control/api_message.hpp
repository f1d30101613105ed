#pragma once

// The control API's requests and responses: the plain structs every HTTP service of the
// project uses (io/http_message.hpp), so that routing is a pure function with no socket and no
// HTTP library in sight.

#include "io/http_message.hpp"

#include <boost/json/value.hpp>
#include <cstddef>

namespace mock::control {

/// One HTTP request, as the router sees it.
using api_request = io::http::request;
/// One HTTP response, as the router builds it.
using api_response = io::http::response;

/// Largest request body the API accepts (413 beyond it).
inline constexpr std::size_t max_body_size = 1024 * 1024;

/// A JSON response: `status` and the serialized `body` followed by a newline.
api_response json_response(const boost::json::value& body, int status = 200);

} // namespace mock::control
