#pragma once

// I/O file: the IMAP listeners (`--imap ADDR:PORT`, and `--imaps ADDR:PORT` with TLS from the
// first byte, RFC 8314). Each runs on its own io_context and thread; one thin coroutine per
// connection drives an imap_session and makes no protocol decision of its own.

#include "io/tcp_service.hpp"
#include "mockserver/fault_source.hpp"
#include "mockserver/imap/imap_session.hpp"
#include "mockserver/imap/mailbox.hpp"

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

namespace mock::imap {

/// One IMAP listener.
class imap_server {
public:
    /// `address` is "ADDR:PORT"; `mailboxes` must outlive the server. `tls` is the context of
    /// STARTTLS (config.tls_available must say whether there is one) and, when `implicit_tls`,
    /// of the handshake every connection starts with. `what` names the listener in errors
    /// ("--imap", "--imaps"). Throws std::runtime_error when the address does not parse or
    /// implicit TLS has no context. `faults`, when given, must outlive the server: each
    /// session asks it at phase verify.
    imap_server(std::string what, const std::string& address, mailbox_source& mailboxes,
                session_config config, std::shared_ptr<boost::asio::ssl::context> tls,
                bool implicit_tls, fault_source* faults = nullptr);
    /// Binds and starts the thread. Throws std::system_error naming the address on failure.
    void start();
    /// Says BYE to every session, closes them and joins the thread. Idempotent.
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
    std::shared_ptr<boost::asio::ssl::context> tls_;
    bool implicit_tls_ = false;
    fault_source* faults_ = nullptr;
    io::tcp_service service_;
};

} // namespace mock::imap
