// /api/v1/scenario, /api/v1/rules and /api/v1/listener: live control of the fault engine

#include "faults/controller.hpp"
#include "faults/scenario_error.hpp"
#include "faults/scenario_json.hpp"
#include "mockserver/control/api_error.hpp"
#include "mockserver/control/controller_fault_source.hpp"
#include "mockserver/control/endpoints.hpp"

#include <boost/json.hpp>
#include <optional>
#include <variant>

namespace mock::control {

namespace {

std::chrono::steady_clock::time_point now(const api_state& state)
{
    return state.now ? state.now() : std::chrono::steady_clock::now();
}

api_response no_engine()
{
    return make_error(api_error::not_implemented,
                      "this smtp-mock runs without a fault engine, so faults cannot be changed");
}

// A loader error as an API error: 400 (syntax or validation), or 409 for a taken rule id; the
// loader's file, line, column and key path are kept.
api_response scenario_failure(const faults::scenario_error& e)
{
    api_error kind = api_error::invalid_scenario;
    if (e.message.rfind("YAML syntax error", 0) == 0 ||
        e.message.find("document is empty") != std::string::npos) {
        kind = api_error::scenario_syntax;
    } else if (e.message.find("already exists") != std::string::npos) {
        kind = api_error::conflict;
    }
    auto r = make_error(kind, e.what(), e.key_path);
    if (e.line > 0) {
        auto body = boost::json::parse(r.body);
        auto& inner = body.as_object()["error"].as_object();
        inner["line"] = e.line;
        inner["column"] = e.column;
        r = json_response(body, r.status);
    }
    return r;
}

bool looks_like_json(const api_request& request)
{
    auto type = request.header("Content-Type");
    if (type && type->find("json") != std::string_view::npos) {
        return true;
    }
    auto first = request.body.find_first_not_of(" \t\r\n");
    return first != std::string::npos && (request.body[first] == '{' || request.body[first] == '[');
}

// A JSON body must parse as JSON; the error names the offset, which YAML would not.
std::optional<api_response> check_json(const api_request& request)
{
    if (request.body.find_first_not_of(" \t\r\n") == std::string::npos) {
        return make_error(api_error::missing_field, "the request body is empty");
    }
    if (!looks_like_json(request)) {
        return std::nullopt;
    }
    boost::system::error_code ec;
    boost::json::stream_parser p;
    std::size_t n = p.write_some(request.body.data(), request.body.size(), ec);
    if (!ec) {
        p.finish(ec);
    }
    if (ec) {
        return make_error(api_error::malformed_json, "the body is not valid JSON at offset " +
                                                         std::to_string(n) + ": " + ec.message());
    }
    return std::nullopt;
}

boost::json::value scenario_json(const faults::controller& c)
{
    return faults::to_json(c.current());
}

// Puts the listener states of a scenario (or of the healthy one) on the listeners.
void apply_listeners(api_state& state, faults::listener_state smtp, faults::listener_state mailbox)
{
    if (state.set_listener) {
        state.set_listener(to_listener_mode(smtp));
    }
    if (state.set_mailbox_listener) {
        state.set_mailbox_listener(to_listener_mode(mailbox));
    }
}

constexpr auto open_state = faults::listener_state::open;

boost::json::object listener_json(const faults::controller& c)
{
    boost::json::object o;
    o["state"] = faults::to_string(c.listener());
    o["mailbox"] = faults::to_string(c.mailbox_listener());
    return o;
}

// One state of PUT /api/v1/listener's body: absent, a known state, or the error to answer.
std::variant<std::monostate, faults::listener_state, api_response>
read_state(const boost::json::object& o, std::string_view key, bool blackhole_allowed)
{
    auto it = o.find(key);
    if (it == o.end()) {
        return std::monostate{};
    }
    if (!it->value().is_string()) {
        return make_error(api_error::wrong_type, "'" + std::string(key) + "' must be a string",
                          key);
    }
    std::string_view name = it->value().as_string();
    auto parsed = faults::parse_listener_state(name);
    if (!parsed || (!blackhole_allowed && *parsed == faults::listener_state::blackhole)) {
        return make_error(api_error::invalid_value,
                          "unknown listener state '" + std::string(name) +
                              "'; expected one of: open, closed" +
                              (blackhole_allowed ? ", blackhole" : ""),
                          key);
    }
    return *parsed;
}

} // namespace

api_response get_scenario(const api_state& state)
{
    if (!state.faults) {
        return no_engine();
    }
    return json_response(scenario_json(*state.faults));
}

api_response put_scenario(const api_request& request, api_state& state)
{
    if (!state.faults) {
        return no_engine();
    }
    if (auto bad = check_json(request)) {
        return *bad;
    }
    try {
        auto s = faults::scenario_from_body(request.body);
        const auto smtp = s.listener;
        const auto mailbox = s.mailbox_listener;
        state.faults->replace(std::move(s), now(state));
        apply_listeners(state, smtp, mailbox);
    } catch (const faults::scenario_error& e) {
        return scenario_failure(e);
    }
    return json_response(scenario_json(*state.faults));
}

api_response delete_scenario(api_state& state)
{
    if (!state.faults) {
        return no_engine();
    }
    state.faults->clear(now(state));
    apply_listeners(state, open_state, open_state);
    return json_response(scenario_json(*state.faults));
}

api_response post_reset(api_state& state)
{
    if (state.faults) {
        state.faults->clear(now(state));
    }
    apply_listeners(state, open_state, open_state);
    boost::json::object o;
    o["messages_deleted"] = state.store->clear();
    o["sessions_deleted"] = forget_sessions(state);
    return json_response(o);
}

api_response list_rules(const api_state& state)
{
    if (!state.faults) {
        return no_engine();
    }
    boost::json::array rules;
    for (const auto& r : state.faults->rules()) {
        rules.push_back(faults::to_json(r));
    }
    boost::json::object o;
    o["rules"] = std::move(rules);
    o["faults_fired"] = state.faults->faults_fired();
    return json_response(o);
}

api_response get_rule(std::string_view id, const api_state& state)
{
    if (!state.faults) {
        return no_engine();
    }
    for (const auto& r : state.faults->rules()) {
        if (r.definition.id == id) {
            return json_response(faults::to_json(r));
        }
    }
    return make_error(http_error::not_found, "no rule with id '" + std::string(id) + "'", "id");
}

api_response post_rule(const api_request& request, api_state& state)
{
    if (!state.faults) {
        return no_engine();
    }
    if (auto bad = check_json(request)) {
        return *bad;
    }
    std::string id;
    try {
        id = state.faults->add_rule(faults::rule_from_body(request.body), now(state));
    } catch (const faults::scenario_error& e) {
        return scenario_failure(e);
    }
    for (const auto& r : state.faults->rules()) {
        if (r.definition.id == id) {
            auto response = json_response(faults::to_json(r), 201);
            response.headers.push_back({"Location", "/api/v1/rules/" + id});
            return response;
        }
    }
    return make_error(http_error::internal, "the rule '" + id + "' vanished after it was added");
}

api_response delete_rule(std::string_view id, api_state& state)
{
    if (!state.faults) {
        return no_engine();
    }
    if (!state.faults->remove_rule(id)) {
        return make_error(http_error::not_found, "no rule with id '" + std::string(id) + "'", "id");
    }
    boost::json::object o;
    o["deleted"] = id;
    return json_response(o);
}

api_response get_listener(const api_state& state)
{
    if (!state.faults) {
        return no_engine();
    }
    return json_response(listener_json(*state.faults));
}

// Each scenario listener's scenario is fixed: the API lists them, and changes none of them.

api_response get_ports(const api_state& state)
{
    return json_response(
        boost::json::object{{"ports", state.ports ? state.ports() : boost::json::array()}});
}

// "state" sets the SMTP listeners, "mailbox" the POP3 and IMAP ones; one of them at least.
api_response put_listener(const api_request& request, api_state& state)
{
    if (!state.faults || !state.set_listener) {
        return no_engine();
    }
    constexpr auto example = "the body must be {\"state\": \"open\"} or {\"mailbox\": \"closed\"}";
    if (request.body.find_first_not_of(" \t\r\n") == std::string::npos) {
        return make_error(api_error::missing_field, example, "state");
    }
    auto body = body_object(request, {"state", "mailbox"});
    if (auto* error = std::get_if<api_response>(&body)) {
        return std::move(*error);
    }
    const auto& o = std::get<boost::json::object>(body);
    auto smtp = read_state(o, "state", true);
    auto mailbox = read_state(o, "mailbox", false);
    for (auto* read : {&smtp, &mailbox}) {
        if (auto* error = std::get_if<api_response>(read)) {
            return std::move(*error);
        }
    }
    if (std::holds_alternative<std::monostate>(smtp) &&
        std::holds_alternative<std::monostate>(mailbox)) {
        return make_error(api_error::missing_field, example, "state");
    }
    if (auto* s = std::get_if<faults::listener_state>(&smtp)) {
        state.set_listener(to_listener_mode(*s));
        state.faults->set_listener(*s);
    }
    if (auto* m = std::get_if<faults::listener_state>(&mailbox)) {
        if (state.set_mailbox_listener) {
            state.set_mailbox_listener(to_listener_mode(*m));
        }
        state.faults->set_mailbox_listener(*m);
    }
    return json_response(listener_json(*state.faults));
}

} // namespace mock::control
