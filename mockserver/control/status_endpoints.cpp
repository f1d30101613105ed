// GET /api/v1/health, GET /api/v1/stats and GET /metrics: what the mock has done so far.
#include "faults/controller.hpp"
#include "metrics/prometheus_text.hpp"
#include "mockserver/control/endpoints.hpp"
#include "mockserver/session_record.hpp"

#include <array>
#include <boost/json.hpp>
#include <fmt/format.h>

namespace mock::control {

namespace {

std::chrono::steady_clock::time_point now(const api_state& state)
{
    return state.now ? state.now() : std::chrono::steady_clock::now();
}

double uptime_seconds(const api_state& state)
{
    std::chrono::duration<double> up = now(state) - state.started_at;
    return static_cast<double>(static_cast<long long>(up.count() * 1000.0)) / 1000.0;
}

} // namespace

api_response get_health(const api_state& state)
{
    boost::json::object o;
    o["status"] = "ok";
    o["version"] = state.version;
    o["uptime_seconds"] = uptime_seconds(state);
    o["seed"] = state.seed;
    return json_response(o);
}

boost::json::object stats_json(const api_state& state)
{
    const auto& c = *state.counters;
    boost::json::object connections;
    connections["accepted"] = c.connections_accepted.load();
    connections["active"] = c.connections_active.load();
    connections["refused"] = c.connections_refused.load();

    boost::json::object by_outcome;
    auto outcomes = state.sessions->outcomes();
    for (auto o : all_session_outcomes) {
        if (o != session_outcome::active) {
            by_outcome[to_string(o)] = outcomes[static_cast<std::size_t>(o)];
        }
    }
    by_outcome["active"] = c.connections_active.load();
    boost::json::object sessions;
    sessions["total"] = state.sessions->total();
    sessions["by_outcome"] = std::move(by_outcome);

    boost::json::object messages;
    messages["accepted"] = state.store->accepted_total();
    messages["stored"] = state.store->size();

    boost::json::object bytes;
    bytes["received"] = c.bytes_received.load();
    bytes["sent"] = c.bytes_sent.load();

    boost::json::object o;
    o["connections"] = std::move(connections);
    o["sessions"] = std::move(sessions);
    o["faults_fired"] = state.faults ? state.faults->faults_fired() : 0;
    o["messages"] = std::move(messages);
    o["bytes"] = std::move(bytes);
    o["uptime_seconds"] = uptime_seconds(state);
    return o;
}

api_response get_stats(const api_state& state)
{
    return json_response(stats_json(state));
}

api_response get_metrics(const api_state& state)
{
    const auto& c = *state.counters;
    std::string out;
    prometheus_text::family(out, "smtp_mock_up", "gauge", "Whether smtp-mock is serving (always 1 when scraped).");
    out += "smtp_mock_up 1\n";
    prometheus_text::family(out, "smtp_mock_uptime_seconds", "gauge", "Seconds since smtp-mock started.");
    out += fmt::format("smtp_mock_uptime_seconds {}\n", uptime_seconds(state));
    prometheus_text::family(out, "smtp_mock_connections_accepted_total", "counter", "SMTP connections accepted.");
    out += fmt::format("smtp_mock_connections_accepted_total {}\n", c.connections_accepted.load());
    prometheus_text::family(out, "smtp_mock_connections_active", "gauge", "SMTP connections open now.");
    out += fmt::format("smtp_mock_connections_active {}\n", c.connections_active.load());
    prometheus_text::family(out, "smtp_mock_connections_refused_total", "counter",
           "SMTP connections turned away over --max-connections.");
    out += fmt::format("smtp_mock_connections_refused_total {}\n", c.connections_refused.load());
    prometheus_text::family(out, "smtp_mock_sessions_total", "counter", "Finished SMTP sessions by outcome.");
    auto outcomes = state.sessions->outcomes();
    for (auto o : all_session_outcomes) {
        if (o != session_outcome::active) {
            out += fmt::format("smtp_mock_sessions_total{{outcome=\"{}\"}} {}\n", to_string(o),
                               outcomes[static_cast<std::size_t>(o)]);
        }
    }
    prometheus_text::family(out, "smtp_mock_messages_accepted_total", "counter",
           "Messages accepted (250 after DATA).");
    out += fmt::format("smtp_mock_messages_accepted_total {}\n", state.store->accepted_total());
    prometheus_text::family(out, "smtp_mock_messages_stored", "gauge", "Messages held in the store now.");
    out += fmt::format("smtp_mock_messages_stored {}\n", state.store->size());
    prometheus_text::family(out, "smtp_mock_received_bytes_total", "counter", "Octets read from SMTP clients.");
    out += fmt::format("smtp_mock_received_bytes_total {}\n", c.bytes_received.load());
    prometheus_text::family(out, "smtp_mock_sent_bytes_total", "counter", "Octets written to SMTP clients.");
    out += fmt::format("smtp_mock_sent_bytes_total {}\n", c.bytes_sent.load());
    prometheus_text::family(out, "smtp_mock_faults_fired_total", "counter", "Fault rule firings, all rules.");
    out += fmt::format("smtp_mock_faults_fired_total {}\n",
                       state.faults ? state.faults->faults_fired() : 0);
    if (state.faults) {
        prometheus_text::family(out, "smtp_mock_rule_fired_total", "counter",
               "Firings of each rule of the scenario in force.");
        for (const auto& r : state.faults->rules()) {
            out += fmt::format("smtp_mock_rule_fired_total{{rule=\"{}\"}} {}\n",
                               prometheus_text::label_value(r.definition.id), r.fired);
        }
        prometheus_text::family(out, "smtp_mock_listener_state", "gauge",
               "The SMTP listener state in force (1 for the current one).");
        auto current = state.faults->listener();
        for (auto s : {faults::listener_state::open, faults::listener_state::closed,
                       faults::listener_state::blackhole}) {
            out += fmt::format("smtp_mock_listener_state{{state=\"{}\"}} {}\n",
                               faults::to_string(s), s == current ? 1 : 0);
        }
    }
    api_response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = std::move(out);
    return r;
}

} // namespace mock::control
