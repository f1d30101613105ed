#pragma once

// The one table of the control API's errors: each kind has its HTTP status and its JSON code,
// and every error body has the shape of DESIGN.md §3:
//   {"error":{"code":"unknown_field","message":"...","path":"state"}}

#include "mockserver/control/api_message.hpp"

#include <string>
#include <string_view>

namespace mock::control {

/// What went wrong with a request.
enum class api_error {
    malformed_json,     ///< the body is not JSON (400)
    wrong_type,         ///< a field has the wrong JSON type (400)
    unknown_field,      ///< the body has a field the endpoint does not know (400)
    missing_field,      ///< a required field is absent (400)
    invalid_value,      ///< a field has a value outside the accepted set (400)
    invalid_scenario,   ///< the scenario or rule does not validate (400)
    scenario_syntax,    ///< the scenario or rule body is not YAML or JSON (400)
    invalid_query,      ///< a query parameter is unknown or malformed (400)
    unauthorized,       ///< no or wrong bearer token (401)
    not_found,          ///< no such endpoint or resource (404)
    method_not_allowed, ///< the endpoint exists but not with this method (405)
    conflict,           ///< the resource exists already, e.g. a rule id (409)
    payload_too_large,  ///< the body is over max_body_size (413)
    not_implemented,    ///< the endpoint needs a part the mock was built without (501)
    internal,           ///< a failure inside the mock (500)
};

/// The HTTP status and the JSON code of an error kind.
struct api_error_info {
    int status;            ///< HTTP status
    std::string_view code; ///< the "code" of the JSON error body
};

/// Looks an error kind up in the table.
api_error_info describe(api_error e) noexcept;

/// The response for an error: its status and `{"error":{"code","message","path"}}`.
/// `path` names the field or parameter at fault; empty when the whole request is.
api_response make_error(api_error e, std::string_view message, std::string_view path = "");

} // namespace mock::control
