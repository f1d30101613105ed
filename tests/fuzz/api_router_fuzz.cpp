// Fuzzes the control API router: arbitrary methods, targets and bodies always get a response
// with a valid status, never an exception.
#include "faults/controller.hpp"
#include "mockserver/control/router.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const char* methods[] = {"GET", "PUT", "POST", "DELETE", "PATCH"};
    static const char* paths[] = {"/api/v1/health",   "/api/v1/scenario", "/api/v1/rules",
                                  "/api/v1/rules/r1", "/api/v1/listener", "/api/v1/sessions",
                                  "/api/v1/sessions/1", "/api/v1/messages", "/api/v1/messages/1/raw",
                                  "/api/v1/stats",    "/metrics"};
    if (size < 2) {
        return 0;
    }
    mock::session_registry sessions(16);
    mock::message_store store;
    mock::server_counters counters;
    faults::controller controller(faults::healthy_scenario(), 1, std::chrono::steady_clock::now());
    mock::control::api_state state;
    state.sessions = &sessions;
    state.store = &store;
    state.counters = &counters;
    state.faults = &controller;
    state.set_listener = [](mock::listener_mode) {};

    std::string_view rest(reinterpret_cast<const char*>(data) + 2, size - 2);
    auto split = rest.find('\n');
    mock::control::api_request request;
    request.method = methods[data[0] % 5];
    if (data[1] & 0x80) {
        // A target from the input itself, for the query and path parsers.
        request.target = std::string(rest.substr(0, split));
    } else {
        request.target = paths[data[1] % (sizeof paths / sizeof *paths)];
    }
    request.body = split == std::string_view::npos ? "" : std::string(rest.substr(split + 1));
    auto response = mock::control::route(request, state);
    if (response.status < 200 || response.status > 599) {
        std::abort();
    }
    return 0;
}
