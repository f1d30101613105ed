#include "mockserver/control/events_socket.hpp"

#include "io/websocket_feed.hpp"
#include "mockserver/control/api_error.hpp"
#include "mockserver/control/endpoints.hpp"

#include "json/json_text.hpp"

namespace mock::control {

namespace {

// One client's events: its subscription, and the counters on each tick.
class event_source final : public io::ws::feed_source {
public:
    event_source(std::unique_ptr<event_subscription> subscription, const api_state& state)
        : subscription_(std::move(subscription))
        , state_(state)
    {
    }

    std::vector<std::string> take() override { return subscription_->take(); }

    std::optional<std::string> tick() override
    {
        return json_text::serialize(
            boost::json::object{{"type", "counters"}, {"counters", stats_json(state_)}});
    }

private:
    std::unique_ptr<event_subscription> subscription_;
    const api_state& state_;
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
    io::ws::feed_config config;
    config.server_name = "smtp-mock";
    api_response r;
    r.takeover = io::ws::make_feed(
        [&state](std::function<void()> wake) -> std::unique_ptr<io::ws::feed_source> {
            return std::make_unique<event_source>(state.events->subscribe(std::move(wake)), state);
        },
        std::move(config));
    return r;
}

} // namespace mock::control
