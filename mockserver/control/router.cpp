#include "mockserver/control/router.hpp"

#include "io/http_routes.hpp"
#include "mockserver/control/api_error.hpp"
#include "mockserver/control/endpoints.hpp"

#include <exception>

namespace mock::control {

namespace {

using io::http::route_call;
using table_type = io::http::route_table<api_state>;

// The API, one row per method and path.
const table_type& routes()
{
    static const table_type table{{
        {"GET", "/metrics",
         [](const route_call&, api_state& s) {
             return get_metrics(s);
         }},
        {"GET", "/api/v1/health",
         [](const route_call&, api_state& s) {
             return get_health(s);
         }},
        {"GET", "/api/v1/stats",
         [](const route_call&, api_state& s) {
             return get_stats(s);
         }},
        {"GET",
         "/api/v1/sessions",
         [](const route_call& c, api_state& s) { return list_sessions(c.target, s); },
         {"since", "limit", "wait"}},
        {"DELETE", "/api/v1/sessions",
         [](const route_call&, api_state& s) {
             return delete_sessions(s);
         }},
        {"GET", "/api/v1/sessions/{id}",
         [](const route_call& c, api_state& s) {
             return get_session(c.params.get("id"), s);
         }},
        {"GET",
         "/api/v1/messages",
         [](const route_call& c, api_state& s) { return list_messages(c.target, s); },
         {"from", "to", "wait", "count"}},
        {"DELETE", "/api/v1/messages",
         [](const route_call&, api_state& s) {
             return delete_messages(s);
         }},
        {"GET", "/api/v1/messages/{id}",
         [](const route_call& c, api_state& s) {
             return get_message(c.params.get("id"), s);
         }},
        {"DELETE", "/api/v1/messages/{id}",
         [](const route_call& c, api_state& s) {
             return delete_message(c.params.get("id"), s);
         }},
        {"GET", "/api/v1/messages/{id}/raw",
         [](const route_call& c, api_state& s) {
             return get_message_raw(c.params.get("id"), s);
         }},
        {"GET", "/api/v1/scenario",
         [](const route_call&, api_state& s) {
             return get_scenario(s);
         }},
        {"PUT", "/api/v1/scenario",
         [](const route_call& c, api_state& s) {
             return put_scenario(c.req, s);
         }},
        {"DELETE", "/api/v1/scenario",
         [](const route_call&, api_state& s) {
             return delete_scenario(s);
         }},
        {"GET", "/api/v1/rules",
         [](const route_call&, api_state& s) {
             return list_rules(s);
         }},
        {"POST", "/api/v1/rules",
         [](const route_call& c, api_state& s) {
             return post_rule(c.req, s);
         }},
        {"GET", "/api/v1/rules/{id}",
         [](const route_call& c, api_state& s) {
             return get_rule(c.params.get("id"), s);
         }},
        {"DELETE", "/api/v1/rules/{id}",
         [](const route_call& c, api_state& s) {
             return delete_rule(c.params.get("id"), s);
         }},
        {"POST", "/api/v1/reset",
         [](const route_call&, api_state& s) {
             return post_reset(s);
         }},
        {"GET", "/api/v1/listener",
         [](const route_call&, api_state& s) {
             return get_listener(s);
         }},
        {"PUT", "/api/v1/listener",
         [](const route_call& c, api_state& s) {
             return put_listener(c.req, s);
         }},
    }};
    return table;
}

} // namespace

api_response route(const api_request& request, api_state& state)
{
    try {
        return routes().dispatch(request, state);
    } catch (const std::exception& e) {
        return make_error(http_error::internal, e.what());
    }
}

} // namespace mock::control
