#pragma once

// The mailbox the round trip polls, as given by `--verify URL`. No I/O.

#include <boost/system/result.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace verify {

/// The mailbox to poll, as given by `--verify URL`.
struct verify_target {
    /// The access protocol; the `s` variants use implicit TLS from the first byte.
    enum class protocol {
        pop3,  ///< POP3 (RFC 1939), default port 110
        pop3s, ///< POP3 over implicit TLS (RFC 8314), default port 995
        imap,  ///< IMAP4rev1 (RFC 3501), default port 143
        imaps, ///< IMAP4rev1 over implicit TLS (RFC 8314), default port 993
    };

    protocol proto = protocol::pop3; ///< how to talk to the mailbox
    std::string user;                ///< login name, percent-decoded
    std::string password;            ///< password, percent-decoded
    std::string host;                ///< host name or address (IPv6 without brackets)
    std::uint16_t port = 0;          ///< TCP port; the protocol's default when the URL has none
    bool insecure = false;           ///< with pop3s/imaps, skip certificate verification
    std::string ca_file;             ///< PEM CA certificates trusted besides the system store
};

/// The URL scheme of a protocol: "pop3", "pop3s", "imap" or "imaps".
std::string_view to_string(verify_target::protocol p) noexcept;

/// The port a protocol uses when the URL names none: 110, 995, 143 or 993.
std::uint16_t default_port(verify_target::protocol p) noexcept;

/// Whether the protocol starts TLS right after connecting.
bool uses_tls(verify_target::protocol p) noexcept;

/// Parses `pop3://USER:PASS@HOST[:PORT]`, `pop3s://`, `imap://` or `imaps://`.
/// User and password are percent-decoded (write `@` as `%40`); a query `?insecure` (or
/// `?insecure=1`) sets `insecure`. Fails with one of the verify_errc::url_* codes, whose
/// message says what is wrong; the URL itself is not repeated (it holds a password).
boost::system::result<verify_target> parse_verify_url(std::string_view url);

} // namespace verify
