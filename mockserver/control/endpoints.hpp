#pragma once

// The control API's endpoint handlers, one per resource and method; called through route()'s
// table once the path and method matched. Large bodies (session and message lists, raw
// messages) are streamed: the service pulls one piece at a time, so a client that does not read
// holds one piece, not the whole answer.

#include "io/http_target.hpp"
#include "mockserver/control/api_message.hpp"
#include "mockserver/control/api_state.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace mock::control {

/// GET /api/v1/health.
api_response get_health(const api_state& state);
/// GET /api/v1/stats.
api_response get_stats(const api_state& state);
/// The body of GET /api/v1/stats (also the live `counters` event).
boost::json::object stats_json(const api_state& state);
/// GET /metrics (Prometheus text exposition format 0.0.4).
api_response get_metrics(const api_state& state);

/// Largest page of GET /api/v1/sessions; a larger `limit` is lowered to it.
inline constexpr std::uint64_t max_sessions_page = 1000;

/// Longest `?wait=SECONDS` of a long poll; a longer one is lowered to it.
inline constexpr std::chrono::seconds max_wait{300};

/// GET /api/v1/sessions?since=ID&limit=N&wait=SECONDS: one page, streamed session by session;
/// with `wait`, answered once there is a session after `since` or when the wait is over.
api_response list_sessions(const io::http::request_target& target, const api_state& state);
/// Forgets every session recorded so far; returns how many were newly forgotten.
std::uint64_t forget_sessions(api_state& state);
/// DELETE /api/v1/sessions: forgets every session recorded so far.
api_response delete_sessions(api_state& state);
/// GET /api/v1/sessions/{id}?format=json|text: the record as JSON, or as a transcript for
/// people (text/plain).
api_response get_session(std::string_view id, const io::http::request_target& target,
                         const api_state& state);

/// GET /api/v1/messages?from=ADDR&to=ADDR&wait=SECONDS&count=N, streamed: the messages whose
/// sender is `from` and one of whose recipients is `to` (case-insensitive); with `wait`,
/// answered once `count` (default 1) such messages are stored or when the wait is over.
api_response list_messages(const io::http::request_target& target, const api_state& state);
/// GET /api/v1/messages/{id}.
api_response get_message(std::string_view id, const api_state& state);
/// GET /api/v1/messages/{id}/raw, streamed from the stored copy.
api_response get_message_raw(std::string_view id, const api_state& state);
/// DELETE /api/v1/messages.
api_response delete_messages(api_state& state);
/// DELETE /api/v1/messages/{id}.
api_response delete_message(std::string_view id, api_state& state);

/// GET / and GET /console/{file}: the web console's files, compiled in.
api_response get_console_file(std::string_view name);
/// GET /api/v1/catalog: every scenario of the catalog compiled in, with its explanation and
/// its YAML (what PUT /api/v1/scenario takes to apply it).
api_response get_catalog();

/// GET /api/v1/scenario.
api_response get_scenario(const api_state& state);
/// PUT /api/v1/scenario.
api_response put_scenario(const api_request& request, api_state& state);
/// DELETE /api/v1/scenario.
api_response delete_scenario(api_state& state);
/// GET /api/v1/rules.
api_response list_rules(const api_state& state);
/// GET /api/v1/rules/{id}.
api_response get_rule(std::string_view id, const api_state& state);
/// POST /api/v1/rules.
api_response post_rule(const api_request& request, api_state& state);
/// DELETE /api/v1/rules/{id}.
api_response delete_rule(std::string_view id, api_state& state);
/// POST /api/v1/reset: the healthy scenario with no rules, the listener open, no messages and
/// no sessions, as after a fresh start (counters of /metrics stay: they only grow).
api_response post_reset(api_state& state);
/// GET /api/v1/ports: the scenario listeners of --scenario-ports, in port order.
api_response get_ports(const api_state& state);
/// GET /api/v1/listener.
api_response get_listener(const api_state& state);
/// PUT /api/v1/listener.
api_response put_listener(const api_request& request, api_state& state);

} // namespace mock::control
