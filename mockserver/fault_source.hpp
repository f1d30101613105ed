#pragma once

#include "faults/action.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace mock {

/// The state of the SMTP listeners, set by a scenario or PUT /api/v1/listener.
enum class listener_mode {
    open,      ///< accept connections
    closed,    ///< nothing listens: clients get "connection refused"
    blackhole, ///< a listener whose queue is full: clients' connect() times out
};

/// Where the server gets its faults from: a decider for each new session, and the listener
/// state. Implemented over the fault engine; null means a healthy server.
class fault_source {
public:
    virtual ~fault_source() = default;

    /// A decider for a new session. `peer_address` is the client's IP address as text.
    virtual std::unique_ptr<faults::session_decider>
    open_session(std::uint64_t session_id, const std::string& peer_address,
                 std::chrono::steady_clock::time_point now) = 0;

    /// A decider for a new POP3 or IMAP session, asked at phase verify with the mailbox
    /// command as the verb. `peer_address` is the client's IP address as text.
    virtual std::unique_ptr<faults::session_decider>
    open_mailbox_session(const std::string& peer_address,
                         std::chrono::steady_clock::time_point now) = 0;
};

} // namespace mock
