#pragma once

// A session as the mock recorded it, as plain data: for explain's timeline and the reports'
// transcripts.

#include <cstdint>
#include <string>
#include <vector>

namespace harness {

/// One line of a session the mock recorded: milliseconds since it accepted the connection,
/// the direction ("S" the server sent, "C" the client sent, "event") and the text.
struct recorded_line {
    double t_ms = 0;
    std::string dir;
    std::string text;
};

/// One session the mock recorded.
struct recorded_session {
    std::uint64_t id = 0;             ///< the mock's session id
    std::string peer;                 ///< the client's address and port
    std::string outcome;              ///< how it ended ("quit", "client_closed", ...)
    std::vector<recorded_line> lines; ///< the transcript, fired fault rules as events
};

} // namespace harness
