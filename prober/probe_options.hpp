#pragma once

#include "smtp/phase.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace prober {

/// Which address family the probe may connect over (-4 / -6).
enum class address_family {
    any, ///< whatever the name resolves to, in resolver order
    v4,  ///< IPv4 only
    v6,  ///< IPv6 only
};

/// Credentials for AUTH (RFC 4954).
struct auth_credentials {
    /// The authentication identity.
    std::string user;
    /// The password.
    std::string password;

    /// Member-wise equality.
    friend bool operator==(const auth_credentials&, const auth_credentials&) = default;
};

/// The mailbox of a round-trip check, parsed from `--verify URL`.
struct verify_spec {
    /// "pop3", "pop3s", "imap" or "imaps".
    std::string scheme;
    /// The mailbox user.
    std::string user;
    /// The mailbox password.
    std::string password;
    /// The mail server host.
    std::string host;
    /// The port; the scheme's default when the URL names none.
    std::uint16_t port = 0;
    /// The URL as given, with the password masked, for reports.
    std::string display;
    /// The URL as given (it holds the password; never print it).
    std::string url;
    /// CA certificates trusted besides the system store (pop3s, imaps): the probe's --ca-file.
    std::string ca_file;
    /// The DNS server `host` is looked up at (the probe's --dns-server); empty: the system's.
    std::string dns_server;

    /// Member-wise equality.
    friend bool operator==(const verify_spec&, const verify_spec&) = default;
};

/// Everything one probe of one target needs. Plain data with defaults; parsed once at the edge
/// through the probe options table (prober/probe_options_table.hpp: the command line, watch
/// targets, exporter modules), or built in process by the harness.
struct probe_options {
    /// The host name or address literal to probe; with `mx`, the mail domain.
    std::string host;
    /// `host` is a mail domain: probe its mail exchanger, found as a sender finds it (its MX
    /// records, else its own address; RFC 5321 §5.1), on `port`.
    bool mx = false;
    /// The TCP port; 0 means 25, or 465 with implicit TLS.
    std::uint16_t port = 0;

    /// The hard total deadline of the SMTP session (-t): the probe never runs past it.
    std::chrono::milliseconds timeout{10'000};
    /// The deadline of the TCP connect, within the total deadline.
    std::chrono::milliseconds connect_timeout{10'000};
    /// The deadline of each command and its reply (and of the banner and TLS handshake).
    std::chrono::milliseconds command_timeout{10'000};

    /// The name sent with EHLO/HELO; empty means the local host name.
    std::string helo_name;
    /// Issue STARTTLS after EHLO and require it (RFC 3207).
    bool starttls = false;
    /// Start TLS at connect time (implicit TLS, RFC 8314 §3.3).
    bool implicit_tls = false;
    /// Skip certificate verification (the certificate is still reported).
    bool insecure = false;
    /// A PEM file of trusted CA certificates, in addition to the system store.
    std::string ca_file;
    /// The name sent as SNI and checked against the certificate; empty means `host`.
    std::string tls_server_name;
    /// WARNING when the certificate expires within this many days.
    std::optional<int> cert_warn_days;
    /// CRITICAL when the certificate expires within this many days.
    std::optional<int> cert_crit_days;

    /// Authenticate with these credentials (AUTH PLAIN, else LOGIN).
    std::optional<auth_credentials> auth;
    /// Send a test message (MAIL, RCPT, DATA).
    bool send = false;
    /// The reverse-path of the test message; empty means "smtp-probe@" + the HELO name.
    std::string mail_from;
    /// The recipients of the test message; empty means "postmaster@" + `host`.
    std::vector<std::string> rcpt_to;
    /// Stop with QUIT once this phase has succeeded.
    std::optional<smtp::phase> quit_after;

    /// An ECMAScript regular expression the banner text must match (searched, not anchored).
    std::string expect_banner;
    /// A total response time over this is `slow`, WARNING.
    std::optional<std::chrono::milliseconds> warning;
    /// A total response time over this is `slow`, CRITICAL.
    std::optional<std::chrono::milliseconds> critical;
    /// Report 4xx replies (temp_failure) as WARNING instead of CRITICAL.
    bool temp_failure_warning = false;

    /// Check delivery by fetching the test message from this mailbox after the send.
    std::optional<verify_spec> verify;
    /// How long to wait for the round-trip message; counted after the SMTP session.
    std::chrono::milliseconds verify_timeout{60'000};
    /// A delivery latency over this is `slow` at phase verify, WARNING.
    std::optional<std::chrono::milliseconds> delivery_warning;
    /// A delivery latency over this is `slow` at phase verify, CRITICAL.
    std::optional<std::chrono::milliseconds> delivery_critical;

    /// The address family to connect over.
    address_family family = address_family::any;
    /// Bind the local end of the connection to this address.
    std::string source_address;
    /// The DNS server of every lookup, "ADDR:PORT" or "[IPV6]:PORT" with a literal address;
    /// empty: the servers of /etc/resolv.conf (and /etc/hosts).
    std::string dns_server;
    /// DNS blocklist zones (RFC 5782) to look the server's address up on, after the session.
    std::vector<std::string> dnsbl;

    /// The longest reply line accepted, in octets including CRLF. RFC 5321 §4.5.3.1.5 says 512;
    /// raise it for servers known to send longer lines.
    std::size_t max_reply_line = 512;

    /// Member-wise equality.
    friend bool operator==(const probe_options&, const probe_options&) = default;

    /// The effective port: `port`, or the default for the TLS mode.
    std::uint16_t effective_port() const noexcept
    {
        return port != 0 ? port : (implicit_tls ? 465 : 25);
    }
};

} // namespace prober
