#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace mock {

/// Everything smtp-mock is told on its command line, with the defaults.
struct server_options {
    /// SMTP listeners, "ADDR:PORT"; port 0 is ephemeral.
    std::vector<std::string> listen{"127.0.0.1:2525"};
    /// Implicit-TLS listeners (SMTPS, RFC 8314), "ADDR:PORT".
    std::vector<std::string> listen_tls;
    /// The control API listener, "ADDR:PORT"; empty disables the API.
    std::string control = "127.0.0.1:8025";
    /// Bearer token the control API requires; needed to bind it beyond loopback.
    std::string control_token;
    /// Names the control API may be reached by (its Host header), besides its address and
    /// localhost.
    std::vector<std::string> control_hosts;
    /// The POP3 listener, "ADDR:PORT"; empty disables POP3.
    std::string pop3;
    /// The IMAP listener, "ADDR:PORT"; empty disables it.
    std::string imap;
    /// The implicit-TLS IMAP listener (IMAPS, RFC 8314), "ADDR:PORT"; empty disables it.
    std::string imaps;
    /// The DNS server, "ADDR:PORT" for both UDP and TCP; empty disables it.
    std::string dns;
    /// The mail domain the DNS server answers for: MX 10 `hostname` (mx.`dns_domain` when the
    /// hostname is localhost, a name resolvers never ask DNS for).
    std::string dns_domain = "mock.test";
    /// The blocklist zones the DNS server answers for (RFC 5782).
    std::vector<std::string> dnsbl_zones{"dnsbl.mock.test"};
    /// The name in the banner and replies.
    std::string hostname = "localhost";
    /// PEM certificate chain; a certificate is generated at startup when not given.
    std::optional<std::filesystem::path> tls_cert;
    /// PEM private key for tls_cert.
    std::optional<std::filesystem::path> tls_key;
    /// Turn TLS (STARTTLS and --listen-tls) off entirely.
    bool no_tls = false;
    /// Write the CA certificate that signs generated certificates to this file.
    std::optional<std::filesystem::path> write_ca;
    /// Write the certificate chain a handshake without a fault presents to this file.
    std::optional<std::filesystem::path> write_cert;
    /// `user:password` lines for AUTH, POP3 and IMAP.
    std::optional<std::filesystem::path> users;
    /// MAIL needs AUTH first (530 5.7.0).
    bool require_auth = false;
    /// AUTH is offered only after STARTTLS.
    bool auth_requires_tls = false;
    /// "memory" or "maildir:DIR".
    std::string store = "memory";
    /// A scenario file loaded at startup.
    std::optional<std::filesystem::path> scenario;
    /// --scenario-ports BASE: a listener per scenario on BASE, BASE+1, ... (0: ephemeral ports),
    /// each with its scenario fixed; unset: none.
    std::optional<std::uint16_t> scenario_ports;
    /// The scenarios of --scenario-ports, in port order: catalog names or scenario files; empty
    /// means the whole compiled-in catalog, sorted by name.
    std::vector<std::string> port_scenarios;
    /// --scenario-ports-file FILE: the scenario listeners from a file mapping each port to its
    /// scenario (see parse_port_map); instead of --scenario-ports.
    std::optional<std::filesystem::path> scenario_ports_file;
    /// Connections beyond this get 421 and are closed; 0 is unlimited.
    std::size_t max_connections = 0;
    /// Largest message accepted, in octets (advertised as SIZE); 0 is unlimited.
    std::uint64_t max_message_size = 10 * 1024 * 1024;
    /// Seed of the fault engine's random draws; 0 picks one and reports it.
    std::uint64_t seed = 0;
    /// Worker threads, each running its own io_context.
    unsigned threads = 1;
    /// Listen backlog (at least 1024 is advised).
    int backlog = 4096;
    /// How long a client may stay silent before 421 and close.
    std::chrono::milliseconds idle_timeout{std::chrono::minutes(5)};
    /// How long one command line may take to arrive once the server waits for it (RFC 5321
    /// §4.5.3.2.7: at least 5 minutes), so that a client sending a byte at a time cannot hold a
    /// session forever.
    std::chrono::milliseconds command_timeout{std::chrono::minutes(5)};
    /// On SIGTERM, how long sessions get to finish.
    std::chrono::milliseconds grace{std::chrono::seconds(5)};
    /// Session records kept for the API.
    std::size_t session_history = 10000;
    /// "text" or "json" log lines on stderr.
    std::string log = "text";
};

} // namespace mock
