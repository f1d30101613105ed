#pragma once

// I/O file: the POP3 listener (`--pop3 ADDR:PORT`). It runs on its own io_context and thread;
// one thin coroutine per connection drives a pop3_session.

#include "io/tcp_service.hpp"
#include "mockserver/fault_source.hpp"
#include "mockserver/pop3/maildrop.hpp"
#include "mockserver/pop3/pop3_session.hpp"

#include <memory>
#include <string>

namespace mock::pop3 {

/// The POP3 listener.
class pop3_server {
public:
    /// `address` is "ADDR:PORT"; `maildrops` must outlive the server, and so must `faults`
    /// when given (each session asks it at phase verify). Throws std::runtime_error when the
    /// address does not parse.
    pop3_server(const std::string& address, maildrop_source& maildrops, session_config config,
                fault_source* faults = nullptr);
    /// Binds and starts the thread. Throws std::system_error naming the address on failure.
    void start();
    /// Closes the listener and every session, then joins the thread. Idempotent.
    void stop();

    /// Opens or closes the listener (closed: connecting is refused, as when the service is
    /// down); sessions in progress go on. Before start(), the state it starts in.
    void set_listening(bool listening);

    /// Connections accepted since the start.
    std::uint64_t connections() const noexcept { return service_.accepted(); }

    /// The bound endpoint (after start(): with the ephemeral port picked).
    boost::asio::ip::tcp::endpoint endpoint() const;

private:
    session_config config_;
    io::tcp_service service_;
};

} // namespace mock::pop3
