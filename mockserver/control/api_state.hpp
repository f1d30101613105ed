#pragma once

// Everything the control API reads and drives, handed to the router as plain references and
// callbacks so that routing stays a pure function, testable without sockets or threads.

#include "mockserver/control/api_message.hpp"
#include "mockserver/event_hub.hpp"
#include "mockserver/fault_source.hpp"
#include "mockserver/message_store.hpp"
#include "mockserver/server_context.hpp"
#include "mockserver/session_registry.hpp"

#include <atomic>
#include <boost/json/array.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace faults {
class controller;
}

namespace mock::control {

/// What the router works on. Every pointer must outlive the router's use of it.
struct api_state {
    /// Session records (GET /api/v1/sessions).
    const session_registry* sessions = nullptr;
    /// Captured messages (GET/DELETE /api/v1/messages).
    message_store* store = nullptr;
    /// Live server counters (stats and metrics).
    const server_counters* counters = nullptr;
    /// The live fault controller; null makes the fault endpoints answer 501.
    faults::controller* faults = nullptr;
    /// Applies a listener state to the SMTP listeners; null makes PUT /listener answer 501.
    std::function<void(listener_mode)> set_listener;
    /// Opens or closes the mailbox listeners (POP3, IMAP), never `blackhole`; null: there are
    /// none to change, and the state is only recorded.
    std::function<void(listener_mode)> set_mailbox_listener;
    /// Live events: changes made through the API are published here; null publishes nothing.
    event_hub* events = nullptr;
    /// Answers GET /api/v1/events (the WebSocket upgrade, an I/O matter); null makes it 501.
    std::function<api_response(const api_request&)> open_events;
    /// The scenario listeners for GET /api/v1/ports; null: there are none.
    std::function<boost::json::array()> ports;
    /// The bearer token every request must carry; empty means none is needed.
    std::string token;
    /// The program version reported by /health.
    std::string version;
    /// The fault engine's seed, reported by /health.
    std::uint64_t seed = 0;
    /// When the mock started (uptime origin).
    std::chrono::steady_clock::time_point started_at{};
    /// Sessions with an id up to this one were forgotten (DELETE /api/v1/sessions, POST
    /// /api/v1/reset): they are no longer listed or found.
    std::atomic<std::uint64_t> sessions_forgotten{0};
    /// The clock; injectable for tests. steady_clock::now when empty.
    std::function<std::chrono::steady_clock::time_point()> now;
};

} // namespace mock::control
