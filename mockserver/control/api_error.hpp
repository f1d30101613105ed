#pragma once

// The one table of the control API's own errors: each kind has its HTTP status and its JSON
// code. Errors at the HTTP level (not found, method not allowed, access, limits, bad queries)
// come from the table every service shares, io/http_errors.hpp. Every error body has the shape
//   {"error":{"code":"unknown_field","message":"...","path":"state"}}

#include "io/http_errors.hpp"
#include "mockserver/control/api_message.hpp"

#include <boost/json/object.hpp>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

namespace mock::control {

using io::http::http_error;
using io::http::make_error;

/// What was wrong with the content of a request.
enum class api_error {
    malformed_json,   ///< the body is not JSON (400)
    wrong_type,       ///< a field has the wrong JSON type (400)
    unknown_field,    ///< the body has a field the endpoint does not know (400)
    missing_field,    ///< a required field is absent (400)
    invalid_value,    ///< a field has a value outside the accepted set (400)
    invalid_scenario, ///< the scenario or rule does not validate (400)
    scenario_syntax,  ///< the scenario or rule body is not YAML or JSON (400)
    conflict,         ///< the resource exists already, e.g. a rule id (409)
    not_implemented,  ///< the endpoint needs a part the mock was built without (501)
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

/// The request's body as a JSON object holding only `known` fields, or the error response
/// (malformed_json, wrong_type, unknown_field naming the field). An empty body is an empty
/// object.
std::variant<boost::json::object, api_response>
body_object(const api_request& request, std::initializer_list<std::string_view> known);

} // namespace mock::control
