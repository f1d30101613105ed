#include "io/http_routes.hpp"

#include <algorithm>

namespace io::http {

namespace {

// Whether `pattern` matches `segments`; fills `params` from its `{name}` segments.
bool matches(std::string_view pattern, const std::vector<std::string>& segments,
             path_params& params)
{
    path_params found;
    std::size_t i = 0;
    while (!pattern.empty()) {
        if (pattern.front() == '/') {
            pattern.remove_prefix(1);
            continue;
        }
        auto slash = pattern.find('/');
        auto part = pattern.substr(0, slash);
        pattern = slash == std::string_view::npos ? std::string_view{} : pattern.substr(slash);
        if (i >= segments.size()) {
            return false;
        }
        if (part.size() >= 2 && part.front() == '{' && part.back() == '}') {
            found.add(std::string(part.substr(1, part.size() - 2)), segments[i]);
        } else if (part != segments[i]) {
            return false;
        }
        ++i;
    }
    if (i != segments.size()) {
        return false;
    }
    params = std::move(found);
    return true;
}

std::string joined(const std::vector<std::string_view>& words)
{
    std::string out;
    for (auto w : words) {
        if (!out.empty()) {
            out += ", ";
        }
        out += w;
    }
    return out;
}

std::optional<response> check_query(const route_key& key, const request_target& target)
{
    if (std::find(key.query.begin(), key.query.end(), "*") != key.query.end()) {
        return std::nullopt;
    }
    for (const auto& [name, value] : target.query) {
        if (std::find(key.query.begin(), key.query.end(), name) != key.query.end()) {
            continue;
        }
        auto expected = key.query.empty() ? std::string("this endpoint takes none")
                                          : "expected " + joined(key.query);
        return make_error(http_error::invalid_query,
                          "unknown query parameter '" + name + "'; " + expected, name);
    }
    return std::nullopt;
}

} // namespace

route_lookup find_route(const std::vector<route_key>& keys, const request& req,
                        const request_target& target)
{
    route_lookup out;
    std::vector<std::string_view> allowed;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        path_params params;
        if (!matches(keys[i].pattern, target.segments, params)) {
            continue;
        }
        if (keys[i].method == req.method) {
            out.row = i;
            out.params = std::move(params);
            out.error = check_query(keys[i], target);
            return out;
        }
        if (std::find(allowed.begin(), allowed.end(), keys[i].method) == allowed.end()) {
            allowed.push_back(keys[i].method);
        }
    }
    if (allowed.empty()) {
        out.error = make_error(http_error::not_found, "no endpoint " + req.target);
        return out;
    }
    auto allow = joined(allowed);
    out.error = make_error(http_error::method_not_allowed,
                           req.method + " is not allowed here; allowed: " + allow);
    out.error->headers.push_back({"Allow", allow});
    return out;
}

} // namespace io::http
