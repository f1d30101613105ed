#pragma once

// I/O file: GET /api/v1/events, the live events of the mock over a WebSocket (io/websocket_feed).
// Each client subscribes to the mock's event_hub with a queue of its own; every second it also
// gets a `counters` event (the body of GET /api/v1/stats), built on the control API's thread.

#include "mockserver/control/api_state.hpp"

namespace mock::control {

/// Answers GET /api/v1/events: the WebSocket upgrade, or 400 when the request is not one.
/// With `?batch=lines` each message holds the events taken at once, one per line.
api_response open_events(const api_request& request, const api_state& state);

} // namespace mock::control
