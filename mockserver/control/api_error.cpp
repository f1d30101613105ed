#include "mockserver/control/api_error.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <fmt/format.h>

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

std::variant<boost::json::object, api_response>
body_object(const api_request& request, std::initializer_list<std::string_view> known)
{
    if (request.body.find_first_not_of(" \t\r\n") == std::string::npos) {
        return boost::json::object{};
    }
    boost::system::error_code ec;
    auto body = boost::json::parse(request.body, ec);
    if (ec) {
        return make_error(api_error::malformed_json, "the body is not valid JSON: " + ec.message());
    }
    if (!body.is_object()) {
        return make_error(api_error::wrong_type, "the body must be a JSON object");
    }
    for (const auto& kv : body.as_object()) {
        if (std::find(known.begin(), known.end(), kv.key()) == known.end()) {
            return make_error(api_error::unknown_field,
                              fmt::format("unknown field '{}'; expected: {}",
                                          std::string_view(kv.key()), fmt::join(known, ", ")),
                              kv.key());
        }
    }
    return std::move(body.as_object());
}

} // namespace mock::control
