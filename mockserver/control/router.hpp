#pragma once

// The control API as one pure function over a route table: a request and the mock's state in,
// a response out. No socket, no thread; io::http::service only converts bytes to and from it,
// after its access middleware (Host, Origin, token, content type, framing) has let the request
// through.
//
//   api_request req;
//   req.method = "GET";
//   req.target = "/api/v1/health";
//   api_response r = route(req, state);

#include "mockserver/control/api_message.hpp"
#include "mockserver/control/api_state.hpp"

namespace mock::control {

/// Answers one request. Never throws: every failure is an error response from the tables in
/// api_error.hpp and io/http_errors.hpp.
api_response route(const api_request& request, api_state& state);

} // namespace mock::control
