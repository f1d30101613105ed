#include "mockserver/control/router.hpp"

#include "mockserver/control/api_error.hpp"
#include "mockserver/control/endpoints.hpp"
#include "mockserver/control/request_target.hpp"
#include "smtp/ascii.hpp"

#include <algorithm>
#include <array>
#include <exception>
#include <initializer_list>
#include <openssl/crypto.h>
#include <string>

namespace mock::control {

namespace {

// RFC 6750 §2.1: "Authorization: Bearer TOKEN"; the scheme is case-insensitive.
bool authorised(const api_request& request, const std::string& token)
{
    if (token.empty()) {
        return true;
    }
    if (!request.authorization) {
        return false;
    }
    std::string_view value = *request.authorization;
    constexpr std::string_view scheme = "bearer ";
    if (!smtp::istarts_with(value, scheme)) {
        return false;
    }
    value.remove_prefix(scheme.size());
    while (!value.empty() && value.front() == ' ') {
        value.remove_prefix(1);
    }
    // Constant time, so the token cannot be guessed byte by byte from response times.
    return value.size() == token.size() &&
           CRYPTO_memcmp(value.data(), token.data(), token.size()) == 0;
}

api_response method_not_allowed(const api_request& request,
                                std::initializer_list<const char*> allowed)
{
    std::string allow;
    for (const char* m : allowed) {
        if (!allow.empty()) {
            allow += ", ";
        }
        allow += m;
    }
    auto r = make_error(api_error::method_not_allowed,
                        request.method + " is not allowed here; allowed: " + allow);
    r.headers.emplace_back("Allow", allow);
    return r;
}

bool no_query(const request_target& t, api_response& error)
{
    if (t.query.empty()) {
        return true;
    }
    const auto& name = t.query.begin()->first;
    error = make_error(api_error::invalid_query,
                       "unknown query parameter '" + name + "'; this endpoint takes none", name);
    return false;
}

api_response dispatch(const api_request& request, const request_target& t, api_state& state)
{
    const auto& s = t.segments;
    const auto& m = request.method;
    api_response query_error;
    auto not_found = [&] {
        return make_error(api_error::not_found, "no endpoint " + request.target);
    };

    if (s.size() == 1 && s[0] == "metrics") {
        if (m != "GET") {
            return method_not_allowed(request, {"GET"});
        }
        return no_query(t, query_error) ? get_metrics(state) : query_error;
    }
    if (s.size() < 3 || s[0] != "api" || s[1] != "v1") {
        return not_found();
    }
    const std::string& resource = s[2];
    const std::size_t depth = s.size() - 3;

    if (resource == "sessions" && depth == 0) {
        if (m != "GET") {
            return method_not_allowed(request, {"GET"});
        }
        return list_sessions(t, state);
    }
    if (!no_query(t, query_error)) {
        // Only the sessions list takes parameters; still, an unknown path is a 404 first.
        constexpr std::array<std::string_view, 7> known = {
            "health", "stats", "scenario", "rules", "listener", "sessions", "messages"};
        bool exists = std::find(known.begin(), known.end(), resource) != known.end();
        return exists ? query_error : not_found();
    }
    if (resource == "health" && depth == 0) {
        return m == "GET" ? get_health(state) : method_not_allowed(request, {"GET"});
    }
    if (resource == "stats" && depth == 0) {
        return m == "GET" ? get_stats(state) : method_not_allowed(request, {"GET"});
    }
    if (resource == "sessions" && depth == 1) {
        return m == "GET" ? get_session(s[3], state) : method_not_allowed(request, {"GET"});
    }
    if (resource == "messages") {
        if (depth == 0) {
            if (m == "GET") {
                return list_messages(state);
            }
            if (m == "DELETE") {
                return delete_messages(state);
            }
            return method_not_allowed(request, {"GET", "DELETE"});
        }
        if (depth == 1) {
            if (m == "GET") {
                return get_message(s[3], state);
            }
            if (m == "DELETE") {
                return delete_message(s[3], state);
            }
            return method_not_allowed(request, {"GET", "DELETE"});
        }
        if (depth == 2 && s[4] == "raw") {
            return m == "GET" ? get_message_raw(s[3], state) : method_not_allowed(request, {"GET"});
        }
        return not_found();
    }
    if (resource == "scenario" && depth == 0) {
        if (m == "GET") {
            return get_scenario(state);
        }
        if (m == "PUT") {
            return put_scenario(request, state);
        }
        if (m == "DELETE") {
            return delete_scenario(state);
        }
        return method_not_allowed(request, {"GET", "PUT", "DELETE"});
    }
    if (resource == "rules") {
        if (depth == 0) {
            if (m == "GET") {
                return list_rules(state);
            }
            if (m == "POST") {
                return post_rule(request, state);
            }
            return method_not_allowed(request, {"GET", "POST"});
        }
        if (depth == 1) {
            if (m == "GET") {
                return get_rule(s[3], state);
            }
            if (m == "DELETE") {
                return delete_rule(s[3], state);
            }
            return method_not_allowed(request, {"GET", "DELETE"});
        }
        return not_found();
    }
    if (resource == "listener" && depth == 0) {
        if (m == "GET") {
            return get_listener(state);
        }
        if (m == "PUT") {
            return put_listener(request, state);
        }
        return method_not_allowed(request, {"GET", "PUT"});
    }
    return not_found();
}

} // namespace

api_response route(const api_request& request, api_state& state)
{
    if (!authorised(request, state.token)) {
        auto r = make_error(api_error::unauthorized,
                            request.authorization ? "the bearer token is wrong"
                                                  : "this API needs 'Authorization: Bearer TOKEN'",
                            "Authorization");
        r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"smtp-mock\"");
        return r;
    }
    if (request.body.size() > max_body_size) {
        return make_error(api_error::payload_too_large,
                          "the body has " + std::to_string(request.body.size()) +
                              " octets; the limit is " + std::to_string(max_body_size));
    }
    auto target = parse_request_target(request.target);
    if (!target) {
        return make_error(api_error::invalid_query,
                          "the request target '" + request.target + "' is malformed");
    }
    try {
        return dispatch(request, *target, state);
    } catch (const std::exception& e) {
        return make_error(api_error::internal, e.what());
    }
}

} // namespace mock::control
