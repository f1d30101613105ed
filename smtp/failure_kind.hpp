#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace smtp {

/// The closed set of ways a monitored SMTP service can fail.
/// A failure is always a kind *at* a phase.
enum class failure_kind {
    dns_error,          ///< the host name did not resolve
    refused,            ///< the TCP connection was refused
    unreachable,        ///< no route to the host or network
    timeout,            ///< no complete reply within the deadline
    closed,             ///< the server closed the connection before a complete reply
    reset,              ///< the connection was reset
    temp_failure,       ///< a 4xx reply
    perm_failure,       ///< a 5xx reply
    unexpected_reply,   ///< a well-formed reply with the wrong code, or a banner not as expected
    protocol_error,     ///< a malformed reply: bad code, broken multi-line, over-long line
    tls_error,          ///< the TLS handshake or certificate check failed
    capability_missing, ///< a required extension was not advertised
    blocklisted,        ///< a rejection whose text names a DNS blocklist
    slow,               ///< succeeded, but over a response-time threshold
    cert_expiring,      ///< the certificate expires within the warning days
    not_delivered,      ///< the round-trip message never arrived
    duplicated,         ///< the round-trip message arrived more than once
    altered,            ///< the round-trip message arrived with a changed subject or body
};

/// Every failure kind, in declaration order.
inline constexpr std::array all_failure_kinds{
    failure_kind::dns_error,      failure_kind::refused,      failure_kind::unreachable,
    failure_kind::timeout,        failure_kind::closed,       failure_kind::reset,
    failure_kind::temp_failure,   failure_kind::perm_failure, failure_kind::unexpected_reply,
    failure_kind::protocol_error, failure_kind::tls_error,    failure_kind::capability_missing,
    failure_kind::blocklisted,    failure_kind::slow,         failure_kind::cert_expiring,
    failure_kind::not_delivered,  failure_kind::duplicated,   failure_kind::altered,
};

/// The contract name of a failure kind, e.g. "temp_failure".
std::string_view to_string(failure_kind k) noexcept;

/// The failure kind with this contract name, if any.
std::optional<failure_kind> parse_failure_kind(std::string_view name) noexcept;

} // namespace smtp
