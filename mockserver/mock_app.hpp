#pragma once

#include "faults/scenario.hpp"
#include "mockserver/event_hub.hpp"
#include "mockserver/message_store.hpp"
#include "mockserver/server.hpp"
#include "mockserver/server_options.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace faults {
class controller;
}

namespace mock {

class dns_server;
class scenario_ports;
class maildir_writer;
class user_table;
namespace control {
class controller_fault_source;
class http_server;
struct api_state;
} // namespace control
namespace pop3 {
class store_maildrop;
class delivered_maildrop;
class pop3_server;
} // namespace pop3
namespace imap {
class store_mailbox;
class imap_server;
} // namespace imap

/// Where a started mock listens, with the ephemeral ports it picked.
struct mock_endpoints {
    /// The SMTP listeners (--listen).
    std::vector<boost::asio::ip::tcp::endpoint> smtp;
    /// The implicit-TLS listeners (--listen-tls).
    std::vector<boost::asio::ip::tcp::endpoint> smtp_tls;
    /// The POP3 listener, when there is one.
    std::optional<boost::asio::ip::tcp::endpoint> pop3;
    /// The IMAP listener, when there is one.
    std::optional<boost::asio::ip::tcp::endpoint> imap;
    /// The implicit-TLS IMAP listener, when there is one.
    std::optional<boost::asio::ip::tcp::endpoint> imaps;
    /// The control API, when there is one.
    std::optional<boost::asio::ip::tcp::endpoint> control;
    /// The DNS server (UDP and TCP on the same port), when there is one.
    std::optional<boost::asio::ip::tcp::endpoint> dns;
    /// The scenario listeners (--scenario-ports), in port order.
    std::vector<boost::asio::ip::tcp::endpoint> scenario_ports;
};

/// What a program that embeds a mock sets beyond the command-line options.
struct embedding {
    /// The scenario to start with, in place of the file `server_options::scenario` names.
    std::optional<faults::scenario> scenario;
    /// Write the log lines (start, scenario, stop) to stderr, as smtp-mock does.
    bool log = true;
};

/// The options of a mock embedded in another program: SMTP on 127.0.0.1 with an ephemeral port,
/// one worker thread, no control API, no POP3 and no IMAP; set more before constructing the
/// mock_app.
server_options embedded_options();

/// The whole of smtp-mock as one object: the message store, the fault engine, the SMTP server,
/// the control API, POP3 and IMAP, wired together from the options. smtp-mock's main() runs one;
/// the harness and `smtp-harness alerts` embed one per mock, through this same class:
///
///   auto o = mock::embedded_options();
///   mock::mock_app app(o, {.scenario = s, .log = false});
///   app.start();
///   auto smtp = app.endpoints().smtp.at(0);   // 127.0.0.1 and the port it picked
///   app.set_scenario(next);                   // as PUT /api/v1/scenario
class mock_app {
public:
    /// Loads everything the options name (scenario, users, certificates, store). Throws
    /// std::runtime_error with a message naming the bad option or file.
    explicit mock_app(const server_options& options, embedding how = {});
    ~mock_app();
    mock_app(const mock_app&) = delete;
    mock_app& operator=(const mock_app&) = delete;

    /// Binds every listener and starts serving.
    void start();
    /// Graceful stop: stop accepting, let sessions finish, flush the store.
    void stop();

    /// Where it listens (after start()).
    mock_endpoints endpoints() const;
    /// How many messages its DNS server (--dns) has received; 0 without one.
    std::uint64_t dns_queries() const noexcept;
    /// How many connections its POP3 and IMAP services have accepted; 0 without them.
    std::uint64_t mailbox_connections() const noexcept;

    /// The JSON ready line naming every bound address.
    std::string ready_line() const;

    /// Puts a scenario in force, rules and listener state, as `PUT /api/v1/scenario` does:
    /// sessions already open keep the scenario they started with.
    void set_scenario(faults::scenario s);

    /// Opens or closes the POP3 and IMAP listeners (`mailbox_listener`, PUT /api/v1/listener's
    /// "mailbox"): closed, connecting to them is refused while SMTP goes on. Throws
    /// std::invalid_argument for a black hole, which they do not have.
    void set_mailbox_listener(listener_mode mode);

    /// Writes one log line to stderr in the configured format (unless the embedding said not to).
    void log(const std::string& message) const;

    /// The SMTP server.
    server& smtp() noexcept { return *server_; }
    /// The captured messages.
    message_store& store() noexcept { return *store_; }
    /// The live fault controller.
    faults::controller& faults() noexcept { return *controller_; }
    /// The seed of the fault engine (the one picked when --seed was 0).
    std::uint64_t seed() const noexcept { return seed_; }

private:
    server_options options_;
    bool log_ = true;
    std::uint64_t seed_ = 0;
    event_hub events_; // first: every session record may point to it
    std::unique_ptr<maildir_writer> maildir_;
    std::unique_ptr<message_store> store_;
    std::unique_ptr<faults::controller> controller_;
    std::unique_ptr<control::controller_fault_source> fault_source_;
    std::unique_ptr<scenario_ports> scenario_ports_; // before server_: its sessions use them
    std::unique_ptr<server> server_;
    std::unique_ptr<user_table> users_;
    std::unique_ptr<control::api_state> api_state_;
    std::unique_ptr<control::http_server> control_;
    std::unique_ptr<pop3::store_maildrop> maildrop_;
    std::unique_ptr<pop3::delivered_maildrop> delivered_; // POP3's view: delivery faults
    std::unique_ptr<pop3::pop3_server> pop3_;
    std::unique_ptr<imap::store_mailbox> mailboxes_;
    std::unique_ptr<imap::imap_server> imap_;
    std::unique_ptr<imap::imap_server> imaps_;

    void make_mailbox_services();
    std::unique_ptr<dns_server> dns_;
};

} // namespace mock
