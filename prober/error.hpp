#pragma once

#include <boost/system/error_code.hpp>
#include <type_traits>

namespace prober {

/// What the probe detects about the service it checks. The SMTP reply that caused it, if any,
/// travels beside the code in `probe_failure`, never inside it.
enum class probe_errc {
    resolve_failed = 1,   ///< the host name did not resolve to any address
    no_address_of_family, ///< the name resolved, but not to an address of the family asked for
    connection_refused,   ///< every address refused the TCP connection
    network_unreachable,  ///< no route to the host or its network
    connect_timeout,      ///< the TCP connection was not established in time
    reply_timeout,        ///< no complete reply before the phase deadline
    total_deadline,       ///< the hard total deadline (-t) passed
    connection_closed,    ///< the server closed the connection before a complete reply
    connection_reset,     ///< the connection was reset or aborted
    transient_reply,      ///< the server answered with a 4xx reply
    permanent_reply,      ///< the server answered with a 5xx reply
    unexpected_code,      ///< a well-formed reply with a code the step does not allow
    banner_mismatch,      ///< the banner did not match --expect-banner
    malformed_reply,      ///< a reply that breaks RFC 5321 §4.2 syntax
    bare_line_feed,       ///< a reply line ended with LF alone (RFC 5321 §2.3.8)
    reply_line_too_long,  ///< a reply line over the limit (RFC 5321 §4.5.3.1.5)
    starttls_not_offered, ///< STARTTLS was required but not in the EHLO reply
    auth_not_offered,     ///< AUTH was required but not in the EHLO reply
    auth_mechanism_unsupported, ///< AUTH offered neither PLAIN nor LOGIN
    tls_handshake_failed,       ///< the TLS handshake did not complete
    certificate_rejected,       ///< the peer certificate failed verification
    certificate_expiring,       ///< the certificate expires within the --cert-days limits
    slow_response,              ///< the probe succeeded over a -w/-c threshold
    blocklisted,                ///< a rejection that names a DNS blocklist
    not_delivered,              ///< the round-trip message did not arrive in time
    verify_failed,              ///< the round-trip mailbox could not be checked
    reply_not_text,    ///< reply text with a NUL, bare CR, control character or invalid UTF-8
    delivered_twice,   ///< the round-trip message arrived more than once
    delivered_altered, ///< the round-trip message arrived with a changed subject or body
};

/// The category of `probe_errc`, named "smtp.probe".
const boost::system::error_category& probe_category() noexcept;

/// Makes an error_code from a probe_errc.
inline boost::system::error_code make_error_code(probe_errc e) noexcept
{
    return {static_cast<int>(e), probe_category()};
}

} // namespace prober

template <> struct boost::system::is_error_code_enum<prober::probe_errc> : std::true_type {
};
