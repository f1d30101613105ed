// GET /api/v1/sessions[/{id}] and /api/v1/messages[/{id}[/raw]]: what the mock recorded.
#include "mockserver/control/api_error.hpp"
#include "mockserver/control/endpoints.hpp"
#include "mockserver/control/json_views.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <optional>

namespace mock::control {

namespace {

/// Default and largest page of GET /api/v1/sessions.
constexpr std::uint64_t default_limit = 100;
constexpr std::uint64_t max_limit = 10000;

std::optional<std::uint64_t> parse_unsigned(std::string_view text)
{
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return v;
}

} // namespace

api_response list_sessions(const request_target& target, const api_state& state)
{
    std::uint64_t since = 0;
    std::uint64_t limit = default_limit;
    for (const auto& [name, value] : target.query) {
        auto number = parse_unsigned(value);
        if (name == "since") {
            if (!number) {
                return make_error(api_error::invalid_query,
                                  "since must be a session id (an unsigned integer), not '" +
                                      value + "'",
                                  "since");
            }
            since = *number;
        } else if (name == "limit") {
            if (!number || *number == 0 || *number > max_limit) {
                return make_error(api_error::invalid_query,
                                  "limit must be an integer from 1 to " +
                                      std::to_string(max_limit) + ", not '" + value + "'",
                                  "limit");
            }
            limit = *number;
        } else {
            return make_error(api_error::invalid_query,
                              "unknown query parameter '" + name + "'; expected since, limit",
                              name);
        }
    }
    boost::json::array sessions;
    std::uint64_t last = since;
    for (const auto& record : state.sessions->list(since, limit)) {
        auto snap = record->read();
        last = snap.id;
        sessions.push_back(to_json(snap));
    }
    boost::json::object o;
    o["sessions"] = std::move(sessions);
    o["next_since"] = last;
    return json_response(o);
}

api_response get_session(std::string_view id, const api_state& state)
{
    auto number = parse_unsigned(id);
    auto record = number ? state.sessions->find(*number) : nullptr;
    if (!record) {
        return make_error(api_error::not_found, "no session with id '" + std::string(id) + "'",
                          "id");
    }
    return json_response(to_json(record->read()));
}

api_response list_messages(const api_state& state)
{
    boost::json::array messages;
    for (const auto& m : state.store->list()) {
        messages.push_back(to_json(*m));
    }
    boost::json::object o;
    o["messages"] = std::move(messages);
    return json_response(o);
}

api_response get_message(std::string_view id, const api_state& state)
{
    auto m = state.store->find(std::string(id));
    if (!m) {
        return make_error(api_error::not_found, "no message with id '" + std::string(id) + "'",
                          "id");
    }
    return json_response(to_json(*m));
}

api_response get_message_raw(std::string_view id, const api_state& state)
{
    auto m = state.store->find(std::string(id));
    if (!m) {
        return make_error(api_error::not_found, "no message with id '" + std::string(id) + "'",
                          "id");
    }
    api_response r;
    r.content_type = "message/rfc822";
    r.body = m->data;
    return r;
}

api_response delete_messages(api_state& state)
{
    boost::json::object o;
    o["deleted"] = state.store->clear();
    return json_response(o);
}

api_response delete_message(std::string_view id, api_state& state)
{
    if (!state.store->remove(std::string(id))) {
        return make_error(api_error::not_found, "no message with id '" + std::string(id) + "'",
                          "id");
    }
    boost::json::object o;
    o["deleted"] = 1;
    return json_response(o);
}

} // namespace mock::control
