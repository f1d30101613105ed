#include "mockserver/control/controller_fault_source.hpp"

namespace mock::control {

listener_mode to_listener_mode(faults::listener_state s) noexcept
{
    switch (s) {
    case faults::listener_state::open:
        return listener_mode::open;
    case faults::listener_state::closed:
        return listener_mode::closed;
    case faults::listener_state::blackhole:
        return listener_mode::blackhole;
    }
    return listener_mode::open;
}

std::unique_ptr<faults::session_decider>
controller_fault_source::open_session(std::uint64_t session_id, const std::string& peer_address,
                                      std::chrono::steady_clock::time_point now)
{
    return controller_.open_session(session_id, peer_address, now);
}

std::unique_ptr<faults::session_decider>
controller_fault_source::open_mailbox_session(const std::string& peer_address,
                                              std::chrono::steady_clock::time_point now)
{
    return controller_.open_mailbox_session(peer_address, now);
}

} // namespace mock::control
