#pragma once

// The bodies of the console's Learn endpoints, parsed and checked without I/O:
//   POST /api/v1/learn/probe  {"connections": N}
//       runs the built-in probe N times in a row against this mock, with the probe options
//       the scenario in force asks for;
//   POST /api/v1/learn/talk   {"lines": ["EHLO me", ...], "reply_timeout_ms": 3000}
//       sends the lines typed in the browser to a fresh connection and returns the replies.
// The I/O side is learn_endpoints.hpp.

#include "mockserver/control/api_message.hpp"

#include <chrono>
#include <string>
#include <variant>
#include <vector>

namespace mock::control {

/// The path of the Learn view's probe run.
inline constexpr std::string_view learn_probe_path = "/api/v1/learn/probe";
/// The path of the Learn view's SMTP prompt.
inline constexpr std::string_view learn_talk_path = "/api/v1/learn/talk";

/// Most connections one probe run makes (each lasts up to the probe's deadline).
inline constexpr int max_learn_connections = 10;
/// Most lines one prompt run sends.
inline constexpr std::size_t max_talk_lines = 100;

/// POST /api/v1/learn/probe.
struct learn_probe_request {
    /// How many connections in a row, 1 to max_learn_connections: faults that depend on the
    /// connection's ordinal (flapping, first attempts) unfold over several.
    int connections = 1;
};

/// POST /api/v1/learn/talk.
struct learn_talk_request {
    /// The lines to send, without CRLF, in order; inside a message (after 354) they are its
    /// content, up to a line holding a single dot.
    std::vector<std::string> lines;
    /// How long to wait for each reply before noting the server is silent and going on.
    std::chrono::milliseconds reply_timeout{3000};
};

/// The request, or the 400 response saying what is wrong with its body and where. An empty
/// body asks for one connection.
std::variant<learn_probe_request, api_response> parse_learn_probe(const api_request& request);

/// The request, or the 400 response saying what is wrong with its body and where.
std::variant<learn_talk_request, api_response> parse_learn_talk(const api_request& request);

} // namespace mock::control
