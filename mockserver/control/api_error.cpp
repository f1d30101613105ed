#include "mockserver/control/api_error.hpp"

#include "json/json_text.hpp"

#include <boost/json.hpp>

namespace mock::control {

api_error_info describe(api_error e) noexcept
{
    switch (e) {
    case api_error::malformed_json:
        return {400, "malformed_json"};
    case api_error::wrong_type:
        return {400, "wrong_type"};
    case api_error::unknown_field:
        return {400, "unknown_field"};
    case api_error::missing_field:
        return {400, "missing_field"};
    case api_error::invalid_value:
        return {400, "invalid_value"};
    case api_error::invalid_scenario:
        return {400, "invalid_scenario"};
    case api_error::scenario_syntax:
        return {400, "scenario_syntax"};
    case api_error::invalid_query:
        return {400, "invalid_query"};
    case api_error::unauthorized:
        return {401, "unauthorized"};
    case api_error::not_found:
        return {404, "not_found"};
    case api_error::method_not_allowed:
        return {405, "method_not_allowed"};
    case api_error::conflict:
        return {409, "conflict"};
    case api_error::payload_too_large:
        return {413, "payload_too_large"};
    case api_error::not_implemented:
        return {501, "not_implemented"};
    case api_error::internal:
        return {500, "internal"};
    }
    return {500, "internal"};
}

api_response make_error(api_error e, std::string_view message, std::string_view path)
{
    auto info = describe(e);
    boost::json::object error;
    error["code"] = info.code;
    error["message"] = message;
    error["path"] = path;
    boost::json::object body;
    body["error"] = std::move(error);
    api_response r;
    r.status = info.status;
    r.body = json_text::serialize(body);
    r.body += '\n';
    return r;
}

} // namespace mock::control
