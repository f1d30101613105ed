#include "mockserver/control/api_error.hpp"

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
    case api_error::conflict:
        return {409, "conflict"};
    case api_error::not_implemented:
        return {501, "not_implemented"};
    }
    return {500, "internal"};
}

api_response make_error(api_error e, std::string_view message, std::string_view path)
{
    auto info = describe(e);
    return io::http::error_response(info.status, info.code, message, path);
}

} // namespace mock::control
