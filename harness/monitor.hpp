#pragma once

// The monitor adapters behind --monitor SPEC: each runs one monitor against one mock and
// reports an observation. Implementations: builtin_monitor.hpp, command_monitor.hpp,
// http_monitor.hpp; make_monitor.hpp picks one for a SPEC.

#include "faults/scenario.hpp"
#include "harness/monitor_spec.hpp"
#include "harness/observation.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

namespace harness {

/// The name the mock's generated certificates carry unless `run --tls-name` says otherwise.
inline constexpr std::string_view mock_tls_name = "localhost";

/// Where the monitor must look, and what it may need to get in.
struct monitor_target {
    /// The scenario in force on the mock (its probe hints drive the built-in probe).
    const faults::scenario* scenario = nullptr;
    /// The mock's address, "127.0.0.1".
    std::string host;
    /// The mock's SMTP port.
    std::uint16_t port = 0;
    /// The mock's implicit-TLS port, or 0.
    std::uint16_t tls_port = 0;
    /// The mock's POP3 port, when it serves a mailbox (the scenario's probe hint `verify`, or a
    /// monitor template that names it), or 0.
    std::uint16_t pop3_port = 0;
    /// The mock's IMAP port, with the POP3 one, or 0.
    std::uint16_t imap_port = 0;
    /// The port of the mock's DNS server (UDP and TCP), when the scenario's probe hint `dnsbl`
    /// asks for one, or 0.
    std::uint16_t dns_port = 0;
    /// The mail domain the mock's DNS server answers for (MX to the mock), "mock.test".
    std::string mail_domain = "mock.test";
    /// A PEM file with the CAs that sign the mock's good certificate (and its faulty ones, but
    /// the self-signed one), to trust only those.
    std::filesystem::path ca_file;
    /// A PEM file with the certificate chain the mock presents when TLS has no fault.
    std::filesystem::path cert_file;
    /// The name that certificate carries (the generated ones also name 127.0.0.1).
    std::string tls_name = std::string(mock_tls_name);
};

/// Credentials the mock knows, for scenarios whose probe hints say `auth`, and the mailbox a
/// round trip reads.
struct harness_credentials {
    std::string user = "harness";              ///< the AUTH user, and the mailbox's
    std::string password = "harness-password"; ///< their password

    /// The address whose mail the mock files in the user's mailbox.
    std::string address() const { return user + "@localhost"; }
};

/// The placeholder values for `target`: {host}, {port}, {scenario}, {ca_file}, {cert_file},
/// {tls_name}, {dns_port}, {domain}, and with a mailbox {pop3_port}, {imap_port}, {mailbox_user},
/// {mailbox_password} and {mail_to} (from `credentials`).
placeholder_values target_values(const monitor_target& target,
                                 const harness_credentials& credentials);

/// Runs one kind of monitor. Implementations are safe to call from several threads at once.
class monitor {
public:
    virtual ~monitor() = default;

    /// Runs the monitor against `target` and reports what it said. Never throws: failures to
    /// run come back as an observation without status and with `error` set.
    virtual observation observe(const monitor_target& target) const = 0;

    /// Whether the monitor names failure kinds and phases the way scenarios do (only the
    /// built-in probe), so that verdicts hold it to the scenario's own kind and phase too.
    virtual bool names_kinds() const noexcept { return false; }
};

} // namespace harness
