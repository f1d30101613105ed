#include "mockserver/control/events_socket.hpp"

#include "io/http_target.hpp"
#include "io/websocket_feed.hpp"
#include "mockserver/control/api_error.hpp"
#include "mockserver/control/endpoints.hpp"

#include "json/json_text.hpp"

namespace mock::control {

namespace {

// One client's events: its subscription, and the counters on each tick. Batched (`?batch=lines`),
// what was taken at once goes as one message, one event per line.
class event_source final : public io::ws::feed_source {
public:
    event_source(std::unique_ptr<event_subscription> subscription, const api_state& state,
                 bool batched)
        : subscription_(std::move(subscription))
        , state_(state)
        , batched_(batched)
    {
    }

    std::vector<std::string> take() override
    {
        if (!batched_) {
            return subscription_->take();
        }
        // The queue is already one event per line: it goes as it is, less its last line feed.
        auto lines = subscription_->take_lines();
        if (lines.empty()) {
            return {};
        }
        lines.pop_back();
        std::vector<std::string> out;
        out.push_back(std::move(lines));
        return out;
    }

    std::optional<std::string> tick() override
    {
        return json_text::serialize(
            boost::json::object{{"type", "counters"}, {"counters", stats_json(state_)}});
    }

private:
    std::unique_ptr<event_subscription> subscription_;
    const api_state& state_;
    const bool batched_;
};

} // namespace

api_response open_events(const api_request& request, const api_state& state)
{
    if (state.events == nullptr) {
        return make_error(api_error::not_implemented, "live events are not served here");
    }
    if (!io::ws::is_upgrade(request)) {
        return make_error(http_error::bad_request,
                          "GET /api/v1/events is a WebSocket: the request needs 'Upgrade: "
                          "websocket' and 'Connection: Upgrade' (RFC 6455 section 4.1)",
                          "Upgrade");
    }
    bool batched = false;
    if (const auto target = io::http::parse_request_target(request.target)) {
        if (auto batch = target->query.find("batch"); batch != target->query.end()) {
            if (batch->second != "lines") {
                return make_error(http_error::invalid_query,
                                  "batch must be 'lines' (several events per message, one per "
                                  "line)",
                                  "batch");
            }
            batched = true;
        }
    }
    io::ws::feed_config config;
    config.server_name = "smtp-mock";
    // Busy SMTP traffic makes tens of events per session: sending them in batches a few
    // milliseconds apart costs the mock far less than waking for each, and a person watching
    // sees no difference.
    config.gather = std::chrono::milliseconds(10);
    api_response r;
    r.takeover = io::ws::make_feed(
        [&state, batched](std::function<void()> wake) -> std::unique_ptr<io::ws::feed_source> {
            return std::make_unique<event_source>(state.events->subscribe(std::move(wake)), state,
                                                  batched);
        },
        std::move(config));
    return r;
}

} // namespace mock::control
