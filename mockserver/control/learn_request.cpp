#include "mockserver/control/learn_request.hpp"

#include "mockserver/control/api_error.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <fmt/format.h>
#include <initializer_list>

namespace mock::control {

namespace {

// An integer field within [low, high], or the error response.
std::variant<std::int64_t, api_response> integer_field(const boost::json::object& o,
                                                       std::string_view name, std::int64_t fallback,
                                                       std::int64_t low, std::int64_t high)
{
    auto it = o.find(name);
    if (it == o.end()) {
        return fallback;
    }
    if (!it->value().is_int64() && !it->value().is_uint64()) {
        return make_error(api_error::wrong_type, fmt::format("'{}' must be an integer", name),
                          name);
    }
    const auto v = it->value().to_number<std::int64_t>();
    if (v < low || v > high) {
        return make_error(api_error::invalid_value,
                          fmt::format("'{}' must be from {} to {}, not {}", name, low, high, v),
                          name);
    }
    return v;
}

} // namespace

std::variant<learn_probe_request, api_response> parse_learn_probe(const api_request& request)
{
    auto body = body_object(request, {"connections"});
    if (auto* error = std::get_if<api_response>(&body)) {
        return std::move(*error);
    }
    auto n = integer_field(std::get<boost::json::object>(body), "connections", 1, 1,
                           max_learn_connections);
    if (auto* error = std::get_if<api_response>(&n)) {
        return std::move(*error);
    }
    return learn_probe_request{static_cast<int>(std::get<std::int64_t>(n))};
}

std::variant<learn_talk_request, api_response> parse_learn_talk(const api_request& request)
{
    auto body = body_object(request, {"lines", "reply_timeout_ms"});
    if (auto* error = std::get_if<api_response>(&body)) {
        return std::move(*error);
    }
    const auto& o = std::get<boost::json::object>(body);
    auto timeout = integer_field(o, "reply_timeout_ms", 3000, 100, 10000);
    if (auto* error = std::get_if<api_response>(&timeout)) {
        return std::move(*error);
    }
    learn_talk_request out;
    out.reply_timeout = std::chrono::milliseconds(std::get<std::int64_t>(timeout));
    auto it = o.find("lines");
    if (it == o.end()) {
        return make_error(api_error::missing_field, "the field 'lines' is required", "lines");
    }
    if (!it->value().is_array()) {
        return make_error(api_error::wrong_type, "'lines' must be a list of strings", "lines");
    }
    const auto& lines = it->value().as_array();
    if (lines.empty() || lines.size() > max_talk_lines) {
        return make_error(api_error::invalid_value,
                          fmt::format("'lines' must hold 1 to {} lines", max_talk_lines), "lines");
    }
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const auto path = fmt::format("lines[{}]", i);
        if (!lines[i].is_string()) {
            return make_error(api_error::wrong_type, path + " must be a string", path);
        }
        std::string_view line = lines[i].as_string();
        // Each line gets its CRLF when it is sent: a CR or LF inside would be a second line.
        if (line.find_first_of("\r\n") != std::string_view::npos) {
            return make_error(api_error::invalid_value,
                              path + " holds a CR or LF; give each line as its own string", path);
        }
        out.lines.emplace_back(line);
    }
    return out;
}

} // namespace mock::control
