#pragma once

// The server's fault_source over the live fault controller: each new SMTP session gets an
// engine session holding the rule snapshot in force when it connected.

#include "faults/controller.hpp"
#include "faults/scenario.hpp"
#include "mockserver/fault_source.hpp"

namespace mock::control {

/// The server's listener mode for a scenario's listener state.
listener_mode to_listener_mode(faults::listener_state s) noexcept;

/// A fault_source answering from a faults::controller, which must outlive it.
class controller_fault_source final : public fault_source {
public:
    explicit controller_fault_source(faults::controller& controller) noexcept
        : controller_(controller)
    {
    }

    std::unique_ptr<faults::session_decider>
    open_session(std::uint64_t session_id, const std::string& peer_address,
                 std::chrono::steady_clock::time_point now) override;

    std::unique_ptr<faults::session_decider>
    open_mailbox_session(const std::string& peer_address,
                         std::chrono::steady_clock::time_point now) override;

private:
    faults::controller& controller_;
};

} // namespace mock::control
