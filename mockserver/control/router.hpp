#pragma once

// The control API (DESIGN.md §3) as one pure function: a request and the mock's state in, a
// response out. No socket, no thread; the Beast listener only converts bytes to and from it.
//
//   api_response r = route({"GET", "/api/v1/health", {}, {}, ""}, state);

#include "mockserver/control/api_message.hpp"
#include "mockserver/control/api_state.hpp"

namespace mock::control {

/// Answers one request. Never throws: every failure is an error response from the table in
/// api_error.hpp.
api_response route(const api_request& request, api_state& state);

} // namespace mock::control
