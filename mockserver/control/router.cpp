#include "mockserver/control/router.hpp"

#include "faults/controller.hpp"
#include "io/http_access.hpp"
#include "io/http_routes.hpp"
#include "mockserver/control/api_error.hpp"
#include "mockserver/control/endpoints.hpp"

#include <boost/json/object.hpp>
#include <exception>

namespace mock::control {

namespace {

using io::http::route_call;
using table_type = io::http::route_table<api_state>;

// The API, one row per method and path.
const table_type& routes()
{
    static const table_type table{{
        {"GET", "/",
         [](const route_call&, api_state&) {
             return get_console_file("index.html");
         }},
        {"GET", "/console/{file}",
         [](const route_call& c, api_state&) {
             return get_console_file(c.params.get("file"));
         }},
        {"GET", "/api/v1/catalog",
         [](const route_call&, api_state&) {
             return get_catalog();
         }},
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
        {"GET",
         "/api/v1/sessions/{id}",
         [](const route_call& c, api_state& s) {
             return get_session(c.params.get("id"), c.target, s);
         },
         {"format"}},
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
        {"GET", "/api/v1/ports",
         [](const route_call&, api_state& s) {
             return get_ports(s);
         }},
        {"GET", "/api/v1/listener",
         [](const route_call&, api_state& s) {
             return get_listener(s);
         }},
        {"PUT", "/api/v1/listener",
         [](const route_call& c, api_state& s) {
             return put_listener(c.req, s);
         }},
        {"GET",
         "/api/v1/events",
         [](const route_call& c, api_state& s) {
             return s.open_events
                        ? s.open_events(c.req)
                        : make_error(api_error::not_implemented, "live events are not served here");
         },
         {"batch"}},
    }};
    return table;
}

// The live event a successful state change makes, e.g. "rules_changed" for POST
// /api/v1/rules; empty for a request that changes nothing the events report.
std::string_view change_of(const api_request& request)
{
    const std::string_view path =
        std::string_view(request.target).substr(0, std::string_view(request.target).find('?'));
    const auto under = [&](std::string_view prefix) {
        return path == prefix || path.starts_with(std::string(prefix) + "/");
    };
    if (under("/api/v1/scenario")) {
        return "scenario_changed";
    }
    if (under("/api/v1/rules")) {
        return "rules_changed";
    }
    if (under("/api/v1/listener")) {
        return "listener_changed";
    }
    if (under("/api/v1/reset")) {
        return "reset";
    }
    if (under("/api/v1/messages")) {
        return "messages_deleted";
    }
    if (under("/api/v1/sessions")) {
        return "sessions_deleted";
    }
    return {};
}

// Tells the live event subscribers what a successful state change changed, with the faults in
// force afterwards (what every page of the console shows).
void publish_change(const api_request& request, const api_response& response, api_state& state)
{
    if (state.events == nullptr || !state.events->active() || response.status >= 300 ||
        !io::http::is_state_change(request.method)) {
        return;
    }
    const auto type = change_of(request);
    if (type.empty()) {
        return;
    }
    boost::json::object e{{"type", type}};
    if (state.faults != nullptr) {
        const auto s = state.faults->current();
        e["scenario"] = s.name.empty() ? "healthy" : s.name;
        e["rules"] = s.rules.size();
        e["listener"] = faults::to_string(s.listener);
    }
    state.events->publish(std::move(e));
}

} // namespace

api_response route(const api_request& request, api_state& state)
{
    try {
        auto response = routes().dispatch(request, state);
        publish_change(request, response, state);
        return response;
    } catch (const std::exception& e) {
        return make_error(http_error::internal, e.what());
    }
}

} // namespace mock::control
